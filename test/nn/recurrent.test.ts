/**
 * Recurrent cells and `rnn`: one step of each cell against its equations written out in
 * float64 on the host, parameter counts against the standard formulas, `rnn` against a
 * Python-style loop over the cell, reverse and returnSequences, jit and grad through the scan.
 *
 * Tolerances: one step is a few matrix-vector products of size <= 5 and a sigmoid/tanh,
 * all O(1): float32 error below 1e-6 relative, so expectArray with atol 1e-5.
 */
import { describe, expect, test } from "vitest";
import { grad, jit, np, random, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray, rand } from "../helpers.ts";

const key = random.key(0);
const sig = (v: number) => 1 / (1 + Math.exp(-v));
type M = number[][];
const host = (x: NDArray) => x.toArray() as number[] & M;
/** x·W (+ b) on host vectors. */
const affine = (x: number[], w: M, b?: number[]) => w[0]!.map((_, j) => x.reduce((s, xi, i) => s + xi * w[i]![j]!, 0) + (b ? b[j]! : 0));
const cols = (v: number[], g: number, h: number) => v.slice(g * h, (g + 1) * h);
const arr = (n: number, shape: number[], seed: number) => np.array(rand(n, seed)).reshape(shape);

describe("cells: one step written out with the equations", () => {
  const [inp, h] = [3, 4];
  const x = [0.5, -1, 0.25];
  const h0 = [0.1, -0.2, 0.3, 0.05];
  const c0 = [0.5, -0.5, 0.2, 0];

  test("rnnCell: h' = tanh(x·Wi + h·Wh + b)", () => {
    const cell = nn.rnnCell(inp, h);
    const params = { wi: arr(inp * h, [inp, h], 1), wh: arr(h * h, [h, h], 2), b: arr(h, [h], 3) };
    const [carry, y] = cell.step(params, np.array(h0), np.array(x));
    const zi = affine(x, host(params.wi), host(params.b) as number[]), zh = affine(h0, host(params.wh));
    const expected = zi.map((v, j) => Math.tanh(v + zh[j]!));
    expectArray(y, expected, { atol: 1e-5 });
    expectArray(carry, expected, { atol: 1e-5 });
    expect(nn.countParams(cell.init(key).params)).toBe(inp * h + h * h + h);
  });

  test("lstmCell: gates i, f, g, o; c' = f⊙c + i⊙g; h' = o⊙tanh(c')", () => {
    const cell = nn.lstmCell(inp, h);
    const params = { wi: arr(inp * 4 * h, [inp, 4 * h], 4), wh: arr(h * 4 * h, [h, 4 * h], 5), b: arr(4 * h, [4 * h], 6) };
    const [carry, y] = cell.step(params, { h: np.array(h0), c: np.array(c0) }, np.array(x));
    const z = affine(x, host(params.wi), host(params.b) as number[]).map((v, j) => v + affine(h0, host(params.wh))[j]!);
    const i = cols(z, 0, h).map(sig), f = cols(z, 1, h).map(sig), g = cols(z, 2, h).map(Math.tanh), o = cols(z, 3, h).map(sig);
    const c = c0.map((cv, j) => f[j]! * cv + i[j]! * g[j]!);
    const hNew = c.map((cv, j) => o[j]! * Math.tanh(cv));
    expectArray(carry.c, c, { atol: 1e-5 });
    expectArray(carry.h, hNew, { atol: 1e-5 });
    expectArray(y, hNew, { atol: 1e-5 });
    const init = cell.init(key).params;
    expect(nn.countParams(init)).toBe(4 * (inp * h + h * h + h));
    expectArray(init.b, [...Array(h).fill(0), ...Array(h).fill(1), ...Array(2 * h).fill(0)]);   // forget bias 1
  });

  test("gruCell: r, z, n = tanh(x·Wn + bn + r⊙(h·Whn + bhn)), h' = (1 − z)⊙n + z⊙h", () => {
    const cell = nn.gruCell(inp, h);
    const params = { wi: arr(inp * 3 * h, [inp, 3 * h], 7), wh: arr(h * 3 * h, [h, 3 * h], 8), bi: arr(3 * h, [3 * h], 9), bh: arr(3 * h, [3 * h], 10) };
    const [carry, y] = cell.step(params, np.array(h0), np.array(x));
    const zi = affine(x, host(params.wi), host(params.bi) as number[]), zh = affine(h0, host(params.wh), host(params.bh) as number[]);
    const r = cols(zi, 0, h).map((v, j) => sig(v + cols(zh, 0, h)[j]!));
    const u = cols(zi, 1, h).map((v, j) => sig(v + cols(zh, 1, h)[j]!));
    const n = cols(zi, 2, h).map((v, j) => Math.tanh(v + r[j]! * cols(zh, 2, h)[j]!));
    const expected = n.map((nv, j) => (1 - u[j]!) * nv + u[j]! * h0[j]!);
    expectArray(y, expected, { atol: 1e-5 });
    expectArray(carry, expected, { atol: 1e-5 });
    expect(nn.countParams(cell.init(key).params)).toBe(3 * (inp * h + h * h + 2 * h));
  });

  test("cells take leading batch dimensions; initialCarry is zeros of [..., hidden]", () => {
    const cell = nn.lstmCell(inp, h);
    const { params } = cell.init(key);
    const c = cell.initialCarry([2, 5]);
    expect(c.h.shape).toEqual([2, 5, h]);
    const xb = arr(2 * 5 * inp, [2, 5, inp], 11);
    const [, y] = cell.step(params, c, xb);
    const [, y1] = cell.step(params, cell.initialCarry([]), xb.get(1).get(3));
    expectArray(y.get(1).get(3), y1.toArray() as number[], { atol: 1e-6 });
  });
});

