/** `rnn`: runs a recurrent cell over the time axis with `lax.scan` (compiled once, however long the sequence). */
import { lax, np, type NDArray } from "../../src/index.ts";
import { checkInput } from "../errors.ts";
import { defineModule, type EmptyState, type Module } from "../module.ts";
import type { Cell } from "./cells.ts";

/**
 * Options of `rnn`.
 * @example
 * nn.rnn(nn.gruCell(3, 8), { reverse: true, returnSequences: true } satisfies RNNOptions);
 */
export interface RNNOptions {
  /** Process the sequence from the last step to the first (outputs stay in input order). Default false. */
  reverse?: boolean;
  /** Return the output of every step `[..., T, hidden]` instead of only the last processed one `[..., hidden]` (Keras' flag and default). Default false. */
  returnSequences?: boolean;
}

/**
 * A recurrent layer: runs `cell` over inputs `[..., T, inputSize]` (batch first, time
 * second to last) from a zero carry, as a `lax.scan` over T. Returns the outputs of every
 * step `[..., T, hidden]` with `returnSequences`, else the last processed step's output
 * `[..., hidden]` (with `reverse`, the one at t = 0). Differentiable (backpropagation
 * through time is the scan's reverse pass) and jit-compatible.
 *
 * Arguments: `cell` (`rnnCell`, `lstmCell`, `gruCell` or your own `Cell`); options
 * `reverse`, `returnSequences`. Parameters: the cell's.
 *
 * @example
 * const layer = nn.rnn(nn.lstmCell(1, 16));
 * const { params } = layer.init(random.key(0));
 * nn.call(layer, params, np.ones([32, 10, 1])).shape   // [32, 16]
 * @throws LayerInputError when the input is not `[..., T, inputSize]`.
 */
export function rnn<P, C>(cell: Cell<P, C>, { reverse = false, returnSequences = false }: RNNOptions = {}): Module<P, EmptyState> {
  if (typeof cell !== "object" || cell === null || typeof cell.step !== "function" || typeof cell.initialCarry !== "function") {
    throw new TypeError("rnn: expected a cell (nn.rnnCell, nn.lstmCell, nn.gruCell: an object with init, initialCarry and step)");
  }
  const name = `rnn(${cell.name}${reverse ? ", reverse" : ""})`;
  return defineModule<P, EmptyState>({
    name,
    init: (key) => ({ params: cell.init(key).params, state: {} }),
    apply: (params, state, x) => {
      checkInput(name, x, [null, cell.inputSize], { labels: ["T", String(cell.inputSize)], hint: "sequences are [..., time, features]" });
      const steps = x.shape[x.ndim - 2]!;
      if (steps === 0) throw new RangeError(`${name}: the sequence is empty (T = 0); there is no output to return`);
      const xs = np.moveaxis(x, -2, 0);
      const carry0 = cell.initialCarry(x.shape.slice(0, -2));
      const [, ys] = lax.scan((c: C, xt: NDArray) => cell.step(params, c, xt), carry0, xs, { reverse });
      const out = returnSequences ? np.moveaxis(ys, 0, -2) : ys.get(reverse ? 0 : steps - 1);
      return [out, state];
    },
  });
}
