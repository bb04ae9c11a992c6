/**
 * Optimization passes over jaxprs, run once per jit signature: dead-code elimination,
 * common-subexpression elimination and folding of scalar constant expressions.
 */
import { ConcreteArray, type NDArray } from "../array.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var, type Atom } from "../core/jaxpr.ts";
import { evalPrimitive } from "../core/trace.ts";
import { keep } from "../memory.ts";

/** Removes equations whose results are never used (all primitives are pure). */
export function dce(jaxpr: Jaxpr): Jaxpr {
  const live = new Set<Var>(jaxpr.outs.filter((a): a is Var => a instanceof Var));
  const kept: JaxprEqn[] = [];
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i]!;
    if (!e.outBinders.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.inputs) if (a instanceof Var) live.add(a);
  }
  return new Jaxpr(jaxpr.inBinders, kept.reverse(), jaxpr.outs);
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
function identityKey(v: object): string {
  let id = objectIds.get(v);
  if (id === undefined) { id = nextObjectId++; objectIds.set(v, id); }
  return `#${id}`;
}
function paramKey(v: unknown): string {
  if (typeof v === "function") return identityKey(v);
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map(paramKey).join(",")}]`;
  // Sub-jaxprs and other non-plain objects compare by identity.
  if (v instanceof Jaxpr || v instanceof ClosedJaxpr || Object.getPrototypeOf(v) !== Object.prototype) return identityKey(v);
  return `{${Object.keys(v).sort().map((k) => `${k}:${paramKey((v as Record<string, unknown>)[k])}`).join(",")}}`;
}

function literalKey(l: Literal): string {
  if (l.val instanceof ConcreteArray && l.val.hostScalar !== undefined) return `lit:${l.aval.str()}:${String(l.val.hostScalar)}`;
  if (l.val instanceof ConcreteArray && !l.val.isDisposed) {
    try { return `lit:${l.aval.str()}:${String(l.val.item())}`; } catch { /* webgpu: compare by identity */ }
  }
  return `lit#${paramKey(l.val)}`;
}

/** Replaces repeated equations (same primitive, inputs and params) by the first one's results. */
export function cse(jaxpr: Jaxpr): Jaxpr {
  const seen = new Map<string, Var[]>();
  const rename = new Map<Var, Var>();
  const ids = new Map<Var, number>();
  let n = 0;
  const id = (v: Var) => { let k = ids.get(v); if (k === undefined) { k = n++; ids.set(v, k); } return k; };
  const sub = (a: Atom): Atom => (a instanceof Var ? rename.get(a) ?? a : a);
  const eqns: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    const inputs = e.inputs.map(sub);
    const key = `${e.primitive.name}(${inputs.map((a) => (a instanceof Var ? `v${id(a)}` : literalKey(a))).join(",")})${paramKey(e.params)}`;
    const prev = seen.get(key);
    if (prev) { e.outBinders.forEach((v, i) => rename.set(v, prev[i]!)); continue; }
    seen.set(key, e.outBinders);
    eqns.push(new JaxprEqn(e.primitive, inputs, e.params, e.outBinders));
  }
  return new Jaxpr(jaxpr.inBinders, eqns, jaxpr.outs.map(sub));
}

/**
 * Evaluates equations whose inputs are all literals and whose results are scalars, once,
 * at compile time (`x * (2 * 3)` keeps one multiply). Larger constant results are left to
 * run, so folding never materializes big arrays.
 */
export function foldConstants(jaxpr: Jaxpr): Jaxpr {
  const lits = new Map<Var, Literal>();
  const sub = (a: Atom): Atom => (a instanceof Var ? lits.get(a) ?? a : a);
  const eqns: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    const inputs = e.inputs.map(sub);
    const foldable = inputs.length > 0 && inputs.every((a) => a instanceof Literal && a.val instanceof ConcreteArray)
      && e.outBinders.every((v) => v.aval.ndim === 0) && e.primitive.name !== "pjit";
    if (foldable) {
      const outs = evalPrimitive(e.primitive, inputs.map((a) => (a as Literal).val), e.params);
      e.outBinders.forEach((v, i) => lits.set(v, new Literal(keep(outs[i]!) as NDArray, v.aval)));
      continue;
    }
    eqns.push(new JaxprEqn(e.primitive, inputs, e.params, e.outBinders));
  }
  return new Jaxpr(jaxpr.inBinders, eqns, jaxpr.outs.map(sub));
}

/** The pass pipeline jit runs on every new signature. */
export function optimize(jaxpr: Jaxpr): Jaxpr {
  return dce(cse(foldConstants(jaxpr)));
}
