/**
 * The module protocol: a module is a plain description (its hyperparameters) with two pure
 * functions. `init(key)` makes `{ params, state }`; `apply(params, state, x, options)`
 * returns `[y, newState]`. Parameters and state are plain pytrees of NDArrays, so `grad`,
 * `tree.map`, optimizers, `jit` and serialization take them as they are.
 */
import { NDArray, random, scope, tree } from "../src/index.ts";
import { LayerInputError } from "./errors.ts";

/** A PRNG key (`random.key(0)`, a uint32 array of shape [2]). @example const k: Key = random.key(0); */
export type Key = NDArray;

/**
 * Options every `apply` takes. Layers read what concerns them and ignore the rest;
 * combinators pass them on to their children, splitting `key` so no two layers share one.
 *
 * @example
 * const model = nn.dropout(0.5);
 * const [y] = model.apply({}, {}, np.ones([4]), { key: random.key(1), train: true } satisfies ApplyOptions);
 * y.shape   // [4]
 */
export interface ApplyOptions {
  /** Randomness for training (dropout). Required by dropout when `train` is true. */
  key?: Key | undefined;
  /** Training mode: dropout drops, batchNorm uses batch statistics and updates its running averages. Default false. */
  train?: boolean | undefined;
  /** Attention mask, bool, broadcastable to `[..., T, S]` (true = may attend). */
  mask?: NDArray | undefined;
  /** Keys and values for cross-attention in `multiHeadAttention` (`[..., S, kvDim]`); self-attention when absent. */
  kv?: NDArray | undefined;
  /** The encoder output a `transformerDecoderLayer` attends to (`[..., S, dim]`). */
  memory?: NDArray | undefined;
  /** Mask for the decoder's cross-attention, bool, broadcastable to `[..., T, S]`. */
  memoryMask?: NDArray | undefined;
}

/**
 * What `init` returns: trainable parameters and non-trainable state (running statistics).
 * @example
 * const { params, state }: Initialized<LinearParams, EmptyState> = nn.linear(2, 3).init(random.key(0));
 */
export interface Initialized<P, S> {
  /** Trainable parameters (what `grad` differentiates and optimizers update). */
  params: P;
  /** Non-trainable state, threaded through `apply` (`{}` for stateless modules). */
  state: S;
}

/** The state of a module without state: an empty object. @example const s: EmptyState = {}; */
export type EmptyState = Record<string, never>;

/**
 * A stateless-by-construction neural-network module (Equinox/Haiku style: a description
 * plus pure functions; nothing is stored in the module).
 *
 * @example
 * const model: Module = nn.sequential([nn.linear(2, 8), nn.relu, nn.linear(8, 1)]);
 * const { params, state } = model.init(random.key(0));
 * const [y, newState] = model.apply(params, state, np.ones([4, 2]));
 */
export interface Module<P = any, S = any> {
  /** A short description used in error messages, e.g. `linear(3 → 4)`. */
  readonly name: string;
  /** Creates fresh parameters and state. Deterministic in `key`. */
  init(key: Key): Initialized<P, S>;
  /** Runs the module. Pure: returns the output and the (possibly updated) state. */
  apply(params: P, state: S, x: NDArray, options?: ApplyOptions): [NDArray, S];
}

/**
 * Something that can stand in a `sequential`: a module, or a plain function of one array
 * (an activation such as `nn.relu`).
 * @example
 * const layers: Layer[] = [nn.linear(4, 4), nn.relu, (x) => x.mul(2)];
 */
export type Layer = Module | ((x: NDArray) => NDArray);

/**
 * Whether `x` is a module (an object with `init` and `apply`).
 * @example
 * isModule(nn.linear(2, 2))   // true
 * isModule(nn.relu)           // false
 */
export function isModule(x: unknown): x is Module {
  return typeof x === "object" && x !== null && typeof (x as Module).init === "function" && typeof (x as Module).apply === "function";
}

/**
 * Defines a module from its parts. `init` and `apply` run in a `scope`, so eager
 * intermediates are released as soon as the call returns.
 *
 * Arguments: `name` for messages; `init(key)`; `apply(params, state, x, options)`.
 * Returns a frozen `Module`.
 *
 * @example
 * const scaleBy = (c: number) => defineModule({
 *   name: `scale(${c})`,
 *   init: () => ({ params: {}, state: {} }),
 *   apply: (_p, s, x) => [x.mul(c), s],
 * });
 */