describe("rnn over lax.scan", () => {
  const [batch, T, inp, h] = [2, 5, 3, 4];
  const x = arr(batch * T * inp, [batch, T, inp], 12);

  function loop<C>(cell: nn.Cell<any, C>, params: unknown, xs: NDArray, reverse = false): NDArray[] {
    let c = cell.initialCarry([batch]);
    const ys: NDArray[] = new Array(T);
    const order = Array.from({ length: T }, (_, t) => (reverse ? T - 1 - t : t));
    for (const t of order) {
      const [c2, y] = cell.step(params, c, np.take(xs, np.array(t, { dtype: "int32" }), { axis: 1 }));
      c = c2;
      ys[t] = y;
    }
    return ys;
  }

  test.each([["rnnCell", nn.rnnCell(inp, h)], ["lstmCell", nn.lstmCell(inp, h)], ["gruCell", nn.gruCell(inp, h)]] as const)(
    "%s: returnSequences gives every step, as a loop would; default gives the last", (_name, cell) => {
      const all = nn.rnn(cell as nn.Cell, { returnSequences: true });
      const { params } = all.init(key);
      const ys = loop(cell as nn.Cell, params, x);
      const seq = nn.call(all, params, x);
      expect(seq.shape).toEqual([batch, T, h]);
      expectArray(seq, np.stack(ys, { axis: 1 }).toArray() as number[][][], { atol: 1e-5 });
      expectArray(nn.call(nn.rnn(cell as nn.Cell), params, x), ys[T - 1]!.toArray() as number[][], { atol: 1e-5 });
    });

  test("reverse runs from the last step; outputs stay in input order; the last processed is t = 0", () => {
    const cell = nn.gruCell(inp, h);
    const rev = nn.rnn(cell, { reverse: true, returnSequences: true });
    const { params } = rev.init(key);
    const ys = loop(cell, params, x, true);
    expectArray(nn.call(rev, params, x), np.stack(ys, { axis: 1 }).toArray() as number[][][], { atol: 1e-5 });
    expectArray(nn.call(nn.rnn(cell, { reverse: true }), params, x), ys[0]!.toArray() as number[][], { atol: 1e-5 });
  });

  test("unbatched sequences, extra leading dims, jit and grad (backpropagation through time)", () => {
    const layer = nn.rnn(nn.lstmCell(inp, h));
    const { params } = layer.init(key);
    expect(nn.call(layer, params, x.get(0)).shape).toEqual([h]);
    expect(nn.call(layer, params, x.reshape([1, batch, T, inp])).shape).toEqual([1, batch, h]);
    const loss = (p: typeof params) => np.sum(np.square(nn.call(layer, p, x)));
    const g = grad(loss)(params);
    const gj = jit(grad(loss))(params);
    expectArray(gj.wh, g.wh.toArray() as number[][], { atol: 1e-5 });
    // The first input step influences the final output only through the recurrence.
    const gx = grad((v: NDArray) => np.sum(nn.call(layer, params, v)))(x);
    const first = np.take(gx, np.array(0, { dtype: "int32" }), { axis: 1 });
    expect(np.max(np.abs(first)).item()).toBeGreaterThan(1e-4);
  });
});
