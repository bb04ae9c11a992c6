/** Different transformations for different groups of parameters. */
import { tree } from "../src/index.ts";
import { masked } from "./masked.ts";
import { transformation, type GradientTransformation } from "./transform.ts";

/**
 * State of {@link multiTransform}: one masked state per label.
 * @example
 * const tx = optim.multiTransform({ fast: optim.sgd(1), slow: optim.sgd(0.01) }, { w: "fast", b: "slow" });
 * const { inner } = tx.init({ w: np.zeros([2]), b: np.zeros([1]) }) as optim.MultiTransformState;
 * Object.keys(inner).length   // 2
 */
export interface MultiTransformState {
  /** Per label, the state of its (masked) transformation. */
  inner: Record<string, unknown>;
}

/**
 * Labels each parameter leaf (a pytree of strings shaped like the parameters or a prefix of
 * them, or a function of the parameters returning one) and applies `transforms[label]` to
 * the leaves with that label, as `optax.multi_transform`. Every label needs a transform.
 *
 * @example
 * const tx = optim.multiTransform(
 *   { body: optim.adam(1e-3), head: optim.sgd(1e-2) },
 *   { encoder: "body", classifier: "head" },
 * );
 * @throws TypeError if a label has no transformation (the message lists the labels).
 */
export function multiTransform(transforms: Record<string, GradientTransformation<any>>, paramLabels: unknown): GradientTransformation<MultiTransformState> {
  const names = Object.keys(transforms);
  const labelsOf = (params: unknown): unknown => {
    const labels = typeof paramLabels === "function" ? (paramLabels as (p: unknown) => unknown)(params) : paramLabels;
    for (const l of tree.leaves(labels)) {
      if (typeof l !== "string" || !(l in transforms)) {
        throw new TypeError(`optim.multiTransform: label ${JSON.stringify(l)} has no transformation; the transformations are for ${names.map((n) => JSON.stringify(n)).join(", ")}`);
      }
    }
    return labels;
  };
  const inner = Object.fromEntries(names.map((name) => [name, masked(transforms[name]!, (p: unknown) => tree.map((l: string) => l === name, labelsOf(p)))]));
  return transformation<MultiTransformState>(
    (params) => ({ inner: Object.fromEntries(names.map((n) => [n, inner[n]!.init(params)])) }),
    (updates, state, params) => {
      let u = updates;
      const next: Record<string, unknown> = {};
      for (const n of names) [u, next[n]] = inner[n]!.update(u, state.inner[n] as never, params);
      return [u, { inner: next }];
    },
  );
}
