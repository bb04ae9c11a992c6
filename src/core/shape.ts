/** Shape arithmetic shared by the primitives' abstract evaluation and by `np`. */

/**
 * An array shape: one non-negative size per dimension (`[]` for a scalar).
 * @example
 * const s: Shape = [2, 3];
 * np.zeros(s).shape   // [2, 3]
 */
export type Shape = readonly number[];

export const shapeSize = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const shapeEqual = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

export const fmtShape = (shape: Shape): string => `[${shape.join(", ")}]`;

/**
 * NumPy broadcasting of several shapes. `names` label the arguments in the error, which
 * shows every shape: "cannot broadcast shapes x: [2, 3] and y: [4]".
 */
export function broadcastShapes(shapes: readonly Shape[], names?: readonly string[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const offset = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[offset + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) { out[offset + i] = d; continue; }
      const parts = shapes.map((sh, k) => `${names?.[k] ?? `arg${k}`}: ${fmtShape(sh)}`);
      throw new Error(`cannot broadcast shapes ${parts.join(" and ")} (dimension ${i - s.length} is ${d} vs ${o})`);
    }
  }
  return out;
}

/** Normalizes a possibly negative axis; names the argument when it is out of range. */
export function normalizeAxis(axis: number, ndim: number, argName = "axis"): number {
  if (!Number.isInteger(axis)) throw new TypeError(`${argName} must be an integer, got ${axis}`);
  if (axis < -ndim || axis >= ndim) {
    throw new RangeError(`${argName} ${axis} is out of bounds for an array of rank ${ndim} (expected ${-ndim} <= ${argName} < ${ndim})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalizes a list of axes (or all axes when undefined/null) and rejects repeats. */
export function normalizeAxes(axes: number | readonly number[] | null | undefined, ndim: number, argName = "axis"): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, ndim, argName));
  if (new Set(out).size !== out.length) throw new Error(`${argName} contains a repeated axis: [${list.join(", ")}]`);
  return out;
}

export function isPermutation(perm: readonly number[], n: number): boolean {
  return perm.length === n && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
}
