/**
 * Fusion planning: clusters of elementwise equations (with broadcasts of inputs, and a
 * reduction allowed to end a cluster) that run as one generated kernel per output instead
 * of one tfjs kernel per equation. Heavy primitives (dot_general, conv, gather, sort, ...)
 * stay tfjs kernels. Clusters need not be contiguous in the jaxpr: equations are merged
 * along data edges whenever that creates no cycle through an unfused equation.
 */
import type { ShapedArray } from "../core/aval.ts";
import { Jaxpr, JaxprEqn, Var, type Atom } from "../core/jaxpr.ts";

/** How each fusible primitive is written in the generated code (see codegen.ts). */
export const FUSIBLE_ELEMENTWISE = new Set([
  "neg", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "logistic", "sqrt", "rsqrt", "abs", "sign",
  "floor", "ceil", "round", "square", "not", "is_finite", "integer_pow",
  "add", "sub", "mul", "div", "max", "min", "atan2", "rem", "and", "or", "xor", "eq", "ne", "lt", "le", "gt", "ge",
  "select", "convert_element_type", "stop_gradient",
]);
export const FUSIBLE_REDUCTIONS = new Set(["reduce_sum", "reduce_max", "reduce_min"]);

const fusibleDtype = (a: ShapedArray) => a.dtype === "float32" || a.dtype === "bool";
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** A fused cluster: equations in jaxpr order, the shape they compute at, and its interface. */
export interface Cluster {
  eqns: JaxprEqn[];
  /** The iteration shape of the elementwise part. */
  shape: readonly number[];
  /** Values read from outside the cluster (kernel inputs), in first-use order. */
  inputs: Var[];
  /** Values used after the cluster (kernel outputs). */
  outputs: Var[];
}

/** A step of the fused schedule: one primitive equation, or a cluster. */
export type PlannedStep = { eqn: JaxprEqn } | { cluster: Cluster };

/** Whether an equation may join a cluster computing at `shape`; reductions end one. */
/** Primitives that only relabel the layout of their operand (same data order). */
const VIEWS = new Set(["reshape", "expand_dims", "squeeze"]);

/** Trailing-aligned NumPy broadcast compatibility of `small` into `big`. */
function broadcastsInto(small: readonly number[], big: readonly number[]): boolean {
  if (small.length > big.length) return false;
  const off = big.length - small.length;
  return small.every((d, i) => d === 1 || d === big[i + off]);
}

function role(eqn: JaxprEqn): "elementwise" | "reduction" | "broadcast" | "view" | null {
  const avals = [...eqn.inputs.map((a) => a.aval), ...eqn.outBinders.map((v) => v.aval)];
  if (!avals.every(fusibleDtype)) return null;
  if (FUSIBLE_ELEMENTWISE.has(eqn.primitive.name)) return "elementwise";
  if (FUSIBLE_REDUCTIONS.has(eqn.primitive.name) && eqn.inputs[0]!.aval.dtype === "float32") return "reduction";
  if (eqn.primitive.name === "broadcast_in_dim") return "broadcast";
  if (VIEWS.has(eqn.primitive.name)) return "view";
  return null;
}

/** The shape an equation iterates over inside a cluster. */
function iterShape(eqn: JaxprEqn): readonly number[] {
  return eqn.primitive.name.startsWith("reduce_") ? eqn.inputs[0]!.aval.shape : eqn.outBinders[0]!.aval.shape;
}

/**
 * Plans the fused schedule of a jaxpr. `minSize` leaves clusters with fewer equations as
 * single kernels (fusing one equation gains nothing).
 */
