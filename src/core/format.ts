/** NumPy-style text for arrays: `str` gives `[[1. 2.]\n [3. 4.]]`, `repr` wraps it in `Array(...)`. */
import type { DType } from "./dtype.ts";

type Nested = number | boolean | Nested[];

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function floatFormatter(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const allIntegral = finite.every((v) => Number.isInteger(v));
  const absNonZero = finite.map(Math.abs).filter((v) => v > 0);
  const maxAbs = Math.max(0, ...absNonZero);
  const minAbs = absNonZero.length ? Math.min(...absNonZero) : 0;
  const scientific = maxAbs >= 1e16 || (minAbs > 0 && minAbs < 1e-4) || (minAbs > 0 && maxAbs / minAbs > 1e3 && !allIntegral && minAbs < 1e-3);
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (scientific) {
    const digits = Math.max(...finite.map((v) => shortestFloat32(v, (p) => v.toExponential(p)).split("e")[0]!.replace(/^-?\d\.?/, "").length), 0);
    return (v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = v.toExponential(Math.max(digits, 0)).split("e");
      const exp = Number(e);
      return `${m!.includes(".") ? m : `${m}.`}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    };
  }
  const plain = (v: number): string => {
    if (!Number.isFinite(v)) return special(v);
    if (allIntegral) return `${Object.is(v, -0) ? "-0" : v.toFixed(0)}.`;
    const t = trimZeros(Number(shortestFloat32(v, (p) => v.toPrecision(p + 1))).toFixed(8));
    return t.includes(".") ? t : `${t}.`;
  };
  // NumPy aligns the decimal points: integer parts pad left, fractions pad right.
  const parts = values.map((v) => plain(v).split("."));
  const fracWidth = Math.max(0, ...parts.map((p) => (p.length > 1 ? p[1]!.length : 0)));
  return (v) => {
    const [int, frac] = plain(v).split(".");
    return frac === undefined ? int!.padEnd(int!.length + fracWidth + 1) : `${int}.${frac.padEnd(fracWidth)}`;
  };
}

/** The shortest of `fmt(0..8)` that reads back as the same float32 (NumPy prints float32 this way). */
function shortestFloat32(v: number, fmt: (digits: number) => string): string {
  for (let p = 0; p < 9; p++) {
    const s = fmt(p);
    if (Math.fround(Number(s)) === v) return trimZeros(s.includes("e") ? s.replace(/\.?0+e/, "e") : s);
  }
  return fmt(8);
}

function trimZeros(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/0+$/, "");
}

function elementFormatter(flat: number[] | boolean[], dtype: DType): (v: number | boolean) => string {
  if (dtype === "bool") return (v) => (v ? "True" : "False");
  if (dtype === "float32") {
    const f = floatFormatter(flat as number[]);
    return (v) => f(v as number);
  }
  return (v) => String(v);
}

function flatten(x: Nested, out: (number | boolean)[]): void {
  if (Array.isArray(x)) for (const e of x) flatten(e, out);
  else out.push(x);
}

/** Elements that will be shown (the edges only, for large arrays). */
function shown(x: Nested, shape: readonly number[], summarize: boolean, depth = 0): Nested {
  if (!Array.isArray(x)) return x;
  const n = shape[depth]!;
  const take = summarize && n > 2 * EDGE_ITEMS ? [...x.slice(0, EDGE_ITEMS), ...x.slice(n - EDGE_ITEMS)] : x;
  return take.map((e) => shown(e, shape, summarize, depth + 1));
}

function render(x: Nested, shape: readonly number[], fmt: (v: number | boolean) => string, width: number,
  sep: string, indent: number, summarize: boolean, depth = 0): string {
  if (!Array.isArray(x)) return fmt(x).padStart(width);
  const n = shape[depth]!;
  const parts = x.map((e) => render(e, shape, fmt, width, sep, indent + 1, summarize, depth + 1));
  if (summarize && n > 2 * EDGE_ITEMS) parts.splice(EDGE_ITEMS, 0, "...");
  const inner = depth === shape.length - 1
    ? parts.join(sep === "," ? ", " : " ")
    : parts.join(`${sep.trimEnd()}${"\n".repeat(shape.length - depth - 1)}${" ".repeat(indent + 1)}`);
  return `[${inner}]`;
}

/** Formats nested values the way NumPy's `str` (sep " ") or `repr` (sep ",") does. */
export function formatArray(values: Nested, shape: readonly number[], dtype: DType, style: "str" | "repr"): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const summarize = size > SUMMARY_THRESHOLD;
  const visible = shown(values, shape, summarize);
  const flat: (number | boolean)[] = [];
  flatten(visible, flat);
  const fmt = elementFormatter(flat as number[], dtype);
  const width = Math.max(0, ...flat.map((v) => fmt(v).length));
  const prefix = style === "repr" ? "Array(" : "";
  const body = render(visible, shape, fmt, width, style === "repr" ? "," : " ", prefix.length, summarize);
  return style === "repr" ? `Array(${body}, dtype=${dtype})` : body;
}
