/**
 * Helpers shared by the transform rules of many primitives: symbolic zeros, undoing
 * broadcasting for transposes, and moving batch axes for vmap.
 */
import type { NDArray } from "../array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { scalar } from "../core/constant.ts";
import { broadcastShapes } from "../core/shape.ts";
import { UndefinedPrimal } from "../core/primitive.ts";
import { broadcastInDimP, reshapeP, transposeP } from "./structural.ts";
import { reduceSumP } from "./reduce.ts";

/** An array of zeros with the shape and dtype of `aval`. */
export function zerosLikeAval(aval: ShapedArray): NDArray {
  return broadcastInDimP.bind1([scalar(aval.dtype === "bool" ? false : 0, aval.dtype)], { shape: aval.shape, broadcastDimensions: [] });
}

/** A symbolic zero (null) made real. */
export function instantiate(t: NDArray | null, aval: ShapedArray): NDArray {
  return t ?? zerosLikeAval(aval);
}

/** The aval of a primal, defined or not (transpose rules see both). */
export function avalOf(x: NDArray | UndefinedPrimal): ShapedArray {
  return x instanceof UndefinedPrimal ? x.aval : x.aval;
}

export const isUndefined = (x: unknown): x is UndefinedPrimal => x instanceof UndefinedPrimal;

/**
 * Sums a cotangent of a broadcast result back to an operand's shape: the transpose of
 * NumPy broadcasting (leading dimensions and size-1 dimensions are summed out).
 */
export function unbroadcast(ct: NDArray, shape: readonly number[]): NDArray {
  if (ct.ndim === shape.length && ct.shape.every((d, i) => d === shape[i])) return ct;
  const lead = ct.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  }
  let out = axes.length ? reduceSumP.bind1([ct], { axes }) : ct;
  if (out.ndim !== shape.length || out.shape.some((d, i) => d !== shape[i])) out = reshapeP.bind1([out], { newSizes: shape });
  return out;
}

/** Broadcasts `x` (of a broadcast-compatible shape) to `shape` by NumPy rules. */
export function broadcastToShape(x: NDArray, shape: readonly number[]): NDArray {
  if (x.ndim === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const offset = shape.length - x.ndim;
  return broadcastInDimP.bind1([x], { shape, broadcastDimensions: x.shape.map((_, i) => i + offset) });
}

/** Moves the batch axis of `x` from `from` to `to`; an unbatched value (from = null) is broadcast to `size`. */
export function moveBatchAxis(x: NDArray, from: number | null, to: number, size: number): NDArray {
  if (from === null) {
    const shape = [...x.shape];
    shape.splice(to, 0, size);
    return broadcastInDimP.bind1([x], { shape, broadcastDimensions: x.shape.map((_, i) => (i < to ? i : i + 1)) });
  }
  if (from === to) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return transposeP.bind1([x], { permutation: perm });
}

/** The batch size of batched arguments (they all agree; vmap checks it). */
export function batchSize(args: readonly NDArray[], dims: readonly (number | null)[]): number {
  const i = dims.findIndex((d) => d !== null);
  return args[i]!.shape[dims[i]!]!;
}

/**
 * Batching for NumPy-broadcasting elementwise primitives: batch axes move to the front and
 * unbatched or lower-rank operands get size-1 axes, so broadcasting lines them up.
 */
export function elementwiseBatch(prim: { bind(args: readonly NDArray[], params: any): NDArray[] }) {
  return (args: NDArray[], dims: (number | null)[], params: unknown): [NDArray[], (number | null)[]] => {
    const rank = Math.max(...args.map((a, i) => a.ndim - (dims[i] === null ? 0 : 1)));
    const aligned = args.map((a, i) => {
      const d = dims[i]!;
      if (d === null) return a; // broadcasting adds the batch axis
      const front = moveBatchAxis(a, d, 0, a.shape[d]!);
      const logicalRank = a.ndim - 1;
      if (logicalRank === rank) return front;
      const shape = [front.shape[0]!, ...new Array(rank - logicalRank).fill(1), ...front.shape.slice(1)];
      return reshapeP.bind1([front], { newSizes: shape });
    });
    const outs = prim.bind(aligned, params);
    return [outs, outs.map(() => 0)];
  };
}

/** The broadcast shape of operand avals (for rules of broadcasting primitives). */
export function broadcastShapeOf(avals: readonly ShapedArray[]): number[] {
  return broadcastShapes(avals.map((a) => a.shape));
}
