/** The area under the ROC curve, with ties handled as scikit-learn does. */
import { type ArrayLike, NDArray } from "../array.ts";
import { scatterAdd } from "../lax/index.ts";
import { scope } from "../memory.ts";
import * as np from "../np/index.ts";

/**
 * Binary ROC AUC = P(score of a positive > score of a negative) + ½ P(equal): the
 * Mann–Whitney statistic, equal to the trapezoidal area under the ROC curve. Scores are
 * sorted, ties grouped, and positives and negatives counted per group with scatter-adds.
 */
function binaryAuc(positive: NDArray, scores: NDArray): NDArray {
  const n = scores.shape[0]!;
  const order = np.argsort(scores);
  const s = np.take(scores, order), pos = np.take(positive, order);
  const neg = np.subtract(1, pos);
  const changed = np.slice(s, [1]).ne(np.slice(s, [0], [n - 1])).astype("int32");
  const group = np.cumsum(np.concatenate([np.zeros([1], { dtype: "int32" }), changed]));
  const posPerGroup = scatterAdd(np.zeros([n]), group, pos);
  const negPerGroup = scatterAdd(np.zeros([n]), group, neg);
  const negBelow = np.cumsum(negPerGroup).sub(negPerGroup);
  const u = np.sum(posPerGroup.mul(negBelow.add(negPerGroup.mul(0.5))));
  const pairs = np.sum(pos).mul(np.sum(neg));
  return np.where(pairs.gt(0), u.div(np.maximum(pairs, 1)), NaN);
}

/**
 * Options of {@link rocAuc}.
 * @example metrics.rocAuc([0, 1, 1], [[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]], { average: "weighted" } satisfies metrics.RocAucOptions).item()   // 1
 */
export interface RocAucOptions {
  /** For `[n, classes]` scores (one-vs-rest): the unweighted mean over classes, or weighted by prevalence. Default macro. */
  average?: "macro" | "weighted";
  /** The positive class for binary labels. Default 1. */
  posLabel?: number;
}

/**
 * The area under the ROC curve, as `sklearn.metrics.roc_auc_score`: binary with a score per
 * sample, or one-vs-rest over classes with a `[n, classes]` array of scores. Tied scores
 * count one half. NaN when only one class is present (scikit-learn raises).
 *
 * @example
 * metrics.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).item()   // 0.75
 * metrics.rocAuc([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.3, 0.6]]).item()   // 1 (one-vs-rest)
 */
export function rocAuc(yTrue: ArrayLike, yScore: ArrayLike, { average = "macro", posLabel = 1 }: RocAucOptions = {}): NDArray {
  return scope(() => {
    const t = np.asarray(yTrue as NDArray);
    const s = np.asarray(yScore as NDArray).astype("float32");
    if (t.ndim !== 1) throw new TypeError(`metrics.rocAuc: yTrue must be a 1-D array of labels; got ${t.aval.str()}`);
    if ((s.ndim !== 1 && s.ndim !== 2) || s.shape[0] !== t.shape[0]) {
      throw new TypeError(`metrics.rocAuc: yScore must be [n] scores or [n, classes] scores for the ${t.shape[0]} labels; got ${s.aval.str()}`);
    }
    if (t.shape[0]! < 2) throw new RangeError(`metrics.rocAuc: needs at least two samples; got ${t.shape[0]}`);
    const labels = t.astype("int32");
    if (s.ndim === 1) return binaryAuc(labels.eq(posLabel).astype("float32"), s);
    const c = s.shape[1]!;
    const aucs = Array.from({ length: c }, (_, k) => binaryAuc(labels.eq(k).astype("float32"), np.slice(s, [0, k], [null, k + 1]).reshape([-1])));
    const stacked = np.stack(aucs);
    if (average === "macro") return np.mean(stacked);
    if (average === "weighted") {
      const prevalence = np.sum(np.oneHot(labels, c), { axis: 0 });
      return np.sum(stacked.mul(prevalence)).div(np.sum(prevalence));
    }
    throw new TypeError(`metrics.rocAuc: average must be "macro" or "weighted"; got ${JSON.stringify(average)}`);
  });
}
