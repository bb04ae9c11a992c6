/** Momentum: a decaying trace of past updates. */
import { NDArray, tree } from "../src/index.ts";
import { transformation, zerosLikeTree, type GradientTransformation, type Scalar } from "./transform.ts";

/**
 * Options of {@link trace}.
 * @example const o: TraceOptions = { decay: 0.9, nesterov: true };
 */
export interface TraceOptions {
  /** The momentum coefficient. */
  decay: Scalar;
  /** Nesterov's accelerated variant: `g + decay · trace`. Default false. */
  nesterov?: boolean;
}

/**
 * State of {@link trace}: the momentum buffer.
 * @example const { trace } = optim.trace({ decay: 0.9 }).init({ w: np.zeros([2]) }) as optim.TraceState;
 */
export interface TraceState {
  /** The momentum buffer, shaped like the parameters. */
  trace: unknown;
}

/**
 * Momentum, as `optax.trace`: `t ← g + decay · t`; the update is `t` (or `g + decay · t`
 * with `nesterov`). `sgd(lr, { momentum })` is `chain(trace(...), scaleByLearningRate(lr))`.
 *
 * @example
 * const tx = optim.chain(optim.trace({ decay: 0.9 }), optim.scale(-0.1));
 */
export function trace({ decay, nesterov = false }: TraceOptions): GradientTransformation<TraceState> {
  if (decay === undefined) throw new TypeError("optim.trace: decay is required (the momentum coefficient, e.g. 0.9)");
  return transformation<TraceState>(
    (params) => ({ trace: zerosLikeTree(params) }),
    (updates, state) => {
      const next = tree.map((g: NDArray, t: NDArray) => g.add(t.mul(decay)), updates, state.trace);
      const out = nesterov ? tree.map((g: NDArray, t: NDArray) => g.add(t.mul(decay)), updates, next) : next;
      return [out, { trace: next }];
    },
  );
}
