/**
 * One step into a container: an object key (string) or an array / registered-class child index (number).
 * @example
 * const k: PathKey = "w";
 */
export type PathKey = string | number;

/**
 * The keys leading from the root of a tree to one of its nodes, outermost first.
 * @example
 * const [[[path]]] = tree.flattenWithPath({ layers: [{ w: 1 }] });
 * path   // ["layers", 0, "w"]
 */
export type KeyPath = readonly PathKey[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders a key path as a JavaScript accessor string: `.name` for identifier keys,
 * `["a key"]` for other string keys, `[i]` for indices. The root path is `""`.
 *
 * @example
 * tree.keystr(["layers", 0, "w"])   // ".layers[0].w"
 * tree.keystr(["my key", 1])        // '["my key"][1]'
 */
export function keystr(path: KeyPath): string {
  return path
    .map((k) => (typeof k === "number" ? `[${k}]` : IDENTIFIER.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`))
    .join("");
}

/** Formats an object key for printing treedefs: bare when it is an identifier, quoted otherwise. */
export function formatKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}
