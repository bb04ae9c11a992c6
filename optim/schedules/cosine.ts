/** Cosine annealing, with and without linear warmup. */
import { np } from "../../src/index.ts";
import { join } from "./join.ts";
import { linear } from "./decay.ts";
import { finite, positiveInt, stepArray, type Schedule } from "./schedule.ts";

/**
 * Options of {@link cosineDecay}.
 *
 * @example
 * optim.schedules.cosineDecay({ initValue: 0.1, decaySteps: 1000, alpha: 0.01 });
 */
export interface CosineDecayOptions {
  /** The value at step 0. */
  initValue: number;
  /** Steps over which the value falls to `alpha · initValue`; constant afterwards. */
  decaySteps: number;
  /** The final value as a fraction of `initValue`. Default 0. */
  alpha?: number;
  /** Power applied to the cosine factor. Default 1. */
  exponent?: number;
}

/**
 * Cosine annealing (Loshchilov & Hutter, SGDR), as `optax.cosine_decay_schedule`:
 * `initValue · ((1 − alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)`.
 * Takes one options object or `(initValue, decaySteps, rest?)`.
 *
 * @example
 * optim.schedules.cosineDecay(1, 100)(50).item()    // 0.5
 * optim.schedules.cosineDecay({ initValue: 1, decaySteps: 100, alpha: 0.1 })(100).item()   // 0.1
 */
export function cosineDecay(options: CosineDecayOptions): Schedule;
export function cosineDecay(initValue: number, decaySteps: number, rest?: Omit<CosineDecayOptions, "initValue" | "decaySteps">): Schedule;
export function cosineDecay(a: CosineDecayOptions | number, decaySteps?: number, rest: Partial<CosineDecayOptions> = {}): Schedule {
  const o: CosineDecayOptions = typeof a === "object" ? a : { ...rest, initValue: a, decaySteps: decaySteps! };
  const fn = "schedules.cosineDecay";
  const { initValue, alpha = 0, exponent = 1 } = o;
  finite(fn, "initValue", initValue); finite(fn, "alpha", alpha); finite(fn, "exponent", exponent);
  const steps = positiveInt(fn, "decaySteps", o.decaySteps);
  return (step) => {
    const count = np.minimum(stepArray(step, fn), steps);
    const cosine = np.cos(count.mul(Math.PI / steps)).add(1).mul(0.5);
    const factor = exponent === 1 ? cosine : np.power(cosine, exponent);
    return factor.mul(1 - alpha).add(alpha).mul(initValue);
  };
}

/**
 * Options of {@link warmupCosineDecay}.
 *
 * @example
 * optim.schedules.warmupCosineDecay({ initValue: 0, peakValue: 1e-3, warmupSteps: 100, decaySteps: 1000 });
 */
export interface WarmupCosineDecayOptions {
  /** The value at step 0. */
  initValue: number;
  /** The value reached at the end of warmup. */
  peakValue: number;
  /** Steps of linear warmup from `initValue` to `peakValue`. */
  warmupSteps: number;
  /** Total steps, warmup included, after which the value is `endValue`. */
  decaySteps: number;
  /** The final value. Default 0. */
  endValue?: number;
  /** Power applied to the cosine factor. Default 1. */
  exponent?: number;
}

/**
 * Linear warmup to `peakValue`, then cosine decay to `endValue` at `decaySteps`, as
 * `optax.warmup_cosine_decay_schedule`.
 *
 * @example
 * const lr = optim.schedules.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110 });
 * lr(5).item()     // 0.5
 * lr(60).item()    // 0.5
 * lr(110).item()   // 0
 */
export function warmupCosineDecay({ initValue, peakValue, warmupSteps, decaySteps, endValue = 0, exponent = 1 }: WarmupCosineDecayOptions): Schedule {
  const fn = "schedules.warmupCosineDecay";
  finite(fn, "initValue", initValue); finite(fn, "peakValue", peakValue); finite(fn, "endValue", endValue);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new RangeError(`${fn}: warmupSteps must be a non-negative integer; got ${warmupSteps}`);
  positiveInt(fn, "decaySteps", decaySteps);
  if (decaySteps <= warmupSteps) throw new RangeError(`${fn}: decaySteps (${decaySteps}) counts the warmup too, so it must exceed warmupSteps (${warmupSteps})`);
  const alpha = peakValue === 0 ? 0 : endValue / peakValue;
  const decay = cosineDecay(peakValue, decaySteps - warmupSteps, { alpha, exponent });
  if (warmupSteps === 0) return decay;
  return join([linear(initValue, peakValue, warmupSteps), decay], [warmupSteps]);
}
