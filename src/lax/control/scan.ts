/**
 * `scan`: a loop of a fixed number of steps carrying state, as `jax.lax.scan`. Operands are
 * `[...consts, ...carry, ...xs]`; the body jaxpr maps `(consts, carry, x slices)` to
 * `(new carry, y slices)`; outputs are `[...final carry, ...ys]` with the ys stacked on a
 * new leading axis. Reverse mode follows JAX: partial evaluation splits the linearized
 * loop into a known scan that also stacks the per-step residuals and an unknown linear
 * scan, whose transpose is a scan in the opposite direction accumulating the cotangents
 * of the constants.
 */
import type { Tensor } from "@tensorflow/tfjs-core";
import { tf } from "../../backend/index.ts";
import type { NDArray } from "../../array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { asArray } from "../../core/constant.ts";
import { storageDtype } from "../../core/dtype.ts";
import { fmtShape } from "../../core/shape.ts";
import { Jaxpr, Literal, Var, evalJaxpr, type Atom } from "../../core/jaxpr.ts";
import { definePrimitive, UndefinedPrimal, type Primitive } from "../../core/primitive.ts";
import { dce } from "../../compiler/passes.ts";
import { scope } from "../../memory.ts";
import { flatten, flattenWithPath, keystr, unflatten, type TreeDef } from "../../tree/index.ts";
import { executableFor } from "../../../transforms/jit.ts";
import { partialEvalRules, type PETracer } from "../../../transforms/partial_eval.ts";
import { addCotangents, backwardPass } from "../../../transforms/transpose.ts";
import { convertElementTypeP } from "../elementwise.ts";
import { concatenateP, sliceP } from "../structural.ts";
import { batchSize, instantiate, isUndefined, moveBatchAxis, zerosLikeAval } from "../rules.ts";
import {
  batchJaxpr, batchedAval, fmtAvals, invariantVars, jvpJaxpr, orMask, partialEvalJaxpr, reorder, sameType, subMask, traceFlat,
  type PartialSplit, type Traced,
} from "./jaxprs.ts";

/**
 * Parameters of the `scan` primitive.
 * @example
 * scanP.bind([...consts, ...carry, ...xs], { jaxpr, numConsts: 1, numCarry: 1, length: 5, reverse: false } satisfies ScanParams)
 */
export interface ScanParams {
  /** The body: `(consts, carry, x slices) → (carry, y slices)`. */
  jaxpr: Jaxpr;
  numConsts: number;
  numCarry: number;
  /** Number of steps (the leading dimension of every xs and ys). */
  length: number;
  /** Iterate from the last slice to the first (ys keep their positions). */
  reverse: boolean;
}

/** Row `i` of `x` without its leading axis. */
function sliceRow(x: Tensor, i: number, aval: ShapedArray): Tensor {
  const row = sliceP.rules.impl([x], { startIndices: aval.shape.map((_, d) => (d === 0 ? i : 0)), limitIndices: aval.shape.map((n, d) => (d === 0 ? i + 1 : n)), strides: null }, [aval])[0]!;
  const out = tf.reshape(row, aval.shape.slice(1));
  if (out !== row) row.dispose();
  return out;
}

/** Stacks equally shaped rows on a new leading axis with one concatenation. */
function stackRows(rows: Tensor[], aval: ShapedArray): Tensor {
  if (rows.length === 0) return tf.zeros([0, ...aval.shape], storageDtype(aval.dtype));
  const expanded = rows.map((r) => tf.reshape(r, [1, ...aval.shape]));
  const out = concatenateP.rules.impl(expanded, { dimension: 0 }, expanded.map(() => batchedAval(aval, 1)))[0]!;
  for (const e of expanded) if (e !== out) e.dispose();
  return out;
}

