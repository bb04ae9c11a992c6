import { test as propTest } from "@fast-check/vitest";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as tree from "../src/tree/index.ts";

/** A registered container with two children and a string tag as auxiliary data. */
class Pair {
  constructor(readonly first: unknown, readonly second: unknown, readonly tag = "pair") {}
}
tree.register(Pair, {
  flatten: (p) => [[p.first, p.second], p.tag],
  unflatten: (tag, [first, second]) => new Pair(first, second, tag),
});

/** An unregistered class: its instances are leaves. */
class Opaque {
  constructor(readonly value: number) {}
}

describe("flatten / unflatten", () => {
  test("leaves come depth first, object keys sorted", () => {
    const [leaves, def] = tree.flatten({ b: [2, 3], a: 1, c: { z: 5, y: 4 } });
    expect(leaves).toEqual([1, 2, 3, 4, 5]);
    expect(String(def)).toBe("PyTreeDef({a: *, b: [*, *], c: {y: *, z: *}})");
    expect(def.numLeaves).toBe(5);
  });

  test("null and undefined are empty subtrees, preserved on unflatten", () => {
    const t = { a: null, b: [undefined, 1], c: [] as unknown[], d: {} };
    const [leaves, def] = tree.flatten(t);
    expect(leaves).toEqual([1]);
    expect(String(def)).toBe("PyTreeDef({a: null, b: [undefined, *], c: [], d: {}})");
    expect(tree.unflatten(def, [7])).toStrictEqual({ a: null, b: [undefined, 7], c: [], d: {} });
  });

  test("anything that is not a container is a leaf", () => {
    const f = () => 0;
    const values = [1, "s", true, 2n, new Opaque(3), new Map(), new Date(0), f, Symbol.for("x")];
    expect(tree.leaves(values)).toEqual(values);
    expect(tree.leaves(5)).toEqual([5]);
    expect(String(tree.structure(5))).toBe("PyTreeDef(*)");
  });

  test("a null-prototype object is a container like a plain object", () => {
    const bare = Object.assign(Object.create(null) as object, { b: 2, a: 1 });
    expect(tree.leaves(bare)).toEqual([1, 2]);
    expect(tree.structure(bare).equals(tree.structure({ a: 0, b: 0 }))).toBe(true);
  });

  test("isLeaf stops the descent, including at null", () => {
    const t = { a: [1, 2], b: [3], c: null };
    expect(tree.leaves(t, Array.isArray)).toEqual([[1, 2], [3]]);
    expect(String(tree.structure(t, Array.isArray))).toBe("PyTreeDef({a: *, b: *, c: null})");
    expect(tree.leaves(t, (x) => x === null)).toEqual([1, 2, 3, null]);
    const [leaves, def] = tree.flatten(t, Array.isArray);
    expect(tree.unflatten(def, leaves)).toStrictEqual(t);
  });

  test("unflatten checks the number of leaves and names both counts", () => {
    const def = tree.structure([1, [2]]);
    expect(() => tree.unflatten(def, [1, 2, 3])).toThrow(
      "tree.unflatten: the treedef PyTreeDef([*, [*]]) has 2 leaves, but `leaves` has 3.",
    );
    expect(() => tree.unflatten(def, [1])).toThrow(/has 2 leaves, but `leaves` has 1/);
  });

  test("unflatten rejects a treedef or leaves of the wrong type", () => {
    expect(() => tree.unflatten({} as tree.TreeDef, [])).toThrow(TypeError);
    expect(() => tree.unflatten({} as tree.TreeDef, [])).toThrow(/`treedef` must be a TreeDef/);
    expect(() => tree.unflatten(tree.structure(1), 1 as unknown as unknown[])).toThrow(/`leaves` must be an array/);
  });

  test("a cycle raises an error naming where it closes", () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = { inner: a };
    expect(() => tree.flatten(a)).toThrow("tree.flatten: the tree contains a cycle: the value at .self.inner is one of its own ancestors.");
  });

  test("shared (non-cyclic) subtrees are fine", () => {
    const shared = [1, 2];
    expect(tree.leaves({ a: shared, b: shared })).toEqual([1, 2, 1, 2]);
  });

  test("flattenWithPath and leavesWithPath give key paths", () => {
    const [pairs, def] = tree.flattenWithPath({ w: [1, 2], b: { "x y": 3 } });
    expect(pairs).toEqual([
      [["b", "x y"], 3],
      [["w", 0], 1],
      [["w", 1], 2],
    ]);
    expect(def.numLeaves).toBe(3);
    expect(tree.leavesWithPath([{ w: 1 }])).toEqual([[[0, "w"], 1]]);
    expect(tree.leavesWithPath(new Pair(1, 2))).toEqual([[[0], 1], [[1], 2]]);
  });
});