export function defineModule<P, S>(spec: {
  name: string;
  init: (key: Key) => Initialized<P, S>;
  apply: (params: P, state: S, x: NDArray, options: ApplyOptions) => [NDArray, S];
}): Module<P, S> {
  const { name } = spec;
  return Object.freeze({
    name,
    init: (key: Key) => scope(() => spec.init(key)),
    apply: (params: P, state: S, x: NDArray, options: ApplyOptions = {}) => {
      if (!(x instanceof NDArray)) throw new TypeError(`${name}: the input must be an NDArray; got ${x === null ? "null" : typeof x}`);
      return scope(() => spec.apply(params, state, x, options));
    },
  });
}

/**
 * A module without state from `init(key) => params` and `apply(params, x, options) => y`
 * (its state is `{}` and is returned unchanged).
 *
 * @example
 * const affine = stateless({
 *   name: "affine",
 *   init: (key) => ({ a: random.normal(key, [3]), b: np.zeros([3]) }),
 *   apply: ({ a, b }, x) => x.mul(a).add(b),
 * });
 */
export function stateless<P>(spec: {
  name: string;
  init: (key: Key) => P;
  apply: (params: P, x: NDArray, options: ApplyOptions) => NDArray;
}): Module<P, EmptyState> {
  return defineModule<P, EmptyState>({
    name: spec.name,
    init: (key) => ({ params: spec.init(key), state: {} }),
    apply: (params, state, x, options) => [spec.apply(params, x, options), state],
  });
}

/**
 * A module from a plain function of one array (no parameters, no state); modules pass
 * through unchanged. This is how `sequential` treats activations.
 *
 * @example
 * const act = asModule(nn.relu);
 * act.apply({}, {}, np.array([-1, 2]))[0]   // [0, 2]
 */
export function asModule(layer: Layer): Module {
  if (isModule(layer)) return layer;
  if (typeof layer !== "function") {
    throw new TypeError(`expected a module (an object with init and apply) or a function of one array; got ${layer === null ? "null" : typeof layer}`);
  }
  const f = layer;
  return stateless({ name: f.name || "function", init: () => ({}), apply: (_p, x) => f(x) });
}

/**
 * Inference in one line: `model.apply(params, state, x, { train: false })[0]`, with
 * `state` `{}` unless given (models with batchNorm need their state).
 *
 * @example
 * const model = nn.linear(3, 2);
 * const { params } = model.init(key);
 * nn.call(model, params, np.ones([4, 3])).shape   // [4, 2]
 * const bnModel = nn.sequential([nn.linear(3, 2), nn.batchNorm(2)]);
 * const init = bnModel.init(key);
 * nn.call(bnModel, init.params, np.ones([4, 3]), { state: init.state }).shape   // [4, 2]
 * @throws whatever the model's `apply` throws; a stateful model without `state` names the layer that needs it.
 */
export function call<P>(model: Module<P, any>, params: P, x: NDArray, options: ApplyOptions & { state?: unknown } = {}): NDArray {
  const { state = {}, ...rest } = options;
  return model.apply(params, state, x, { ...rest, train: rest.train ?? false })[0];
}

/**
 * `n` independent keys from `key` (`random.split`), or `n` undefineds without a key.
 * @example
 * const [k1, k2] = splitKey(random.key(0), 2);
 */
export function splitKey(key: Key | undefined, n: number): (Key | undefined)[] {
  if (key === undefined) return Array.from({ length: n }, () => undefined);
  if (n === 1) return [key];
  const keys = random.split(key, n);
  return Array.from({ length: n }, (_, i) => keys.get(i));
}

/**
 * Whether a state tree is empty (no arrays anywhere), as stateless modules' `{}` is.
 * @example
 * isEmptyState({})                     // true
 * isEmptyState([{}, { mean: m }])      // false
 */
export function isEmptyState(state: unknown): boolean {
  return tree.leaves(state).length === 0;
}

/**
 * Runs a child module, prefixing `where` (e.g. `sequential layer 2`) to input errors so the
 * message says which layer of a composite rejected its input.
 * @example
 * const [y, s] = applyChild("residual body", body, params.body, state.body, x, options);
 */
export function applyChild<P, S>(where: string, child: Module<P, S>, params: P, state: S, x: NDArray, options: ApplyOptions): [NDArray, S] {
  try {
    return child.apply(params, state, x, options);
  } catch (e) {
    if (e instanceof LayerInputError) throw e.within(where);
    throw e;
  }
}

/**
 * The number of scalar parameters in a pytree (sum of the sizes of its arrays).
 *
 * @example
 * nn.countParams(nn.lenet5().init(random.key(0)).params)   // 61706
 */
export function countParams(params: unknown): number {
  return tree.leaves(params).reduce((n: number, l) => n + (l instanceof NDArray ? l.size : 0), 0);
}
