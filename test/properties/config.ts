/**
 * How many runs each property gets and with which seed. `npm test` runs a bounded number
 * (GRADUS_PROP_RUNS, default 8) from a fixed seed, so CI is deterministic and a failure
 * reproduces; `npm run test:deep` runs many more from a fresh seed. Either way the seed is
 * printed, and each test's name carries its own seed ("... (with seed=N)"): rerun with
 * GRADUS_PROP_SEED=<printed seed> to reproduce a failure (fast-check also prints the
 * shrunk counterexample and its replay path).
 */
const env = typeof process !== "undefined" ? process.env : {};

/** Runs per property (per backend). */
export const RUNS = Math.max(1, Number(env.GRADUS_PROP_RUNS ?? 8) | 0);

/** Per-test timeout: a second per run, at least a minute (test:deep runs hundreds). */
export const TIMEOUT = Math.max(60_000, RUNS * 1_000);

/** Base seed: GRADUS_PROP_SEED, or a fixed one (CI), or a fresh one when GRADUS_PROP_RANDOM_SEED is set (test:deep). */
export const SEED = env.GRADUS_PROP_SEED !== undefined ? Number(env.GRADUS_PROP_SEED) | 0
  : env.GRADUS_PROP_RANDOM_SEED ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0
  : 20250101;

/** A seed per property, derived from the base seed and the property's name (so properties explore different values). */
export function seedFor(...names: string[]): number {
  let h = SEED >>> 0;
  for (const ch of names.join("/")) h = (Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0);
  return h | 0;
}

let announced = false;
/** Prints the run count and seed once per test file. */
export function announce(what: string): void {
  if (announced) return;
  announced = true;
  console.log(`[gradus properties] ${what}: ${RUNS} runs per property, base seed ${SEED} (reproduce: GRADUS_PROP_SEED=${SEED} GRADUS_PROP_RUNS=${RUNS})`);
}