/**
 * The `scan` primitive: operands `[...consts, ...carry, ...xs]`, outputs `[...carry, ...ys]`.
 * User code calls `lax.scan`, `lax.map` or `lax.foriLoop`.
 * @example
 * makeJaxpr((xs: NDArray) => lax.scan((c, x) => [c.add(x), c], np.array(0), xs))(np.ones([3]))   // ... scan[jaxpr=... length=3 ...] ...
 */
export const scanP: Primitive<ScanParams> = definePrimitive<ScanParams>("scan", {
  impl: (args, { jaxpr, numConsts, numCarry, length, reverse }, avals) => {
    const consts = args.slice(0, numConsts);
    let carry = args.slice(numConsts, numConsts + numCarry);
    const xs = args.slice(numConsts + numCarry);
    const xAvals = avals.slice(numConsts + numCarry);
    const yAvals = jaxpr.outAvals.slice(numCarry);
    const exe = executableFor(jaxpr);
    const rows: Tensor[][] = yAvals.map(() => new Array<Tensor>(length));
    let owned = false;
    for (let step = 0; step < length; step++) {
      const i = reverse ? length - 1 - step : step;
      const slices = xs.map((x, k) => sliceRow(x, i, xAvals[k]!));
      const outs = exe.run([...consts, ...carry, ...slices]);
      for (const s of slices) s.dispose();
      if (owned) for (const c of carry) c.dispose();
      carry = outs.slice(0, numCarry);
      owned = true;
      outs.slice(numCarry).forEach((y, k) => { rows[k]![i] = y; });
    }
    const ys = rows.map((r, k) => stackRows(r, yAvals[k]!));
    for (const r of rows) for (const t of r) t.dispose();
    return [...(owned ? carry : carry.map((c) => tf.clone(c))), ...ys];
  },
  abstractEval: (avals, { jaxpr, numConsts, numCarry, length }) => {
    const expected = jaxpr.inAvals;
    const given = avals.map((a, i) => (i >= numConsts + numCarry ? (a.ndim > 0 ? a.withShape(a.shape.slice(1)) : a) : a));
    const badLength = avals.slice(numConsts + numCarry).some((a) => a.ndim === 0 || a.shape[0] !== length);
    if (avals.length !== expected.length || badLength || !expected.every((a, i) => sameType(a, given[i]!))) {
      throw new TypeError(`scan: the body takes consts, carry and x slices ${fmtAvals(expected)} (length ${length}) but was given ${fmtAvals(avals)}`);
    }
    const outs = jaxpr.outAvals;
    if (!outs.slice(0, numCarry).every((a, i) => sameType(a, expected[numConsts + i]!))) {
      throw new TypeError(`scan: the body's carry output ${fmtAvals(outs.slice(0, numCarry))} differs from its carry input ${fmtAvals(expected.slice(numConsts, numConsts + numCarry))}`);
    }
    return [...outs.slice(0, numCarry), ...outs.slice(numCarry).map((a) => batchedAval(a, length))];
  },
});

/** Splits operands into consts, carry and xs. */
function parts<T>(xs: readonly T[], p: ScanParams): [T[], T[], T[]] {
  return [xs.slice(0, p.numConsts), xs.slice(p.numConsts, p.numConsts + p.numCarry), xs.slice(p.numConsts + p.numCarry)];
}

const nonNull = <T>(x: T | null): x is T => x !== null;
const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);
const count = (m: readonly boolean[]) => m.filter((x) => x).length;

