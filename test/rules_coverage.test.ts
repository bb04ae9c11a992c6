/**
 * Every registered primitive must be transformable: a JVP rule (forward and reverse mode)
 * and a batching rule (vmap), and the primitives that can appear linearly in a linearized
 * jaxpr (the linear ones below, and every higher-order primitive, whose bodies may hold
 * linear work) need a transpose rule. The failure message lists every gap at once.
 */
import { expect, test } from "vitest";
import "../src/index.ts";
import { primitives } from "../src/core/primitive.ts";

/**
 * Primitives that are linear in (some of) their operands, so reverse mode transposes them.
 * mul and div are linear in one operand when the other is a residual; select in its branches.
 */
const LINEAR = [
  "add", "sub", "neg", "convert_element_type", "reduce_sum", "broadcast_in_dim", "reshape", "transpose",
  "squeeze", "expand_dims", "rev", "slice", "concatenate", "cumsum", "dot_general", "select", "pad",
  "dynamic_slice", "dynamic_update_slice", "gather", "scatter_add", "conv_general_dilated", "reduce_window_sum",
  "mul", "div", "pjit",
];

/** Higher-order primitives (they carry jaxprs); each one registered must transpose. */
const HIGHER_ORDER = /^(pjit|cond|scan|while|checkpoint|remat|custom_.*)$/;

test("every primitive has a JVP rule and a batching rule", () => {
  const missing = [...primitives().values()].flatMap((p) => [
    ...(p.rules.jvp ? [] : [`${p.name}: no jvp rule`]),
    ...(p.rules.batch ? [] : [`${p.name}: no batch rule`]),
  ]);
  expect(missing).toEqual([]);
});

test("every linear and higher-order primitive has a transpose rule", () => {
  const registered = primitives();
  const notRegistered = LINEAR.filter((name) => !registered.has(name)).map((name) => `${name}: declared linear but not registered`);
  const linear = new Set([...LINEAR, ...[...registered.keys()].filter((name) => HIGHER_ORDER.test(name))]);
  const missing = [...linear].filter((name) => registered.has(name) && !registered.get(name)!.rules.transpose).map((name) => `${name}: no transpose rule`);
  expect([...notRegistered, ...missing]).toEqual([]);
});
