/** Classification metrics with scikit-learn's semantics, built from np operations. */
import { type ArrayLike, NDArray } from "../array.ts";
import { scope } from "../memory.ts";
import * as np from "../np/index.ts";
import { asLabels, classCount, safeDivide, sameLength } from "./labels.ts";

/**
 * Options of {@link accuracy}.
 * @example metrics.accuracy([0, 1, 1], [0, 1, 0], { normalize: false } satisfies metrics.AccuracyOptions).item()   // 2
 */
export interface AccuracyOptions {
  /** The fraction correct (true) or the number correct (false). Default true. */
  normalize?: boolean;
}

/**
 * The fraction of correct predictions, as `sklearn.metrics.accuracy_score`. `yPred` may be
 * labels or a `[n, classes]` array of scores (its argmax is taken).
 *
 * @example
 * metrics.accuracy([0, 2, 1, 3], [0, 1, 2, 3]).item()   // 0.5
 * metrics.accuracy([0, 1], np.array([[2, 1], [0, 3]])).item()   // 1 (scores: their argmax)
 */
export function accuracy(yTrue: ArrayLike, yPred: ArrayLike, { normalize = true }: AccuracyOptions = {}): NDArray {
  return scope(() => {
    const t = asLabels("accuracy", "yTrue", yTrue);
    const p = asLabels("accuracy", "yPred", yPred, t);
    sameLength("accuracy", t, p);
    const correct = t.eq(p).astype("float32");
    return normalize ? np.mean(correct) : np.sum(correct);
  });
}

/**
 * Options of {@link confusionMatrix}.
 * @example metrics.confusionMatrix([0, 1, 1], [0, 1, 0], { numClasses: 3, normalize: "true" })   // [[1, 0, 0], [0.5, 0.5, 0], [0, 0, 0]]
 */
export interface ConfusionOptions {
  /** Number of classes (labels 0..numClasses−1). Inferred from the labels if omitted (not under jit). */
  numClasses?: number;
  /** Normalize over the true labels (rows), the predictions (columns) or everything. Default: counts. */
  normalize?: "true" | "pred" | "all";
}

/**
 * The confusion matrix, as `sklearn.metrics.confusion_matrix`: entry `[i, j]` counts samples
 * of true class `i` predicted as `j` (int32; float32 when normalized). `yPred` may be
 * labels or scores.
 *
 * @example
 * metrics.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]).toArray()
 * // [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
 */
export function confusionMatrix(yTrue: ArrayLike, yPred: ArrayLike, { numClasses, normalize }: ConfusionOptions = {}): NDArray {
  return scope(() => {
    const t = asLabels("confusionMatrix", "yTrue", yTrue);
    const p = asLabels("confusionMatrix", "yPred", yPred, t);
    sameLength("confusionMatrix", t, p);
    const c = classCount("confusionMatrix", numClasses, t, p);
    const counts = np.matmul(np.oneHot(t, c).T, np.oneHot(p, c));
    if (normalize === undefined) return np.round(counts).astype("int32");
    if (normalize === "true") return safeDivide(counts, np.sum(counts, { axis: 1, keepdims: true }));
    if (normalize === "pred") return safeDivide(counts, np.sum(counts, { axis: 0, keepdims: true }));
    if (normalize === "all") return safeDivide(counts, np.sum(counts));
    throw new TypeError(`metrics.confusionMatrix: normalize must be "true", "pred" or "all"; got ${JSON.stringify(normalize)}`);
  });
}

/**
 * Options of {@link precision}, {@link recall} and {@link f1}.
 * @example metrics.f1([0, 1, 2], [0, 2, 2], { average: "macro" } satisfies metrics.AverageOptions).item()   // 0.5556
 */
export interface AverageOptions {
  /**
   * `"binary"` (the class `posLabel` only; the default), `"macro"` (unweighted mean over the
   * classes present in yTrue or yPred), `"micro"` (from the total counts), `"weighted"`
   * (mean weighted by each class's support) or `"none"` (one value per class).
   */
  average?: "binary" | "macro" | "micro" | "weighted" | "none";
  /** The positive class for `"binary"`. Default 1. */
  posLabel?: number;
  /** Number of classes for the other averages; inferred if omitted (not under jit). */
  numClasses?: number;
}

