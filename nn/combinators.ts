/**
 * Composition: `sequential`, `residual` and `mlp`. Composites thread state through their
 * children and split the key so that no two children share randomness.
 */
import type { NDArray } from "../src/index.ts";
import { relu } from "./activations.ts";
import { checkPositiveInt } from "./errors.ts";
import { applyChild, asModule, defineModule, isEmptyState, splitKey, type EmptyState, type Layer, type Module } from "./module.ts";
import { dense, linear, type LinearOptions, type LinearParams } from "./layers/linear.ts";

/**
 * Layers applied one after the other. Plain functions (activations) may stand among the
 * modules. Params are an array with one entry per layer (`{}` for functions); the state is
 * such an array too when some layer has state (batchNorm), else `{}`.
 *
 * @example
 * const model = nn.sequential([nn.linear(64, 32), nn.relu, nn.linear(32, 10)]);
 * const { params, state } = model.init(random.key(0));   // params[0].w: [64, 32]; state: {}
 * const x = np.ones([2, 64]);
 * const [logits, newState] = model.apply(params, state, x, { key, train: true });
 * logits.shape   // [2, 10]
 * @throws TypeError for an entry that is neither a module nor a function; input errors name the layer's position.
 */
export function sequential(layers: readonly Layer[]): Module<unknown[], unknown[] | EmptyState> {
  if (!Array.isArray(layers)) throw new TypeError(`sequential: expected an array of layers; got ${typeof layers}`);
  const mods = layers.map((l, i) => {
    try { return asModule(l); } catch (e) { throw new TypeError(`sequential: layer ${i}: ${(e as Error).message}`); }
  });
  const name = `sequential(${mods.length} layers)`;
  return defineModule<unknown[], unknown[] | EmptyState>({
    name,
    init: (key) => {
      const keys = splitKey(key, Math.max(mods.length, 1));
      const inits = mods.map((m, i) => m.init(keys[i]!));
      const states = inits.map((r) => r.state);
      return { params: inits.map((r) => r.params), state: states.every(isEmptyState) ? {} : states };
    },
    apply: (params, state, x, options) => {
      if (!Array.isArray(params) || params.length !== mods.length) {
        throw new TypeError(`${name}: params must be an array with one entry per layer (${mods.length}); got ${Array.isArray(params) ? `an array of ${params.length}` : typeof params}`);
      }
      const stateful = Array.isArray(state);
      const keys = splitKey(options.key, Math.max(mods.length, 1));
      const newStates: unknown[] = [];
      let y = x;
      mods.forEach((m, i) => {
        const [out, s] = applyChild(`sequential layer ${i}`, m, params[i], stateful ? state[i] : {}, y, { ...options, key: keys[i] });
        y = out;
        newStates.push(s);
      });
      return [y, stateful ? newStates : state];
    },
  });
}

/**
 * Parameters of `residual`.
 * @example
 * const p: ResidualParams = nn.residual(nn.linear(4, 4)).init(key).params;
 * Object.keys(p)   // ["body", "shortcut"]
 */
export interface ResidualParams {
  /** The body's params. */
  body: unknown;
  /** The shortcut's params (`{}` for the identity). */
  shortcut: unknown;
}

/**
 * State of `residual` when the body or the shortcut has state (else `{}`).
 * @example
 * const s = nn.residual(nn.batchNorm(4)).init(key).state as ResidualState;
 * Object.keys(s)   // ["body", "shortcut"]
 */
export interface ResidualState {
  /** The body's state. */
  body: unknown;
  /** The shortcut's state. */
  shortcut: unknown;
}

/**
 * A residual connection y = body(x) + shortcut(x), the shortcut being the identity unless
 * given (e.g. a projection when the body changes the shape). Params `{ body, shortcut }`;
 * state `{ body, shortcut }` when either has state (batchNorm), else `{}`.
 *
 * @example
 * const block = nn.residual(nn.sequential([nn.linear(16, 16), nn.relu, nn.linear(16, 16)]));
 * const proj = nn.residual(nn.linear(16, 32), { shortcut: nn.linear(16, 32, { bias: false }) });
 * @throws Error naming both shapes when body and shortcut outputs differ.
 */
