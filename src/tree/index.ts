/**
 * Pytrees: nested plain objects, arrays and registered classes whose leaves are arrays
 * (or anything else). Semantics follow `jax.tree_util`, with camelCase names.
 *
 * @example
 * import { tree } from "gradus";
 * tree.map((x) => x + 1, { a: 1, b: [2, 3] })   // { a: 2, b: [3, 4] }
 * @module
 */
export { flatten, flattenWithPath, leaves, leavesWithPath, structure, unflatten, type IsLeaf } from "./flatten.ts";
export { all, map, mapWithPath, reduce, type MapOptions, type LeafFn, type PathLeafFn } from "./ops.ts";
export { keystr, type KeyPath, type PathKey } from "./path.ts";
export { flattenUpTo } from "./prefix.ts";
export { register, type Class, type NodeType } from "./registry.ts";
export { TreeDef, type TreeKind } from "./treedef.ts";
