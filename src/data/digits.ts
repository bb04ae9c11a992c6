/** The 8×8 handwritten digits, embedded in the package. */
import { parseNumericRows, readGzipAsset, floats, ints, type Dataset } from "./dataset.ts";

let cache: { x: Float32Array; y: Int32Array } | null = null;

/**
 * The optical-recognition handwritten digits (UCI, E. Alpaydin and C. Kaynak, 1998; the
 * copy scikit-learn ships as `load_digits`): 1797 images of 8×8 pixels with integer
 * values 0..16, and their labels 0..9. Embedded in the package, so it needs no download.
 *
 * @returns `x`: float32 [1797, 64] (row-major 8×8 images, pixels 0..16); `y`: int32 [1797].
 * @example
 * const { x, y } = loadDigits();
 * x.shape   // [1797, 64]
 * const images = x.div(16).reshape([-1, 8, 8, 1]);   // NHWC in [0, 1] for a conv net
 */
export function loadDigits(): Dataset {
  if (!cache) {
    const lines = readGzipAsset("digits.csv.gz").split("\n").filter((l) => l.trim() !== "");
    const rows = parseNumericRows(lines, "digits.csv.gz");
    const x = new Float32Array(rows.length * 64), y = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      if (r.length !== 65) throw new Error(`digits.csv.gz: line ${i + 1} has ${r.length} columns; expected 64 pixels and a label`);
      x.set(r.slice(0, 64), i * 64);
      y[i] = r[64]!;
    });
    cache = { x, y };
  }
  return { x: floats(cache.x, [cache.y.length, 64]), y: ints(cache.y, [cache.y.length]) };
}