export function residual(body: Layer, { shortcut }: { shortcut?: Layer } = {}): Module<ResidualParams, ResidualState | EmptyState> {
  const b = asModule(body);
  const s = shortcut === undefined ? null : asModule(shortcut);
  const name = `residual(${b.name})`;
  type State = ResidualState | EmptyState;
  return defineModule<ResidualParams, State>({
    name,
    init: (key) => {
      const [kb, ks] = splitKey(key, 2);
      const rb = b.init(kb!), rs = s ? s.init(ks!) : { params: {}, state: {} };
      const stateful = !isEmptyState(rb.state) || !isEmptyState(rs.state);
      const state: State = stateful ? { body: rb.state, shortcut: rs.state } : {};
      return { params: { body: rb.params, shortcut: rs.params }, state };
    },
    apply: (params, state, x, options) => {
      const [kb, ks] = splitKey(options.key, 2);
      const st = state as { body?: unknown; shortcut?: unknown };
      const stateful = "body" in st;
      const [y, sb] = applyChild(`${name} body`, b, params.body, st.body ?? {}, x, { ...options, key: kb });
      const [z, ss] = s ? applyChild(`${name} shortcut`, s, params.shortcut, st.shortcut ?? {}, x, { ...options, key: ks }) : [x, st.shortcut ?? {}];
      if (y.ndim !== z.ndim || y.shape.some((d, i) => d !== z.shape[i])) {
        throw new Error(`${name}: the body's output [${y.shape.join(", ")}] and the shortcut's [${z.shape.join(", ")}] must have the same shape; give a projection: nn.residual(body, { shortcut: nn.linear(in, out) })`);
      }
      return [y.add(z), stateful ? { body: sb, shortcut: ss } : state];
    },
  });
}

/**
 * Options of `mlp`.
 * @example
 * nn.mlp([2, 8, 1], { activation: nn.tanh, finalActivation: nn.sigmoid } satisfies MLPOptions);
 */
export interface MLPOptions extends LinearOptions {
  /** Between layers. Default relu. */
  activation?: (x: NDArray) => NDArray;
  /** After the last layer. Default none. */
  finalActivation?: ((x: NDArray) => NDArray) | null;
}

/**
 * A multilayer perceptron: `linear(sizes[0], sizes[1])`, activation, ..., `linear(sizes[n-2],
 * sizes[n-1])` (no activation after the last unless `finalActivation`). Params are an
 * array of `{ w, b }`, one per linear layer: Σ (sizes[i]·sizes[i+1] + sizes[i+1]) parameters.
 *
 * @example
 * const net = nn.mlp([2, 8, 1], { activation: nn.tanh });
 * const { params } = net.init(random.key(0));   // params[0].w: [2, 8], params[1].w: [8, 1]
 * nn.call(net, params, np.ones([4, 2])).shape   // [4, 1]
 * @throws RangeError when fewer than two sizes are given.
 */
export function mlp(sizes: readonly number[], { activation = relu, finalActivation = null, ...linearOptions }: MLPOptions = {}): Module<LinearParams[], EmptyState> {
  if (!Array.isArray(sizes) || sizes.length < 2) throw new RangeError(`mlp: sizes must list at least the input and output sizes; got ${JSON.stringify(sizes)}`);
  sizes.forEach((d, i) => checkPositiveInt("mlp", `sizes[${i}]`, d));
  const layers = sizes.slice(1).map((out, i) => linear(sizes[i]!, out, linearOptions));
  const name = `mlp([${sizes.join(", ")}])`;
  return defineModule<LinearParams[], EmptyState>({
    name,
    init: (key) => {
      const keys = splitKey(key, layers.length);
      return { params: layers.map((l, i) => l.init(keys[i]!).params), state: {} };
    },
    apply: (params, state, x) => {
      if (!Array.isArray(params) || params.length !== layers.length) {
        throw new TypeError(`${name}: params must be an array of ${layers.length} { w, b } entries; got ${Array.isArray(params) ? `an array of ${params.length}` : typeof params}`);
      }
      let y = x;
      layers.forEach((l, i) => {
        if (i === 0) y = applyChild(`${name} layer 0`, l, params[0]!, {}, y, {})[0];
        else y = dense(activation(y), params[i]!.w, params[i]!.b);
        if (i === layers.length - 1 && finalActivation) y = finalActivation(y);
      });
      return [y, state];
    },
  });
}