export function planFusion(jaxpr: Jaxpr, { minSize = 2, maxInputs = Infinity }: { minSize?: number; maxInputs?: number } = {}): PlannedStep[] {
  const eqns = jaxpr.eqns;
  const producer = new Map<Var, number>();
  eqns.forEach((e, i) => e.outBinders.forEach((v) => producer.set(v, i)));
  const consumers: number[][] = eqns.map(() => []);
  eqns.forEach((e, i) => e.inputs.forEach((a) => { if (a instanceof Var && producer.has(a)) consumers[producer.get(a)!]!.push(i); }));

  // Union-find over equations; a cluster also records its shape and whether a reduction closed it.
  const parent = eqns.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const roles = eqns.map(role);
  const shapeOf = eqns.map((e, i) => (roles[i] ? iterShape(e) : null));
  const hasReduction = eqns.map((_, i) => roles[i] === "reduction");
  const members = new Map<number, Set<number>>(eqns.map((_, i) => [i, new Set([i])]));

  /**
   * Is there a path from cluster `a` to cluster `b` that leaves both (a cycle if merged)?
   * Other clusters count as single nodes, since they run as one step: reaching any member
   * of one continues from all of its members.
   */
  const pathThroughOutside = (a: number, b: number): boolean => {
    const inA = members.get(a)!, inB = members.get(b)!;
    const seen = new Set<number>();
    const stack: number[] = [];
    for (const m of inA) for (const c of consumers[m]!) if (!inA.has(c) && !inB.has(c)) stack.push(c);
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      if (inB.has(n)) return true;
      if (inA.has(n)) continue;
      for (const m of members.get(find(n))!) {
        seen.add(m);
        for (const c of consumers[m]!) if (!seen.has(c)) stack.push(c);
      }
    }
    return false;
  };
  /** A reduction's result lives at another shape: nothing in its own kernel may read it. */
  const readsOwnReduction = (a: number, b: number): boolean => {
    const all = new Set([...members.get(a)!, ...members.get(b)!]);
    for (const m of all) if (roles[m] === "reduction" && consumers[m]!.some((c) => all.has(c))) return true;
    return false;
  };
  /** Views join a cluster as re-shaped reads of an outside value; others must share its shape. */
  const shapesFit = (a: number, b: number): boolean => {
    const viewA = members.get(a)!.size === 1 && roles[a] === "view", viewB = members.get(b)!.size === 1 && roles[b] === "view";
    if (viewA && !viewB) return broadcastsInto(shapeOf[a]!, shapeOf[b]!);
    if (viewB && !viewA) return broadcastsInto(shapeOf[b]!, shapeOf[a]!);
    return !viewA && !viewB && sameShape(shapeOf[a]!, shapeOf[b]!);
  };
  const canMerge = (a: number, b: number): boolean => {
    if (a === b || !shapesFit(a, b)) return false;
    return !readsOwnReduction(a, b) && !pathThroughOutside(a, b) && !pathThroughOutside(b, a);
  };
  const merge = (a: number, b: number) => {
    // The merged cluster keeps the shape of its non-view part.
    if (members.get(a)!.size === 1 && roles[a] === "view") [a, b] = [b, a];
    parent[b] = a;
    for (const m of members.get(b)!) members.get(a)!.add(m);
    members.delete(b);
    hasReduction[a] = hasReduction[a]! || hasReduction[b]!;
  };

  const producedInside = (a: Atom, root: number) => a instanceof Var && producer.has(a) && members.get(root)!.has(producer.get(a)!);
  eqns.forEach((e, i) => {
    if (!roles[i] || roles[i] === "broadcast" || roles[i] === "view") return;
    for (const a of e.inputs) {
      if (!(a instanceof Var) || !producer.has(a)) continue;
      const p = producer.get(a)!;
      const r = roles[p];
      // Reduction results live at a smaller shape: they feed later clusters as inputs.
      if (!r || r === "reduction") continue;
      // A view joins only as a read of a value from outside the cluster.
      if (r === "view" && (members.get(find(p))!.size > 1 || producedInside(eqns[p]!.inputs[0]!, find(i)))) continue;
      const ci = find(i), cp = find(p);
      if (canMerge(ci, cp)) merge(ci, cp);
    }
  });

  // Schedule: clusters run when all their inputs exist; keep jaxpr order otherwise.
  const used = new Set<Var>(jaxpr.outs.filter((a): a is Var => a instanceof Var));
  const steps: PlannedStep[] = [];
  const emitted = new Set<number>();
  const clusterOf = (i: number) => members.get(find(i))!;
  const ready = (root: number) => [...members.get(root)!].every((m) => eqns[m]!.inputs.every((a) => {
    if (!(a instanceof Var) || !producer.has(a)) return true;
    const p = producer.get(a)!;
    return members.get(root)!.has(p) || emitted.has(p);
  }));
  const pending = eqns.map((_, i) => i);
  while (pending.length) {
    const k = pending.findIndex((i) => ready(find(i)));
    if (k < 0) {
      const describe = (i: number) => `${i}:${eqns[i]!.primitive.name}`;
      const groups = [...new Set(pending.map(find))].map((r) => `{${[...members.get(r)!].map(describe).join(" ")}}`);
      throw new Error(`internal: fusion produced a cycle; pending clusters ${groups.join(" ")} in\n${jaxpr}`);
    }
    const root = find(pending[k]!);
    const set = clusterOf(root);
    const idx = [...set].sort((x, y) => x - y);
    for (const m of idx) { emitted.add(m); pending.splice(pending.indexOf(m), 1); }
    const clusterEqns = idx.map((m) => eqns[m]!);
    if (idx.length < minSize) { for (const e of clusterEqns) steps.push({ eqn: e }); continue; }
    const inside = new Set(clusterEqns.flatMap((e) => e.outBinders));
    const inputs: Var[] = [];
    for (const e of clusterEqns) for (const a of e.inputs) if (a instanceof Var && !inside.has(a) && !inputs.includes(a)) inputs.push(a);
    const laterUse = (v: Var) => used.has(v) || eqns.some((e, j) => !set.has(j) && e.inputs.includes(v as Atom));
    if (inputs.length > maxInputs) { for (const e of clusterEqns) steps.push({ eqn: e }); continue; }
    // A view's result has its own shape: when it is needed outside too, it also runs alone.
    const isView = (v: Var) => roles[producer.get(v)!] === "view";
    const outputs = [...inside].filter((v) => laterUse(v) && !isView(v));
    for (const v of inside) if (laterUse(v) && isView(v)) steps.push({ eqn: eqns[producer.get(v)!]! });
    steps.push({ cluster: { eqns: clusterEqns, shape: shapeOf[root]!, inputs, outputs } });
  }
  return steps;
}
