/**
 * dot_general: contraction over chosen dimensions with batch dimensions, JAX's
 * generalized matrix product. The implementation moves operands into [batch, M, K] x
 * [batch, K, N] with explicit transposes and calls a plain matMul: tfjs-wasm's
 * transposed matmuls fall off the XNNPACK fast path (10x slower, TFJS-NOTES.md).
 */
import { tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive } from "../core/primitive.ts";
import { shapeSize } from "../core/shape.ts";

/** `[[lhsContracting, rhsContracting], [lhsBatch, rhsBatch]]`, as in JAX. */
export type DotDimensionNumbers = readonly [readonly [readonly number[], readonly number[]], readonly [readonly number[], readonly number[]]];

export interface DotGeneralParams { dimensionNumbers: DotDimensionNumbers }

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);

function freeDims(ndim: number, contract: readonly number[], batch: readonly number[]): number[] {
  return range(ndim).filter((d) => !contract.includes(d) && !batch.includes(d));
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
  const product = B === 1
    ? tf.matMul(tf.reshape(l, [M, K]), tf.reshape(r, [K, N]))
    : tf.matMul(tf.reshape(l, [B, M, K]), tf.reshape(r, [B, K, N]));
  return tf.reshape(product, outShape);
}

export const dotGeneralP = definePrimitive<DotGeneralParams>("dot_general", {
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
