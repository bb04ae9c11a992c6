/**
 * Loss functions, `nn.losses`: argument order `(predictions or logits, targets)`, reduced to
 * the mean over all elements (examples) unless `{ reduction: "sum" }` or `"none"`. The
 * ones that take logits work in log space, so they stay finite for logits of any size.
 */
import { np, type ArrayLike, type NDArray } from "../src/index.ts";
import { logSoftmax, relu } from "./activations.ts";

/**
 * How per-element (or per-example) losses are combined: their mean (default), sum, or
 * no reduction.
 * @example
 * const opts: LossOptions = { reduction: "sum" };
 */
export interface LossOptions {
  /** "mean" (default) over all elements or examples, "sum", or "none" (the unreduced losses). */
  reduction?: "mean" | "sum" | "none";
}

const asF32 = (x: ArrayLike, what: string, fn: string): NDArray => {
  const a = np.asarray(x as never);
  if (a.dtype === "bool" || a.dtype === "uint32") throw new TypeError(`losses.${fn}: ${what} must be numeric; got ${a.aval.str()}`);
  return a.dtype === "float32" ? a : a.astype("float32");
};

function sameShape(fn: string, a: NDArray, b: NDArray, an: string, bn: string): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`losses.${fn}: ${an} [${a.shape.join(", ")}] and ${bn} [${b.shape.join(", ")}] must have the same shape`);
  }
}

function reduce(fn: string, x: NDArray, { reduction = "mean" }: LossOptions): NDArray {
  switch (reduction) {
    case "mean": return np.mean(x);
    case "sum": return np.sum(x);
    case "none": return x;
    default: throw new RangeError(`losses.${fn}: reduction must be "mean", "sum" or "none"; got ${JSON.stringify(reduction)}`);
  }
}

/**
 * Mean squared error (predictions − targets)².
 * @example
 * nn.losses.mse(np.array([1, 2]), np.array([1, 4]))   // 2
 * @throws Error when the shapes differ.
 */
export function mse(predictions: ArrayLike, targets: ArrayLike, options: LossOptions = {}): NDArray {
  const p = asF32(predictions, "predictions", "mse"), t = asF32(targets, "targets", "mse");
  sameShape("mse", p, t, "predictions", "targets");
  return reduce("mse", np.square(p.sub(t)), options);
}

/**
 * Mean absolute error |predictions − targets|.
 * @example
 * nn.losses.mae(np.array([1, 2]), np.array([1, 4]))   // 1
 * @throws Error when the shapes differ.
 */
export function mae(predictions: ArrayLike, targets: ArrayLike, options: LossOptions = {}): NDArray {
  const p = asF32(predictions, "predictions", "mae"), t = asF32(targets, "targets", "mae");
  sameShape("mae", p, t, "predictions", "targets");
  return reduce("mae", np.abs(p.sub(t)), options);
}

/**
 * Huber loss: ½d² for |d| <= delta, delta·(|d| − ½delta) beyond (d = predictions − targets).
 * @example
 * nn.losses.huber(np.array([0, 3]), np.array([0, 0]))   // (0 + 2.5) / 2 = 1.25
 * @throws Error when the shapes differ; RangeError for delta <= 0.
 */
export function huber(predictions: ArrayLike, targets: ArrayLike, { delta = 1, ...options }: LossOptions & { delta?: number } = {}): NDArray {
  if (!(delta > 0)) throw new RangeError(`losses.huber: delta must be positive; got ${delta}`);
  const p = asF32(predictions, "predictions", "huber"), t = asF32(targets, "targets", "huber");
  sameShape("huber", p, t, "predictions", "targets");
  const d = np.abs(p.sub(t));
  return reduce("huber", np.where(d.le(delta), np.square(d).mul(0.5), d.sub(delta / 2).mul(delta)), options);
}

/**
 * Cross-entropy between `targets` (probabilities over the last axis, e.g. one-hot) and
 * softmax(logits): −Σ targets·logSoftmax(logits), one value per example `[...]`, then reduced.
 * @example
 * nn.losses.softmaxCrossEntropy(np.array([[0, 0]]), np.array([[1, 0]]))   // log 2 = 0.6931
 * @throws Error when the shapes differ.
 */
