/**
 * nn.save / nn.load: the documented byte layout, exact round trips (bit patterns, dtypes,
 * structure, key order), and decoding errors that name the offending leaf.
 */
import { describe, expect, test } from "vitest";
import { np, random, tree, type NDArray } from "../../src/index.ts";
import { fromFlat } from "../../src/core/constant.ts";
import * as nn from "../../nn/index.ts";

const key = random.key(0);

function bits(x: NDArray): number[] {
  const d = x.dataSync();
  return x.dtype === "bool" ? Array.from(d as Uint8Array) : Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length));
}

function expectSameTree(a: unknown, b: unknown): void {
  expect(tree.structure(b).toString()).toBe(tree.structure(a).toString());
  const la = tree.leaves(a) as NDArray[], lb = tree.leaves(b) as NDArray[];
  la.forEach((x, i) => {
    expect(lb[i]!.dtype).toBe(x.dtype);
    expect(lb[i]!.shape).toEqual(x.shape);
    expect(bits(lb[i]!)).toEqual(bits(x));
  });
}

/** The header of a saved file, parsed. */
function header(bytes: Uint8Array): any {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)));
}

/** A file with its header replaced (the data section kept). */
function withHeader(bytes: Uint8Array, edit: (h: any) => void): Uint8Array {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const h = header(bytes);
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(12 + json.length + bytes.length - 12 - n);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(bytes.subarray(12 + n), 12 + json.length);
  return out;
}

describe("save / load", () => {
  test("round trip of model params and state is exact: structure, key order, dtypes, shapes, bits", () => {
    for (const model of [nn.lenet5(), nn.resnetBlock(2, 4, { stride: 2 }), nn.gpt({ vocab: 7, context: 4, layers: 2, heads: 2, dim: 8 })] as nn.Module[]) {
      const { params, state } = model.init(key);
      expectSameTree(params, nn.load(nn.save(params)));
      expectSameTree(state, nn.load(nn.save(state)));
    }
  });

  test("every dtype, special floats bit for bit, null, empty objects and lists, odd key names", () => {
    const nanPayload = new Float32Array(new Uint32Array([0x7fc00001]).buffer);
    const t = {
      f: np.array([-0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, NaN]),
      nan: fromFlat(nanPayload, [1], "float32"),
      i: np.array([[-2147483648, 2147483647]], { dtype: "int32" }),
      key: random.split(key, 3),                 // uint32
      mask: np.array([true, false, true]),       // bool: 1 byte each; the next array is padded to a multiple of 4
      after: np.array([1.5, 2.5]),
      scalar: np.array(7),
      empty: np.zeros([0, 3]),
      none: null,
      nested: [{}, [], { "odd key": np.array([1]), "0": np.array([2]) }],
    };
    const saved = nn.save(t);
    const entries = Object.fromEntries(header(saved).tree.entries);
    expect(entries.mask.offset + entries.mask.bytes).toBe(entries.after.offset - 1);   // one zero byte of padding
    expect(entries.after.offset % 4).toBe(0);
    const back = nn.load(saved);
    expectSameTree(t, back);
    expect(Object.keys(back)).toEqual(Object.keys(t));
    expect(back.none).toBeNull();
    expect(bits(back.nan)).toEqual([0x7fc00001]);
    expect(Object.is((back.f.toArray() as number[])[0], -0)).toBe(true);
  });

  test("the documented layout: magic, little-endian header length, JSON header, 8-byte aligned data", () => {
    const params = { w: np.array([[1, 2]]), b: np.array([3], { dtype: "int32" }) };
    const bytes = nn.save(params);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("GRADUSNN");
    const n = new DataView(bytes.buffer).getUint32(8, true);
    expect((12 + n) % 8).toBe(0);
    const h = header(bytes);
    expect(h).toEqual({
      format: "gradus.nn.params", version: 1, dataBytes: 12,
      tree: { kind: "dict", entries: [
        ["w", { kind: "array", dtype: "float32", shape: [1, 2], offset: 0, bytes: 8 }],
        ["b", { kind: "array", dtype: "int32", shape: [1], offset: 8, bytes: 4 }],
      ] },
    });
    const data = new DataView(bytes.buffer, 12 + n);
    expect([data.getFloat32(0, true), data.getFloat32(4, true), data.getInt32(8, true)]).toEqual([1, 2, 3]);
    expect(bytes.length).toBe(12 + n + 12);
  });

  test("loaded params work: the model computes the same outputs", () => {
    const model = nn.mlp([3, 4, 2]);
    const { params } = model.init(key);
    const x = random.normal(key, [5, 3]);
    expect(nn.call(model, nn.load(nn.save(params)), x).toArray()).toEqual(nn.call(model, params, x).toArray());
  });

  test("saveAsync writes the same bytes", async () => {
    const { params } = nn.lenet5().init(key);
    expect(await nn.saveAsync(params)).toEqual(nn.save(params));
  });

  test("save names a leaf it cannot store", () => {
    expect(() => nn.save({ layers: [{ w: np.ones([2]), lr: 0.1 }] })).toThrow("nn.save: leaf layers[0].lr is a number (0.1); only NDArrays, null, plain objects and arrays can be saved");
    expect(() => nn.save({ m: new Map() })).toThrow("nn.save: leaf m is an instance of Map");
  });

  describe("load validates and names the offending leaf", () => {
    const params = { layers: [{ w: np.ones([2, 3]), b: np.zeros([3]) }], scale: np.array([2]) };
    const bytes = nn.save(params);

    test("not a params file / truncated", () => {
      expect(() => nn.load(new TextEncoder().encode("hello world, not a model"))).toThrow('nn.load: not a gradus params file (it does not start with "GRADUSNN")');
      expect(() => nn.load(bytes.subarray(0, bytes.length - 4))).toThrow(/nn.load: the header announces 40 data bytes but the file holds 36/);
      expect(() => nn.load(bytes.subarray(0, 20))).toThrow(/the header claims \d+ bytes but the file has only 8/);
    });

    test("a bad shape, dtype, extent or node kind names the leaf", () => {
      expect(() => nn.load(withHeader(bytes, (h) => { h.tree.entries[0][1].items[0].entries[0][1].shape = [2, -3]; })))
        .toThrow("nn.load: layers[0].w: shape[1] must be NonNegativeInteger, got -3");
      expect(() => nn.load(withHeader(bytes, (h) => { h.tree.entries[0][1].items[0].entries[1][1].dtype = "float64"; })))
        .toThrow(/nn.load: layers\[0\].b: dtype must be "float32" \| "int32" \| "uint32" \| "bool", got "float64"/);
      expect(() => nn.load(withHeader(bytes, (h) => { h.tree.entries[0][1].items[0].entries[0][1].shape = [3, 3]; })))
        .toThrow("nn.load: layers[0].w: a float32 array of shape [3, 3] takes 36 bytes, but the header says 24");
      expect(() => nn.load(withHeader(bytes, (h) => { h.tree.entries[1][1].offset = 40; })))
        .toThrow("nn.load: scale: its data (bytes 40 to 44) runs past the end of the data section (40 bytes)");
      expect(() => nn.load(withHeader(bytes, (h) => { h.tree.entries[0][1].items[0] = { kind: "tuple" }; })))
        .toThrow('nn.load: layers[0]: expected a node with kind "array", "list", "dict" or "null"; got {"kind":"tuple"}');
      expect(() => nn.load(withHeader(bytes, (h) => { h.version = 2; }))).toThrow("nn.load: bad header: version must be 1, got 2");
    });
  });
});
