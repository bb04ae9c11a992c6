/** Convolutional models: LeNet-5, the VGG block and the ResNet basic block. */
import type { NDArray } from "../../src/index.ts";
import { relu, tanh } from "../activations.ts";
import { checkPositiveInt } from "../errors.ts";
import { applyChild, defineModule, splitKey, type Module } from "../module.ts";
import { sequential } from "../combinators.ts";
import { conv2d, type ConvParams } from "../layers/conv.ts";
import { linear } from "../layers/linear.ts";
import { batchNorm, type BatchNormState, type NormParams } from "../layers/normalization.ts";
import { avgPool2d, flatten, maxPool2d } from "../layers/pooling.ts";

/**
 * Options of `lenet5`.
 * @example
 * nn.lenet5({ inputShape: [32, 32, 1], classes: 10, activation: nn.relu, pool: "max" } satisfies LeNet5Options);
 */
export interface LeNet5Options {
  /** One image's shape `[H, W, C]`. Default `[28, 28, 1]` (MNIST). */
  inputShape?: readonly [number, number, number];
  /** Number of classes. Default 10. */
  classes?: number;
  /** Activation after each hidden layer. Default tanh (LeCun et al. 1998). */
  activation?: (x: NDArray) => NDArray;
  /** Subsampling: "avg" (default, the original) or "max". */
  pool?: "avg" | "max";
}

/**
 * LeNet-5 (LeCun et al. 1998): conv 5×5 → 6 ("SAME", so 28×28 inputs work), pool 2,
 * conv 5×5 → 16 ("VALID"), pool 2, flatten, linear → 120 → 84 → classes, with tanh between.
 * For `[28, 28, 1]` and 10 classes: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706
 * parameters. Inputs `[..., H, W, C]` → logits `[..., classes]`. A `sequential`: params
 * are an array by layer position (conv1 at 0, conv2 at 3, linears at 7, 9, 11).
 *
 * @example
 * const net = nn.lenet5();
 * const { params } = net.init(random.key(0));
 * nn.countParams(params)                                   // 61706
 * nn.call(net, params, np.zeros([8, 28, 28, 1])).shape     // [8, 10]
 * @throws RangeError when the image is too small for the two convolutions and pools.
 */
export function lenet5({ inputShape = [28, 28, 1], classes = 10, activation = tanh, pool = "avg" }: LeNet5Options = {}): Module<unknown[], unknown> {
  const [h, w, c] = inputShape;
  [h, w, c, classes].forEach((d, i) => checkPositiveInt("lenet5", ["inputShape[0]", "inputShape[1]", "inputShape[2]", "classes"][i]!, d));
  const side = (n: number) => Math.floor((Math.floor(n / 2) - 4) / 2);
  if (side(h) < 1 || side(w) < 1) throw new RangeError(`lenet5: the input ${JSON.stringify(inputShape)} is too small; height and width must be at least 12`);
  const poolLayer = () => (pool === "max" ? maxPool2d(2) : avgPool2d(2));
  return sequential([
    conv2d(c, 6, 5, { padding: "SAME" }), activation, poolLayer(),
    conv2d(6, 16, 5), activation, poolLayer(),
    flatten({ startAxis: -3 }),
    linear(16 * side(h) * side(w), 120), activation,
    linear(120, 84), activation,
    linear(84, classes),
  ]);
}

/**
 * A VGG block (Simonyan & Zisserman): `convs` × (conv 3×3 "SAME" → [batchNorm] → relu),
 * then max pool 2×2. `[..., H, W, in]` → `[..., H/2, W/2, out]`.
 *
 * @example
 * const block = nn.vggBlock(3, 64, { convs: 2 });
 * nn.call(block, block.init(random.key(0)).params, np.zeros([1, 32, 32, 3])).shape   // [1, 16, 16, 64]
 */
export function vggBlock(inChannels: number, outChannels: number, { convs = 2, batchNorm: bn = false }: { convs?: number; batchNorm?: boolean } = {}): Module<unknown[], unknown> {
  checkPositiveInt("vggBlock", "convs", convs);
  const layers = Array.from({ length: convs }, (_, i) => [
    conv2d(i === 0 ? inChannels : outChannels, outChannels, 3, { padding: "SAME", bias: !bn }),
    ...(bn ? [batchNorm(outChannels)] : []),
    relu,
  ]).flat();
  return sequential([...layers, maxPool2d(2)]);
}

/**
 * Parameters of `resnetBlock` (`proj` only with a projection shortcut).
 * @example
 * const p: ResNetBlockParams = nn.resnetBlock(16, 32, { stride: 2 }).init(key).params;
 * p.proj.conv.w.shape   // [1, 1, 16, 32]
 */
export interface ResNetBlockParams {
  /** First 3×3 convolution (with the stride). */
  conv1: ConvParams;
  /** Its batchNorm. */
  bn1: NormParams;
  /** Second 3×3 convolution. */
  conv2: ConvParams;
  /** Its batchNorm. */
  bn2: NormParams;
  /** The projection shortcut (1×1 convolution and batchNorm), when the shape changes. */
  proj?: ResNetProjection;
}