Object.assign(scanP.rules, {
  jvp: (primals, tangents, params) => {
    const { jaxpr, numCarry: nk } = params;
    const [consts, carry, xs] = parts(primals, params);
    const [tc, tk, tx] = parts(tangents, params);
    const nzConsts = tc.map(nonNull), nzXs = tx.map(nonNull);
    // A carry whose tangent is zero on entry but not after a step needs a tangent throughout.
    let nzCarry = tk.map(nonNull);
    for (;;) {
      const out = jvpJaxpr(jaxpr, [...nzConsts, ...nzCarry, ...nzXs], false).nonzeroOut.slice(0, nk);
      if (subMask(out, nzCarry)) break;
      nzCarry = orMask(nzCarry, out);
    }
    const numYs = jaxpr.outs.length - nk;
    const j = jvpJaxpr(jaxpr, [...nzConsts, ...nzCarry, ...nzXs], [...nzCarry, ...new Array<boolean>(numYs).fill(false)]);
    const nzYs = j.nonzeroOut.slice(nk);
    // Standard layout [J consts, consts, carry, xs, t consts, t carry, t xs] → scan layout.
    const nJ = j.consts.length, nc = consts.length, nx = xs.length;
    const ntc = count(nzConsts), ntk = count(nzCarry), ntx = count(nzXs);
    const p0 = nJ, k0 = p0 + nc, x0 = k0 + nk, tc0 = x0 + nx, tk0 = tc0 + ntc, tx0 = tk0 + ntk;
    const binders = [...range(0, nJ), ...range(p0, nc), ...range(tc0, ntc), ...range(k0, nk), ...range(tk0, ntk), ...range(x0, nx), ...range(tx0, ntx)];
    const outOrder = [...range(0, nk), ...range(nk + numYs, ntk), ...range(nk, numYs), ...range(nk + numYs + ntk, count(nzYs))];
    const body = reorder(j.jaxpr, binders, outOrder);
    const carryTangents = carry.map((c, i) => (nzCarry[i] ? instantiate(tk[i]!, c.aval) : null)).filter(nonNull);
    const outs = scanP.bind([...j.consts, ...consts, ...tc.filter(nonNull), ...carry, ...carryTangents, ...xs, ...tx.filter(nonNull)], {
      ...params, jaxpr: body, numConsts: nJ + nc + ntc, numCarry: nk + ntk,
    });
    const carryOut = outs.slice(0, nk), carryDot = outs.slice(nk, nk + ntk);
    const ys = outs.slice(nk + ntk, nk + ntk + numYs), ysDot = outs.slice(nk + ntk + numYs);
    let a = 0, b = 0;
    return [[...carryOut, ...ys], [...nzCarry.map((z) => (z ? carryDot[a++]! : null)), ...nzYs.map((z) => (z ? ysDot[b++]! : null))]];
  },
  batch: (args, dims, params) => {
    const { jaxpr, numCarry: nk, length } = params;
    const size = batchSize(args, dims);
    const [dc, dk, dx] = parts(dims, params);
    const bConsts = dc.map((d) => d !== null), bXs = dx.map((d) => d !== null);
    let bCarry = dk.map((d) => d !== null);
    const numYs = jaxpr.outs.length - nk;
    for (;;) {
      const out = batchJaxpr(jaxpr, size, [...bConsts, ...bCarry, ...bXs], false).batchedOut.slice(0, nk);
      if (subMask(out, bCarry)) break;
      bCarry = orMask(bCarry, out);
    }
    const bt = batchJaxpr(jaxpr, size, [...bConsts, ...bCarry, ...bXs], [...bCarry, ...new Array<boolean>(numYs).fill(false)]);
    const [consts, carry, xs] = parts(args, params);
    const movedConsts = consts.map((c, i) => (dc[i] === null ? c : moveBatchAxis(c, dc[i]!, 0, size)));
    const movedCarry = carry.map((c, i) => (bCarry[i] ? moveBatchAxis(c, dk[i]!, 0, size) : c));
    // Each x slice is batched at 0, so the stacked xs are batched at 1.
    const movedXs = xs.map((x, i) => (dx[i] === null ? x : moveBatchAxis(x, dx[i]!, 1, size)));
    const outs = scanP.bind([...bt.consts, ...movedConsts, ...movedCarry, ...movedXs], {
      ...params, jaxpr: bt.jaxpr, numConsts: bt.consts.length + consts.length, length,
    });
    return [outs, [...bCarry.map((b) => (b ? 0 : null)), ...bt.batchedOut.slice(nk).map((b) => (b ? 1 : null))]];
  },
  transpose: (cts, args, params) => {
    const { jaxpr, numCarry: nk, length, reverse } = params;
    const [consts, carry, xs] = parts(args, params);
    const constLin = consts.map(isUndefined), xsLin = xs.map(isUndefined);
    const resConsts = consts.filter((c): c is NDArray => !isUndefined(c));
    const resXs = xs.filter((x): x is NDArray => !isUndefined(x));
    const bodyIn = jaxpr.inAvals;
    const [cAvals, kAvals, xAvals] = parts(bodyIn, params);
    const linConstAvals = cAvals.filter((_, i) => constLin[i]);
    const linXAvals = xAvals.filter((_, i) => xsLin[i]);
    const yAvals = jaxpr.outAvals.slice(nk);
    const nrc = resConsts.length, nlc = linConstAvals.length;
    // Transposed body: consts [residual consts]; carry [const cotangent sums, carry cotangents];
    // xs [y cotangents, residual xs] → carry [sums, carry cotangents], ys [x cotangents].
    const t = traceFlat((...v) => {
      const rc = v.slice(0, nrc), acc = v.slice(nrc, nrc + nlc), ctCarry = v.slice(nrc + nlc, nrc + nlc + nk);
      const ctY = v.slice(nrc + nlc + nk, nrc + nlc + nk + yAvals.length), rx = v.slice(nrc + nlc + nk + yAvals.length);
      let a = 0, b = 0;
      const full = [
        ...cAvals.map((av, i) => (constLin[i] ? new UndefinedPrimal(av) : rc[a++]!)),
        ...kAvals.map((av) => new UndefinedPrimal(av)),
        ...xAvals.map((av, i) => (xsLin[i] ? new UndefinedPrimal(av) : rx[b++]!)),
      ];
      const ctIn = backwardPass(jaxpr, full, [...ctCarry, ...ctY]);
      const [ctC, ctK, ctX] = parts(ctIn, params);
      const sums = ctC.filter((_, i) => constLin[i]).map((c, i) => addCotangents(acc[i]!, c)!);
      return [
        ...sums,
        ...ctK.map((c, i) => c ?? zerosLikeAval(kAvals[i]!)),
        ...ctX.filter((_, i) => xsLin[i]).map((c, i) => c ?? zerosLikeAval(linXAvals[i]!)),
      ];
    }, [...resConsts.map((c) => c.aval), ...linConstAvals, ...kAvals, ...yAvals, ...resXs.map((x) => x.aval.withShape(x.shape.slice(1)))]);
    const ctCarry = cts.slice(0, nk).map((c, i) => instantiate(c, kAvals[i]!));
    const ctYs = cts.slice(nk).map((c, i) => instantiate(c, batchedAval(yAvals[i]!, length)));
    const outs = scanP.bind([...t.consts, ...resConsts, ...linConstAvals.map(zerosLikeAval), ...ctCarry, ...ctYs, ...resXs], {
      jaxpr: t.jaxpr, numConsts: t.consts.length + nrc, numCarry: nlc + nk, length, reverse: !reverse,
    });
    const ctConsts = outs.slice(0, nlc), ctInit = outs.slice(nlc, nlc + nk), ctXs = outs.slice(nlc + nk);
    let a = 0, b = 0;
    return [
      ...constLin.map((l) => (l ? ctConsts[a++]! : null)),
      ...carry.map((c, i) => (isUndefined(c) ? ctInit[i]! : null)),
      ...xsLin.map((l) => (l ? ctXs[b++]! : null)),
    ];
  },
} satisfies Partial<typeof scanP.rules>);

