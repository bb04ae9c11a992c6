/**
 * Which values are containers, and how to open them. Plain objects and arrays are built
 * in; classes join with {@link register}. Everything else is a leaf.
 */

/**
 * How to take an instance of a registered class apart and put it back together.
 * @example
 * class Pair { constructor(readonly a: unknown, readonly b: unknown) {} }
 * const node: NodeType<Pair> = { flatten: (p) => [[p.a, p.b], null], unflatten: (_aux, [a, b]) => new Pair(a, b) };
 * tree.register(Pair, node);
 * tree.leaves(new Pair(1, [2, 3]))   // [1, 2, 3]
 */
export interface NodeType<T, Aux = unknown> {
  /**
   * Splits `x` into its children (subtrees, flattened further) and auxiliary data
   * (static, kept in the treedef and compared by {@link TreeDef.equals}).
   */
  flatten(x: T): [children: unknown[], auxData: Aux];
  /**
   * Rebuilds an instance from the auxiliary data and children. Transformations may pass
   * children that are not what `flatten` produced (tracers, `null` placeholders, other
   * pytrees), so do not validate their types here.
   */
  unflatten(auxData: Aux, children: unknown[]): T;
}

/**
 * A constructor, abstract or not.
 * @example
 * const c: Class<Date> = Date;
 */
export type Class<T> = abstract new (...args: any[]) => T;

/** @internal A registered class together with its node type. */
export interface Registered {
  readonly cls: Class<unknown>;
  readonly flatten: (x: unknown) => [unknown[], unknown];
  readonly unflatten: (auxData: unknown, children: unknown[]) => unknown;
}

/** Keyed by prototype, so lookup is an exact class match (as in JAX: subclasses register on their own). */
const registry = new Map<object, Registered>();

/**
 * Makes instances of `cls` pytree containers: `flatten`, `map`, `grad`, `jit` and friends
 * will look inside them instead of treating them as leaves.
 *
 * @example
 * class Point { constructor(readonly x: number, readonly y: number) {} }
 * tree.register(Point, {
 *   flatten: (p) => [[p.x, p.y], null],
 *   unflatten: (_aux, [x, y]) => new Point(x as number, y as number),
 * });
 * tree.leaves([new Point(1, 2), 3])   // [1, 2, 3]
 * @throws TypeError if `cls` is not a class, is `Object` or `Array`, or is already registered.
 */
export function register<T, Aux>(cls: Class<T>, nodeType: NodeType<T, Aux>): void {
  if (typeof cls !== "function" || typeof cls.prototype !== "object" || cls.prototype === null) {
    throw new TypeError(`tree.register: \`cls\` must be a class, got ${typeof cls}.`);
  }
  if ((cls as unknown) === Object || (cls as unknown) === Array) {
    throw new TypeError(`tree.register: ${cls.name} is a built-in container and cannot be registered again.`);
  }
  if (typeof nodeType?.flatten !== "function" || typeof nodeType?.unflatten !== "function") {
    throw new TypeError(`tree.register: \`nodeType\` for ${cls.name} must have \`flatten\` and \`unflatten\` functions.`);
  }
  if (registry.has(cls.prototype)) {
    throw new TypeError(`tree.register: ${cls.name} is already registered as a pytree node; register each class once.`);
  }
  registry.set(cls.prototype, { cls, ...(nodeType as unknown as NodeType<unknown, unknown>) } as Registered);
}

/** @internal What one value is, seen as a tree node. */
export type Node =
  | { kind: "leaf" }
  | { kind: "null" }
  | { kind: "undefined" }
  | { kind: "array"; children: readonly unknown[] }
  | { kind: "object"; keys: string[]; children: unknown[] }
  | { kind: "custom"; type: Registered; auxData: unknown; children: unknown[] };

/** @internal Opens `x` one level. Object keys come sorted, like JAX dict keys. */
export function nodeOf(x: unknown): Node {
  if (x === null) return { kind: "null" };
  if (x === undefined) return { kind: "undefined" };
  if (typeof x !== "object") return { kind: "leaf" };
  const proto = Object.getPrototypeOf(x) as object | null;
  const type = proto === null ? undefined : registry.get(proto);
  if (type) {
    const out = type.flatten(x);
    if (!Array.isArray(out) || out.length !== 2 || !Array.isArray(out[0])) {
      throw new TypeError(
        `tree: flatten registered for ${type.cls.name} must return [children, auxData] with children an array; got ${String(out)}.`,
      );
    }
    return { kind: "custom", type, auxData: out[1], children: out[0] };
  }
  if (Array.isArray(x)) return { kind: "array", children: x };
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(x).sort();
    return { kind: "object", keys, children: keys.map((k) => (x as Record<string, unknown>)[k]) };
  }
  return { kind: "leaf" };
}
