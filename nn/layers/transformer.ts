/**
 * Transformer blocks (Vaswani et al.): `transformerEncoderLayer` (self-attention and a
 * feed-forward network) and `transformerDecoderLayer` (causal self-attention,
 * cross-attention to the encoder output, feed-forward), each sublayer wrapped in a
 * residual connection with layer norm after it ("post", the paper's and PyTorch's
 * default) or before it ("pre", GPT-2's; more stable for deep stacks).
 */
import type { NDArray } from "../../src/index.ts";
import { relu } from "../activations.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { splitKey, stateless, type ApplyOptions, type EmptyState, type Key, type Module } from "../module.ts";
import { multiHeadAttention, type MultiHeadAttentionParams } from "./attention.ts";
import { applyDropout } from "./dropout.ts";
import { dense, linear, type LinearParams } from "./linear.ts";
import { layerNorm, type NormParams } from "./normalization.ts";

/**
 * Options of the transformer layers.
 * @example
 * nn.transformerEncoderLayer({ dim: 64, numHeads: 4, ffDim: 256, dropout: 0.1, norm: "pre" } satisfies TransformerOptions);
 */
export interface TransformerOptions {
  /** Model dimension. */
  dim: number;
  /** Attention heads; must divide `dim`. */
  numHeads: number;
  /** Hidden size of the feed-forward network. Default 4·dim. */
  ffDim?: number;
  /** Dropout rate on each sublayer's output (training only; needs a key). Default 0. */
  dropout?: number;
  /** Feed-forward activation. Default relu. */
  activation?: (x: NDArray) => NDArray;
  /** Layer norm after each residual sum ("post", default) or before each sublayer ("pre"). */
  norm?: "pre" | "post";
  /** Layer-norm epsilon. Default 1e-5. */
  eps?: number;
}

/**
 * Parameters of `transformerEncoderLayer`.
 * @example
 * const layer = nn.transformerEncoderLayer({ dim: 8, numHeads: 2 });
 * const p: EncoderLayerParams = layer.init(key).params;   // p.attn.q.w, p.ff1.w, p.norm1.scale, ...
 * p.ff1.w.shape   // [8, 32]
 */
export interface EncoderLayerParams {
  /** Self-attention. */
  attn: MultiHeadAttentionParams;
  /** Layer norm of the attention sublayer. */
  norm1: NormParams;
  /** Feed-forward input layer `[dim, ffDim]`. */
  ff1: LinearParams;
  /** Feed-forward output layer `[ffDim, dim]`. */
  ff2: LinearParams;
  /** Layer norm of the feed-forward sublayer. */
  norm2: NormParams;
}

/**
 * Parameters of `transformerDecoderLayer`.
 * @example
 * const layer = nn.transformerDecoderLayer({ dim: 8, numHeads: 2 });
 * const p: DecoderLayerParams = layer.init(key).params;   // p.selfAttn, p.crossAttn, ...
 * Object.keys(p)   // ["selfAttn", "norm1", "crossAttn", "norm2", "ff1", "ff2", "norm3"]
 */
export interface DecoderLayerParams {
  /** Causal self-attention. */
  selfAttn: MultiHeadAttentionParams;
  /** Layer norm of the self-attention sublayer. */
  norm1: NormParams;
  /** Cross-attention to the memory. */
  crossAttn: MultiHeadAttentionParams;
  /** Layer norm of the cross-attention sublayer. */
  norm2: NormParams;
  /** Feed-forward input layer `[dim, ffDim]`. */
  ff1: LinearParams;
  /** Feed-forward output layer `[ffDim, dim]`. */
  ff2: LinearParams;
  /** Layer norm of the feed-forward sublayer. */
  norm3: NormParams;
}

function checkOptions(what: string, o: TransformerOptions): Required<Omit<TransformerOptions, "activation">> & { activation: (x: NDArray) => NDArray } {
  if (typeof o !== "object" || o === null) throw new TypeError(`${what}: expected options { dim, numHeads, ... }`);
  const { dim, numHeads, ffDim = 4 * dim, dropout = 0, activation = relu, norm = "post", eps = 1e-5 } = o;
  checkPositiveInt(what, "dim", dim);
  checkPositiveInt(what, "numHeads", numHeads);
  checkPositiveInt(what, "ffDim", ffDim);
  if (!(dropout >= 0 && dropout <= 1)) throw new RangeError(`${what}: dropout must be in [0, 1]; got ${dropout}`);
  if (norm !== "pre" && norm !== "post") throw new RangeError(`${what}: norm must be "pre" or "post"; got ${JSON.stringify(norm)}`);
  return { dim, numHeads, ffDim, dropout, activation, norm, eps };
}

/** x + sublayer(x) with the norm before ("pre") or after ("post"), dropout on the sublayer output. */
function residualBlock(x: NDArray, norm: "pre" | "post", ln: (x: NDArray) => NDArray, sub: (x: NDArray) => NDArray, drop: (x: NDArray) => NDArray): NDArray {
  return norm === "pre" ? x.add(drop(sub(ln(x)))) : ln(x.add(drop(sub(x))));
}

/**
 * A Transformer encoder layer: self-attention (with `causal` or `options.mask`), then a
 * position-wise feed-forward network ff2(act(ff1(x))), each in a residual connection with
 * layer norm (`norm: "post"` default, or `"pre"`) and dropout. `[..., T, dim]` → same.
 * With `causal: true` and pre-norm this is a GPT block.
 *
 * Parameters: attention 4·dim² + 4·dim, feed-forward 2·dim·ffDim + ffDim + dim, norms 4·dim.
 *
 * @example
 * const layer = nn.transformerEncoderLayer({ dim: 32, numHeads: 4 });
 * const { params } = layer.init(random.key(0));
 * nn.call(layer, params, np.ones([2, 10, 32])).shape   // [2, 10, 32]
 * @throws LayerInputError when the input is not `[..., T, dim]`.
 */