describe("TreeDef", () => {
  test("toString prints like JAX's PyTreeDef", () => {
    expect(String(tree.structure({ a: 1, b: [2, 3] }))).toBe("PyTreeDef({a: *, b: [*, *]})");
    expect(String(tree.structure({ "my key": 1, $ok: 2 }))).toBe('PyTreeDef({$ok: *, "my key": *})');
    expect(String(tree.structure(new Pair(1, [2, null], "t")))).toBe('PyTreeDef(CustomNode(Pair["t"], [*, [*, null]]))');
    expect(String(tree.structure(null))).toBe("PyTreeDef(null)");
  });

  test("equals compares containers, keys and auxiliary data", () => {
    const s = tree.structure;
    expect(s([1, { a: 2 }]).equals(s([5, { a: 6 }]))).toBe(true);
    expect(s([1, 2]).equals(s([1, 2, 3]))).toBe(false);
    expect(s({ a: 1 }).equals(s({ b: 1 }))).toBe(false);
    expect(s({ a: 1 }).equals(s([1]))).toBe(false);
    expect(s([null]).equals(s([undefined]))).toBe(false);
    expect(s([null]).equals(s([1]))).toBe(false);
    expect(s(new Pair(1, 2, "a")).equals(s(new Pair(3, 4, "a")))).toBe(true);
    expect(s(new Pair(1, 2, "a")).equals(s(new Pair(1, 2, "b")))).toBe(false);
    expect(s(new Pair(1, 2)).equals(s([1, 2]))).toBe(false);
  });

  test("auxiliary data is compared structurally", () => {
    class Tagged {
      constructor(readonly x: unknown, readonly meta: unknown) {}
    }
    tree.register(Tagged, { flatten: (t) => [[t.x], t.meta], unflatten: (meta, [x]) => new Tagged(x, meta) });
    const s = (meta: unknown) => tree.structure(new Tagged(1, meta));
    expect(s({ shape: [2, 3], dtype: "float32" }).equals(s({ dtype: "float32", shape: [2, 3] }))).toBe(true);
    expect(s({ shape: [2, 3] }).equals(s({ shape: [3, 2] }))).toBe(false);
    expect(s(Number.NaN).equals(s(Number.NaN))).toBe(true);
  });

  test("numLeaves and children", () => {
    const def = tree.structure({ a: 1, b: [2, 3], c: null });
    expect(def.numLeaves).toBe(3);
    expect(def.kind).toBe("object");
    expect(def.children().map(String)).toEqual(["PyTreeDef(*)", "PyTreeDef([*, *])", "PyTreeDef(null)"]);
    expect(tree.structure(1).children()).toEqual([]);
    expect(tree.structure(new Pair(1, [2])).children().map(String)).toEqual(["PyTreeDef(*)", "PyTreeDef([*])"]);
  });

  test("unflatten as a method", () => {
    expect(tree.structure({ a: 0, b: [0, 0] }).unflatten([1, 2, 3])).toStrictEqual({ a: 1, b: [2, 3] });
  });
});

