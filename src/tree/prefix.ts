import { structure } from "./flatten.ts";
import { formatKey, keystr, type PathKey } from "./path.ts";
import { nodeOf, type Node } from "./registry.ts";
import { auxEquals, formatAux, type TreeDef } from "./treedef.ts";

/** @internal Where and how a tree first departs from a treedef. */
export interface Mismatch {
  readonly path: PathKey[];
  readonly expected: string;
  readonly actual: string;
}

/**
 * @internal Walks `tree` along `def`: collects the subtree of `tree` at each leaf of `def`
 * into `out`, or returns the first place where `tree` has a different container.
 */
export function matchUpTo(def: TreeDef, tree: unknown, out: unknown[], path: PathKey[] = []): Mismatch | undefined {
  if (def.kind === "leaf") {
    out.push(tree);
    return undefined;
  }
  const node = nodeOf(tree);
  if (!sameNode(def, node)) return { path: [...path], expected: describeDef(def), actual: describeNode(node, tree) };
  const keys = def.childKeys();
  const subtrees = def.children();
  const children = "children" in node ? node.children : [];
  for (let i = 0; i < subtrees.length; i++) {
    path.push(keys[i]!);
    const mismatch = matchUpTo(subtrees[i]!, children[i], out, path);
    path.pop();
    if (mismatch) return mismatch;
  }
  return undefined;
}

/**
 * @internal The error for a structure mismatch: names both arguments, prints both
 * structures, and points at the first difference.
 */
export function mismatchError(fn: string, expectedName: string, def: TreeDef, actualName: string, tree: unknown, m: Mismatch): Error {
  let actualDef: string;
  try {
    actualDef = String(structure(tree));
  } catch (e) {
    actualDef = `(cannot flatten: ${(e as Error).message})`;
  }
  const width = Math.max(expectedName.length, actualName.length) + 1;
  return new Error(
    `${fn}: ${actualName} does not have the structure of ${expectedName}.\n` +
      `  ${`${expectedName}:`.padEnd(width)} ${def}\n` +
      `  ${`${actualName}:`.padEnd(width)} ${actualDef}\n` +
      `  First difference at ${keystr(m.path) || "the root"}: ${expectedName} has ${m.expected}, ${actualName} has ${m.actual}.`,
  );
}

/**
 * Flattens `tree` only as deep as `treedef` goes: returns, for each leaf of `treedef`, the
 * whole subtree of `tree` in that position. `treedef` must be a prefix of `tree`'s structure.
 *
 * @example
 * const def = tree.structure({ a: 0, b: 0 });
 * tree.flattenUpTo(def, { a: [1, 2], b: 3 })   // [[1, 2], 3]
 * @throws Error if `tree` does not match `treedef`; the message prints both structures.
 */
export function flattenUpTo(treedef: TreeDef, tree: unknown): unknown[] {
  const out: unknown[] = [];
  const mismatch = matchUpTo(treedef, tree, out);
  if (mismatch) throw mismatchError("tree.flattenUpTo", "treedef", treedef, "tree", tree, mismatch);
  return out;
}

function sameNode(def: TreeDef, node: Node): boolean {
  if (def.kind !== node.kind) return false;
  if (node.kind === "array") return node.children.length === def.children().length;
  if (node.kind === "object") return node.keys.length === def.keys.length && node.keys.every((k, i) => k === def.keys[i]);
  if (node.kind === "custom") {
    return node.type === def.custom!.type && auxEquals(node.auxData, def.custom!.auxData) && node.children.length === def.children().length;
  }
  return true;
}

const describeKeys = (keys: readonly string[]) => `{${keys.map(formatKey).join(", ")}}`;

function describeDef(def: TreeDef): string {
  switch (def.kind) {
    case "leaf":
      return "a leaf";
    case "null":
    case "undefined":
      return def.kind;
    case "array":
      return `an array of length ${def.children().length}`;
    case "object":
      return `an object with keys ${describeKeys(def.keys)}`;
    case "custom":
      return `a ${def.custom!.type.cls.name} (auxData ${formatAux(def.custom!.auxData)}, ${def.children().length} children)`;
  }
}

function describeNode(node: Node, x: unknown): string {
  switch (node.kind) {
    case "leaf":
      return `a leaf (${describeLeaf(x)})`;
    case "null":
    case "undefined":
      return node.kind;
    case "array":
      return `an array of length ${node.children.length}`;
    case "object":
      return `an object with keys ${describeKeys(node.keys)}`;
    case "custom":
      return `a ${node.type.cls.name} (auxData ${formatAux(node.auxData)}, ${node.children.length} children)`;
  }
}

function describeLeaf(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}...` : x);
  if (typeof x === "object" && x !== null) return Object.getPrototypeOf(x)?.constructor?.name ?? "object";
  if (typeof x === "function") return `function ${x.name}`;
  return String(x);
}
