/** Installs the NDArray methods, which forward to np. */
import { methods, type NDArray } from "../array.ts";
import * as M from "./math.ts";
import * as R from "./reductions.ts";
import * as S from "./shaping.ts";
import { matmul } from "./linalg.ts";
import { cast, checkDtype } from "./promote.ts";
import { getItem } from "./indexing.ts";

const compares = { equal: M.equal, notEqual: M.notEqual, less: M.less, lessEqual: M.lessEqual, greater: M.greater, greaterEqual: M.greaterEqual };
const unaries = { exp: M.exp, log: M.log, sqrt: M.sqrt, abs: M.abs, square: M.square, tanh: M.tanh };

Object.assign(methods, {
  add: M.add, sub: M.subtract, mul: M.multiply, div: M.divide, pow: M.power, neg: M.negative, matmul,
  sum: R.sum, mean: R.mean, max: R.max, min: R.min,
  reshape: S.reshape, transpose: S.transpose,
  astype: (x: NDArray, dtype: string) => cast(x, checkDtype(dtype)),
  get: getItem,
  compare: (x: NDArray, y: never, op: keyof typeof compares) => compares[op](x, y),
  unary: (x: NDArray, op: keyof typeof unaries) => unaries[op](x),
});
