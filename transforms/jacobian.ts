/**
 * Jacobians by pushing a whole basis through jvp (forward) or pulling one back through
 * vjp (reverse), vectorized with vmap. For input leaves x_j and output leaves y_o the
 * result holds ∂y_o/∂x_j with shape [...shape(y_o), ...shape(x_j)].
 */
import type { NDArray } from "../src/array.ts";
import { asArray } from "../src/core/constant.ts";
import { eye } from "../src/np/creation.ts";
import { reshapeP, sliceP, transposeP } from "../src/lax/structural.ts";
import { scope } from "../src/memory.ts";
import { flatten, unflatten, type TreeDef } from "../src/tree/index.ts";
import { jvp } from "./jvp.ts";
import { vjp } from "./grad.ts";
import { vmap } from "./vmap.ts";

/**
 * Options of jacfwd / jacrev / hessian.
 * @example
 * jacrev((a: NDArray, b: NDArray) => a.mul(b), { argnums: 1 } satisfies JacobianOptions)(np.array([2, 3]), np.array([1, 1])).toArray()   // [[2, 0], [0, 3]]
 */
export interface JacobianOptions {
  /** Which positional argument(s) to differentiate (default 0). */
  argnums?: number | number[];
}

const size = (x: NDArray) => x.size;

/** Rows [start, start + n) of a [m, ...] stack, reshaped to [n, ...shape]. */
function rows(stack: NDArray, start: number, n: number, shape: readonly number[]): NDArray {
  const sliced = sliceP.bind1([stack], {
    startIndices: stack.shape.map((_, i) => (i === 0 ? start : 0)),
    limitIndices: stack.shape.map((d, i) => (i === 0 ? start + n : d)),
    strides: null,
  });
  return reshapeP.bind1([sliced], { newSizes: [n, ...shape] });
}

/** The basis vectors for leaves of the given shapes: leaf j gets rows of eye(total) restricted to its columns. */
function basisFor(leaves: readonly NDArray[]): NDArray[] {
  const total = leaves.reduce((s, l) => s + size(l), 0);
  const identity = eye(total);
  let offset = 0;
  return leaves.map((l) => {
    const cols = sliceP.bind1([identity], { startIndices: [0, offset], limitIndices: [total, offset + size(l)], strides: null });
    offset += size(l);
    return reshapeP.bind1([cols], { newSizes: [total, ...l.shape] });
  });
}

/** Moves the leading basis axis [n, ...a] of a stack to the end and splits it to `tail`: [...a, ...tail]. */
function leadToTail(stack: NDArray, tail: readonly number[]): NDArray {
  const r = stack.ndim;
  const moved = r > 1 ? transposeP.bind1([stack], { permutation: [...Array.from({ length: r - 1 }, (_, i) => i + 1), 0] }) : stack;
  return reshapeP.bind1([moved], { newSizes: [...stack.shape.slice(1), ...tail] });
}

/**
 * The arguments chosen by `argnums` as flat leaves, and `g`, which is `f` as a function of
 * just those (the others fixed at their values in `args`).
 */
function differentiatedInputs(f: (...a: any[]) => any, args: unknown[], argnums: number | number[], name: string): { g: (chosen: unknown) => any; xs: NDArray[]; inTree: TreeDef } {
  const single = typeof argnums === "number";
  const nums = single ? [argnums] : argnums;
  nums.forEach((a) => { if (!Number.isInteger(a) || a < 0 || a >= args.length) throw new RangeError(`${name}: argnums ${a} is out of range for ${args.length} arguments`); });
  const g = (chosen: unknown) => {
    const full = [...args];
    const picked = single ? [chosen] : (chosen as unknown[]);
    nums.forEach((i, k) => { full[i] = picked[k]; });
    return f(...full);
  };
  const [leaves, inTree] = flatten(single ? args[argnums] : nums.map((i) => args[i]));
  return { g, xs: leaves.map((l, i) => asArray(l as never, `${name} input leaf ${i}`)), inTree };
}

