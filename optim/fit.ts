/**
 * A training loop for the common case: mini-batches, a jitted step (loss, gradient,
 * optimizer), per-epoch evaluation, early stopping and a progress bar. Anything unusual is
 * easier in a loop of your own; this is what such a loop usually looks like.
 */
import { dispose, jit, keep, NDArray, random, scope, valueAndGrad } from "../src/index.ts";
import type { Key } from "../src/random/index.ts";
import { batches } from "../src/data/index.ts";
import { earlyStopping, type EarlyStoppingOptions } from "./early_stopping.ts";
import { progressBar, type ProgressStream } from "./progress.ts";
import { applyUpdates, type GradientTransformation } from "./transform.ts";

/**
 * What the loss receives besides parameters and batch: a PRNG key for this step (dropout,
 * augmentation) and the model state (batch-norm statistics; `{}` when there is none).
 * @example
 * // a loss with dropout: the step's key drives it
 * const model = nn.sequential([nn.linear(2, 8), nn.relu, nn.dropout(0.5), nn.linear(8, 1)]);
 * const loss = (p: unknown, { x, y }: { x: NDArray; y: NDArray }, { key }: optim.StepContext) =>
 *   nn.losses.mse(model.apply(p, {}, x, { key, train: true })[0], y);
 */
export interface StepContext<S = unknown> {
  /** A PRNG key of this step's own. */
  key: Key;
  /** The model state before this step (`{}` without `modelState`). */
  state: S;
}

/**
 * Early stopping in {@link fit}: the rule's options and the logged value it watches.
 * @example const es: optim.FitEarlyStopping = { monitor: "accuracy", mode: "max", patience: 3 };
 */
export interface FitEarlyStopping extends EarlyStoppingOptions {
  /** The logged value to watch: `"loss"` (the epoch's mean training loss) or a key `evaluate` returns. */
  monitor: string;
}

/**
 * Options of {@link fit}.
 * @example
 * const options: optim.FitOptions<{ w: NDArray }, { x: NDArray }, {}> = {
 *   params: { w: np.zeros([1]) },
 *   loss: (p, { x }) => np.mean(x.mul(p.w).sub(1).square()),
 *   optimizer: optim.sgd(0.1), data: { x: np.ones([8, 1]) }, epochs: 1, batchSize: 4, key, progress: false,
 * };
 */
export interface FitOptions<P, B, S> {
  /** The initial parameters (not modified; `fit` returns new ones). */
  params: P;
  /**
   * The training loss of a batch. Without `modelState` it returns the loss (a scalar); with
   * `modelState` it returns `[loss, newModelState]`. It is jitted with the optimizer update.
   */
  loss: (params: P, batch: B, context: StepContext<S>) => NDArray | [NDArray, S];
  /** The optimizer. */
  optimizer: GradientTransformation<any>;
  /** Training data: a pytree of arrays sharing the first axis, e.g. `{ x, y }`. */
  data: B;
  /** Number of passes over the data. */
  epochs: number;
  /** Examples per step. The last partial batch is dropped, so the step compiles once. */
  batchSize: number;
  /** PRNG key for shuffling and for the steps' keys. */
  key: Key;
  /** Non-trainable model state threaded through the loss (batch-norm statistics). */
  modelState?: S;
  /** Called after each epoch with the current parameters and model state: metrics to log (e.g. validation accuracy). */
  evaluate?: (params: P, modelState: S) => Record<string, number> | Promise<Record<string, number>>;
  /** Stop when a logged value (`"loss"` or one of `evaluate`'s) stops improving; the best parameters are returned. */
  earlyStopping?: FitEarlyStopping;
  /** Where progress goes (`process.stderr` by default; a bar on a TTY, one line per epoch otherwise), or false for silence. */
  progress?: ProgressStream | false;
}

/**
 * One epoch's record: the mean training loss, the evaluated metrics, the time taken.
 * @example
 * const log: optim.EpochLog = { epoch: 1, loss: 0.52, seconds: 1.5, accuracy: 0.91 };
 */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Wall-clock time of the epoch, evaluation included. */
  seconds: number;
  /** What `evaluate` returned. */
  [metric: string]: number;
}

/**
 * What {@link fit} returns: the final (or, with early stopping, the best) parameters and
 * model state, the optimizer state, and the per-epoch log.
 * @example
 * const result: optim.FitResult<{ w: NDArray }, {}> = await optim.fit({
 *   params: { w: np.ones([1]) }, loss: (p) => np.sum(p.w.square()), optimizer: optim.sgd(0.1),
 *   data: { x: np.ones([4, 1]) }, epochs: 2, batchSize: 2, key, progress: false,
 * });
 * result.history.length   // 2
 */
