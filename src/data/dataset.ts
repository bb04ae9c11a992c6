/** What the loaders return, and the typed-array plumbing they share. @internal */
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import type { NDArray } from "../array.ts";
import { fromFlat } from "../core/constant.ts";

/**
 * A labelled dataset: inputs `x` (first axis: examples) and labels `y` (int32).
 * @example const { x, y }: Dataset = loadDigits();
 */
export interface Dataset {
  /** Inputs, float32, one example per row of the first axis. */
  x: NDArray;
  /** Labels, int32, one per example. */
  y: NDArray;
}

/** A float32 array from a typed buffer. */
export const floats = (values: Float32Array, shape: number[]): NDArray => fromFlat(values, shape, "float32");
/** An int32 array from a typed buffer. */
export const ints = (values: Int32Array, shape: number[]): NDArray => fromFlat(values, shape, "int32");

/** The text of a gzipped asset shipped next to this module. */
export function readGzipAsset(name: string): string {
  return gunzipSync(readFileSync(new URL(`./assets/${name}`, import.meta.url))).toString("utf8");
}

/** Parses CSV lines of numbers; the error names the line and column that is not a number. */
export function parseNumericRows(lines: string[], source: string, firstLine = 1): number[][] {
  return lines.map((line, i) => line.split(",").map((cell, j) => {
    const v = Number(cell);
    if (cell.trim() === "" || !Number.isFinite(v)) throw new Error(`${source}: line ${i + firstLine}, column ${j + 1}: expected a number, got ${JSON.stringify(cell)}`);
    return v;
  }));
}
