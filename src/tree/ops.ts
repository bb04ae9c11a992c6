import { flatten, flattenWithPath, leaves, type IsLeaf } from "./flatten.ts";
import type { KeyPath } from "./path.ts";
import { matchUpTo, mismatchError } from "./prefix.ts";
import type { TreeDef } from "./treedef.ts";

/**
 * Options for {@link map} and {@link mapWithPath}, passed before the function.
 * @example
 * tree.map({ isLeaf: (x) => x === null } satisfies tree.MapOptions, (x) => x ?? 0, [1, null])   // [1, 0]
 */
export interface MapOptions {
  /** Nodes for which this returns true are leaves of the first tree (see {@link flatten}). */
  readonly isLeaf?: IsLeaf;
}

/**
 * The function `tree.map` applies: one argument per tree, the leaves at the same place.
 * Leaves are typed `any` so callers can annotate them: `(p: NDArray, g: NDArray) => ...`.
 * @example
 * const step: LeafFn = (p: number, g: number) => p - 0.1 * g;
 * tree.map(step, { w: 1 }, { w: 2 })   // { w: 0.8 }
 */
export type LeafFn = (...leaves: any[]) => unknown;
/**
 * The function `tree.mapWithPath` applies: the leaf's key path, then the leaves.
 * @example
 * const name: PathLeafFn = (path) => tree.keystr(path);
 * tree.mapWithPath(name, { a: [0] })   // { a: [".a[0]"] }
 */
export type PathLeafFn = (path: KeyPath, ...leaves: any[]) => unknown;

/**
 * Applies `f` to each leaf of `tree`, and to the corresponding subtrees of `rest`, and
 * returns a tree of the results with the structure of `tree`. Each tree in `rest` must have
 * the structure of `tree`, or a deeper one: wherever `tree` has a leaf, `f` receives the
 * whole subtree of the rest tree in that position (JAX's prefix rule).
 *
 * To treat some nodes as leaves, pass options first: `tree.map({ isLeaf }, f, tree, ...rest)`.
 * The result is typed as `tree`'s type; cast when `f` changes the leaf type.
 *
 * @example
 * tree.map((x) => x * 2, { a: 1, b: [2, 3] })              // { a: 2, b: [4, 6] }
 * tree.map((p, g) => p - 0.1 * g, { w: 1, b: 2 }, { w: 10, b: 20 })   // { w: 0, b: 0 }
 * tree.map({ isLeaf: (x) => x === null }, (x) => x ?? 0, [1, null])   // [1, 0]
 * @throws Error if a tree in `rest` does not match `tree`; the message prints both structures
 *   and the path of the first difference.
 */
export function map<T>(f: LeafFn, tree: T, ...rest: unknown[]): T;
export function map<T>(options: MapOptions, f: LeafFn, tree: T, ...rest: unknown[]): T;
export function map(...args: unknown[]): unknown {
  const [{ isLeaf }, f, tree, rest] = splitArgs<LeafFn>("tree.map", args);
  const [first, def] = flatten(tree, isLeaf);
  const others = restLeaves("tree.map", def, rest);
  return def.unflatten(first.map((x, i) => f(x, ...others.map((r) => r[i]))));
}

/**
 * Like {@link map}, but `f` also receives the key path of each leaf first (object keys as
 * strings, array indices as numbers). Render paths with {@link keystr}.
 *
 * @example
 * tree.mapWithPath((path, x) => `${tree.keystr(path)}=${x}`, { a: [1, 2] })   // { a: [".a[0]=1", ".a[1]=2"] }
 * tree.mapWithPath((path, w) => (path.at(-1) === "b" ? 0 : w), { w: 3, b: 4 })   // { w: 3, b: 0 }
 * @throws Error if a tree in `rest` does not match `tree`, as {@link map} does.
 */
export function mapWithPath<T>(f: PathLeafFn, tree: T, ...rest: unknown[]): T;
export function mapWithPath<T>(options: MapOptions, f: PathLeafFn, tree: T, ...rest: unknown[]): T;
export function mapWithPath(...args: unknown[]): unknown {
  const [{ isLeaf }, f, tree, rest] = splitArgs<PathLeafFn>("tree.mapWithPath", args);
  const [first, def] = flattenWithPath(tree, isLeaf);
  const others = restLeaves("tree.mapWithPath", def, rest);
  return def.unflatten(first.map(([path, x], i) => f(path, x, ...others.map((r) => r[i]))));
}

/**
 * Folds `f` over the leaves of `tree`, left to right, starting from `initial`.
 *
 * @example
 * tree.reduce((sum, x: number) => sum + x, { a: 1, b: [2, 3] }, 0)   // 6
 */
export function reduce<A>(f: (acc: A, leaf: any) => A, tree: unknown, initial: A, isLeaf?: IsLeaf): A {
  if (typeof f !== "function") throw new TypeError(`tree.reduce: \`f\` must be a function, got ${typeof f}.`);
  return leaves(tree, isLeaf).reduce<A>((acc, x) => f(acc, x), initial);
}

/**
 * Whether every leaf of `tree` is truthy. A tree with no leaves gives `true`.
 *
 * @example
 * tree.all({ a: true, b: [1, "yes"] })   // true
 * tree.all([true, [0]])                  // false
 */
export function all(tree: unknown, isLeaf?: IsLeaf): boolean {
  return leaves(tree, isLeaf).every(Boolean);
}

/** Reads `(options?, f, tree, ...rest)`. */
function splitArgs<F>(fn: string, args: unknown[]): [MapOptions, F, unknown, unknown[]] {
  const [options, rest] = typeof args[0] === "function" ? [{}, args] : [args[0], args.slice(1)];
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${fn}: the first argument must be the function to apply (or an options object before it), got ${String(options)}.`);
  }
  const { isLeaf } = options as MapOptions;
  if (isLeaf !== undefined && typeof isLeaf !== "function") {
    throw new TypeError(`${fn}: \`isLeaf\` must be a function, got ${typeof isLeaf}.`);
  }
  if (typeof rest[0] !== "function") {
    throw new TypeError(`${fn}: \`f\` must be a function, got ${typeof rest[0]}. Call it as ${fn}(f, tree, ...rest).`);
  }
  if (rest.length < 2) throw new TypeError(`${fn}: missing \`tree\`. Call it as ${fn}(f, tree, ...rest).`);
  return [{ isLeaf }, rest[0] as F, rest[1], rest.slice(2)];
}

/** Flattens each rest tree up to `def`, or throws an error that shows both structures. */
function restLeaves(fn: string, def: TreeDef, rest: unknown[]): unknown[][] {
  return rest.map((other, i) => {
    const out: unknown[] = [];
    const mismatch = matchUpTo(def, other, out);
    if (mismatch) throw mismatchError(fn, "tree", def, `rest[${i}]`, other, mismatch);
    return out;
  });
}