export function softmaxCrossEntropy(logits: ArrayLike, targets: ArrayLike, options: LossOptions = {}): NDArray {
  const l = asF32(logits, "logits", "softmaxCrossEntropy"), t = asF32(targets, "targets", "softmaxCrossEntropy");
  sameShape("softmaxCrossEntropy", l, t, "logits", "targets");
  return reduce("softmaxCrossEntropy", np.sum(t.mul(logSoftmax(l)), { axis: -1 }).neg(), options);
}

/**
 * Cross-entropy with integer labels: −logSoftmax(logits)[label] for logits `[..., C]` and
 * int32 labels `[...]`, then reduced.
 * @example
 * nn.losses.sparseSoftmaxCrossEntropy(np.array([[0, 0]]), np.array([0], { dtype: "int32" }))   // 0.6931
 * @throws Error when the labels' shape is not the logits' without the last axis; TypeError for non-integer labels.
 */
export function sparseSoftmaxCrossEntropy(logits: ArrayLike, labels: ArrayLike, options: LossOptions = {}): NDArray {
  const l = asF32(logits, "logits", "sparseSoftmaxCrossEntropy");
  const y = np.asarray(labels as never);
  if (y.dtype !== "int32" && y.dtype !== "uint32") throw new TypeError(`losses.sparseSoftmaxCrossEntropy: labels must be int32 class indices; got ${y.aval.str()}`);
  const lead = l.shape.slice(0, -1);
  if (l.ndim < 1 || y.ndim !== lead.length || y.shape.some((d, i) => d !== lead[i])) {
    throw new Error(`losses.sparseSoftmaxCrossEntropy: labels [${y.shape.join(", ")}] must have the shape of logits [${l.shape.join(", ")}] without its last (class) axis`);
  }
  const classes = l.shape[l.ndim - 1]!;
  return reduce("sparseSoftmaxCrossEntropy", np.sum(np.oneHot(y, classes).mul(logSoftmax(l)), { axis: -1 }).neg(), options);
}

/** log(p) clamped below at −100 (PyTorch's BCELoss), with a gradient that is finite wherever the clamp is inactive and 0 where it is active. */
function clampedLog(p: NDArray): NDArray {
  const floor = Math.exp(-100);
  const ok = p.gt(floor);
  return np.where(ok, np.log(np.where(ok, p, 1)), -100);
}

/**
 * Binary cross-entropy on probabilities: −(t·log p + (1 − t)·log(1 − p)), each log clamped
 * at −100 as PyTorch's BCELoss, so p = 0 or 1 gives a finite loss. Prefer
 * `sigmoidBinaryCrossEntropy` on logits: it is exact in log space.
 * @example
 * nn.losses.binaryCrossEntropy(np.array([0.5]), np.array([1]))   // 0.6931
 * @throws Error when the shapes differ.
 */
export function binaryCrossEntropy(probabilities: ArrayLike, targets: ArrayLike, options: LossOptions = {}): NDArray {
  const p = asF32(probabilities, "probabilities", "binaryCrossEntropy"), t = asF32(targets, "targets", "binaryCrossEntropy");
  sameShape("binaryCrossEntropy", p, t, "probabilities", "targets");
  const loss = t.mul(clampedLog(p)).add(np.subtract(1, t).mul(clampedLog(np.subtract(1, p)))).neg();
  return reduce("binaryCrossEntropy", loss, options);
}

/**
 * Binary cross-entropy on logits x with targets t in [0, 1]: max(x, 0) − x·t + log(1 + e^−|x|),
 * which equals −(t·log σ(x) + (1 − t)·log(1 − σ(x))) without overflow or log(0).
 * @example
 * nn.losses.sigmoidBinaryCrossEntropy(np.array([0, 1000]), np.array([1, 1]))   // [0.6931, 0] → mean 0.3466
 * @throws Error when the shapes differ.
 */
export function sigmoidBinaryCrossEntropy(logits: ArrayLike, targets: ArrayLike, options: LossOptions = {}): NDArray {
  const x = asF32(logits, "logits", "sigmoidBinaryCrossEntropy"), t = asF32(targets, "targets", "sigmoidBinaryCrossEntropy");
  sameShape("sigmoidBinaryCrossEntropy", x, t, "logits", "targets");
  const loss = relu(x).sub(x.mul(t)).add(np.log1p(np.exp(np.abs(x).neg())));
  return reduce("sigmoidBinaryCrossEntropy", loss, options);
}