export interface FitResult<P, S> {
  /** The trained parameters (with early stopping, those of the best epoch). */
  params: P;
  /** The model state that goes with them (`{}` without `modelState`). */
  modelState: S;
  /** The optimizer state after the last step. */
  optState: unknown;
  /** One record per epoch run. */
  history: EpochLog[];
  /** Whether early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
}

/**
 * Trains `params` by mini-batch gradient descent: each epoch shuffles `data` with a fresh
 * key, runs one jitted step per batch (loss, gradient, `optimizer.update`, `applyUpdates`),
 * then calls `evaluate`. Shows a progress bar on a TTY and one line per epoch otherwise.
 *
 * @example
 * // y = 3x + 1 from 64 noise-free samples
 * const x = random.normal(key, [64, 1]);
 * type P = { w: NDArray; b: NDArray };
 * const predict = (p: P, xs: NDArray) => np.matmul(xs, p.w).add(p.b);
 * const { params, history } = await optim.fit({
 *   params: { w: np.zeros([1, 1]), b: np.zeros([1]) },
 *   loss: (p: P, batch: { x: NDArray; y: NDArray }) => np.mean(predict(p, batch.x).sub(batch.y).square()),
 *   optimizer: optim.adam(0.1),
 *   data: { x, y: x.mul(3).add(1) }, epochs: 30, batchSize: 16, key,
 *   evaluate: (p) => ({ mse: metrics.mse(x.mul(3).add(1), predict(p, x)).item() as number }),
 *   earlyStopping: { monitor: "mse", mode: "min", patience: 3 },
 *   progress: false,
 * });
 * Math.round(params.w.item() as number)   // 3
 */
export async function fit<P, B, S = Record<string, never>>(options: FitOptions<P, B, S>): Promise<FitResult<P, S>> {
  const { loss, optimizer, data, epochs, batchSize, evaluate, progress = process.stderr } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`optim.fit: epochs must be a positive integer; got ${epochs}`);
  const hasState = options.modelState !== undefined;
  const step = jit((params: P, optState: unknown, modelState: S, batch: B, key: Key) => {
    const objective = (p: P): [NDArray, S] => {
      const out = loss(p, batch, { key, state: modelState });
      if (hasState) {
        if (!Array.isArray(out)) throw new TypeError("optim.fit: with modelState, loss must return [loss, newModelState]");
        return out;
      }
      if (!(out instanceof NDArray)) throw new TypeError("optim.fit: loss must return a scalar array (or [loss, newModelState] with modelState)");
      return [out, modelState];
    };
    const [[value, newModelState], grads] = valueAndGrad(objective, { hasAux: true })(params) as [[NDArray, S], P];
    const [updates, newOptState] = optimizer.update(grads, optState, params);
    return { params: applyUpdates(params, updates), optState: newOptState, modelState: newModelState, loss: value };
  });

  let params = options.params;
  let modelState = (options.modelState ?? {}) as S;
  let optState = keep(scope(() => optimizer.init(params)));
  const owned = new Set<unknown>();   // trees fit created (and may free); the caller's stay alive
  const replace = <T>(old: T, next: T): T => { if (owned.has(old)) dispose(old); owned.delete(old); owned.add(next); return next; };
  owned.add(optState);
  const stopper = options.earlyStopping ? earlyStopping(options.earlyStopping) : null;
  let stopState = stopper?.init();
  let best: { params: P; modelState: S } | null = null;
  const history: EpochLog[] = [];
  let [shuffleKey, stepKey] = random.split(options.key) as unknown as [Key, Key];
  let stoppedEarly = false;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = Date.now();
    const [epochShuffle, nextShuffle] = random.split(shuffleKey) as unknown as [Key, Key];
    const parts = batches(data, { batchSize, key: epochShuffle, dropLast: true });
    if (parts.length === 0) throw new RangeError(`optim.fit: batchSize ${batchSize} is larger than the data; no full batch`);
    const bar = progress === false ? null : progressBar({ total: parts.length, label: `epoch ${epoch}/${epochs}`, stream: progress });
    let lossSum = 0;
    let i = 0;
    for (const batch of parts) {
      const k = random.foldIn(stepKey, (epoch - 1) * parts.length + i);
      const out = step(params, optState, modelState, batch, k);
      dispose([batch, k]);
      params = replace(params, out.params);
      optState = replace(optState, out.optState);
      if (hasState) modelState = replace(modelState, out.modelState);
      const l = Number(await out.loss.itemAsync());
      dispose(out.loss);
      lossSum += l;
      i++;
      bar?.update(i, { loss: lossSum / i });
    }
    dispose([epochShuffle, shuffleKey]);
    shuffleKey = nextShuffle;
    const log: EpochLog = { epoch, loss: lossSum / parts.length, seconds: 0 };
    if (evaluate) Object.assign(log, await evaluate(params, modelState));
    log.seconds = (Date.now() - start) / 1000;
    history.push(log);
    const { epoch: _e, seconds: _s, ...shown } = log;
    bar?.done(shown);
    if (stopper && options.earlyStopping) {
      const monitored = log[options.earlyStopping.monitor];
      if (monitored === undefined) throw new TypeError(`optim.fit: earlyStopping monitors ${JSON.stringify(options.earlyStopping.monitor)}, which is not logged; logged: ${Object.keys(log).join(", ")}`);
      stopState = stopper.update(stopState!, monitored);
      if (stopState.improved) {
        if (best) dispose(hasState ? [best.params, best.modelState] : best.params);
        best = { params, modelState };
        owned.delete(params);   // kept for the result
        owned.delete(modelState);
      }
      if (stopState.stop) { stoppedEarly = epoch < epochs; break; }
    }
  }
  if (best && best.params !== params) {
    if (owned.has(params)) dispose(params);
    if (hasState && owned.has(modelState)) dispose(modelState);
    params = best.params;
    modelState = best.modelState;
  }
  dispose(stepKey);
  return { params, modelState, optState, history, stoppedEarly };
}