describe("register", () => {
  test("registered classes are flattened and rebuilt", () => {
    const t = { p: new Pair(1, new Pair(2, 3, "inner")) };
    const [leaves, def] = tree.flatten(t);
    expect(leaves).toEqual([1, 2, 3]);
    const back = tree.unflatten(def, [10, 20, 30]) as typeof t;
    expect(back.p).toBeInstanceOf(Pair);
    expect(back).toStrictEqual({ p: new Pair(10, new Pair(20, 30, "inner")) });
  });

  test("subclasses are not containers unless registered themselves", () => {
    class SubPair extends Pair {}
    expect(tree.leaves(new SubPair(1, 2))).toHaveLength(1);
  });

  test("rejects built-ins, non-classes, bad node types and duplicates", () => {
    const flat = { flatten: () => [[], null] as [unknown[], unknown], unflatten: () => ({}) };
    expect(() => tree.register(Object, flat)).toThrow(/Object is a built-in container/);
    expect(() => tree.register(Array, flat)).toThrow(/Array is a built-in container/);
    expect(() => tree.register(42 as unknown as tree.Class<unknown>, flat)).toThrow("tree.register: `cls` must be a class, got number.");
    class NoFns {}
    expect(() => tree.register(NoFns, {} as tree.NodeType<NoFns>)).toThrow(/must have `flatten` and `unflatten`/);
    expect(() => tree.register(Pair, { flatten: (p) => [[p.first], null], unflatten: () => new Pair(0, 0) })).toThrow(
      "tree.register: Pair is already registered as a pytree node; register each class once.",
    );
  });

  test("a flatten that does not return [children, auxData] is reported", () => {
    class Broken {}
    tree.register(Broken, { flatten: () => "oops" as unknown as [unknown[], unknown], unflatten: () => new Broken() });
    expect(() => tree.leaves([new Broken()])).toThrow(/flatten registered for Broken must return \[children, auxData\]/);
  });
});

describe("map", () => {
  test("maps one tree", () => {
    expect(tree.map((x: number) => x * 2, { a: 1, b: [2, 3], c: null })).toStrictEqual({ a: 2, b: [4, 6], c: null });
    expect(tree.map((x: number) => x + 1, new Pair(1, 2, "t"))).toStrictEqual(new Pair(2, 3, "t"));
  });

  test("maps several trees leaf by leaf", () => {
    expect(tree.map((p: number, g: number) => p - 0.5 * g, { w: 1, b: 2 }, { w: 2, b: 4 })).toEqual({ w: 0, b: 0 });
    expect(tree.map((a: number, b: number, c: number) => a + b + c, [1, 2], [10, 20], [100, 200])).toEqual([111, 222]);
  });

  test("rest trees may be deeper where the first tree has leaves (prefix rule)", () => {
    expect(tree.map((x: number, ys: number[]) => [x, ...ys], [5, 6], [[7, 9], [1, 2]])).toEqual([
      [5, 7, 9],
      [6, 1, 2],
    ]);
  });

  test("a structure mismatch prints both structures and the first difference", () => {
    const call = () => tree.map((a: number, b: number) => a + b, { a: 1, b: [2, 3] }, { a: 1, b: [2] });
    expect(call).toThrow(
      [
        "tree.map: rest[0] does not have the structure of tree.",
        "  tree:    PyTreeDef({a: *, b: [*, *]})",
        "  rest[0]: PyTreeDef({a: *, b: [*]})",
        "  First difference at .b: tree has an array of length 2, rest[0] has an array of length 1.",
      ].join("\n"),
    );
  });

  test("mismatch messages describe keys, leaves, empty subtrees and registered classes", () => {
    const f = () => 0;
    expect(() => tree.map(f, { a: 1 }, { a: 1, b: 2 })).toThrow(
      "First difference at the root: tree has an object with keys {a}, rest[0] has an object with keys {a, b}.",
    );
    expect(() => tree.map(f, [[1]], [3])).toThrow("First difference at [0]: tree has an array of length 1, rest[0] has a leaf (3).");
    expect(() => tree.map(f, [null], [1])).toThrow("tree has null, rest[0] has a leaf (1).");
    expect(() => tree.map(f, [1, [2]], [1, [2]], [1, new Opaque(2)])).toThrow(
      /rest\[1\] does not have the structure of tree[^]*at \[1\]: tree has an array of length 1, rest\[1\] has a leaf \(Opaque\)/,
    );
    expect(() => tree.map(f, new Pair(1, 2, "a"), new Pair(1, 2, "b"))).toThrow(
      'tree has a Pair (auxData "a", 2 children), rest[0] has a Pair (auxData "b", 2 children).',
    );
  });

  test("options first pass isLeaf", () => {
    expect(tree.map({ isLeaf: (x) => x === null }, (x: number | null) => x ?? 0, [1, null])).toEqual([1, 0]);
    expect(tree.map({ isLeaf: Array.isArray }, (xs: number[]) => xs.length, { a: [1, 2], b: [3] })).toEqual({ a: 2, b: 1 });
  });

  test("bad arguments are TypeErrors that say how to call it", () => {
    expect(() => (tree.map as (...a: unknown[]) => unknown)(1, [1])).toThrow(/first argument must be the function to apply/);
    expect(() => (tree.map as (...a: unknown[]) => unknown)({}, 1, [1])).toThrow("tree.map: `f` must be a function, got number.");
    expect(() => (tree.map as (...a: unknown[]) => unknown)((x: unknown) => x)).toThrow(/missing `tree`/);
    expect(() => tree.map({ isLeaf: 3 as unknown as tree.IsLeaf }, (x) => x, 1)).toThrow("tree.map: `isLeaf` must be a function, got number.");
  });
});

