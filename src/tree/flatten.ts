import { keystr, type KeyPath, type PathKey } from "./path.ts";
import { nodeOf, type Node } from "./registry.ts";
import { TreeDef } from "./treedef.ts";

/**
 * Decides, before the registry does, that a subtree is a leaf. Called on every node, `null` included.
 * @example
 * const pairsAreLeaves: IsLeaf = (x) => Array.isArray(x) && x.length === 2;
 * tree.leaves({ a: [1, 2], b: [3] }, pairsAreLeaves).length   // 2
 */
export type IsLeaf = (x: unknown) => boolean;

const LEAF = new TreeDef("leaf");
const NULL = new TreeDef("null");
const UNDEFINED = new TreeDef("undefined");

/** One pass over a tree: collects leaves (and their paths when `paths` is given) and builds the treedef. */
function walk(x: unknown, isLeaf: IsLeaf | undefined, path: PathKey[], leaves: unknown[], paths: KeyPath[] | undefined, open: Set<object>): TreeDef {
  const node: Node = isLeaf?.(x) ? { kind: "leaf" } : nodeOf(x);
  if (node.kind === "leaf") {
    leaves.push(x);
    paths?.push([...path]);
    return LEAF;
  }
  if (node.kind === "null") return NULL;
  if (node.kind === "undefined") return UNDEFINED;
  if (open.has(x as object)) {
    throw new Error(`tree.flatten: the tree contains a cycle: the value at ${keystr(path) || "the root"} is one of its own ancestors.`);
  }
  open.add(x as object);
  const keys: readonly PathKey[] = node.kind === "object" ? node.keys : node.children.map((_, i) => i);
  const subtrees = node.children.map((c, i) => {
    path.push(keys[i]!);
    const def = walk(c, isLeaf, path, leaves, paths, open);
    path.pop();
    return def;
  });
  open.delete(x as object);
  if (node.kind === "custom") return new TreeDef("custom", subtrees, [], { type: node.type, auxData: node.auxData });
  return new TreeDef(node.kind, subtrees, node.kind === "object" ? node.keys : []);
}

/**
 * Splits a pytree into its leaves (depth first; object keys in sorted order) and its structure.
 *
 * @param tree - any value; plain objects, arrays and registered classes are containers.
 * @param isLeaf - optional predicate that stops the descent: nodes for which it is true are leaves.
 * @returns `[leaves, treedef]`; `unflatten(treedef, leaves)` rebuilds `tree`.
 * @example
 * const [leaves, def] = tree.flatten({ b: [2, 3], a: 1 });
 * leaves          // [1, 2, 3]
 * String(def)     // "PyTreeDef({a: *, b: [*, *]})"
 * @throws Error if the tree contains a cycle.
 */
export function flatten(tree: unknown, isLeaf?: IsLeaf): [leaves: unknown[], treedef: TreeDef] {
  const leaves: unknown[] = [];
  const def = walk(tree, isLeaf, [], leaves, undefined, new Set());
  return [leaves, def];
}

/**
 * Like {@link flatten}, but each leaf comes with its key path.
 *
 * @example
 * const [pairs] = tree.flattenWithPath({ w: [1, 2] });
 * pairs   // [[["w", 0], 1], [["w", 1], 2]]
 */
export function flattenWithPath(tree: unknown, isLeaf?: IsLeaf): [pathsAndLeaves: [KeyPath, unknown][], treedef: TreeDef] {
  const leaves: unknown[] = [];
  const paths: KeyPath[] = [];
  const def = walk(tree, isLeaf, [], leaves, paths, new Set());
  return [leaves.map((leaf, i) => [paths[i]!, leaf]), def];
}

/**
 * Rebuilds a pytree from a treedef and leaves, in the order {@link flatten} returns them.
 *
 * @example
 * const [leaves, def] = tree.flatten({ a: 1, b: [2, 3] });
 * tree.unflatten(def, leaves.map((x) => (x as number) * 10))   // { a: 10, b: [20, 30] }
 * @throws Error if `leaves.length` differs from `treedef.numLeaves`; the message shows both.
 */
export function unflatten(treedef: TreeDef, leaves: readonly unknown[]): unknown {
  if (!(treedef instanceof TreeDef)) {
    throw new TypeError(`tree.unflatten: \`treedef\` must be a TreeDef (from tree.flatten or tree.structure), got ${typeof treedef}.`);
  }
  return treedef.unflatten(leaves);
}

/**
 * The leaves of a pytree, depth first, object keys in sorted order.
 *
 * @example
 * tree.leaves({ b: [2, null, 3], a: 1 })   // [1, 2, 3]
 */
export function leaves(tree: unknown, isLeaf?: IsLeaf): unknown[] {
  return flatten(tree, isLeaf)[0];
}

/**
 * The leaves of a pytree, each with its key path.
 *
 * @example
 * tree.leavesWithPath([{ w: 1 }])   // [[[0, "w"], 1]]
 */
export function leavesWithPath(tree: unknown, isLeaf?: IsLeaf): [KeyPath, unknown][] {
  return flattenWithPath(tree, isLeaf)[0];
}

/**
 * The structure (treedef) of a pytree, without its leaves.
 *
 * @example
 * String(tree.structure([1, { a: null }]))   // "PyTreeDef([*, {a: null}])"
 */
export function structure(tree: unknown, isLeaf?: IsLeaf): TreeDef {
  return flatten(tree, isLeaf)[1];
}
