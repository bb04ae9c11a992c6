/** `linear`: the dense (fully connected) layer y = x·W + b. */
import { np, type NDArray } from "../../src/index.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { glorotUniform, zeros, type Initializer } from "../initializers.ts";
import { stateless, splitKey, type EmptyState, type Module } from "../module.ts";

/**
 * Parameters of `linear`: `w` is `[in, out]`, `b` is `[out]` (null without bias).
 * @example
 * const p: LinearParams = { w: np.ones([3, 4]), b: np.zeros([4]) };
 */
export interface LinearParams {
  /** The weight matrix `[in, out]`. */
  w: NDArray;
  /** The bias `[out]`, or null without bias. */
  b: NDArray | null;
}

/**
 * Options of `linear`.
 * @example
 * nn.linear(64, 10, { bias: false, wInit: nn.heNormal } satisfies LinearOptions);
 */
export interface LinearOptions {
  /** Add a bias. Default true. */
  bias?: boolean;
  /** Initializer of `w`. Default `glorotUniform`. */
  wInit?: Initializer;
  /** Initializer of `b`. Default `zeros`. */
  bInit?: Initializer;
}

/** `x[..., in] · w[in, out]` as one plain 2-D matmul (the fast kernel), leading dimensions restored. */
export function dense(x: NDArray, w: NDArray, b: NDArray | null): NDArray {
  const lead = x.shape.slice(0, -1);
  const flat = x.ndim === 2 ? x : x.reshape([-1, x.shape[x.ndim - 1]!]);
  let y = np.matmul(flat, w);
  if (b) y = y.add(b);
  return x.ndim === 2 ? y : y.reshape([...lead, w.shape[1]!]);
}

/**
 * Dense layer y = x·W + b on the last axis (any leading batch dimensions).
 *
 * Arguments: `inFeatures`, `outFeatures`; options `bias` (default true), `wInit`
 * (default glorotUniform), `bInit` (default zeros).
 * Returns a module with params `{ w: [in, out], b: [out] | null }`: in·out + out parameters.
 *
 * @example
 * const layer = nn.linear(3, 4);
 * const { params } = layer.init(random.key(0));
 * nn.call(layer, params, np.ones([2, 3])).shape   // [2, 4]
 * @throws LayerInputError when the input's last dimension is not `inFeatures`.
 */
export function linear(inFeatures: number, outFeatures: number, { bias = true, wInit = glorotUniform, bInit = zeros }: LinearOptions = {}): Module<LinearParams, EmptyState> {
  checkPositiveInt("linear", "inFeatures", inFeatures);
  checkPositiveInt("linear", "outFeatures", outFeatures);
  const name = `linear(${inFeatures} → ${outFeatures})`;
  return stateless({
    name,
    init: (key) => {
      const [kw, kb] = splitKey(key, 2);
      return { w: wInit(kw!, [inFeatures, outFeatures]), b: bias ? bInit(kb!, [outFeatures]) : null };
    },
    apply: ({ w, b }, x) => dense(checkInput(name, x, [inFeatures]), w, b),
  });
}