describe("mapWithPath and keystr", () => {
  test("f receives the key path, then the leaves", () => {
    expect(tree.mapWithPath((path, x) => `${tree.keystr(path)}=${x}`, { a: [1, 2] })).toEqual({ a: [".a[0]=1", ".a[1]=2"] });
    expect(tree.mapWithPath((path, w: number) => (path.at(-1) === "b" ? 0 : w), { w: 3, b: 4 })).toEqual({ w: 3, b: 0 });
    expect(tree.mapWithPath((path, x: number, y: number) => [path, x + y], [1, { c: 2 }], [10, { c: 20 }])).toEqual([
      [[0], 11],
      { c: [[1, "c"], 22] },
    ]);
  });

  test("mismatches and isLeaf work as in map", () => {
    expect(() => tree.mapWithPath(() => 0, [1], [1, 2])).toThrow(/^tree\.mapWithPath: rest\[0\] does not have the structure of tree/);
    expect(tree.mapWithPath({ isLeaf: Array.isArray }, (p) => tree.keystr(p), { a: [1] })).toEqual({ a: ".a" });
  });

  test("keystr renders accessors", () => {
    expect(tree.keystr(["layers", 0, "w"])).toBe(".layers[0].w");
    expect(tree.keystr(["my key", 1])).toBe('["my key"][1]');
    expect(tree.keystr(["_a$1", "0x"])).toBe('._a$1["0x"]');
    expect(tree.keystr([])).toBe("");
  });
});

describe("flattenUpTo", () => {
  test("returns the subtrees under the treedef's leaves", () => {
    expect(tree.flattenUpTo(tree.structure({ a: 0, b: 0 }), { a: [1, 2], b: 3 })).toEqual([[1, 2], 3]);
    expect(tree.flattenUpTo(tree.structure([0, null]), [{ x: 1 }, null])).toEqual([{ x: 1 }]);
  });

  test("throws with both structures on a mismatch", () => {
    expect(() => tree.flattenUpTo(tree.structure([0, 0]), { a: 1 })).toThrow(
      [
        "tree.flattenUpTo: tree does not have the structure of treedef.",
        "  treedef: PyTreeDef([*, *])",
        "  tree:    PyTreeDef({a: *})",
        "  First difference at the root: treedef has an array of length 2, tree has an object with keys {a}.",
      ].join("\n"),
    );
  });
});

describe("reduce and all", () => {
  test("reduce folds over the leaves in order", () => {
    expect(tree.reduce((sum, x: number) => sum + x, { a: 1, b: [2, 3] }, 0)).toBe(6);
    expect(tree.reduce((acc: string[], x: string) => [...acc, x], { b: "2", a: "1" }, [])).toEqual(["1", "2"]);
    expect(tree.reduce((n: number) => n + 1, { a: [1, 2], b: [3] }, 0, Array.isArray)).toBe(2);
    expect(() => tree.reduce(1 as unknown as () => number, [], 0)).toThrow("tree.reduce: `f` must be a function, got number.");
  });

  test("all checks every leaf is truthy", () => {
    expect(tree.all({ a: true, b: [1, "yes"] })).toBe(true);
    expect(tree.all([true, [0]])).toBe(false);
    expect(tree.all({ a: null, b: [] })).toBe(true);
    expect(tree.all([null], (x) => x === null)).toBe(false);
  });
});

