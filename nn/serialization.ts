/**
 * Saving and loading parameter (or state) trees: `save(params) => Uint8Array`,
 * `load(bytes)`. The format, version 1:
 *
 * | bytes | content |
 * |---|---|
 * | 0–7 | the magic `GRADUSNN` (ASCII) |
 * | 8–11 | header length H, uint32 little-endian |
 * | 12 – 12+H | the header: UTF-8 JSON, padded with spaces so the data starts at a multiple of 8 |
 * | 12+H – end | the data: every array's elements, row-major, little-endian, one after the other (zero bytes before a 4-byte array that follows a bool array, so each starts at a multiple of 4) |
 *
 * The header is `{ "format": "gradus.nn.params", "version": 1, "tree": node, "dataBytes": n }`,
 * where a node is one of
 * `{ "kind": "array", "dtype": "float32" | "int32" | "uint32" | "bool", "shape": [..], "offset": o, "bytes": b }`
 * (offset and byte length in the data section; 4 bytes an element, 1 for bool),
 * `{ "kind": "list", "items": [node, ...] }`, `{ "kind": "dict", "entries": [[key, node], ...] }`
 * (key order kept) or `{ "kind": "null" }`. Loading decodes the header with io-ts, checks
 * every array's dtype, shape and extent, and names the offending leaf by its path.
 * Floats are copied bit for bit, so a round trip is exact (NaN payloads and −0 included).
 */
import * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";
import { NDArray, tree } from "../src/index.ts";
import { fromFlat } from "../src/core/constant.ts";

const MAGIC = "GRADUSNN";
const FORMAT = "gradus.nn.params";
const VERSION = 1;

const DType = t.keyof({ float32: null, int32: null, uint32: null, bool: null });
type DTypeName = t.TypeOf<typeof DType>;
const bytesPer = (d: DTypeName): number => (d === "bool" ? 1 : 4);

const NonNegInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, "NonNegativeInteger");

/** An array leaf of the header. */
const ArrayNode = t.type({ kind: t.literal("array"), dtype: DType, shape: t.array(NonNegInt), offset: NonNegInt, bytes: NonNegInt });
/** The header's top level; `tree` is decoded node by node so errors can name the leaf. */
const Header = t.type({ format: t.literal(FORMAT), version: t.literal(VERSION), tree: t.unknown, dataBytes: NonNegInt });
const ListNode = t.type({ kind: t.literal("list"), items: t.array(t.unknown) });
const DictNode = t.type({ kind: t.literal("dict"), entries: t.array(t.tuple([t.string, t.unknown])) });
const NullNode = t.type({ kind: t.literal("null") });

type Node =
  | t.TypeOf<typeof ArrayNode>
  | { kind: "list"; items: Node[] }
  | { kind: "dict"; entries: [string, Node][] }
  | { kind: "null" };

const pathStr = (path: readonly (string | number)[]): string =>
  path.length === 0 ? "(root)" : path.map((k, i) => (typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `${i ? "." : ""}${k}` : `[${JSON.stringify(k)}]`)).join("");

/** What io-ts rejected, in words: the field and the value. */
function describeErrors(errors: t.Errors): string {
  return errors.map((e) => {
    const field = e.context.slice(1).map((c) => (/^\d+$/.test(c.key) ? `[${c.key}]` : `.${c.key}`)).join("").replace(/^\./, "");
    const expected = e.context[e.context.length - 1]?.type.name ?? "?";
    return `${field || "value"} must be ${expected}, got ${JSON.stringify(e.value)}`;
  }).join("; ");
}

/**
 * The host bytes of an array, little-endian.
 */
function leafBytes(x: NDArray, data: Float32Array | Int32Array | Uint32Array | Uint8Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (x.dtype === "bool" || LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) for (let j = 0; j < 4; j++) out[i + j] = bytes[i + 3 - j]!;
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function encodeTree(params: unknown, read: (x: NDArray) => Float32Array | Int32Array | Uint32Array | Uint8Array): { header: Node; chunks: Uint8Array[]; total: number } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const visit = (x: unknown, path: (string | number)[]): Node => {
    if (x instanceof NDArray) {
      const bytes = leafBytes(x, read(x));
      const align = x.dtype === "bool" ? 1 : 4;
      if (offset % align) {
        const pad = align - (offset % align);
        chunks.push(new Uint8Array(pad));
        offset += pad;
      }
      chunks.push(bytes);
      const node: Node = { kind: "array", dtype: x.dtype as DTypeName, shape: [...x.shape], offset, bytes: bytes.length };
      offset += bytes.length;
      return node;
    }
    if (x === null || x === undefined) return { kind: "null" };
    if (Array.isArray(x)) return { kind: "list", items: x.map((v, i) => visit(v, [...path, i])) };
    if (typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
      return { kind: "dict", entries: Object.entries(x).map(([k, v]) => [k, visit(v, [...path, k])] as [string, Node]) };
    }
    const what = typeof x === "object" ? `an instance of ${(x as object).constructor?.name ?? "a class"}` : `a ${typeof x} (${String(x)})`;
    throw new TypeError(`nn.save: leaf ${pathStr(path)} is ${what}; only NDArrays, null, plain objects and arrays can be saved`);
  };
  const header = visit(params, []);
  return { header, chunks, total: offset };
}

