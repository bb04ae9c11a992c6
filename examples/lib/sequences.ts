/** Training windows of a token sequence, for the character-level language models. */
import { np, random, type NDArray } from "../../src/index.ts";

/**
 * A batch of `batch` random windows of `length + 1` tokens from `ids` (int32 [N]): inputs
 * are the first `length` tokens of each window, targets the next ones. A function of the
 * key, so it can run inside a jitted step.
 */
export function windows(ids: NDArray, key: NDArray, batch: number, length: number): { x: NDArray; y: NDArray } {
  const starts = random.randint(key, [batch, 1], 0, ids.shape[0]! - length - 1);
  const idx = starts.add(np.arange(length + 1, undefined, 1, { dtype: "int32" }).reshape([1, -1]));
  const w = np.take(ids, idx);
  return { x: np.slice(w, [0, 0], [batch, length]), y: np.slice(w, [0, 1], [batch, length + 1]) };
}
