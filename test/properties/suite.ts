/**
 * The registry-driven property suite: every domain of a family gets every property that
 * applies to it, on the cpu and wasm backends. One test file per family, so vitest runs
 * them in parallel.
 */
import "@tensorflow/tfjs-layers"; // registers tfjs's own gradients (the tf.grad oracle)
import { beforeAll, describe } from "vitest";
import { test } from "@fast-check/vitest";
import { setBackend } from "../../src/index.ts";
import { CPU_BACKENDS } from "../helpers.ts";
import { PROPERTIES, type PropertyName } from "./checks.ts";
import { DOMAINS } from "./domains.ts";
import { RUNS, TIMEOUT, announce, seedFor } from "./config.ts";
import type { Family } from "./spec.ts";

/** Properties that run on one backend only: tfjs's gradients need kernels (UnsortedSegmentSum, Conv2DBackpropFilter) that wasm lacks. */
const ONLY_ON: Partial<Record<PropertyName, string>> = { "grad vs tf.grad": "cpu" };

export function propertySuite(family: Family): void {
  announce(`${family} primitives`);
  const domains = Object.entries(DOMAINS).filter(([, d]) => d.family === family);
  describe.each(CPU_BACKENDS)(`properties of the ${family} primitives on %s`, (backend) => {
    beforeAll(() => setBackend(backend));
    for (const [name, d] of domains) {
      describe(name, () => {
        for (const [prop, p] of Object.entries(PROPERTIES) as [PropertyName, (typeof PROPERTIES)[PropertyName]][]) {
          if (!p.applies(d) || (ONLY_ON[prop] && ONLY_ON[prop] !== backend)) continue;
          test.prop([p.arb(d)], { numRuns: RUNS, seed: seedFor(backend, name, prop) })(prop, (c) => { (p.check as (d: unknown, c: unknown) => void)(d, c); }, TIMEOUT);
        }
      });
    }
  });
}
