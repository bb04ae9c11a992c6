/** Hyperparameter search: exhaustive over a grid, or sampled at random from a space. */
import * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";
import { PathReporter } from "io-ts/lib/PathReporter.js";
import { NDArray, random } from "../src/index.ts";

type Arr = NDArray;

const Range = t.tuple([t.number, t.number]);

/**
 * A distribution to sample a hyperparameter from, in a {@link SearchSpace}: exactly one of
 * the properties.
 * @example const lr: Distribution = { logUniform: [1e-4, 1e-1] };
 */
export interface Distribution {
  /** Uniform on `[lo, hi)`. */
  uniform?: [number, number];
  /** Log-uniform on `[lo, hi)` (both positive): learning rates, weight decays. */
  logUniform?: [number, number];
  /** A uniformly drawn integer in `[lo, hi]` (inclusive). */
  int?: [number, number];
  /** One of the listed values, uniformly. */
  choice?: unknown[];
}

/**
 * A search space: parameter names to value lists or distributions (see {@link SearchSpaceCodec}).
 * @example const space: SearchSpace = { lr: { logUniform: [1e-4, 1e-1] }, momentum: [0, 0.9] };
 */
export type SearchSpace = Record<string, readonly unknown[] | Distribution>;

const SpaceCodec = t.record(t.string, t.union([
  t.array(t.unknown),
  t.type({ uniform: Range }),
  t.type({ logUniform: Range }),
  t.type({ int: Range }),
  t.type({ choice: t.array(t.unknown) }),
]));

/**
 * The JSON form of a search space, checked with io-ts (spaces often come from config files):
 * each parameter is a list of values to choose from, or a distribution:
 * `{ uniform: [lo, hi] }`, `{ logUniform: [lo, hi] }` (both positive), `{ int: [lo, hi] }`
 * (inclusive integers), `{ choice: [...] }`.
 *
 * @example
 * SearchSpaceCodec.decode({ lr: { logUniform: [1e-4, 1e-1] }, hidden: [32, 64, 128] })._tag   // "Right"
 */
export const SearchSpaceCodec: t.Type<SearchSpace, SearchSpace, unknown> = SpaceCodec as unknown as t.Type<SearchSpace, SearchSpace, unknown>;

/**
 * One evaluated configuration.
 * @example
 * const { config, score, index } = (await optim.gridSearch({ x: [1, 2, 3] }, ({ x }) => (x - 2) ** 2)).best;
 * index   // 1
 */
export interface Trial<C> {
  /** 0-based position in the search. */
  index: number;
  /** The hyperparameters of this trial. */
  config: C;
  /** What the objective returned for them. */
  score: number;
}

/**
 * What a search returns: every trial in order, and the best one.
 * @example
 * const { trials, best } = await optim.gridSearch({ x: [1, 2, 3] }, ({ x }) => (x - 2) ** 2);
 * trials.length   // 3
 * best.config.x   // 2
 */
export interface SearchResult<C> {
  /** Every trial, in the order they ran. */
  trials: Trial<C>[];
  /** The trial with the best score (the first one among equals). */
  best: Trial<C>;
}

/**
 * What the objective receives besides the configuration: the trial's index and a PRNG key
 * of its own (derived from the search's seed), for initialization and shuffling.
 * @example const objective = (cfg: Config, { key }: TrialContext) => train(cfg, key);
 */
export interface TrialContext {
  /** 0-based position of the trial in the search. */
  index: number;
  /** A PRNG key for this trial (derived from the search's seed and the index). */
  key: Arr;
}

/**
 * Options of {@link gridSearch} and {@link randomSearch}.
 * @example const o: SearchOptions = { mode: "max", seed: 1 };
 */
export interface SearchOptions {
  /** Whether lower (`"min"`, losses) or higher (`"max"`, accuracies) scores are better. Default min. */
  mode?: "min" | "max";
  /** Seed of the trials' keys (and, for random search, of the sampling). Default 0. */
  seed?: number;
  /** Called after each trial (for logging). */
  onTrial?: (trial: Trial<Record<string, any>>) => void;
}

/** The objective: a score (number or scalar array), possibly asynchronous. @example const f: Objective<{ lr: number }> = async ({ lr }) => train(lr); */
export type Objective<C> = (config: C, context: TrialContext) => number | Arr | Promise<number | Arr>;

function decodeSpace(fn: string, space: unknown): t.TypeOf<typeof SpaceCodec> {
  const r = SpaceCodec.decode(space);
  if (isLeft(r)) throw new TypeError(`optim.${fn}: invalid search space:\n  ${PathReporter.report(r).join("\n  ")}\nEach parameter is a list of values or { uniform | logUniform | int: [lo, hi] } or { choice: [...] }`);
  for (const [name, spec] of Object.entries(r.right)) {
    if (Array.isArray(spec)) { if (spec.length === 0) throw new RangeError(`optim.${fn}: parameter ${name} has no values`); continue; }
    if ("choice" in spec) { if (spec.choice.length === 0) throw new RangeError(`optim.${fn}: parameter ${name} has no choices`); continue; }
    const [kind, [lo, hi]] = Object.entries(spec)[0] as [string, [number, number]];
    if (!(lo <= hi)) throw new RangeError(`optim.${fn}: parameter ${name}: ${kind} needs lo <= hi; got [${lo}, ${hi}]`);
    if (kind === "logUniform" && !(lo > 0)) throw new RangeError(`optim.${fn}: parameter ${name}: logUniform needs positive bounds; got [${lo}, ${hi}]`);
    if (kind === "int" && !(Number.isInteger(lo) && Number.isInteger(hi))) throw new RangeError(`optim.${fn}: parameter ${name}: int needs integer bounds; got [${lo}, ${hi}]`);
  }
  return r.right;
}

