/**
 * Recurrent cells: one time step of a simple RNN, an LSTM and a GRU. A cell is not a
 * module by itself; `rnn(cell)` runs it over a sequence with `lax.scan`. Gates are
 * computed with one matmul for the input and one for the hidden state (gates side by side
 * in the weight columns, PyTorch's order).
 */
import { np, type NDArray } from "../../src/index.ts";
import { sigmoid, tanh } from "../activations.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { glorotUniform, orthogonal, zeros, type Initializer } from "../initializers.ts";
import { splitKey, type EmptyState, type Initialized, type Key } from "../module.ts";
import { dense } from "./linear.ts";

/**
 * A recurrent cell: `step(params, carry, x) => [carry, y]` for one time step of inputs
 * `[..., inputSize]`; `initialCarry(batchShape)` is the zero state.
 *
 * @example
 * const cell: Cell<LSTMParams, LSTMCarry> = nn.lstmCell(3, 8);
 * const { params } = cell.init(random.key(0));
 * const [carry, h] = cell.step(params, cell.initialCarry([2]), np.ones([2, 3]));   // h: [2, 8]
 */
export interface Cell<P = any, C = any> {
  /** A short description for messages, e.g. `lstmCell(3 → 8)`. */
  readonly name: string;
  /** Size of the inputs' last axis. */
  readonly inputSize: number;
  /** Size of the hidden state and of the outputs. */
  readonly hiddenSize: number;
  /** Creates the parameters (the state is `{}`). */
  init(key: Key): Initialized<P, EmptyState>;
  /** The zero carry for inputs with leading dimensions `batchShape`. */
  initialCarry(batchShape: readonly number[]): C;
  /** One time step: the new carry and this step's output. */
  step(params: P, carry: C, x: NDArray): [C, NDArray];
}

/**
 * Parameters of a cell: `wi` `[in, gates·hidden]`, `wh` `[hidden, gates·hidden]`, `b`
 * `[gates·hidden]` (gates: 1 for rnnCell, 4 for lstmCell).
 * @example
 * const p: RNNCellParams = { wi: np.zeros([3, 8]), wh: np.zeros([8, 8]), b: np.zeros([8]) };
 */
export interface RNNCellParams {
  /** Input weights `[in, gates·hidden]`. */
  wi: NDArray;
  /** Recurrent weights `[hidden, gates·hidden]`. */
  wh: NDArray;
  /** Bias `[gates·hidden]`. */
  b: NDArray;
}

/**
 * Parameters of `lstmCell` (gate columns in the order i, f, g, o).
 * @example
 * const p: LSTMParams = nn.lstmCell(3, 8).init(key).params;
 * p.wi.shape   // [3, 32]
 */
export type LSTMParams = RNNCellParams;

/** The LSTM's carry: hidden state and cell state, both `[..., hidden]`. @example const c: LSTMCarry = { h: np.zeros([8]), c: np.zeros([8]) }; */
export interface LSTMCarry {
  /** Hidden state (also the output). */
  h: NDArray;
  /** Cell state. */
  c: NDArray;
}

/**
 * Parameters of `gruCell` (gate columns r, z, n): separate input and hidden biases, since
 * the reset gate multiplies the hidden part including its bias (PyTorch's / cuDNN's GRU).
 * @example
 * const p: GRUParams = nn.gruCell(3, 8).init(key).params;
 * p.wh.shape   // [8, 24]
 */
export interface GRUParams {
  /** Input weights `[in, 3·hidden]` (columns r, z, n). */
  wi: NDArray;
  /** Recurrent weights `[hidden, 3·hidden]`. */
  wh: NDArray;
  /** Input bias `[3·hidden]`. */
  bi: NDArray;
  /** Recurrent bias `[3·hidden]` (its n part is gated by r). */
  bh: NDArray;
}

/**
 * Options of the cells.
 * @example
 * nn.lstmCell(3, 8, { wInit: nn.glorotUniform, whInit: nn.orthogonal() } satisfies CellOptions);
 */
export interface CellOptions {
  /** Initializer of the input weights `wi`. Default glorotUniform. */
  wInit?: Initializer;
  /** Initializer of the recurrent weights `wh`. Default orthogonal(). */
  whInit?: Initializer;
}

function makeCell<P, C>(spec: Cell<P, C>, what: string): Cell<P, C> {
  checkPositiveInt(what, "inputSize", spec.inputSize);
  checkPositiveInt(what, "hiddenSize", spec.hiddenSize);
  return Object.freeze(spec);
}

const gate = (z: NDArray, i: number, h: number): NDArray => np.slice(z, [...z.shape.slice(0, -1).map(() => null), i * h], [...z.shape.slice(0, -1).map(() => null), (i + 1) * h]);

/**
 * Elman RNN cell: h' = act(x·Wi + h·Wh + b), act = tanh by default; the output is h'.
 * Parameters: in·hidden + hidden² + hidden.
 *
 * @example
 * const cell = nn.rnnCell(3, 8);
 * const [h, y] = cell.step(cell.init(random.key(0)).params, cell.initialCarry([]), np.ones([3]));
 * @throws LayerInputError when x is not `[..., inputSize]`.
 */
