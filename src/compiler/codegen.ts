/**
 * Code generation for fused clusters: one kernel per cluster output, as WGSL (webgpu) or
 * as a JS loop (cpu, and small sizes on wasm). Shapes are baked into the code (a jit
 * signature has fixed shapes), so index arithmetic is constant strides; literals are
 * inlined from their host values.
 */
import { ConcreteArray } from "../array.ts";
import { Literal, Var, type Atom, type JaxprEqn } from "../core/jaxpr.ts";
import type { Cluster } from "./fusion.ts";

/** How a cluster input is read: flat index = Σ coord[d]·strides[d] over the iteration shape. */
interface Load { input: number; strides: number[] }

const contiguousStrides = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
};

/** Strides of an operand read under NumPy broadcasting against `shape` (trailing alignment). */
function broadcastStrides(inShape: readonly number[], shape: readonly number[]): number[] {
  const inStrides = contiguousStrides(inShape);
  return shape.map((_, d) => {
    const j = d - (shape.length - inShape.length);
    return j < 0 || inShape[j] === 1 ? 0 : inStrides[j]!;
  });
}

/** Strides of a broadcast_in_dim operand: operand dim i lands on output dim dims[i]. */
function mappedStrides(inShape: readonly number[], dims: readonly number[], shape: readonly number[]): number[] {
  const inStrides = contiguousStrides(inShape);
  const out = shape.map(() => 0);
  dims.forEach((d, i) => { if (inShape[i] !== 1) out[d] = inStrides[i]!; });
  return out;
}

/**
 * How sizes enter the code: WGSL reads them from uniforms (so one compiled shader serves
 * every size: pipeline caches key on structure), JS bakes them in. Set per kernelCode call.
 */
let size: (v: number) => string = String;

/** A target language: how to write loads, literals and each primitive. */
interface Dialect {
  f32(v: number): string;
  bool(v: boolean): string;
  load(name: string, index: string, isBool: boolean): string;
  op(prim: string, args: string[], eqn: JaxprEqn): string;
  letLine(name: string, expr: string): string;
  idiv(a: string, b: string): string;
  /** Whether sizes travel as uniforms (WGSL) rather than constants (JS). */
  sizesAsUniforms: boolean;
}

const literalValue = (l: Literal): number | boolean => {
  if (l.val instanceof ConcreteArray && l.val.hostScalar !== undefined) return l.val.hostScalar;
  throw new Error("internal: literal without a host value");
};

/** Whether every literal in the cluster can be inlined (constant-folded ones may not be). */
export function literalsInlinable(cluster: Cluster): boolean {
  return cluster.eqns.every((e) => e.inputs.every((a) => !(a instanceof Literal) || (a.val instanceof ConcreteArray && a.val.hostScalar !== undefined)));
}

/** The equations of the cluster that `out` depends on, in order. */
function sliceFor(cluster: Cluster, out: Var): JaxprEqn[] {
  const need = new Set<Var>([out]);
  const picked: JaxprEqn[] = [];
  for (let i = cluster.eqns.length - 1; i >= 0; i--) {
    const e = cluster.eqns[i]!;
    if (!e.outBinders.some((v) => need.has(v))) continue;
    picked.push(e);
    for (const a of e.inputs) if (a instanceof Var) need.add(a);
  }
  return picked.reverse();
}

/**
 * The body computing `out` for one iteration point whose coordinates are `coords[d]`:
 * let-lines ending with the value's name. Loads index the inputs with the coordinates.
 */
function expressionBody(d: Dialect, cluster: Cluster, eqns: JaxprEqn[], coords: string[], names: Map<Var, string>, tag: string, intStored: ReadonlySet<number>): string[] {
  const lines: string[] = [];
  const indexExpr = (strides: number[]) => {
    const terms = strides.flatMap((s, k) => (s === 0 ? [] : [s === 1 ? coords[k]! : `${coords[k]} * ${size(s)}`]));
    return terms.length ? terms.join(" + ") : "0";
  };
  const atom = (a: Atom, strides?: number[]): string => {
    if (a instanceof Literal) {
      const v = literalValue(a);
      return typeof v === "boolean" ? d.bool(v) : d.f32(v);
    }
    const own = names.get(a);
    if (own !== undefined) return own;
    if (!strides) return readInput(d, cluster, a, coords, intStored);
    return loadInput(d, cluster.inputs.indexOf(a), indexExpr(strides), a.aval.dtype === "bool", intStored);
  };
  let k = 0;
  for (const e of eqns) {
    const outName = `${tag}${k++}`;
    let expr: string;
    if (e.primitive.name === "reshape" || e.primitive.name === "expand_dims" || e.primitive.name === "squeeze") {
      // Same data order as the operand: read its buffer with the strides of the view's shape.
      const src = e.inputs[0]!;
      expr = src instanceof Var && !names.has(src) ? atom(src, broadcastStrides(e.outBinders[0]!.aval.shape, cluster.shape)) : atom(src);
    } else if (e.primitive.name === "broadcast_in_dim") {
      const p = e.params as { broadcastDimensions: number[] };
      const src = e.inputs[0]!;
      expr = src instanceof Var && !names.has(src) ? atom(src, mappedStrides(src.aval.shape, p.broadcastDimensions, cluster.shape)) : atom(src);
    } else {
      expr = d.op(e.primitive.name, e.inputs.map((a) => atom(a)), e);
    }
    lines.push(d.letLine(outName, expr));
    names.set(e.outBinders[0]!, outName);
  }
  return lines;
}

