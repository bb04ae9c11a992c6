/**
 * Training helpers for the nn tests: a small Adam written with tree.map (the optim package
 * is tested on its own), and a jitted training loop.
 */
import { jit, np, tree, valueAndGrad, type NDArray } from "../../src/index.ts";

/** Adam state: step count and the two moment trees. */
export interface AdamState<P> { t: NDArray; m: P; v: P }

/** Adam (Kingma & Ba) with bias correction; `lr` a number. */
export function adam<P>(lr: number, { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = {}) {
  return {
    init: (params: P): AdamState<P> => ({
      t: np.array(0),
      m: tree.map((p: NDArray) => np.zerosLike(p), params),
      v: tree.map((p: NDArray) => np.zerosLike(p), params),
    }),
    update: (grads: P, s: AdamState<P>, params: P): [P, AdamState<P>] => {
      const t = s.t.add(1);
      const m = tree.map((m: NDArray, g: NDArray) => m.mul(b1).add(g.mul(1 - b1)), s.m, grads);
      const v = tree.map((v: NDArray, g: NDArray) => v.mul(b2).add(g.mul(g).mul(1 - b2)), s.v, grads);
      const c1 = np.subtract(1, np.power(b1, t)), c2 = np.subtract(1, np.power(b2, t));
      const step = lr;
      const next = tree.map((p: NDArray, m: NDArray, v: NDArray) => p.sub(m.div(c1).mul(step).div(np.sqrt(v.div(c2)).add(eps))), params, m, v);
      return [next, { t, m, v }];
    },
  };
}

/**
 * Trains `params` to minimize `loss(params, ...data)` with Adam for `steps` full-batch
 * steps, the whole step compiled with jit. Returns the final params and the loss history.
 */
export function train<P>(loss: (p: P, ...data: NDArray[]) => NDArray, params: P, data: NDArray[], { steps, lr }: { steps: number; lr: number }): { params: P; losses: number[] } {
  const opt = adam<P>(lr);
  const step = jit((p: P, s: AdamState<P>, ...d: NDArray[]) => {
    const [l, g] = valueAndGrad(loss)(p, ...d);
    const [p2, s2] = opt.update(g as P, s, p);
    return [l, p2, s2] as const;
  });
  let s = opt.init(params);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const [l, p2, s2] = step(params, s, ...data) as unknown as [NDArray, P, AdamState<P>];
    losses.push(l.item() as number);
    params = p2;
    s = s2;
  }
  return { params, losses };
}
