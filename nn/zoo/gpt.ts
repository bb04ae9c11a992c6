/** A small GPT: a decoder-only Transformer language model (Radford et al., GPT-2 layout). */
import { np, type NDArray } from "../../src/index.ts";
import { gelu } from "../activations.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { normal } from "../initializers.ts";
import { splitKey, stateless, type EmptyState, type Module } from "../module.ts";
import { applyDropout } from "../layers/dropout.ts";
import { embedding, type EmbeddingParams } from "../layers/embedding.ts";
import { dense, linear, type LinearParams } from "../layers/linear.ts";
import { layerNorm, type NormParams } from "../layers/normalization.ts";
import { transformerEncoderLayer, type EncoderLayerParams } from "../layers/transformer.ts";

/**
 * Options of `gpt`.
 * @example
 * nn.gpt({ vocab: 65, context: 64, layers: 2, heads: 4, dim: 64 } satisfies GPTOptions);
 */
export interface GPTOptions {
  /** Vocabulary size (token ids are 0 .. vocab − 1). */
  vocab: number;
  /** Longest sequence (number of learned positions). */
  context: number;
  /** Number of Transformer blocks. */
  layers: number;
  /** Attention heads per block; must divide `dim`. */
  heads: number;
  /** Model dimension. */
  dim: number;
  /** Feed-forward hidden size. Default 4·dim. */
  ffDim?: number;
  /** Dropout on embeddings and sublayer outputs (training only). Default 0. */
  dropout?: number;
}

/**
 * Parameters of `gpt`.
 * @example
 * const model = nn.gpt({ vocab: 65, context: 32, layers: 2, heads: 2, dim: 16 });
 * const p: GPTParams = model.init(key).params;
 * p.tokens.table.shape   // [65, 16]
 */
export interface GPTParams {
  /** Token embeddings `[vocab, dim]`. */
  tokens: EmbeddingParams;
  /** Learned position embeddings `[context, dim]`. */
  positions: EmbeddingParams;
  /** The Transformer blocks. */
  blocks: EncoderLayerParams[];
  /** The final layer norm. */
  norm: NormParams;
  /** The output layer `[dim, vocab]`. */
  head: LinearParams;
}

/**
 * A GPT language model: token embeddings plus learned position embeddings, `layers`
 * pre-norm causal Transformer blocks (GELU feed-forward), a final layer norm and a linear
 * head to the vocabulary. int32 ids `[..., T]` (T <= context) → next-token logits
 * `[..., T, vocab]`; position t sees only tokens 0..t.
 *
 * Embeddings and the head start as N(0, 0.02²) (GPT-2), so the initial loss is about log(vocab).
 *
 * Parameters: vocab·dim + context·dim + layers·(12·dim² + 13·dim) (with ffDim = 4·dim)
 * + 2·dim + dim·vocab + vocab.
 *
 * @example
 * const model = nn.gpt({ vocab: 32, context: 16, layers: 2, heads: 2, dim: 32 });
 * const { params } = model.init(random.key(0));
 * nn.call(model, params, np.zeros([4, 16], { dtype: "int32" })).shape   // [4, 16, 32]
 * @throws LayerInputError for sequences longer than `context` or non-integer ids.
 */
export function gpt(options: GPTOptions): Module<GPTParams, EmptyState> {
  const { vocab, context, layers, heads, dim, ffDim = 4 * dim, dropout = 0 } = options;
  for (const [k, v] of Object.entries({ vocab, context, layers, heads, dim, ffDim })) checkPositiveInt("gpt", k, v);
  const tokens = embedding(vocab, dim, { init: normal(0.02) });
  const positions = embedding(context, dim, { init: normal(0.02) });
  const block = transformerEncoderLayer({ dim, numHeads: heads, ffDim, dropout, activation: gelu, norm: "pre", causal: true });
  const norm = layerNorm(dim);
  const head = linear(dim, vocab, { wInit: normal(0.02) });   // GPT-2's init: near-uniform predictions at the start
  const name = `gpt(vocab ${vocab}, context ${context}, ${layers} layers, ${heads} heads, dim ${dim})`;
  return stateless({
    name,
    init: (key) => {
      const keys = splitKey(key, layers + 3);
      return {
        tokens: tokens.init(keys[0]!).params,
        positions: positions.init(keys[1]!).params,
        blocks: Array.from({ length: layers }, (_, i) => block.init(keys[3 + i]!).params),
        norm: norm.init(keys[2]!).params,
        head: head.init(keys[2]!).params,
      };
    },
    apply: (p, ids, options) => {
      checkInput(name, ids, [null], { labels: ["T"], dtype: "int32" });
      const t = ids.shape[ids.ndim - 1]!;
      if (t > context) throw new RangeError(`${name}: the sequence has ${t} tokens but the context holds ${context}; crop it to the last ${context}`);
      const keys = splitKey(dropout > 0 && options.train ? options.key : undefined, layers + 1);
      const pos = t === context ? p.positions.table : np.slice(p.positions.table, [0], [t]);   // rows 0..t−1
      let x = tokens.apply(p.tokens, {}, ids)[0].add(pos);
      x = applyDropout(x, dropout, { key: keys[layers], train: options.train, where: name });
      p.blocks.forEach((bp, i) => {
        x = block.apply(bp, {}, x, { ...options, key: keys[i] })[0];
      });
      const h = norm.apply(p.norm, {}, x)[0];
      return dense(h, p.head.w, p.head.b);
    },
  });
}