/**
 * Partial evaluation (JAX's `_scan_partial_eval`): a carry is unknown if its initial value
 * is or a step makes it so (a fixed point). The known scan runs now and stacks the
 * residuals the unknown scan needs per step; residuals that depend only on the constants
 * are computed once, outside the loop, and passed as constants instead.
 */
partialEvalRules.set("scan", (trace, tracers, params: ScanParams) => {
  const { jaxpr, numConsts: nc, numCarry: nk, length, reverse } = params;
  const unknown = tracers.map((t) => !t.pval.isKnown);
  const [ukConsts, ukCarry0, ukXs] = parts(unknown, params);
  const numYs = jaxpr.outs.length - nk;
  let ukCarry = ukCarry0;
  let split: PartialSplit;
  for (;;) {
    split = partialEvalJaxpr(jaxpr, [...ukConsts, ...ukCarry, ...ukXs], [...ukCarry, ...new Array<boolean>(numYs).fill(false)]);
    const out = split.outUnknown.slice(0, nk);
    if (subMask(out, ukCarry)) break;
    ukCarry = orMask(ukCarry, out);
  }
  const ukYs = split.outUnknown.slice(nk);
  const known = split.known;
  const [tConsts, tCarry, tXs] = parts(tracers, params);
  const knownConsts = tConsts.filter((t) => t.pval.isKnown).map((t) => t.pval.known!);
  const knownCarry = tCarry.filter((_, i) => !ukCarry[i]).map((t) => t.pval.known!);
  const knownXs = tXs.filter((t) => t.pval.isKnown).map((t) => t.pval.known!);
  const numKnownCarry = knownCarry.length, numKnownYs = count(ukYs.map((u) => !u));
  const numKnownOuts = numKnownCarry + numKnownYs;

  // Residuals computed from the constants alone are loop invariants: hoist them.
  const kj = known.jaxpr;
  const constBinders = kj.inBinders.slice(0, known.consts.length + knownConsts.length);
  const inv = invariantVars(kj, constBinders);
  const resAtoms = kj.outs.slice(numKnownOuts);
  const isInvariant = resAtoms.map((a: Atom) => a instanceof Literal || inv.has(a));
  const invariantOuts = resAtoms.filter((_, i) => isInvariant[i]);
  const invariantVals = invariantOuts.length === 0 ? [] : evalJaxpr(
    dce(new Jaxpr(constBinders, kj.eqns.filter((e) => e.outBinders.every((v) => inv.has(v))), invariantOuts)),
    [...known.consts, ...knownConsts],
  );
  const loopJaxpr = dce(new Jaxpr(kj.inBinders, kj.eqns, [...kj.outs.slice(0, numKnownOuts), ...resAtoms.filter((_, i) => !isInvariant[i])]));
  const knownResults = loopJaxpr.outs.length === 0 ? [] : scanP.bind([...known.consts, ...knownConsts, ...knownCarry, ...knownXs], {
    jaxpr: loopJaxpr, numConsts: known.consts.length + knownConsts.length, numCarry: numKnownCarry, length, reverse,
  });
  const stackedRes = knownResults.slice(numKnownOuts);

  // The unknown scan: consts [invariant residuals, unknown consts], carry [unknown carry], xs [stacked residuals, unknown xs].
  const u = split.unknown;
  const nr = split.numResiduals, nuc = count(ukConsts), nuk = count(ukCarry);
  const resIdx = range(0, nr);
  const order = [
    ...resIdx.filter((i) => isInvariant[i]), ...range(nr, nuc), ...range(nr + nuc, nuk),
    ...resIdx.filter((i) => !isInvariant[i]), ...range(nr + nuc + nuk, u.inBinders.length - nr - nuc - nuk),
  ];
  const unknownBody = reorder(u, order);
  const ins = [
    ...invariantVals.map((r) => trace.pure(r) as PETracer), ...tConsts.filter((t) => !t.pval.isKnown),
    ...tCarry.filter((_, i) => ukCarry[i]),
    ...stackedRes.map((r) => trace.pure(r) as PETracer), ...tXs.filter((t) => !t.pval.isKnown),
  ];
  const unknownOuts = trace.recordEqn(scanP, ins, {
    jaxpr: unknownBody, numConsts: invariantVals.length + nuc, numCarry: nuk, length, reverse,
  });
  const kCarry = knownResults.slice(0, numKnownCarry), kYs = knownResults.slice(numKnownCarry, numKnownOuts);
  const uCarry = unknownOuts.slice(0, nuk), uYs = unknownOuts.slice(nuk);
  let a = 0, b = 0, c = 0, d = 0;
  return [...ukCarry.map((uk) => (uk ? uCarry[a++]! : kCarry[b++]!)), ...ukYs.map((uk) => (uk ? uYs[c++]! : kYs[d++]!))];
});

