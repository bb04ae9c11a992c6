/**
 * `gradus/metrics`: evaluation metrics with scikit-learn's names, argument order
 * `(yTrue, yPred or scores)` and semantics. Inputs are arrays or JS arrays; results are
 * float32 (or int32) arrays built from np operations, so they also run under `jit`.
 *
 * @example
 * import * as metrics from "gradus/metrics";
 * metrics.accuracy([0, 1, 1], [0, 1, 0]).item()            // 0.6667
 * metrics.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).item()   // 0.75
 * @module gradus/metrics
 */
export { accuracy, confusionMatrix, precision, recall, f1, type AccuracyOptions, type ConfusionOptions, type AverageOptions } from "./classification.ts";
export { rocAuc, type RocAucOptions } from "./roc_auc.ts";
export { mse, mae, r2 } from "./regression.ts";
