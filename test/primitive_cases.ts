/**
 * One small invocation per registered primitive, used by the cross-backend agreement test
 * (cpu vs wasm vs webgpu). `coverage.test.ts` fails if a primitive has no case here, so a
 * new primitive cannot escape the cross-backend check.
 */
import { jit, lax, np, type NDArray, grad, customJvp, customVjp, checkpoint } from "../src/index.ts";
import { primitives } from "../src/core/primitive.ts";

const f = (values: number[], shape: number[]) => np.array(values).reshape(shape);
const i32 = (values: number[]) => np.array(values, { dtype: "int32" });
const u32 = (values: number[]) => np.array(values, { dtype: "uint32" });
const grid = (shape: number[], lo = -2, hi = 2) => np.linspace(lo, hi, shape.reduce((a, b) => a * b, 1)).reshape(shape);
const pos = (shape: number[]) => grid(shape, 0.2, 3);
const unit = (shape: number[]) => grid(shape, -0.9, 0.9);
const bools = () => np.array([true, false, true, true]);

const bind = (name: string, args: NDArray[], params: object = {}): NDArray[] => primitives().get(name)!.bind(args, params as never);

export const CASES: Record<string, () => NDArray[]> = {
  neg: () => bind("neg", [grid([2, 3])]),
  exp: () => bind("exp", [grid([2, 3])]),
  log: () => bind("log", [pos([2, 3])]),
  log1p: () => bind("log1p", [pos([2, 3])]),
  expm1: () => bind("expm1", [grid([2, 3])]),
  sin: () => bind("sin", [grid([2, 3])]),
  cos: () => bind("cos", [grid([2, 3])]),
  tan: () => bind("tan", [unit([2, 3])]),
  tanh: () => bind("tanh", [grid([2, 3])]),
  logistic: () => bind("logistic", [grid([2, 3])]),
  sqrt: () => bind("sqrt", [pos([2, 3])]),
  rsqrt: () => bind("rsqrt", [pos([2, 3])]),
  abs: () => bind("abs", [grid([2, 3])]),
  sign: () => bind("sign", [grid([2, 3])]),
  floor: () => bind("floor", [grid([2, 3])]),
  ceil: () => bind("ceil", [grid([2, 3])]),
  round: () => bind("round", [f([0.5, 1.5, 2.5, -0.5, -1.7, 0.2], [2, 3])]),
  erf: () => bind("erf", [grid([2, 3])]),
  erf_inv: () => bind("erf_inv", [unit([2, 3])]),
  square: () => bind("square", [grid([2, 3])]),
  not: () => bind("not", [bools()]),
  is_finite: () => bind("is_finite", [np.array([1, Infinity, NaN, -Infinity])]),
  integer_pow: () => bind("integer_pow", [grid([2, 3])], { y: 3 }),
  add: () => bind("add", [grid([2, 3]), grid([3])]),
  sub: () => bind("sub", [grid([2, 3]), grid([2, 1])]),
  mul: () => bind("mul", [grid([2, 3]), grid([2, 3], 1, 3)]),
  div: () => bind("div", [grid([2, 3]), pos([2, 3])]),
  pow: () => bind("pow", [pos([2, 3]), grid([2, 3])]),
  max: () => bind("max", [grid([2, 3]), np.zeros([3])]),
  min: () => bind("min", [grid([2, 3]), np.zeros([3])]),
  atan2: () => bind("atan2", [grid([2, 3]), grid([2, 3], -1, 1.5)]),
  rem: () => bind("rem", [grid([2, 3], -5, 5), pos([2, 3])]),
  and: () => bind("and", [bools(), np.array([true, true, false, false])]),
  or: () => bind("or", [bools(), np.array([true, true, false, false])]),
  xor: () => bind("xor", [bools(), np.array([true, true, false, false])]),
  eq: () => bind("eq", [i32([1, 2, 3]), i32([3, 2, 1])]),
  ne: () => bind("ne", [i32([1, 2, 3]), i32([3, 2, 1])]),
  lt: () => bind("lt", [grid([4]), np.zeros([4])]),
  le: () => bind("le", [grid([4]), np.zeros([4])]),
  gt: () => bind("gt", [grid([4]), np.zeros([4])]),
  ge: () => bind("ge", [grid([4]), np.zeros([4])]),
  select: () => bind("select", [bools(), grid([4]), np.zeros([4])]),
  convert_element_type: () => [
    ...bind("convert_element_type", [grid([2, 3], -3, 3)], { newDtype: "int32" }),
    ...bind("convert_element_type", [u32([4146024105, 7])], { newDtype: "float32" }),
  ],
  stop_gradient: () => bind("stop_gradient", [grid([3])]),
  reduce_sum: () => bind("reduce_sum", [grid([2, 3, 4])], { axes: [0, 2] }),
  reduce_prod: () => bind("reduce_prod", [grid([2, 3], 0.5, 2)], { axes: [1] }),
  reduce_max: () => bind("reduce_max", [grid([2, 3])], { axes: [1] }),
  reduce_min: () => bind("reduce_min", [grid([2, 3])], { axes: [0] }),
  argmax: () => bind("argmax", [f([1, 3, 2, 9, 0, 4], [2, 3])], { axis: 1 }),
  argmin: () => bind("argmin", [f([1, 3, 2, 9, 0, 4], [2, 3])], { axis: 1 }),
  cumsum: () => bind("cumsum", [grid([2, 3])], { axis: 1, reverse: true }),
  dot_general: () => [
    ...bind("dot_general", [grid([2, 3]), grid([3, 4])], { dimensionNumbers: [[[1], [0]], [[], []]] }),
    ...bind("dot_general", [grid([2, 3, 4]), grid([2, 4, 5])], { dimensionNumbers: [[[2], [1]], [[0], [0]]] }),
  ],
  broadcast_in_dim: () => bind("broadcast_in_dim", [grid([3])], { shape: [2, 3], broadcastDimensions: [1] }),
  reshape: () => bind("reshape", [grid([2, 3])], { newSizes: [3, 2] }),
  transpose: () => bind("transpose", [grid([2, 3, 4])], { permutation: [2, 0, 1] }),
  squeeze: () => bind("squeeze", [grid([1, 3])], { dimensions: [0] }),
  expand_dims: () => bind("expand_dims", [grid([3])], { dimensions: [0, 2] }),
  rev: () => bind("rev", [grid([2, 3])], { dimensions: [1] }),
  slice: () => bind("slice", [grid([4, 5])], { startIndices: [1, 0], limitIndices: [4, 5], strides: [2, 2] }),
  concatenate: () => bind("concatenate", [grid([2, 2]), grid([1, 2])], { dimension: 0 }),
  iota: () => bind("iota", [], { dtype: "int32", shape: [2, 3], dimension: 1 }),
  pad: () => bind("pad", [grid([2, 3]), np.array(-1)], { config: [[1, -1, 0], [0, 2, 1]] }),
  dynamic_slice: () => bind("dynamic_slice", [grid([4, 5]), i32([2]).reshape([]), i32([4]).reshape([])], { sliceSizes: [2, 3] }),
  dynamic_update_slice: () => bind("dynamic_update_slice", [grid([4, 5]), np.ones([2, 2]), i32([1]).reshape([]), i32([3]).reshape([])]),
  gather: () => bind("gather", [grid([3, 4]), i32([2, 0, 2])], { axis: 1, batchDims: 0 }),
  scatter_add: () => bind("scatter_add", [np.zeros([3, 4]), i32([2, 0, 2]), grid([3, 3])], { axis: 1, batchDims: 0 }),
  conv_general_dilated: () => bind("conv_general_dilated", [grid([1, 5, 5, 2]), grid([3, 3, 1, 4], -1, 1)], {
    windowStrides: [2, 1], padding: [[1, 1], [0, 2]], lhsDilation: [1, 1], rhsDilation: [1, 2], featureGroupCount: 2,
  }),
  reduce_window_max: () => bind("reduce_window_max", [grid([1, 4, 4, 2])], { windowDimensions: [1, 2, 2, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [0, 0], [0, 0], [0, 0]] }),
  reduce_window_sum: () => bind("reduce_window_sum", [grid([1, 4, 4, 2])], { windowDimensions: [1, 3, 3, 1], windowStrides: [1, 1, 1, 1], padding: [[0, 0], [1, 1], [1, 1], [0, 0]] }),
  sort: () => bind("sort", [f([3, 1, 2, 1, 5, 0], [2, 3]), i32([0, 1, 2, 3, 4, 5]).reshape([2, 3])], { dimension: 1, numKeys: 1 }),
  top_k: () => bind("top_k", [f([3, 1, 2, 1, 5, 0], [2, 3])], { k: 2 }),
  pjit: () => [jit((x: NDArray) => np.sin(x).mul(2).sum())(grid([2, 3]))],
  threefry2x32: () => bind("threefry2x32", [u32([0x13198a2e]), u32([0x03707344]), u32([0x243f6a88, 0, 4294967295]), u32([0x85a308d3, 1, 4294967295])]),
  random_unit_float: () => bind("random_unit_float", [u32([0, 511, 512, 2147483648, 4294967295])]),
  random_int_from_bits: () => bind("random_int_from_bits", [u32([4146024105, 967050713, 7]), u32([2718843009, 1272950319, 0]), i32([-5, 0, 2147483647]), i32([10, 2147483647, -2147483648])], { maxvalOutOfRange: false }),
  sort_key_val_u32: () => bind("sort_key_val_u32", [u32([4000000000, 5, 5, 0, 2147483648, 1]).reshape([2, 3]), grid([2, 3])], { dimension: 1 }),
  // Control flow. The while predicate depends only on a small counter that stays in CPU memory, which webgpu can read synchronously.
  cond: () => [
    ...lax.cond(np.array(true), (a: NDArray, b: NDArray) => [a.mul(b), b.gt(0)], (a: NDArray, b: NDArray) => [a.add(b), b.lt(0)], grid([2, 3]), grid([3])),
    ...lax.cond(np.array(false), (a: NDArray) => [np.exp(a)], (a: NDArray) => [np.sin(a)], grid([4])),
    lax.switch(i32([1]).reshape([]), [(a: NDArray) => a.add(1), (a: NDArray) => a.mul(3), (a: NDArray) => a.neg()], i32([1, -2, 3])),
  ],
  scan: () => lax.scan((c: NDArray, x: NDArray): [NDArray, NDArray] => {
    const n = np.tanh(c.mul(0.5).add(x));
    return [n, n.sum()];
  }, grid([3]), grid([4, 3]), { reverse: true }),
  while: () => lax.whileLoop(([i]: NDArray[]) => i!.lt(4), ([i, x]: NDArray[]) => [i!.add(1), x!.mul(1.5).add(0.25)], [np.array(0), grid([2, 3])]),
  // Custom rules and remat (transforms/custom.ts, transforms/checkpoint.ts); custom_lin is only ever transposed.
  custom_jvp_call: () => {
    const softplus = customJvp((x: NDArray) => np.log1p(np.exp(x))).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.log1p(np.exp(x)), t.mul(np.tanh(x))]);
    return [softplus(grid([2, 3])), grad((x: NDArray) => np.sum(softplus(x)))(grid([2, 3]))];
  },
  custom_vjp_call: () => [customVjp((x: NDArray) => np.sin(x)).defvjp((x: NDArray) => [np.sin(x), x], (x: NDArray, g: NDArray) => [g.mul(np.cos(x))])(grid([2, 3]))],
  custom_lin: () => {
    const clip = customVjp((x: NDArray) => x.mul(2)).defvjp((x: NDArray) => [x.mul(2), null], (_r: null, g: NDArray) => [np.clip(g, -1, 1)]);
    return [grad((x: NDArray) => np.sum(clip(x).mul(np.linspace(-2, 2, 6).reshape([2, 3]))))(grid([2, 3]))];
  },
  checkpoint: () => [grad((x: NDArray) => np.sum(checkpoint((y: NDArray) => np.sin(np.exp(y).mul(y)))(x)))(unit([2, 3]))],
};

/** Names of registered primitives that have no case above. */
export function missingCases(): string[] {
  return [...primitives().keys()].filter((name) => !(name in CASES));
}
