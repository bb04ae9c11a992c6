/**
 * The jaxpr IR: a typed, first-order program of primitive applications, printed like
 * JAX's (`{ lambda a:f32[]; b:f32[3]. let c:f32[3] = mul a b in (c) }`). Staging (jit,
 * makeJaxpr), linearization and transposition produce jaxprs; `evalJaxpr` interprets
 * one under whatever traces are active, which is how transforms compose over jit.
 */
import { NDArray, ConcreteArray } from "../array.ts";
import { ShapedArray } from "./aval.ts";
import { shortName } from "./dtype.ts";
import type { Primitive } from "./primitive.ts";

let varCounter = 0;

/** A variable of a jaxpr, bound once. */
export class Var {
  readonly id = varCounter++;
  constructor(readonly aval: ShapedArray) {}
}

/** A constant written inline (a scalar). */
export class Literal {
  constructor(readonly val: NDArray, readonly aval: ShapedArray) {}
}

export type Atom = Var | Literal;

/** One primitive application. */
export class JaxprEqn {
  constructor(
    readonly primitive: Primitive<any>,
    readonly inputs: Atom[],
    readonly params: any,
    readonly outBinders: Var[],
  ) {}
}

/**
 * A closed, first-order program. Constants are explicit leading input binders
 * (`numConsts` of them) whose values travel in `consts` of a ClosedJaxpr.
 */
export class Jaxpr {
  constructor(readonly inBinders: Var[], readonly eqns: JaxprEqn[], readonly outs: Atom[]) {}
  get inAvals(): ShapedArray[] { return this.inBinders.map((v) => v.aval); }
  get outAvals(): ShapedArray[] { return this.outs.map((a) => a.aval); }
  toString(): string { return printJaxpr(this, 0); }
}

/** A jaxpr with values for its leading const binders. */
export class ClosedJaxpr {
  constructor(readonly jaxpr: Jaxpr, readonly consts: NDArray[]) {}
  get inAvals(): ShapedArray[] { return this.jaxpr.inAvals.slice(this.consts.length); }
  get outAvals(): ShapedArray[] { return this.jaxpr.outAvals; }
  toString(): string { return printJaxpr(this.jaxpr, this.consts.length); }
}

// ---------------------------------------------------------------------------------------
// Printing, the way JAX does: variables named a, b, ..., z, ba, bb, ...

function varNamer(): (v: Var) => string {
  const names = new Map<Var, string>();
  return (v) => {
    let name = names.get(v);
    if (name === undefined) {
      let n = names.size;
      name = "";
      do { name = String.fromCharCode(97 + (n % 26)) + name; n = Math.floor(n / 26) - 1; } while (n >= 0);
      names.set(v, name);
    }
    return name;
  };
}

function fmtParam(v: unknown): string {
  if (v instanceof Jaxpr) return `{ ${printJaxpr(v, 0).replace(/\n/g, "\n  ")} }`;
  if (v instanceof ClosedJaxpr) return `{ ${v.toString().replace(/\n/g, "\n  ")} }`;
  if (Array.isArray(v)) return `(${v.map(fmtParam).join(", ")}${v.length === 1 ? "," : ""})`;
  if (v === null || v === undefined) return "None";
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}=${fmtParam(x)}`).join(", ")}}`;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "function") return v.name || "<fn>";
  return String(v);
}

function fmtLiteral(l: Literal): string {
  if (l.val instanceof ConcreteArray && !l.val.isDisposed && l.aval.size === 1) {
    try {
      const v = l.val.item();
      if (typeof v === "boolean") return v ? "True" : "False";
      return l.aval.dtype === "float32" ? (Number.isInteger(v) ? `${v}.0` : String(v)) : String(v);
    } catch {
      // webgpu: values cannot be read synchronously; print the type.
    }
  }
  return `${shortName(l.aval.dtype)}[]`;
}

function printJaxpr(jaxpr: Jaxpr, numConsts: number): string {
  const name = varNamer();
  const typed = (v: Var) => `${name(v)}:${v.aval.str()}`;
  const atom = (a: Atom) => (a instanceof Var ? name(a) : fmtLiteral(a));
  const consts = jaxpr.inBinders.slice(0, numConsts).map(typed).join(" ");
  const ins = jaxpr.inBinders.slice(numConsts).map(typed).join(" ");
  const lines = jaxpr.eqns.map((e) => {
    const lhs = e.outBinders.map(typed).join(" ");
    const entries = Object.entries(e.params ?? {}).filter(([, v]) => v !== undefined);
    const params = entries.length ? `[${entries.map(([k, v]) => `${k}=${fmtParam(v)}`).join(" ")}]` : "";
    return `    ${lhs} = ${e.primitive.name}${params} ${e.inputs.map(atom).join(" ")}`.trimEnd();
  });
  const outs = jaxpr.outs.map(atom).join(" ");
  const body = lines.length ? `let\n${lines.join("\n")}\n  in` : "let  in";
  return `{ lambda ${consts}; ${ins}. ${body} (${outs}${jaxpr.outs.length === 1 ? "," : ""}) }`.replace("( ", "(");
}

// ---------------------------------------------------------------------------------------
// Checking and interpreting

/** Checks that every variable is bound before use and that each equation's types follow from abstract evaluation. */
export function typecheckJaxpr(jaxpr: Jaxpr): void {
  const env = new Set<Var>();
  const bindVar = (v: Var) => {
    if (env.has(v)) throw new Error(`jaxpr typecheck: variable bound twice (${v.aval.str()})`);
    env.add(v);
  };
  jaxpr.inBinders.forEach(bindVar);
  const checkAtom = (a: Atom) => {
    if (a instanceof Var && !env.has(a)) throw new Error(`jaxpr typecheck: unbound variable of type ${a.aval.str()}`);
  };
  for (const eqn of jaxpr.eqns) {
    eqn.inputs.forEach(checkAtom);
    const outs = eqn.primitive.rules.abstractEval(eqn.inputs.map((a) => a.aval), eqn.params);
    outs.forEach((aval, i) => {
      const v = eqn.outBinders[i]!;
      if (aval.dtype !== v.aval.dtype || aval.shape.length !== v.aval.shape.length || aval.shape.some((d, k) => d !== v.aval.shape[k])) {
        throw new Error(`jaxpr typecheck: ${eqn.primitive.name} gives ${aval.str()} but binds ${v.aval.str()}`);
      }
    });
    eqn.outBinders.forEach(bindVar);
  }
  jaxpr.outs.forEach(checkAtom);
}

/** Interprets a jaxpr by binding each primitive under the current traces. */
export function evalJaxpr(jaxpr: Jaxpr, args: readonly NDArray[]): NDArray[] {
  if (args.length !== jaxpr.inBinders.length) {
    throw new Error(`internal: jaxpr takes ${jaxpr.inBinders.length} inputs, got ${args.length}`);
  }
  const env = new Map<Var, NDArray>();
  const read = (a: Atom): NDArray => (a instanceof Literal ? a.val : env.get(a)!);
  jaxpr.inBinders.forEach((v, i) => env.set(v, args[i]!));
  for (const eqn of jaxpr.eqns) {
    const outs = eqn.primitive.bind(eqn.inputs.map(read), eqn.params);
    eqn.outBinders.forEach((v, i) => env.set(v, outs[i]!));
  }
  return jaxpr.outs.map(read);
}

/** Evaluates a closed jaxpr on its non-const inputs. */
export function evalClosedJaxpr(closed: ClosedJaxpr, args: readonly NDArray[]): NDArray[] {
  return evalJaxpr(closed.jaxpr, [...closed.consts, ...args]);
}