/** Reads an external input at the iteration point `coords` (NumPy broadcasting against the cluster shape). */
function readInput(d: Dialect, cluster: Cluster, v: Var, coords: string[], intStored: ReadonlySet<number>): string {
  const strides = broadcastStrides(v.aval.shape, cluster.shape);
  const terms = strides.flatMap((s, k) => (s === 0 ? [] : [s === 1 ? coords[k]! : `${coords[k]} * ${size(s)}`]));
  return loadInput(d, cluster.inputs.indexOf(v), terms.length ? terms.join(" + ") : "0", v.aval.dtype === "bool", intStored);
}

/**
 * A load of input k. tfjs-webgpu may keep a float32 tensor in integer storage (its Cast of
 * bool to float32 reuses the bool buffer), so such inputs are converted as they are read.
 */
function loadInput(d: Dialect, k: number, index: string, isBool: boolean, intStored: ReadonlySet<number>): string {
  const raw = d.load(`X${k}`, index, isBool);
  return !isBool && intStored.has(k) ? `f32(${raw})` : raw;
}

/** Coordinates of flat `index` in `shape`, as let-lines defining c0..c{r-1}. */
function coordLines(d: Dialect, index: string, shape: readonly number[], prefix: string): [string[], string[]] {
  const strides = contiguousStrides(shape);
  const names = shape.map((_, i) => `${prefix}${i}`);
  const lines = shape.map((n, i) => {
    const q = strides[i] === 1 ? index : d.idiv(index, size(strides[i]!));
    return d.letLine(names[i]!, i === 0 ? q : `(${q}) % ${size(n)}`);
  });
  return [lines, names];
}

/** One kernel's code: the statements computing `result` at `index`, plus its output shape. */
export interface KernelCode {
  body: string;
  outShape: number[];
  outIsBool: boolean;
  /** The cluster inputs this kernel reads (WGSL drops unused bindings, so only these are bound). */
  usedInputs: number[];
  /** Values of the size uniforms `u0, u1, ...` the code reads (WGSL). */
  sizes: number[];
}

