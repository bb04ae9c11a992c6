/**
 * The shared timing helper of the benchmark suite: warm up, then time N blocks and keep
 * the median. A block ends with an awaited readback (the caller's `fn` returns the
 * promise of one), so work a backend queues asynchronously is inside the measurement.
 */

/** How one case is timed. */
export interface TimingOptions {
  /** Untimed calls first: traces, compiles, kernel caches, JIT warm-up of V8. */
  warmup: number;
  /** Timed blocks; the reported figure is their median. */
  iters: number;
  /** Calls per timed block (the result is per call). Use > 1 only for sub-millisecond cases. */
  inner?: number;
  /** `compare` only: false times each case's blocks back to back instead of round-robin. */
  interleave?: boolean;
}

/** One measured case, in milliseconds per call. */
export interface Timing {
  name: string;
  median: number;
  min: number;
  p25: number;
  p75: number;
  iters: number;
  inner: number;
}

const quantile = (sorted: number[], q: number): number => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
};

/**
 * Times `fn`. `fn(last)` runs one call; `last` is true for the final call of a block, and
 * `fn` must then return a promise that settles after reading a result back (e.g.
 * `await x.data()`), so the block includes everything the backend did.
 *
 * @example
 * const t = await time("tfjs add", (last) => { const y = tf.add(a, b); return last ? y.data().then(() => y.dispose()) : y.dispose(); }, { warmup: 10, iters: 50 });
 */
export async function time(name: string, fn: (last: boolean) => unknown, { warmup, iters, inner = 1 }: TimingOptions): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn(true);
  const samples: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) await fn(k === inner - 1);
    samples.push((performance.now() - t0) / inner);
  }
  samples.sort((a, b) => a - b);
  return { name, median: quantile(samples, 0.5), min: samples[0]!, p25: quantile(samples, 0.25), p75: quantile(samples, 0.75), iters, inner };
}

/** A deterministic float32 buffer (uniform in [-scale, scale)), identical for every framework. */
export function seededData(size: number, seed: number, scale = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** One contender of a comparison: `fn` as for `time`; `teardown` frees its state. */
export interface Case {
  name: string;
  fn: (last: boolean) => unknown;
  teardown?: () => void;
}

/**
 * Times several cases against each other: each is warmed up, then the timed blocks are
 * interleaved round-robin (round r starts at case r mod n), so a burst of load on the
 * machine hits every case alike and the ratios are measured under the same conditions.
 */
export async function compare(cases: readonly Case[], { warmup, iters, inner = 1, interleave = true }: TimingOptions, liveCount?: () => number): Promise<Timing[]> {
  const samples = cases.map((): number[] => []);
  const block = async (k: number) => {
    const fn = cases[k]!.fn;
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await fn(i === inner - 1);
    samples[k]!.push((performance.now() - t0) / inner);
  };
  let before: number | undefined;
  if (interleave) {
    for (const c of cases) for (let i = 0; i < warmup; i++) await c.fn(true);
    before = liveCount?.();
    for (let r = 0; r < iters; r++) for (let j = 0; j < cases.length; j++) await block((r + j) % cases.length);
  } else {
    before = liveCount?.();
    for (let k = 0; k < cases.length; k++) {
      for (let i = 0; i < warmup; i++) await cases[k]!.fn(true);
      if (k === 0) before = liveCount?.();
      for (let r = 0; r < iters; r++) await block(k);
    }
  }
  // Live arrays must stay flat while timing: a leak would slow every later call.
  if (liveCount) assertFlat(cases.map((c) => c.name).join(", "), before!, liveCount());
  for (const c of cases) c.teardown?.();
  return cases.map((c, k) => {
    const s = samples[k]!.sort((a, b) => a - b);
    return { name: c.name, median: quantile(s, 0.5), min: s[0]!, p25: quantile(s, 0.25), p75: quantile(s, 0.75), iters, inner };
  });
}

/** Deterministic one-hot labels [batch, classes]. */
export function seededOneHot(batch: number, classes: number, seed: number): Float32Array {
  const u = seededData(batch, seed);
  const out = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) out[i * classes + Math.min(classes - 1, Math.floor(((u[i]! + 1) / 2) * classes))] = 1;
  return out;
}

/** Formats milliseconds for the table. */
export function fmtMs(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}

/** A check against a target ratio: `ratio <= target`. */
export interface RatioResult {
  name: string;
  ratio: number;
  target: number | null;
  pass: boolean | null;
}

/** ratio = a / b with an optional `<= target`. */
export function ratio(name: string, a: Timing, b: Timing, target: number | null = null): RatioResult {
  const r = a.median / b.median;
  return { name, ratio: r, target, pass: target === null ? null : r <= target };
}

/** Whether tfjs/gradus tensor counts stayed flat: a leak would distort later timings. */
export function assertFlat(label: string, before: number, after: number): void {
  if (after !== before) throw new Error(`${label}: live tensors went from ${before} to ${after}; the benchmark leaks`);
}
