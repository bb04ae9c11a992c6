/** The four patterns whose kernel counts issue 7 asks for, with deterministic inputs. */
import { np, valueAndGrad, type NDArray } from "../../src/index.ts";

const grid = (shape: number[], lo = -2, hi = 2) => np.linspace(lo, hi, shape.reduce((a, b) => a * b, 1)).reshape(shape);

/** GELU (tanh form) of an affine layer. */
export const geluAffine = (x: NDArray, w: NDArray, b: NDArray) => {
  const h = np.matmul(x, w).add(b);
  return h.mul(0.5).mul(np.tanh(h.add(h.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
};
/** Layer normalization over the last axis with gain and bias. */
export const layerNorm = (x: NDArray, g: NDArray, b: NDArray) => {
  const m = np.mean(x, { axis: -1, keepdims: true });
  const v = np.var(x, { axis: -1, keepdims: true });
  return x.sub(m).div(np.sqrt(v.add(1e-5))).mul(g).add(b);
};
/** Softmax cross-entropy of logits against one-hot labels, with its gradient (a training step's loss part). */
export const softmaxCrossEntropy = (logits: NDArray, labels: NDArray) =>
  valueAndGrad((l: NDArray) => np.mean(np.logsumexp(l, { axis: -1 }).sub(np.sum(l.mul(labels), { axis: -1 }))))(logits);
/** One Adam update of a parameter (bias-corrected, lr 1e-3, step 10). */
export const adamUpdate = (p: NDArray, g: NDArray, m: NDArray, v: NDArray) => {
  const m2 = m.mul(0.9).add(g.mul(0.1));
  const v2 = v.mul(0.999).add(g.square().mul(0.001));
  const mHat = m2.div(1 - 0.9 ** 10), vHat = v2.div(1 - 0.999 ** 10);
  return [p.sub(mHat.mul(1e-3).div(np.sqrt(vHat).add(1e-8))), m2, v2];
};

/** Arguments of each pattern at a given batch size (small sizes keep wasm on its JS-loop path). */
export function patternArgs(batch: number): Record<string, NDArray[]> {
  const labels = np.oneHot(np.arange(batch).mul(7).astype("float32"), 32);
  return {
    gelu: [grid([batch, 32]), grid([32, 16], -1, 1), grid([16], 0, 1)],
    layerNorm: [grid([batch, 32]), grid([32], 0.5, 1.5), grid([32], -0.1, 0.1)],
    softmaxCrossEntropy: [grid([batch, 32]), labels],
    adam: [grid([batch, 32]), grid([batch, 32], -0.1, 0.1), grid([batch, 32], -0.01, 0.01), grid([batch, 32], 0, 0.02)],
  };
}

export const PATTERNS: Record<string, (...a: NDArray[]) => unknown> = {
  gelu: geluAffine, layerNorm, softmaxCrossEntropy, adam: adamUpdate,
};