function finish(body: string, outShape: number[], outIsBool: boolean): KernelCode {
  const used = [...new Set([...body.matchAll(/\bX(\d+)\[/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  return { body, outShape, outIsBool, usedInputs: used, sizes: [] };
}

/** Generates the code of the kernel that computes cluster output `out`. */
export function kernelCode(
  d: Dialect & { reduceLoop(init: string, count: string, body: string[], combine: (acc: string, v: string) => string, acc: string, r: string): string[]; store(v: string, isBool: boolean): string; neutral(kind: string): string },
  cluster: Cluster, out: Var, intStored: ReadonlySet<number> = new Set(),
): KernelCode {
  const sizes: number[] = [];
  size = d.sizesAsUniforms ? (v) => { sizes.push(v); return `uniforms.u${sizes.length - 1}`; } : String;
  try {
    const code = kernelCodeWith(d, cluster, out, intStored);
    return { ...code, sizes };
  } finally {
    size = String;
  }
}

function kernelCodeWith(
  d: Dialect & { reduceLoop(init: string, count: string, body: string[], combine: (acc: string, v: string) => string, acc: string, r: string): string[]; store(v: string, isBool: boolean): string; neutral(kind: string): string },
  cluster: Cluster, out: Var, intStored: ReadonlySet<number>,
): KernelCode {
  const eqns = sliceFor(cluster, out);
  const last = eqns[eqns.length - 1]!;
  const isReduction = last.primitive.name.startsWith("reduce_");
  const outIsBool = out.aval.dtype === "bool";
  if (!isReduction) {
    const [cl, coords] = coordLines(d, "index", cluster.shape, "c");
    const names = new Map<Var, string>();
    const body = expressionBody(d, cluster, eqns, coords, names, "v", intStored);
    return finish([...cl, ...body, d.store(names.get(out)!, outIsBool)].join("\n"), [...out.aval.shape], outIsBool);
  }
  const axes = (last.params as { axes: number[] }).axes;
  const kept = cluster.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const [ol, oc] = coordLines(d, "index", kept.map((i) => cluster.shape[i]!), "o");
  const reducedShape = axes.map((a) => cluster.shape[a]!);
  const count = reducedShape.reduce((a, b) => a * b, 1);
  const [rl, rc] = coordLines(d, "r", reducedShape, "q");
  const coords = cluster.shape.map((_, i) => (axes.includes(i) ? rc[axes.indexOf(i)]! : oc[kept.indexOf(i)]!));
  const names = new Map<Var, string>();
  const inner = expressionBody(d, cluster, eqns.slice(0, -1), coords, names, "v", intStored);
  const operand = last.inputs[0]!;
  const value = operand instanceof Var && names.has(operand)
    ? names.get(operand)!
    : readInput(d, cluster, operand as Var, coords, intStored);
  const kind = last.primitive.name;
  const combine = (acc: string, v: string) => (kind === "reduce_sum" ? `${acc} + ${v}` : kind === "reduce_max" ? d.op("max", [acc, v], last) : d.op("min", [acc, v], last));
  const loop = d.reduceLoop(d.neutral(kind), size(count), [...rl, ...inner], combine, "acc", value);
  return finish([...ol, ...loop, d.store("acc", false)].join("\n"), [...out.aval.shape], outIsBool);
}

/** The accumulation loop of a reduction kernel; the languages differ only in keywords. */
function reduceLoopIn(declare: "var" | "let", step: string) {
  return (init: string, count: string, body: string[], combine: (a: string, v: string) => string, acc: string, value: string): string[] => [
    `${declare} ${acc} = ${init};`,
    `for (${declare} r = 0; r < ${count}; ${step}) {`,
    ...body.map((l) => `  ${l}`),
    `  ${acc} = ${combine(acc, value)};`,
    "}",
  ];
}

// ---------------------------------------------------------------------------------------
// WGSL

// Non-finite values go through a function call: WGSL rejects infinities and NaN in constant
// expressions ("value -inf cannot be represented as 'f32'"), and calls are not constant.
const wgslF32 = (v: number) => (Number.isFinite(v) ? `f32(${Number.isInteger(v) ? `${v}.0` : v.toExponential()})` : Number.isNaN(v) ? "gradus_f32bits(0x7fc00000u)" : v > 0 ? "gradus_f32bits(0x7f800000u)" : "gradus_f32bits(0xff800000u)");

export const WGSL = {
  f32: wgslF32,
  bool: (v: boolean) => (v ? "true" : "false"),
  load: (name: string, index: string, isBool: boolean) => (isBool ? `(${name}[${index}] != 0)` : `${name}[${index}]`),
  letLine: (name: string, expr: string) => `let ${name} = ${expr};`,
  idiv: (a: string, b: string) => `${a} / ${b}`,
  sizesAsUniforms: true,
  store: (v: string, isBool: boolean) => (isBool ? `result[index] = select(0, 1, ${v});` : `result[index] = ${v};`),
  neutral: (kind: string) => (kind === "reduce_sum" ? "0.0" : kind === "reduce_max" ? wgslF32(-Infinity) : wgslF32(Infinity)),
  reduceLoop: reduceLoopIn("var", "r = r + 1"),
  op(prim: string, a: string[], eqn: JaxprEqn): string {
    const [x, y, z] = a;
    switch (prim) {
      case "neg": return `-(${x})`;
      case "exp": case "log": case "sin": case "cos": case "tan": case "sqrt": case "abs": case "sign": case "floor": case "ceil": case "round":
        return `${prim}(${x})`;
      case "log1p": return `log(1.0 + ${x})`;
      case "expm1": return `(exp(${x}) - 1.0)`;
      // WGSL's tanh returns NaN at ±100 on SwiftShader (TFJS-NOTES): use the exp form.
      case "tanh": return `gradus_tanh(${x})`;
      case "logistic": return `(1.0 / (1.0 + exp(-(${x}))))`;
      case "rsqrt": return `inverseSqrt(${x})`;
      case "square": return `(${x} * ${x})`;
      case "not": return `!(${x})`;
      // The largest finite f32, written as bits (the decimal literal does not round-trip in WGSL); NaN compares false.
      case "is_finite": return `(abs(${x}) <= bitcast<f32>(0x7f7fffffu))`;
      case "integer_pow": return powExpr(x!, (eqn.params as { y: number }).y, "1.0");
      case "add": return `(${x} + ${y})`;
      case "sub": return `(${x} - ${y})`;
      case "mul": return `(${x} * ${y})`;
      case "div": return `(${x} / ${y})`;
      case "max": return `max(${x}, ${y})`;
      case "min": return `min(${x}, ${y})`;
      case "atan2": return `atan2(${x}, ${y})`;
      case "rem": return `(${x} - ${y} * trunc(${x} / ${y}))`;
      case "and": return `(${x} && ${y})`;
      case "or": return `(${x} || ${y})`;
      case "xor": return `(${x} != ${y})`;
      case "eq": return `(${x} == ${y})`;
      case "ne": return `(${x} != ${y})`;
      case "lt": return `(${x} < ${y})`;
      case "le": return `(${x} <= ${y})`;
      case "gt": return `(${x} > ${y})`;
      case "ge": return `(${x} >= ${y})`;
      case "select": return `select(${z}, ${y}, ${x})`;
      case "stop_gradient": return x!;
      case "convert_element_type": {
        const from = eqn.inputs[0]!.aval.dtype, to = (eqn.params as { newDtype: string }).newDtype;
        if (from === to) return x!;
        return to === "bool" ? `(${x} != 0.0)` : `select(0.0, 1.0, ${x})`;
      }
    }
    throw new Error(`internal: no WGSL for ${prim}`);
  },
};

/** Helpers the WGSL kernels may call. */
export const WGSL_PRELUDE = `
fn gradus_f32bits(b : u32) -> f32 {
  return bitcast<f32>(b);
}
fn gradus_tanh(x : f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}`;

function powExpr(x: string, y: number, one: string): string {
  if (y === 0) return one;
  const base = y < 0 ? `(${one} / ${x})` : x;
  return `(${Array.from({ length: Math.abs(y) }, () => base).join(" * ")})`;
}

// ---------------------------------------------------------------------------------------
// JS

export const JS = {
  f32: (v: number) => (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"),
  bool: (v: boolean) => (v ? "true" : "false"),
  load: (name: string, index: string, isBool: boolean) => (isBool ? `(${name}[${index}] !== 0)` : `${name}[${index}]`),
  letLine: (name: string, expr: string) => `const ${name} = ${expr};`,
  idiv: (a: string, b: string) => `Math.floor(${a} / ${b})`,
  sizesAsUniforms: false,
  store: (v: string, isBool: boolean) => (isBool ? `result[index] = ${v} ? 1 : 0;` : `result[index] = ${v};`),
  neutral: (kind: string) => (kind === "reduce_sum" ? "0" : kind === "reduce_max" ? "-Infinity" : "Infinity"),
  reduceLoop: reduceLoopIn("let", "r++"),
  op(prim: string, a: string[], eqn: JaxprEqn): string {
    const [x, y, z] = a;
    switch (prim) {
      case "neg": return `-(${x})`;
      case "exp": case "log": case "log1p": case "expm1": case "sin": case "cos": case "tan": case "tanh": case "sqrt": case "abs": case "sign": case "floor": case "ceil":
        return `Math.${prim}(${x})`;
      case "round": return `roundHalfEven(${x})`;
      case "logistic": return `(1 / (1 + Math.exp(-(${x}))))`;
      case "rsqrt": return `(1 / Math.sqrt(${x}))`;
      case "square": return `(${x} * ${x})`;
      case "not": return `!(${x})`;
      case "is_finite": return `Number.isFinite(${x})`;
      case "integer_pow": return powExpr(x!, (eqn.params as { y: number }).y, "1");
      case "add": return `(${x} + ${y})`;
      case "sub": return `(${x} - ${y})`;
      case "mul": return `(${x} * ${y})`;
      case "div": return `(${x} / ${y})`;
      case "max": return `Math.max(${x}, ${y})`;
      case "min": return `Math.min(${x}, ${y})`;
      case "atan2": return `Math.atan2(${x}, ${y})`;
      case "rem": return `(${x} % ${y})`;
      case "and": return `(${x} && ${y})`;
      case "or": return `(${x} || ${y})`;
      case "xor": return `(${x} !== ${y})`;
      case "eq": return `(${x} === ${y})`;
      case "ne": return `(${x} !== ${y})`;
      case "lt": return `(${x} < ${y})`;
      case "le": return `(${x} <= ${y})`;
      case "gt": return `(${x} > ${y})`;
      case "ge": return `(${x} >= ${y})`;
      case "select": return `(${x} ? ${y} : ${z})`;
      case "stop_gradient": return x!;
      case "convert_element_type": {
        const from = eqn.inputs[0]!.aval.dtype, to = (eqn.params as { newDtype: string }).newDtype;
        if (from === to) return x!;
        return to === "bool" ? `(${x} !== 0)` : `(${x} ? 1 : 0)`;
      }
    }
    throw new Error(`internal: no JS for ${prim}`);
  },
};

/** Helpers the JS kernels may call. */
export const JS_PRELUDE = `
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}`;

export { contiguousStrides };