export function rnnCell(inputSize: number, hiddenSize: number, { activation = tanh, ...opts }: CellOptions & { activation?: (x: NDArray) => NDArray } = {}): Cell<RNNCellParams, NDArray> {
  const name = `rnnCell(${inputSize} → ${hiddenSize})`;
  const { wInit = glorotUniform, whInit = orthogonal() } = opts;
  return makeCell({
    name, inputSize, hiddenSize,
    init: (key) => {
      const [k1, k2] = splitKey(key, 2);
      return { params: { wi: wInit(k1!, [inputSize, hiddenSize]), wh: whInit(k2!, [hiddenSize, hiddenSize]), b: np.zeros([hiddenSize]) }, state: {} };
    },
    initialCarry: (batch) => np.zeros([...batch, hiddenSize]),
    step: ({ wi, wh, b }, h, x) => {
      checkInput(name, x, [inputSize]);
      const hNew = activation(dense(x, wi, b).add(dense(h, wh, null)));
      return [hNew, hNew];
    },
  }, "rnnCell");
}

/**
 * LSTM cell (Hochreiter & Schmidhuber, with a forget gate):
 *
 *     z = x·Wi + h·Wh + b, split into [i, f, g, o]
 *     i = σ(zᵢ), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *     c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 *
 * The output is h'; the carry `{ h, c }`. Parameters: 4·(in·hidden + hidden² + hidden).
 * The forget-gate bias starts at `forgetBias` (default 1, as Keras and Jozefowicz et al.).
 *
 * @example
 * const cell = nn.lstmCell(3, 8);
 * const [carry, h] = cell.step(cell.init(random.key(0)).params, cell.initialCarry([2]), np.ones([2, 3]));
 * @throws LayerInputError when x is not `[..., inputSize]`.
 */
export function lstmCell(inputSize: number, hiddenSize: number, { forgetBias = 1, ...opts }: CellOptions & { forgetBias?: number } = {}): Cell<LSTMParams, LSTMCarry> {
  const name = `lstmCell(${inputSize} → ${hiddenSize})`;
  const { wInit = glorotUniform, whInit = orthogonal() } = opts;
  const h = hiddenSize;
  return makeCell({
    name, inputSize, hiddenSize,
    init: (key) => {
      const [k1, k2] = splitKey(key, 2);
      const b = np.concatenate([np.zeros([h]), np.full([h], forgetBias), np.zeros([2 * h])]);
      return { params: { wi: wInit(k1!, [inputSize, 4 * h]), wh: whInit(k2!, [h, 4 * h]), b }, state: {} };
    },
    initialCarry: (batch) => ({ h: np.zeros([...batch, h]), c: np.zeros([...batch, h]) }),
    step: ({ wi, wh, b }, carry, x) => {
      checkInput(name, x, [inputSize]);
      const z = dense(x, wi, b).add(dense(carry.h, wh, null));
      const i = sigmoid(gate(z, 0, h)), f = sigmoid(gate(z, 1, h)), g = tanh(gate(z, 2, h)), o = sigmoid(gate(z, 3, h));
      const c = f.mul(carry.c).add(i.mul(g));
      const hNew = o.mul(tanh(c));
      return [{ h: hNew, c }, hNew];
    },
  }, "lstmCell");
}

/**
 * GRU cell (Cho et al.), PyTorch's equations:
 *
 *     r = σ(x·Wi_r + bi_r + h·Wh_r + bh_r)          (reset gate)
 *     z = σ(x·Wi_z + bi_z + h·Wh_z + bh_z)          (update gate)
 *     n = tanh(x·Wi_n + bi_n + r ⊙ (h·Wh_n + bh_n))  (candidate)
 *     h' = (1 − z) ⊙ n + z ⊙ h
 *
 * The output and carry are h'. Parameters: 3·(in·hidden + hidden² + 2·hidden).
 *
 * @example
 * const cell = nn.gruCell(3, 8);
 * const [h, y] = cell.step(cell.init(random.key(0)).params, cell.initialCarry([2]), np.ones([2, 3]));
 * @throws LayerInputError when x is not `[..., inputSize]`.
 */
export function gruCell(inputSize: number, hiddenSize: number, opts: CellOptions = {}): Cell<GRUParams, NDArray> {
  const name = `gruCell(${inputSize} → ${hiddenSize})`;
  const { wInit = glorotUniform, whInit = orthogonal() } = opts;
  const h = hiddenSize;
  return makeCell({
    name, inputSize, hiddenSize,
    init: (key) => {
      const [k1, k2] = splitKey(key, 2);
      return { params: { wi: wInit(k1!, [inputSize, 3 * h]), wh: whInit(k2!, [h, 3 * h]), bi: zeros(k1!, [3 * h]), bh: zeros(k2!, [3 * h]) }, state: {} };
    },
    initialCarry: (batch) => np.zeros([...batch, h]),
    step: ({ wi, wh, bi, bh }, hPrev, x) => {
      checkInput(name, x, [inputSize]);
      const zi = dense(x, wi, bi), zh = dense(hPrev, wh, bh);
      const r = sigmoid(gate(zi, 0, h).add(gate(zh, 0, h)));
      const z = sigmoid(gate(zi, 1, h).add(gate(zh, 1, h)));
      const n = tanh(gate(zi, 2, h).add(r.mul(gate(zh, 2, h))));
      const hNew = n.add(z.mul(hPrev.sub(n)));
      return [hNew, hNew];
    },
  }, "gruCell");
}
