/**
 * The property suite covers the whole primitive registry: a registered primitive without a
 * domain declaration fails here (declare its domain in test/properties/domains/), and so
 * does a declaration for a primitive that does not exist.
 */
import { expect, test } from "vitest";
import "../../src/index.ts";
import { primitives } from "../../src/core/primitive.ts";
import { DOMAINS } from "./domains.ts";
import { PROPERTIES } from "./checks.ts";
import { documentedTable, generatedSection } from "./table.ts";

test("every registered primitive declares its domain for the property suite", () => {
  const missing = [...primitives().keys()].filter((name) => !(name in DOMAINS));
  expect(missing, `primitives without a domain in test/properties/domains/: ${missing.join(", ")}`).toEqual([]);
});

test("every domain names a registered primitive", () => {
  const unknown = Object.keys(DOMAINS).filter((name) => !primitives().has(name));
  expect(unknown).toEqual([]);
});

test("every domain gets the checks that apply to it: vmap and jit always, the gradient checks unless it says why not", () => {
  for (const [name, d] of Object.entries(DOMAINS)) {
    const props = Object.entries(PROPERTIES).filter(([, p]) => p.applies(d)).map(([n]) => n);
    expect(props, name).toContain("vmap vs loop");
    expect(props, name).toContain("jit vs eager");
    if ("none" in d.grad) expect(d.grad.none.length, `${name}: say why there is no gradient`).toBeGreaterThan(3);
    else expect(props, name).toContain("second order");
  }
});

test("docs/testing.md shows the current per-primitive table (regenerate: npx tsx test/properties/table.ts --write)", () => {
  expect(documentedTable()).toBe(generatedSection());
});
