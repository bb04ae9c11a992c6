/** Regression metrics with scikit-learn's semantics. */
import { type ArrayLike, NDArray } from "../array.ts";
import { scope } from "../memory.ts";
import * as np from "../np/index.ts";

function pair(fn: string, yTrue: ArrayLike, yPred: ArrayLike): [NDArray, NDArray] {
  const t = np.asarray(yTrue as NDArray).astype("float32"), p = np.asarray(yPred as NDArray).astype("float32");
  if (t.ndim < 1 || t.ndim > 2 || t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new TypeError(`metrics.${fn}: yTrue and yPred must have the same shape, [n] or [n, outputs]; got ${t.aval.str()} and ${p.aval.str()}`);
  }
  return [t, p];
}

/**
 * Mean squared error, as `sklearn.metrics.mean_squared_error` (averaged over outputs too).
 *
 * @example
 * metrics.mse([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]).item()   // 0.375
 */
export function mse(yTrue: ArrayLike, yPred: ArrayLike): NDArray {
  return scope(() => { const [t, p] = pair("mse", yTrue, yPred); return np.mean(t.sub(p).square()); });
}

/**
 * Mean absolute error, as `sklearn.metrics.mean_absolute_error` (averaged over outputs too).
 *
 * @example
 * metrics.mae([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]).item()   // 0.5
 */
export function mae(yTrue: ArrayLike, yPred: ArrayLike): NDArray {
  return scope(() => { const [t, p] = pair("mae", yTrue, yPred); return np.mean(np.abs(t.sub(p))); });
}

/**
 * The coefficient of determination R² = 1 − SS_res / SS_tot, as `sklearn.metrics.r2_score`:
 * per output, then averaged uniformly. A constant `yTrue` gives 1 if predicted exactly,
 * else 0 (scikit-learn's force_finite).
 *
 * @example
 * metrics.r2([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]).item()   // 0.9486
 */
export function r2(yTrue: ArrayLike, yPred: ArrayLike): NDArray {
  return scope(() => {
    const [t, p] = pair("r2", yTrue, yPred);
    const res = np.sum(t.sub(p).square(), { axis: 0 });
    const tot = np.sum(t.sub(np.mean(t, { axis: 0, keepdims: true })).square(), { axis: 0 });
    const score = np.where(tot.gt(0), np.subtract(1, res.div(np.maximum(tot, 1e-30))), np.where(res.eq(0), 1, 0));
    return np.mean(score);
  });
}