// ---------------------------------------------------------------- property tests

const key = fc.string({ unit: fc.constantFrom("a", "b", "c", "_", " ", "1"), maxLength: 3 });
const leaf = fc.oneof(fc.integer({ min: -100, max: 100 }), fc.string({ maxLength: 3 }), fc.boolean(), fc.integer().map((n) => new Opaque(n)));

/** Nested trees of plain objects, arrays, Pairs, null/undefined and assorted leaves. */
const { node: arbTree } = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.constantFrom(null, undefined),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(key, tie("node"), { maxKeys: 4, noNullPrototype: true }),
    fc.tuple(tie("node"), tie("node"), fc.constantFrom("x", "y")).map(([a, b, tag]) => new Pair(a, b, tag)),
  ),
}));

/** Follows a key path by hand, to check paths independently of the flattening code. */
function getAt(t: unknown, path: readonly tree.PathKey[]): unknown {
  return path.reduce<unknown>((node, k) => (node instanceof Pair ? [node.first, node.second][k as number] : (node as Record<tree.PathKey, unknown>)[k]), t);
}

describe("laws", () => {
  propTest.prop([arbTree])("unflatten(structure, leaves) rebuilds the tree", (t) => {
    const [leaves, def] = tree.flatten(t);
    expect(leaves).toHaveLength(def.numLeaves);
    expect(tree.unflatten(def, leaves)).toStrictEqual(t);
  });

  propTest.prop([arbTree])("flatten of an unflattened tree gives back the same leaves and structure", (t) => {
    const def = tree.structure(t);
    const fresh = Array.from({ length: def.numLeaves }, (_, i) => i);
    const [leaves, def2] = tree.flatten(def.unflatten(fresh));
    expect(leaves).toEqual(fresh);
    expect(def2.equals(def)).toBe(true);
  });

  propTest.prop([arbTree])("map with the identity is the identity", (t) => {
    expect(tree.map((x) => x, t)).toStrictEqual(t);
  });

  propTest.prop([arbTree, fc.func(fc.integer()), fc.func(fc.integer())])("map composes", (t, f, g) => {
    expect(tree.map(g, tree.map(f, t))).toStrictEqual(tree.map((x) => g(f(x)), t));
  });

  propTest.prop([arbTree, fc.func(fc.integer())])("map preserves structure and can zip a tree with its image", (t, f) => {
    const image = tree.map(f, t);
    expect(tree.structure(image).equals(tree.structure(t))).toBe(true);
    expect(tree.map((_x, y) => y, t, image)).toStrictEqual(image);
  });

  propTest.prop([arbTree, arbTree])("structures are equal exactly when they print the same", (a, b) => {
    const [sa, sb] = [tree.structure(a), tree.structure(b)];
    expect(sa.equals(sb)).toBe(String(sa) === String(sb));
    expect(sa.equals(sb)).toBe(sb.equals(sa));
    expect(sa.equals(tree.structure(a))).toBe(true);
  });

  propTest.prop([arbTree, arbTree])("map over two trees succeeds when structures match, else names both", (a, b) => {
    const [sa, sb] = [tree.structure(a), tree.structure(b)];
    let error: Error | undefined;
    try {
      tree.map(() => 0, a, b);
    } catch (e) {
      error = e as Error;
    }
    if (sa.equals(sb)) expect(error).toBeUndefined();
    if (error) {
      expect(error.message).toContain(String(sa));
      expect(error.message).toContain(String(sb));
    }
  });

  propTest.prop([arbTree])("key paths lead to their leaves", (t) => {
    const withPaths = tree.leavesWithPath(t);
    expect(withPaths.map(([, x]) => x)).toEqual(tree.leaves(t));
    for (const [path, x] of withPaths) expect(getAt(t, path)).toBe(x);
    expect(tree.leaves(tree.mapWithPath((p) => tree.keystr(p), t))).toEqual(withPaths.map(([p]) => tree.keystr(p)));
  });

  propTest.prop([arbTree])("reduce counts leaves and all agrees with every", (t) => {
    expect(tree.reduce((n: number) => n + 1, t, 0)).toBe(tree.structure(t).numLeaves);
    expect(tree.all(t)).toBe(tree.leaves(t).every(Boolean));
  });
});