// ---------------------------------------------------------------------------------------
// User API

/**
 * Options of `lax.scan`.
 * @example
 * const step = (c: NDArray, x: NDArray) => { const s = c.add(x); return [s, s] as [NDArray, NDArray]; };
 * const [total, suffixSums] = lax.scan(step, np.array(0), np.array([1, 2, 3]), { reverse: true } satisfies lax.ScanOptions);
 * suffixSums   // [6, 5, 3]
 */
export interface ScanOptions {
  /** Number of steps; required when `xs` has no leaves, else it must match their leading axis. */
  length?: number;
  /** Run from the last slice of `xs` to the first (`ys` stay in `xs` order). */
  reverse?: boolean;
}

/** Leaf paths of a tree, for messages: `[0].w`, or `` for a bare leaf. */
function leafPaths(t: unknown): string[] {
  return flattenWithPath(t)[0].map(([path]) => keystr(path) || "(root)");
}

/**
 * Checks a loop body's carry output against its input: same structure, shapes and dtypes.
 * Returns the carry to retrace with when weakly typed inputs (JS numbers) must take the
 * output's dtype, as JAX's `_promote_weak_typed_inputs`; throws otherwise.
 * @example
 * const promoted = checkCarry("lax.scan", init, tree, carry, outTree, body.jaxpr.outAvals.slice(0, carry.length));
 * if (promoted) carry = promoted;   // and trace the body again
 */