export function transformerEncoderLayer(options: TransformerOptions & { causal?: boolean }): Module<EncoderLayerParams, EmptyState> {
  const { dim, numHeads, ffDim, dropout, activation, norm, eps } = checkOptions("transformerEncoderLayer", options);
  const causal = options.causal ?? false;
  const attn = multiHeadAttention({ numHeads, dim, causal });
  const ln = layerNorm(dim, { eps });
  const ff1 = linear(dim, ffDim), ff2 = linear(ffDim, dim);
  const name = `transformerEncoderLayer(dim ${dim}, ${numHeads} heads, ${norm}-norm${causal ? ", causal" : ""})`;
  return stateless({
    name,
    init: (key) => {
      const [k1, k2, k3] = splitKey(key, 3);
      return { attn: attn.init(k1!).params, norm1: ln.init(k1!).params, ff1: ff1.init(k2!).params, ff2: ff2.init(k3!).params, norm2: ln.init(k1!).params };
    },
    apply: (p, x, options) => {
      const [ka, kf] = splitKey(dropout > 0 && options.train ? options.key : undefined, 2);
      const drop = (k: Key | undefined) => (y: NDArray) => applyDropout(y, dropout, { key: k, train: options.train, where: name });
      const norm1 = (y: NDArray) => ln.apply(p.norm1, {}, y)[0];
      const norm2 = (y: NDArray) => ln.apply(p.norm2, {}, y)[0];
      const selfAttn = (y: NDArray) => attn.apply(p.attn, {}, y, { mask: options.mask })[0];
      const ff = (y: NDArray) => dense(activation(dense(y, p.ff1.w, p.ff1.b)), p.ff2.w, p.ff2.b);
      const h = residualBlock(checkInput(name, x, [null, dim], { labels: ["T", String(dim)] }), norm, norm1, selfAttn, drop(ka));
      return residualBlock(h, norm, norm2, ff, drop(kf));
    },
  });
}

/**
 * A Transformer decoder layer: causal self-attention on `x` (plus `options.mask`), then
 * cross-attention to the encoder output `options.memory` `[..., S, dim]` (with
 * `options.memoryMask`), then the feed-forward network; each sublayer in a residual
 * connection with layer norm ("post" default, or "pre") and dropout. `[..., T, dim]` → same.
 *
 * Parameters: two attentions 2·(4·dim² + 4·dim), feed-forward 2·dim·ffDim + ffDim + dim, norms 6·dim.
 *
 * @example
 * const dec = nn.transformerDecoderLayer({ dim: 32, numHeads: 4 });
 * const { params } = dec.init(random.key(0));
 * const tgt = random.normal(random.key(1), [2, 5, 32]), encoderOut = random.normal(random.key(2), [2, 9, 32]);
 * dec.apply(params, {}, tgt, { memory: encoderOut })[0].shape   // [2, 5, 32]
 * @throws Error when `options.memory` is missing; LayerInputError for inputs of the wrong shape.
 */
export function transformerDecoderLayer(options: TransformerOptions): Module<DecoderLayerParams, EmptyState> {
  const { dim, numHeads, ffDim, dropout, activation, norm, eps } = checkOptions("transformerDecoderLayer", options);
  const selfAttn = multiHeadAttention({ numHeads, dim, causal: true });
  const crossAttn = multiHeadAttention({ numHeads, dim });
  const ln = layerNorm(dim, { eps });
  const ff1 = linear(dim, ffDim), ff2 = linear(ffDim, dim);
  const name = `transformerDecoderLayer(dim ${dim}, ${numHeads} heads, ${norm}-norm)`;
  return stateless({
    name,
    init: (key) => {
      const [k1, k2, k3, k4] = splitKey(key, 4);
      const n = ln.init(k1!).params;
      return {
        selfAttn: selfAttn.init(k1!).params, norm1: n, crossAttn: crossAttn.init(k2!).params, norm2: ln.init(k1!).params,
        ff1: ff1.init(k3!).params, ff2: ff2.init(k4!).params, norm3: ln.init(k1!).params,
      };
    },
    apply: (p, x, options: ApplyOptions) => {
      const { memory } = options;
      if (memory === undefined) {
        throw new Error(`${name}: cross-attention needs the encoder output: layer.apply(params, state, x, { memory })`);
      }
      const [ks, kc, kf] = splitKey(dropout > 0 && options.train ? options.key : undefined, 3);
      const drop = (k: Key | undefined) => (y: NDArray) => applyDropout(y, dropout, { key: k, train: options.train, where: name });
      const lnWith = (params: NormParams) => (y: NDArray) => ln.apply(params, {}, y)[0];
      const self = (y: NDArray) => selfAttn.apply(p.selfAttn, {}, y, { mask: options.mask })[0];
      const cross = (y: NDArray) => crossAttn.apply(p.crossAttn, {}, y, { kv: memory, mask: options.memoryMask })[0];
      const ff = (y: NDArray) => dense(activation(dense(y, p.ff1.w, p.ff1.b)), p.ff2.w, p.ff2.b);
      let h = residualBlock(checkInput(name, x, [null, dim], { labels: ["T", String(dim)] }), norm, lnWith(p.norm1), self, drop(ks));
      h = residualBlock(h, norm, lnWith(p.norm2), cross, drop(kc));
      return residualBlock(h, norm, lnWith(p.norm3), ff, drop(kf));
    },
  });
}
