/**
 * dot_general: contraction over chosen dimensions with batch dimensions, JAX's
 * generalized matrix product. The implementation moves operands into [batch, M, K] x
 * [batch, K, N] with explicit transposes and calls a plain matMul: tfjs-wasm's
 * transposed matmuls fall off the XNNPACK fast path (10x slower, TFJS-NOTES.md).
 */
import { tf, getBackend } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, UndefinedPrimal, type Primitive } from "../core/primitive.ts";
import type { NDArray } from "../array.ts";
import { addP } from "./elementwise.ts";
import { transposeP } from "./structural.ts";
import { avalOf, isUndefined, moveBatchAxis } from "./rules.ts";
import { shapeSize } from "../core/shape.ts";

/**
 * `[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]`, as in JAX.
 * @example
 * const matmul: lax.DotDimensionNumbers = [[[1], [0]], [[], []]];
 * lax.dotGeneral(np.ones([2, 3]), np.ones([3, 4]), matmul).shape   // [2, 4]
 */
export type DotDimensionNumbers = readonly [readonly [readonly number[], readonly number[]], readonly [readonly number[], readonly number[]]];

export interface DotGeneralParams { dimensionNumbers: DotDimensionNumbers }

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);

function freeDims(ndim: number, contract: readonly number[], batch: readonly number[]): number[] {
  return range(ndim).filter((d) => !contract.includes(d) && !batch.includes(d));
}

/** Each reshape is a kernel dispatch (~2.6 µs on wasm): skip the ones that change nothing. */
function reshapeIfNeeded(t: Tensor, shape: number[]): Tensor {
  return t.rank === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.reshape(t, shape);
}

/**
 * tfjs-wasm caches its XNNPACK matmul operator, with the rhs packed into it, by the rhs's
 * data id; reshaped views share their data, so the same data used as an rhs again in another
 * layout reused the stale packing and gave wrong numbers (a [1,1]x[1,3] product, then a
 * [1,3]x[3,1] one of the same vector: only the first term). On wasm an rhs whose data
 * already served in another layout is copied first (rare: a fresh id per layout).
 */
const rhsLayouts = new WeakMap<object, string>();
function freshRhs(r: Tensor, layout: string): Tensor {
  if (getBackend() !== "wasm") return r;
  const seen = rhsLayouts.get(r.dataId);
  if (seen === undefined) { rhsLayouts.set(r.dataId, layout); return r; }
  if (seen === layout) return r;
  const copy = tf.mul(r, tf.scalar(1, r.dtype));
  rhsLayouts.set(copy.dataId, layout);
  return copy;
}

function dotGeneralImpl(lhs: Tensor, rhs: Tensor, { dimensionNumbers }: DotGeneralParams): Tensor {
  const [[lc, rc], [lb, rb]] = dimensionNumbers;
  const lf = freeDims(lhs.rank, lc, lb);
  const rf = freeDims(rhs.rank, rc, rb);
  const size = (t: Tensor, dims: readonly number[]) => shapeSize(dims.map((d) => t.shape[d]!));
  const lPerm = [...lb, ...lf, ...lc];
  const rPerm = [...rb, ...rc, ...rf];
  const l = isIdentity(lPerm) ? lhs : tf.transpose(lhs, lPerm);
  const r = isIdentity(rPerm) ? rhs : tf.transpose(rhs, rPerm);
  const B = size(lhs, lb), M = size(lhs, lf), K = size(lhs, lc), N = size(rhs, rf);
  const outShape = [...lb.map((d) => lhs.shape[d]!), ...lf.map((d) => lhs.shape[d]!), ...rf.map((d) => rhs.shape[d]!)];
  // tfjs-wasm's BatchMatMul is float32-only: int32 products are summed from a broadcast multiply (exact, wrapping like XLA).
  const product = lhs.dtype === "int32"
    ? tf.sum(tf.mul(tf.reshape(l, [B, M, K, 1]), tf.reshape(r, [B, 1, K, N])), 2)
    : B === 1
      ? tf.matMul(reshapeIfNeeded(l, [M, K]), freshRhs(reshapeIfNeeded(r, [K, N]), `${K}x${N}`))
      : tf.matMul(reshapeIfNeeded(l, [B, M, K]), freshRhs(reshapeIfNeeded(r, [B, K, N]), `${B}x${K}x${N}`));
  return reshapeIfNeeded(product, outShape);
}