type Score = "precision" | "recall" | "f1";

/** tp / predicted, tp / actual, or 2 tp / (predicted + actual), per class or in total. */
function fromCounts(score: Score, tp: NDArray, predicted: NDArray, actual: NDArray): NDArray {
  if (score === "precision") return safeDivide(tp, predicted);
  if (score === "recall") return safeDivide(tp, actual);
  return safeDivide(tp.mul(2), predicted.add(actual));
}

function averaged(score: Score, yTrue: ArrayLike, yPred: ArrayLike, { average = "binary", posLabel = 1, numClasses }: AverageOptions): NDArray {
  return scope(() => {
    const t = asLabels(score, "yTrue", yTrue);
    const p = asLabels(score, "yPred", yPred, t);
    sameLength(score, t, p);
    if (average === "binary") {
      const pt = t.eq(posLabel).astype("float32"), pp = p.eq(posLabel).astype("float32");
      return fromCounts(score, np.sum(pt.mul(pp)), np.sum(pp), np.sum(pt));
    }
    const c = classCount(score, numClasses, t, p);
    const cm = np.matmul(np.oneHot(t, c).T, np.oneHot(p, c));
    const tp = np.sum(cm.mul(np.eye(c)), { axis: 1 });
    const predicted = np.sum(cm, { axis: 0 }), actual = np.sum(cm, { axis: 1 });
    switch (average) {
      case "none": return fromCounts(score, tp, predicted, actual);
      case "micro": return fromCounts(score, np.sum(tp), np.sum(predicted), np.sum(actual));
      case "macro": {
        const present = predicted.add(actual).gt(0).astype("float32");
        return np.sum(fromCounts(score, tp, predicted, actual).mul(present)).div(np.maximum(np.sum(present), 1));
      }
      case "weighted": return safeDivide(np.sum(fromCounts(score, tp, predicted, actual).mul(actual)), np.sum(actual));
      default: throw new TypeError(`metrics.${score}: average must be "binary", "macro", "micro", "weighted" or "none"; got ${JSON.stringify(average)}`);
    }
  });
}

/**
 * Precision `tp / (tp + fp)`, as `sklearn.metrics.precision_score` (0 where nothing is
 * predicted positive). Binary by default; see {@link AverageOptions} for multiclass.
 *
 * @example
 * metrics.precision([0, 1, 1, 0], [1, 1, 0, 0]).item()                                        // 0.5
 * metrics.precision([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: "macro" }).item()   // 0.2222
 */
export function precision(yTrue: ArrayLike, yPred: ArrayLike, options: AverageOptions = {}): NDArray {
  return averaged("precision", yTrue, yPred, options);
}

/**
 * Recall `tp / (tp + fn)`, as `sklearn.metrics.recall_score` (0 where a class has no
 * samples). Binary by default; see {@link AverageOptions}.
 *
 * @example
 * metrics.recall([0, 1, 1, 0], [1, 1, 0, 0]).item()                                        // 0.5
 * metrics.recall([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: "macro" }).item()   // 0.3333
 */
export function recall(yTrue: ArrayLike, yPred: ArrayLike, options: AverageOptions = {}): NDArray {
  return averaged("recall", yTrue, yPred, options);
}

/**
 * F1, the harmonic mean of precision and recall `2 tp / (2 tp + fp + fn)`, as
 * `sklearn.metrics.f1_score`. Binary by default; see {@link AverageOptions}.
 *
 * @example
 * metrics.f1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: "macro" }).item()   // 0.2667
 * metrics.f1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: "micro" }).item()   // 0.3333
 */
export function f1(yTrue: ArrayLike, yPred: ArrayLike, options: AverageOptions = {}): NDArray {
  return averaged("f1", yTrue, yPred, options);
}