function assemble({ header, chunks, total }: { header: Node; chunks: Uint8Array[]; total: number }): Uint8Array {
  let json = JSON.stringify({ format: FORMAT, version: VERSION, tree: header, dataBytes: total });
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - ((12 + headerBytes.length) % 8)) % 8;
  if (pad) { json += " ".repeat(pad); headerBytes = enc.encode(json); }
  const out = new Uint8Array(12 + headerBytes.length + total);
  out.set(enc.encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  let at = 12 + headerBytes.length;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/**
 * Serializes a tree of NDArrays (params or state: nested plain objects, arrays, null) to
 * bytes in the documented format (see the module comment). Reads arrays synchronously; on
 * webgpu use `saveAsync`.
 *
 * @example
 * const { params } = nn.linear(3, 2).init(key);
 * const bytes = nn.save(params);   // write it with fs.writeFileSync("model.gnn", bytes)
 * new TextDecoder().decode(bytes.subarray(0, 8))   // "GRADUSNN"
 * @throws TypeError naming the leaf when the tree holds something other than NDArrays, null, objects and arrays.
 */
export function save(params: unknown): Uint8Array {
  return assemble(encodeTree(params, (x) => x.dataSync()));
}

/**
 * `save` with asynchronous reads (works on every backend, webgpu included).
 * @example
 * const { params } = nn.linear(3, 2).init(key);
 * const bytes = await nn.saveAsync(params);
 * bytes.length === nn.save(params).length   // true
 */
export async function saveAsync(params: unknown): Promise<Uint8Array> {
  const cache = new Map<NDArray, Float32Array | Int32Array | Uint32Array | Uint8Array>();
  for (const leaf of tree.leaves(params)) if (leaf instanceof NDArray) cache.set(leaf, await leaf.data());
  return assemble(encodeTree(params, (x) => cache.get(x)!));
}

/**
 * Deserializes bytes written by `save` back into the same tree of NDArrays: the same
 * structure, key order, shapes, dtypes and bits.
 *
 * @example
 * const { params } = nn.linear(3, 2).init(key);
 * const params2 = nn.load(nn.save(params));
 * params2.w.shape   // [3, 2]
 * @throws Error when the bytes are not a gradus params file, or the header is malformed;
 * the message names the offending leaf (e.g. `layers[0].w: shape must be ...`).
 */
export function load(bytes: Uint8Array): any {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`nn.load: expected a Uint8Array; got ${bytes === null ? "null" : typeof bytes}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`nn.load: not a gradus params file (it does not start with "${MAGIC}")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new Error(`nn.load: the header claims ${headerLength} bytes but the file has only ${bytes.length - 12} after the length field (truncated?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch (e) {
    throw new Error(`nn.load: the header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  const header = Header.decode(raw);
  if (isLeft(header)) throw new Error(`nn.load: bad header: ${describeErrors(header.left)}`);
  const data = bytes.subarray(12 + headerLength);
  if (data.length !== header.right.dataBytes) {
    throw new Error(`nn.load: the header announces ${header.right.dataBytes} data bytes but the file holds ${data.length} (truncated or padded?)`);
  }
  return decodeNode(header.right.tree, [], data);
}

function decodeNode(raw: unknown, path: (string | number)[], data: Uint8Array): unknown {
  const where = `nn.load: ${pathStr(path)}`;
  const kind = typeof raw === "object" && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case "null": {
      const r = NullNode.decode(raw);
      if (isLeft(r)) throw new Error(`${where}: ${describeErrors(r.left)}`);
      return null;
    }
    case "list": {
      const r = ListNode.decode(raw);
      if (isLeft(r)) throw new Error(`${where}: ${describeErrors(r.left)}`);
      return r.right.items.map((item, i) => decodeNode(item, [...path, i], data));
    }
    case "dict": {
      const r = DictNode.decode(raw);
      if (isLeft(r)) throw new Error(`${where}: ${describeErrors(r.left)}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of r.right.entries) {
        if (Object.prototype.hasOwnProperty.call(out, k)) throw new Error(`${where}: the key ${JSON.stringify(k)} appears twice`);
        out[k] = decodeNode(v, [...path, k], data);
      }
      return out;
    }
    case "array": {
      const r = ArrayNode.decode(raw);
      if (isLeft(r)) throw new Error(`${where}: ${describeErrors(r.left)}`);
      const { dtype, shape, offset, bytes: length } = r.right;
      const size = shape.reduce((a, b) => a * b, 1);
      const expected = size * bytesPer(dtype);
      if (length !== expected) {
        throw new Error(`${where}: a ${dtype} array of shape [${shape.join(", ")}] takes ${expected} bytes, but the header says ${length}`);
      }
      if (offset + length > data.length) {
        throw new Error(`${where}: its data (bytes ${offset} to ${offset + length}) runs past the end of the data section (${data.length} bytes)`);
      }
      if (dtype !== "bool" && offset % 4 !== 0) throw new Error(`${where}: offset ${offset} of a ${dtype} array must be a multiple of 4`);
      return fromFlat(readValues(dtype, data.subarray(offset, offset + length)), shape, dtype);
    }
    default:
      throw new Error(`${where}: expected a node with kind "array", "list", "dict" or "null"; got ${JSON.stringify(raw)?.slice(0, 200)}`);
  }
}

function readValues(dtype: DTypeName, bytes: Uint8Array): Float32Array | Int32Array | Uint32Array | Uint8Array {
  const copy = Uint8Array.from(bytes);   // aligned and owned
  if (dtype === "bool") return copy;
  if (!LITTLE_ENDIAN) for (let i = 0; i < copy.length; i += 4) copy.subarray(i, i + 4).reverse();
  switch (dtype) {
    case "float32": return new Float32Array(copy.buffer);
    case "int32": return new Int32Array(copy.buffer);
    case "uint32": return new Uint32Array(copy.buffer);
  }
}
