import { formatKey, type PathKey } from "./path.ts";
import type { Registered } from "./registry.ts";

/**
 * The kinds of node a {@link TreeDef} can have.
 * @example
 * tree.structure({ a: 1 }).kind   // "object"
 */
export type TreeKind = "leaf" | "null" | "undefined" | "array" | "object" | "custom";

/**
 * The structure of a pytree with the leaves taken out: what {@link flatten} returns next
 * to the leaves, and what {@link unflatten} needs to put them back. Immutable.
 *
 * @example
 * const [, def] = tree.flatten({ a: 1, b: [2, null] });
 * String(def)      // "PyTreeDef({a: *, b: [*, null]})"
 * def.numLeaves    // 2
 */
export class TreeDef {
  /** How many leaves a tree of this structure has. */
  readonly numLeaves: number;

  /** @internal Built by `flatten`; there is no need to construct one by hand. */
  constructor(
    /** What this node is: a leaf, an empty subtree, or which kind of container. */
    readonly kind: TreeKind,
    private readonly subtrees: readonly TreeDef[] = [],
    /** @internal Sorted keys of an "object" node. */
    readonly keys: readonly string[] = [],
    /** @internal The class and auxiliary data of a "custom" node. */
    readonly custom?: { readonly type: Registered; readonly auxData: unknown },
  ) {
    this.numLeaves = kind === "leaf" ? 1 : subtrees.reduce((n, s) => n + s.numLeaves, 0);
  }

  /**
   * The structures of the immediate children, in flattening order.
   *
   * @example
   * tree.structure({ a: 1, b: [2, 3] }).children().map(String)   // ["PyTreeDef(*)", "PyTreeDef([*, *])"]
   */
  children(): TreeDef[] {
    return [...this.subtrees];
  }

  /** @internal The path key of each child: object keys, else indices. */
  childKeys(): PathKey[] {
    return this.kind === "object" ? [...this.keys] : this.subtrees.map((_, i) => i);
  }

  /**
   * Whether `other` describes the same structure: same containers, same object keys,
   * same registered classes with equal auxiliary data (compared structurally).
   *
   * @example
   * tree.structure([1, { a: 2 }]).equals(tree.structure([5, { a: 6 }]))   // true
   * tree.structure([1, 2]).equals(tree.structure([1, 2, 3]))              // false
   */
  equals(other: TreeDef): boolean {
    if (this === other) return true;
    if (!(other instanceof TreeDef) || this.kind !== other.kind || this.numLeaves !== other.numLeaves) return false;
    if (this.subtrees.length !== other.subtrees.length) return false;
    if (this.kind === "object" && !this.keys.every((k, i) => k === other.keys[i])) return false;
    if (this.custom && (this.custom.type !== other.custom?.type || !auxEquals(this.custom.auxData, other.custom.auxData))) {
      return false;
    }
    return this.subtrees.every((s, i) => s.equals(other.subtrees[i]!));
  }

  /**
   * Builds a tree of this structure from `leaves`, in flattening order.
   * Same as `tree.unflatten(def, leaves)`.
   *
   * @example
   * tree.structure({ a: 0, b: [0, 0] }).unflatten([1, 2, 3])   // { a: 1, b: [2, 3] }
   * @throws Error if `leaves.length` is not {@link numLeaves}.
   */
  unflatten(leaves: readonly unknown[]): unknown {
    if (!Array.isArray(leaves)) {
      throw new TypeError(`tree.unflatten: \`leaves\` must be an array, got ${typeof leaves}.`);
    }
    if (leaves.length !== this.numLeaves) {
      throw new Error(
        `tree.unflatten: the treedef ${this} has ${this.numLeaves} leaves, but \`leaves\` has ${leaves.length}. ` +
          `Pass exactly one value per leaf, in the order tree.leaves returns them.`,
      );
    }
    let next = 0;
    const build = (def: TreeDef): unknown => {
      switch (def.kind) {
        case "leaf":
          return leaves[next++];
        case "null":
          return null;
        case "undefined":
          return undefined;
        case "array":
          return def.subtrees.map(build);
        case "object":
          return Object.fromEntries(def.keys.map((k, i) => [k, build(def.subtrees[i]!)]));
        case "custom":
          return def.custom!.type.unflatten(def.custom!.auxData, def.subtrees.map(build));
      }
    };
    return build(this);
  }

  /**
   * Prints the structure like JAX: `*` for a leaf, `null`/`undefined` for empty subtrees,
   * `[...]` and `{...}` for arrays and objects, `CustomNode(Class[auxData], [...])` for
   * registered classes.
   *
   * @example
   * String(tree.structure({ a: 1, b: [2, 3] }))   // "PyTreeDef({a: *, b: [*, *]})"
   */
  toString(): string {
    return `PyTreeDef(${this.show()})`;
  }

  private show(): string {
    const inner = () => this.subtrees.map((s) => s.show()).join(", ");
    switch (this.kind) {
      case "leaf":
        return "*";
      case "null":
      case "undefined":
        return this.kind;
      case "array":
        return `[${inner()}]`;
      case "object":
        return `{${this.keys.map((k, i) => `${formatKey(k)}: ${this.subtrees[i]!.show()}`).join(", ")}}`;
      case "custom":
        return `CustomNode(${this.custom!.type.cls.name}[${formatAux(this.custom!.auxData)}], [${inner()}])`;
    }
  }
}

/** @internal Structural equality for auxiliary data: primitives by `Object.is`, arrays and plain objects elementwise. */
export function auxEquals(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => auxEquals(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && auxEquals(a[k], b[k]));
  }
  return false;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** @internal Prints auxiliary data for treedefs and error messages. */
export function formatAux(aux: unknown): string {
  if (aux === undefined || typeof aux === "function" || typeof aux === "symbol") return String(aux);
  try {
    return JSON.stringify(aux) ?? String(aux);
  } catch {
    return String(aux);
  }
}