/**
 * Jacobian by forward mode: one jvp per input element, batched with vmap. Efficient
 * for functions with few inputs and many outputs.
 *
 * @param f a function of arrays.
 * @param opts `argnums`: which argument(s) to differentiate (default 0).
 * @returns a function returning the Jacobian, of shape `out.shape + in.shape` (a pytree of them for pytree outputs or several `argnums`).
 * @example
 * jacfwd((x: NDArray) => np.sin(x))(np.array([0, 1])).toArray()   // [[1, 0], [0, 0.5403]]
 */
export function jacfwd(f: (...args: any[]) => any, { argnums = 0 }: JacobianOptions = {}): (...args: any[]) => any {
  return (...args: unknown[]) => scope(() => {
    const { g, xs, inTree } = differentiatedInputs(f, args, argnums, "jacfwd");
    const basis = basisFor(xs);
    const pushfwd = (...ts: NDArray[]) => jvp((c: unknown) => g(c), [unflatten(inTree, xs)], [unflatten(inTree, ts)])[1];
    const stacked = vmap(pushfwd)(...basis);
    const [outLeaves, outTree] = flatten(stacked);
    const perOut = (outLeaves as NDArray[]).map((o) => {
      let offset = 0;
      const perIn = xs.map((x) => {
        const block = rows(o, offset, size(x), o.shape.slice(1));
        offset += size(x);
        return leadToTail(block, x.shape);
      });
      return unflatten(inTree, perIn);
    });
    return unflatten(outTree, perOut);
  });
}

/**
 * Jacobian by reverse mode: one vjp per output element, batched with vmap. Efficient
 * for functions with many inputs and few outputs.
 *
 * @param f a function of arrays.
 * @param opts `argnums`: which argument(s) to differentiate (default 0).
 * @returns a function returning the Jacobian, of shape `out.shape + in.shape`, as {@link jacfwd} does.
 * @example
 * jacrev((x: NDArray) => np.sin(x))(np.array([0, 1])).toArray()   // [[1, 0], [0, 0.5403]]
 */
export function jacrev(f: (...args: any[]) => any, { argnums = 0 }: JacobianOptions = {}): (...args: any[]) => any {
  return (...args: unknown[]) => scope(() => {
    const { g, xs, inTree } = differentiatedInputs(f, args, argnums, "jacrev");
    const [y, vjpFn] = vjp((c: unknown) => g(c), unflatten(inTree, xs));
    const [outLeaves, outTree] = flatten(y);
    const ys = outLeaves as NDArray[];
    const basis = basisFor(ys);
    const pullback = (...cts: NDArray[]) => flatten(vjpFn(unflatten(outTree, cts))[0])[0] as NDArray[];
    const stacked = vmap(pullback)(...basis) as NDArray[];
    let offset = 0;
    const perOut = ys.map((yo) => {
      const perIn = xs.map((x, j) => reshapeP.bind1([rows(stacked[j]!, offset, size(yo), x.shape)], { newSizes: [...yo.shape, ...x.shape] }));
      offset += size(yo);
      return unflatten(inTree, perIn);
    });
    return unflatten(outTree, perOut);
  });
}

/**
 * Hessian of a scalar function: forward-over-reverse, `jacfwd(jacrev(f))`.
 *
 * @param f a scalar-valued function of arrays.
 * @param opts `argnums` (default 0).
 * @returns a function returning the matrix of second derivatives, of shape `in.shape + in.shape`.
 * @example
 * hessian((x: NDArray) => np.sum(x.pow(3)))(np.array([1, 2])).toArray()   // [[6, 0], [0, 12]]
 */
export function hessian(f: (...args: any[]) => any, opts: JacobianOptions = {}): (...args: any[]) => any {
  return jacfwd(jacrev(f, opts), opts);
}
