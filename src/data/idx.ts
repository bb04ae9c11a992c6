/** The idx file format of MNIST and Fashion-MNIST (big-endian header, then raw bytes). @internal */
import * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";
import { PathReporter } from "io-ts/lib/PathReporter.js";

const Positive = t.brand(t.Int, (n): n is t.Branded<t.Int, { readonly Positive: unique symbol }> => n > 0, "Positive");

/** An idx header: two zero bytes, the element type (0x08: unsigned bytes), the rank, the sizes. */
export const IdxHeader = t.type({
  zero: t.literal(0),
  dtype: t.literal(0x08),
  dims: t.array(Positive),
});

/** An idx file's contents: the sizes and the data bytes (unsigned 8-bit). */
export interface Idx { dims: number[]; data: Uint8Array }

/**
 * Parses an (already gunzipped) idx file of unsigned bytes with `rank` dimensions.
 * @throws Error naming the file if the header is not one, or the data is short.
 */
export function parseIdx(bytes: Uint8Array, rank: number, source: string): Idx {
  if (bytes.length < 4 + 4 * rank) throw new Error(`${source}: too short (${bytes.length} bytes) for an idx file of rank ${rank}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = {
    zero: view.getUint16(0),
    dtype: view.getUint8(2),
    dims: Array.from({ length: view.getUint8(3) }, (_, i) => (4 + 4 * i + 4 <= bytes.length ? view.getUint32(4 + 4 * i) : -1)),
  };
  const header = IdxHeader.decode(raw);
  if (isLeft(header)) throw new Error(`${source}: not an idx file of unsigned bytes: ${PathReporter.report(header).join("; ")}`);
  const { dims } = header.right;
  if (dims.length !== rank) throw new Error(`${source}: expected an idx file of rank ${rank}; this one has rank ${dims.length} (sizes ${dims.join("×")})`);
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - offset !== size) throw new Error(`${source}: the header promises ${size} bytes of data (${dims.join("×")}); the file holds ${bytes.length - offset}`);
  return { dims, data: bytes.subarray(offset) };
}
