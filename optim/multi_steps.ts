/** Gradient accumulation: one optimizer step every k mini-steps. */
import { lax, NDArray, np, tree } from "../src/index.ts";
import { increment, transformation, zeroCount, zerosLikeTree, type GradientTransformation } from "./transform.ts";

/**
 * State of {@link multiSteps}: the mini-step within the current accumulation, the number
 * of optimizer steps taken, the inner state and the accumulated gradients.
 * @example
 * const tx = optim.multiSteps(optim.sgd(0.1), { everyK: 2 });
 * const [, state] = tx.update({ w: np.ones([1]) }, tx.init({ w: np.zeros([1]) }));
 * (state as optim.MultiStepsState).miniStep.item()   // 1
 */
export interface MultiStepsState {
  /** Updates accumulated since the last inner step (int32 scalar, 0 .. everyK − 1). */
  miniStep: NDArray;
  /** Inner steps taken (int32 scalar). */
  gradientStep: NDArray;
  /** The inner transformation's state. */
  inner: unknown;
  /** The accumulated updates (their mean or sum), shaped like the parameters. */
  accGrads: unknown;
}

/**
 * Options of {@link multiSteps}.
 * @example const o: MultiStepsOptions = { everyK: 4, useGradMean: true };
 */
export interface MultiStepsOptions {
  /** Apply the inner transformation every `everyK` updates. */
  everyK: number;
  /** Accumulate the mean of the gradients (true) or their sum. Default true. */
  useGradMean?: boolean;
}

/**
 * A gradient transformation with {@link multiSteps}' extra query.
 * @example
 * const tx: optim.MultiStepsTransformation = optim.multiSteps(optim.sgd(0.1), { everyK: 2 });
 * const [, state] = tx.update({ w: np.ones([1]) }, tx.init({ w: np.zeros([1]) }));
 * tx.hasUpdated(state).item()   // false
 */
export interface MultiStepsTransformation extends GradientTransformation<MultiStepsState> {
  /** Whether the last update applied the inner transformation (a bool scalar). */
  hasUpdated(state: MultiStepsState): NDArray;
}

/**
 * Gradient accumulation, as `optax.MultiSteps`: accumulates `everyK` incoming updates and
 * then applies `inner` to their mean (or sum); in between the outgoing updates are zeros.
 * The choice is a `lax.cond`, so a jitted step traces once.
 *
 * @example
 * const tx = optim.multiSteps(optim.adam(1e-3), { everyK: 4 });   // an effective batch 4× larger
 */
export function multiSteps(inner: GradientTransformation<any>, { everyK, useGradMean = true }: MultiStepsOptions): MultiStepsTransformation {
  if (!Number.isInteger(everyK) || everyK < 1) throw new RangeError(`optim.multiSteps: everyK must be a positive integer; got ${everyK}`);
  const tx = transformation<MultiStepsState>(
    (params) => ({ miniStep: zeroCount(), gradientStep: zeroCount(), inner: inner.init(params), accGrads: zerosLikeTree(params) }),
    (updates, state, params) => {
      const acc = useGradMean
        ? tree.map((g: NDArray, a: NDArray) => a.add(g.sub(a).div(state.miniStep.add(1).astype(a.dtype))), updates, state.accGrads)
        : tree.map((g: NDArray, a: NDArray) => a.add(g), updates, state.accGrads);
      const final = (accGrads: typeof acc, s: MultiStepsState, p: unknown) => {
        const [out, nextInner] = inner.update(accGrads, s.inner, p ?? undefined);
        const next: MultiStepsState = { miniStep: zeroCount(), gradientStep: increment(s.gradientStep), inner: nextInner, accGrads: zerosLikeTree(accGrads) };
        return [out, next];
      };
      const mid = (accGrads: typeof acc, s: MultiStepsState) => {
        const next: MultiStepsState = { miniStep: increment(s.miniStep), gradientStep: s.gradientStep, inner: s.inner, accGrads };
        return [zerosLikeTree(accGrads), next];
      };
      return lax.cond(state.miniStep.ge(everyK - 1), final, mid, acc, state, params ?? null) as [unknown, MultiStepsState];
    },
  );
  return Object.assign(tx, {
    hasUpdated: (state: MultiStepsState) => np.logicalAnd(state.miniStep.eq(0), state.gradientStep.gt(0)),
  });
}