async function runTrials<C extends Record<string, unknown>>(configs: C[], objective: Objective<C>, { mode = "min", seed = 0, onTrial }: SearchOptions, fn: string): Promise<SearchResult<C>> {
  if (mode !== "min" && mode !== "max") throw new TypeError(`optim.${fn}: mode must be "min" or "max"; got ${JSON.stringify(mode)}`);
  const trials: Trial<C>[] = [];
  const base = random.foldIn(random.key(seed), 1);
  for (let index = 0; index < configs.length; index++) {
    const config = configs[index]!;
    const raw = await objective(config, { index, key: random.foldIn(base, index) });
    const score = raw instanceof NDArray ? Number(await raw.itemAsync()) : raw;
    if (typeof score !== "number") throw new TypeError(`optim.${fn}: the objective must return a number or a scalar array; got ${typeof score}`);
    const trial = { index, config, score };
    trials.push(trial);
    onTrial?.(trial);
  }
  const better = (a: number, b: number) => (Number.isNaN(b) ? !Number.isNaN(a) : mode === "min" ? a < b : a > b);
  const best = trials.reduce((b, tr) => (better(tr.score, b.score) ? tr : b), trials[0]!);
  return { trials, best };
}

type Values<S> = { [K in keyof S]: S[K] extends readonly (infer V)[] ? V : unknown };

/**
 * Evaluates `objective` on every combination of the listed values (in order, the last
 * parameter varying fastest), as scikit-learn's `GridSearchCV` without the folds. NaN
 * scores never win.
 *
 * @example
 * // a stand-in for "train with these settings and return the validation loss"
 * const validationLoss = ({ lr, momentum }: { lr: number; momentum: number }) => Math.abs(lr - 0.1) + Math.abs(momentum - 0.9);
 * const { best, trials } = await optim.gridSearch({ lr: [0.01, 0.1], momentum: [0, 0.9] }, validationLoss, { mode: "min" });
 * trials.length      // 4
 * best.config.lr     // 0.1
 */
export async function gridSearch<S extends Record<string, readonly unknown[]>>(space: S, objective: Objective<Values<S>>, options: SearchOptions = {}): Promise<SearchResult<Values<S>>> {
  const decoded = decodeSpace("gridSearch", space);
  const names = Object.keys(decoded);
  const lists = names.map((n) => {
    const spec = decoded[n]!;
    if (!Array.isArray(spec)) throw new TypeError(`optim.gridSearch: parameter ${n} must be a list of values (distributions are for randomSearch)`);
    return spec;
  });
  let configs: Record<string, unknown>[] = [{}];
  names.forEach((n, i) => { configs = configs.flatMap((c) => lists[i]!.map((v) => ({ ...c, [n]: v }))); });
  return runTrials(configs as Values<S>[], objective, options, "gridSearch");
}

/**
 * Options of {@link randomSearch}.
 * @example const o: RandomSearchOptions = { trials: 20, seed: 0, mode: "max" };
 */
export interface RandomSearchOptions extends SearchOptions {
  /** Number of configurations to sample. */
  trials: number;
}

/**
 * Evaluates `objective` on `trials` configurations sampled from `space` (Bergstra & Bengio,
 * 2012), reproducibly from `seed` with gradus's PRNG. Lists and `choice` are sampled
 * uniformly; `uniform`, `logUniform` and `int` as named.
 *
 * @example
 * // a stand-in for "train with these settings and return the validation loss": best near lr = 0.01
 * const validationLoss = ({ lr }: Record<string, any>) => Math.abs(Math.log10(lr) + 2);
 * const { best, trials } = await optim.randomSearch(
 *   { lr: { logUniform: [1e-4, 1e-1] }, hidden: [32, 64, 128], dropout: { uniform: [0, 0.5] } },
 *   validationLoss,
 *   { trials: 20, seed: 0 },
 * );
 * trials.length   // 20
 */
export async function randomSearch(space: SearchSpace, objective: Objective<Record<string, any>>, options: RandomSearchOptions): Promise<SearchResult<Record<string, any>>> {
  const decoded = decodeSpace("randomSearch", space);
  const { trials, seed = 0 } = options;
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`optim.randomSearch: trials must be a positive integer; got ${trials}`);
  const names = Object.keys(decoded);
  const u = names.length === 0 ? new Float32Array(0) : await random.uniform(random.key(seed), [trials, names.length]).data();
  const configs = Array.from({ length: trials }, (_, i) => Object.fromEntries(names.map((n, j) => {
    const r = u[i * names.length + j]!;
    const spec = decoded[n]!;
    const pick = (list: unknown[]) => list[Math.min(list.length - 1, Math.floor(r * list.length))];
    if (Array.isArray(spec)) return [n, pick(spec)];
    if ("choice" in spec) return [n, pick(spec.choice)];
    if ("uniform" in spec) { const [lo, hi] = spec.uniform; return [n, lo + r * (hi - lo)]; }
    if ("logUniform" in spec) { const [lo, hi] = spec.logUniform; return [n, Math.exp(Math.log(lo) + r * (Math.log(hi) - Math.log(lo)))]; }
    const [lo, hi] = spec.int;
    return [n, Math.min(hi, lo + Math.floor(r * (hi - lo + 1)))];
  })));
  return runTrials(configs, objective, options, "randomSearch");
}