export function checkCarry(api: string, init: unknown, inTree: TreeDef, inVals: NDArray[], outTree: TreeDef, outAvals: readonly ShapedArray[]): NDArray[] | null {
  if (!outTree.equals(inTree)) {
    throw new TypeError(`${api}: the body function must return a carry with the same structure as the initial carry; the initial carry is ${inTree} but the body returned ${outTree}`);
  }
  const paths = leafPaths(init);
  let promote = false;
  const converted = inVals.map((x, i) => {
    const out = outAvals[i]!;
    if (sameType(x.aval, out)) return x;
    if (x.ndim === out.ndim && x.shape.every((d, k) => d === out.shape[k]) && x.weakType && x.dtype !== out.dtype) {
      promote = true;
      return convertElementTypeP.bind1([x], { newDtype: out.dtype, weakType: out.weakType });
    }
    const why = x.dtype !== out.dtype ? "the dtypes differ" : "the shapes differ";
    throw new TypeError(`${api}: the body function must return a carry of the same shapes and dtypes as the initial carry, but carry leaf ${paths[i]} is ${x.aval.str()} initially and ${out.str()} after the body (${why})`);
  });
  return promote ? converted : null;
}

/**
 * Loops `f` over the leading axis of `xs` carrying state, as `jax.lax.scan`:
 * `f(carry, x) => [carry, y]`; returns the final carry and the ys stacked on a new
 * leading axis. Carry, xs and ys are pytrees; the carry keeps its structure, shapes and
 * dtypes. Differentiable in both modes (the backward pass is a reverse scan), vmappable,
 * and compiled once: the body is traced a single time however long the loop.
 *
 * @param f the step function.
 * @param init the initial carry.
 * @param xs the pytree of arrays to scan over (or null with `length`).
 * @param options `length`, `reverse`.
 * @returns `[finalCarry, ys]`.
 * @throws TypeError if xs leaves disagree on the length, or the body changes the carry's structure, shapes or dtypes (the leaf is named).
 *
 * @example
 * const cumsum = (xs: NDArray) => lax.scan((c: NDArray, x: NDArray) => { const s = c.add(x); return [s, s]; }, np.array(0), xs);
 * const [total, partial] = cumsum(np.array([1, 2, 3]));   // 6, [1, 3, 6]
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => [C, Y], init: C, xs: X, { length, reverse = false }: ScanOptions = {}): [C, Y] {
  return scope(() => {
    if (typeof f !== "function") throw new TypeError(`lax.scan: f must be a function (carry, x) => [carry, y]; got ${typeof f}`);
    const [initLeaves, carryTree] = flatten(init);
    let carry = initLeaves.map((l, i) => asArray(l as never, `lax.scan init leaf ${i}`));
    const [xLeaves, xsTree] = flatten(xs);
    const xArrs = xLeaves.map((l, i) => asArray(l as never, `lax.scan xs leaf ${i}`));
    const xPaths = leafPaths(xs);
    xArrs.forEach((x, i) => {
      if (x.ndim === 0) throw new TypeError(`lax.scan: xs leaf ${xPaths[i]} is a scalar (${x.aval.str()}); every xs leaf needs a leading axis to scan over`);
    });
    const lengths = new Set(xArrs.map((x) => x.shape[0]!));
    if (lengths.size > 1 || (length !== undefined && lengths.size === 1 && !lengths.has(length))) {
      const listed = xArrs.map((x, i) => `${xPaths[i]}: ${fmtShape(x.shape)}`).join(", ");
      throw new Error(`lax.scan: every xs leaf must have the same leading axis size${length !== undefined ? ` as length=${length}` : ""}; got ${listed}`);
    }
    const n = length ?? [...lengths][0];
    if (n === undefined) throw new TypeError("lax.scan: xs has no arrays, so pass { length } to say how many steps to run");
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`lax.scan: length must be a non-negative integer; got ${n}`);
    const xAvals = xArrs.map((x) => x.aval.withShape(x.shape.slice(1)));
    const nk = carry.length;
    let traced: Traced | null = null;
    let yTree: TreeDef | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      let outCarryTree: TreeDef | null = null;
      traced = traceFlat((...ins) => {
        const res = f(unflatten(carryTree, ins.slice(0, nk)) as C, unflatten(xsTree, ins.slice(nk)) as X);
        if (!Array.isArray(res) || res.length !== 2) {
          throw new TypeError(`lax.scan: f must return a pair [carry, y]; got ${Array.isArray(res) ? `an array of length ${res.length}` : typeof res}`);
        }
        const [cl, ct] = flatten(res[0]);
        const [yl, yt] = flatten(res[1]);
        outCarryTree = ct;
        yTree = yt;
        return [...cl, ...yl].map((l, i) => asArray(l as never, `lax.scan f output leaf ${i}`));
      }, [...carry.map((c) => c.aval), ...xAvals]);
      const promoted = checkCarry("lax.scan", init, carryTree, carry, outCarryTree!, traced.jaxpr.outAvals.slice(0, nk));
      if (!promoted) break;
      carry = promoted;
    }
    const t = traced!;
    const outs = scanP.bind([...t.consts, ...carry, ...xArrs], { jaxpr: t.jaxpr, numConsts: t.consts.length, numCarry: nk, length: n, reverse });
    return [unflatten(carryTree, outs.slice(0, nk)) as C, unflatten(yTree!, outs.slice(nk)) as Y];
  });
}

/**
 * Maps `f` over the leading axis of `xs` with a loop (`scan` without a carry), as
 * `jax.lax.map`: less memory than `vmap` for large per-example work, and sequential.
 *
 * @example
 * lax.map((x: NDArray) => x.sum(), np.ones([3, 4]))   // [4, 4, 4]
 */
export function map<X, Y>(f: (x: X) => Y, xs: X): Y {
  return scan((c: null, x: X) => [c, f(x)], null, xs)[1];
}