/**
 * The projection shortcut's entry in `ResNetBlockParams`.
 * @example
 * const proj: ResNetProjection = nn.resnetBlock(4, 8).init(key).params.proj!;
 * proj.conv.w.shape   // [1, 1, 4, 8]
 */
export interface ResNetProjection {
  /** The 1×1 convolution with the block's stride. */
  conv: ConvParams;
  /** Its batchNorm's scale and bias. */
  bn: NormParams;
}

/**
 * State of `resnetBlock`: the batchNorms' running statistics.
 * @example
 * const s: ResNetBlockState = nn.resnetBlock(16, 16).init(key).state;
 * s.bn1.mean.shape   // [16]
 */
export interface ResNetBlockState {
  /** Running statistics of bn1. */
  bn1: BatchNormState;
  /** Running statistics of bn2. */
  bn2: BatchNormState;
  /** Running statistics of the projection's batchNorm, when there is one. */
  proj?: ResNetProjectionState;
}

/**
 * The projection shortcut's entry in `ResNetBlockState`.
 * @example
 * const s: ResNetProjectionState = nn.resnetBlock(4, 8).init(key).state.proj!;
 * s.bn.mean.shape   // [8]
 */
export interface ResNetProjectionState {
  /** Running statistics of the projection's batchNorm. */
  bn: BatchNormState;
}

/**
 * A ResNet basic block (He et al. 2016): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
 * convolutions 3×3 "SAME" without bias (conv1 with `stride`). The shortcut is the identity
 * when the shape is kept, else a projection: conv 1×1 with `stride` → batchNorm.
 * `[..., H, W, in]` → `[..., H/stride, W/stride, out]`. Has state (batchNorm).
 *
 * @example
 * const block = nn.resnetBlock(16, 32, { stride: 2 });   // projection shortcut
 * const { params, state } = block.init(random.key(0));
 * const x = random.normal(random.key(1), [4, 8, 8, 16]);
 * const [y, newState] = block.apply(params, state, x, { train: true });
 * y.shape   // [4, 4, 4, 32]
 */
export function resnetBlock(inChannels: number, outChannels: number, { stride = 1, momentum }: { stride?: number; momentum?: number } = {}): Module<ResNetBlockParams, ResNetBlockState> {
  checkPositiveInt("resnetBlock", "stride", stride);
  const conv1 = conv2d(inChannels, outChannels, 3, { stride, padding: "SAME", bias: false });
  const conv2 = conv2d(outChannels, outChannels, 3, { padding: "SAME", bias: false });
  const bnOpts = momentum === undefined ? {} : { momentum };
  const bn1 = batchNorm(outChannels, bnOpts), bn2 = batchNorm(outChannels, bnOpts), bnP = batchNorm(outChannels, bnOpts);
  const project = stride !== 1 || inChannels !== outChannels;
  const convP = conv2d(inChannels, outChannels, 1, { stride, bias: false });
  const name = `resnetBlock(${inChannels} → ${outChannels}${stride > 1 ? `, stride ${stride}` : ""})`;
  return defineModule<ResNetBlockParams, ResNetBlockState>({
    name,
    init: (key) => {
      const [k1, k2, k3] = splitKey(key, 3);
      const b1 = bn1.init(k1!), b2 = bn2.init(k2!);
      const params: ResNetBlockParams = { conv1: conv1.init(k1!).params, bn1: b1.params, conv2: conv2.init(k2!).params, bn2: b2.params };
      const state: ResNetBlockState = { bn1: b1.state, bn2: b2.state };
      if (project) {
        const bp = bnP.init(k3!);
        params.proj = { conv: convP.init(k3!).params, bn: bp.params };
        state.proj = { bn: bp.state };
      }
      return { params, state };
    },
    apply: (p, s, x, options) => {
      const opts = { train: options.train };
      let [y] = applyChild(name, conv1, p.conv1, {}, x, opts);
      let s1, s2, sp;
      [y, s1] = applyChild(name, bn1, p.bn1, s.bn1, y, opts);
      [y] = applyChild(name, conv2, p.conv2, {}, relu(y), opts);
      [y, s2] = applyChild(name, bn2, p.bn2, s.bn2, y, opts);
      let shortcut = x;
      if (project) {
        if (!p.proj || !s.proj) throw new Error(`${name}: params and state need the projection shortcut entries (proj); use the ones from init`);
        [shortcut] = applyChild(name, convP, p.proj.conv, {}, x, opts);
        [shortcut, sp] = applyChild(name, bnP, p.proj.bn, s.proj.bn, shortcut, opts);
      }
      const state: ResNetBlockState = { bn1: s1, bn2: s2 };
      if (sp) state.proj = { bn: sp };
      return [relu(y.add(shortcut)), state];
    },
  });
}