export const dotGeneralP: Primitive<DotGeneralParams> = definePrimitive<DotGeneralParams>("dot_general", {
  impl: ([lhs, rhs], params) => [dotGeneralImpl(lhs!, rhs!, params)],
  abstractEval: ([lhs, rhs], { dimensionNumbers }) => {
    const [[lc, rc], [lb, rb]] = dimensionNumbers;
    const describe = `lhs ${lhs!.str()}, rhs ${rhs!.str()}, contracting [${lc}]x[${rc}], batch [${lb}]x[${rb}]`;
    if (lhs!.dtype !== rhs!.dtype) throw new TypeError(`dot_general: operands must have one dtype; got ${describe}`);
    if (lhs!.dtype !== "float32" && lhs!.dtype !== "int32") throw new TypeError(`dot_general: operands must be float32 or int32; got ${describe}`);
    const valid = (dims: readonly number[], rank: number) => dims.every((d) => Number.isInteger(d) && d >= 0 && d < rank);
    if (lc.length !== rc.length || lb.length !== rb.length || !valid([...lc, ...lb], lhs!.ndim) || !valid([...rc, ...rb], rhs!.ndim)
      || new Set([...lc, ...lb]).size !== lc.length + lb.length || new Set([...rc, ...rb]).size !== rc.length + rb.length) {
      throw new Error(`dot_general: invalid dimension numbers for ${describe}`);
    }
    lc.forEach((d, i) => {
      if (lhs!.shape[d] !== rhs!.shape[rc[i]!]) {
        throw new Error(`dot_general: contracting dimensions differ in size: lhs dim ${d} is ${lhs!.shape[d]}, rhs dim ${rc[i]} is ${rhs!.shape[rc[i]!]} (${describe})`);
      }
    });
    lb.forEach((d, i) => {
      if (lhs!.shape[d] !== rhs!.shape[rb[i]!]) {
        throw new Error(`dot_general: batch dimensions differ in size: lhs dim ${d} is ${lhs!.shape[d]}, rhs dim ${rb[i]} is ${rhs!.shape[rb[i]!]} (${describe})`);
      }
    });
    const shape = [
      ...lb.map((d) => lhs!.shape[d]!),
      ...freeDims(lhs!.ndim, lc, lb).map((d) => lhs!.shape[d]!),
      ...freeDims(rhs!.ndim, rc, rb).map((d) => rhs!.shape[d]!),
    ];
    return [new ShapedArray(shape, lhs!.dtype, lhs!.weakType && rhs!.weakType)];
  },
});

/** Consecutive index ranges with the lengths of the given lists: [0..a), [a..a+b), ... */
function rangesLike(...lists: readonly (readonly number[])[]): number[][] {
  let start = 0;
  return lists.map((l) => { const r = range(l.length).map((i) => i + start); start += l.length; return r; });
}

const argsort = (xs: readonly number[]) => xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);

/**
 * Cotangent of the lhs: contract the output cotangent with the rhs over the rhs's free
 * dimensions, then put the dimensions back in lhs order (JAX's derivation).
 */
function transposeLhs(g: NDArray, x: NDArray | UndefinedPrimal, y: NDArray, dn: DotDimensionNumbers, swapAns = false): NDArray {
  const [[xc, yc], [xb, yb]] = dn;
  const xNdim = avalOf(x).ndim;
  const xKept = freeDims(xNdim, xc, xb);
  const yKept = freeDims(y.ndim, yc, yb);
  const [ansBatch, ansY] = swapAns
    ? (([b, ya]) => [b!, ya!])(rangesLike(xb, yKept, xKept))
    : (([b, , ya]) => [b!, ya!])(rangesLike(xb, xKept, yKept));
  const dims: DotDimensionNumbers = [[ansY, yKept], [ansBatch, yb]];
  const xContractSortedByY = argsort(yc).map((i) => xc[i]!);
  const outAxes = argsort([...xb, ...xKept, ...xContractSortedByY]);
  const prod = dotGeneralP.bind1([g, y], { dimensionNumbers: dims });
  return outAxes.every((a, i) => a === i) ? prod : transposeP.bind1([prod], { permutation: outAxes });
}

function transposeRhs(g: NDArray, x: NDArray, y: NDArray | UndefinedPrimal, dn: DotDimensionNumbers): NDArray {
  const [[xc, yc], [xb, yb]] = dn;
  return transposeLhs(g, y, x, [[yc, xc], [yb, xb]], true);
}

Object.assign(dotGeneralP.rules, {
  jvp: ([a, b], [ta, tb], params) => {
    const out = dotGeneralP.bind1([a!, b!], params);
    const parts = [ta && dotGeneralP.bind1([ta, b!], params), tb && dotGeneralP.bind1([a!, tb], params)].filter((t): t is NDArray => t !== null);
    return [[out], [parts.length === 0 ? null : parts.length === 1 ? parts[0]! : addP.bind1([parts[0]!, parts[1]!], {})]];
  },
  transpose: ([ct], [x, y], { dimensionNumbers }) => {
    if (isUndefined(x) && isUndefined(y)) throw new Error("dot_general is bilinear: transpose needs one operand defined");
    return [
      isUndefined(x) ? transposeLhs(ct!, x, y as NDArray, dimensionNumbers) : null,
      isUndefined(y) ? transposeRhs(ct!, x as NDArray, y, dimensionNumbers) : null,
    ];
  },
  // Both batched: the batch axis becomes a dot batch dimension. One batched: it becomes a
  // free dimension of that operand, and lands after the batch dims (lhs) or lhs free dims (rhs).
  batch: ([a, b], [da, db], { dimensionNumbers }) => {
    const [[lc, rc], [lb, rb]] = dimensionNumbers;
    const up = (ds: readonly number[]) => ds.map((d) => d + 1);
    if (da !== null && db !== null) {
      const x = moveBatchAxis(a!, da, 0, a!.shape[da]!), y = moveBatchAxis(b!, db, 0, b!.shape[db]!);
      return [[dotGeneralP.bind1([x, y], { dimensionNumbers: [[up(lc), up(rc)], [[0, ...up(lb)], [0, ...up(rb)]]] })], [0]];
    }
    if (da !== null) {
      const x = moveBatchAxis(a!, da, 0, a!.shape[da]!);
      return [[dotGeneralP.bind1([x, b!], { dimensionNumbers: [[up(lc), rc], [up(lb), rb]] })], [lb.length]];
    }
    const y = moveBatchAxis(b!, db!, 0, b!.shape[db!]!);
    const lhsFree = a!.ndim - lc.length - lb.length;
    return [[dotGeneralP.bind1([a!, y], { dimensionNumbers: [[lc, up(rc)], [lb, up(rb)]] })], [lb.length + lhsFree]];
  },
} satisfies Partial<typeof dotGeneralP.rules>);
