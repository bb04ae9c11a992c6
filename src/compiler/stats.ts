/** Counting the kernels a computation launches: tfjs kernels plus gradus's generated ones. */
import { tf } from "../backend/index.ts";
import { executorStats } from "./executor.ts";

/**
 * Runs `fn` and counts the kernels it launched: every tfjs kernel dispatch (through the
 * engine) plus every generated fused kernel. Counted, not estimated.
 *
 * @example
 * const { result, kernels } = countKernels(() => f(x));
 */
export function countKernels<T>(fn: () => T): { result: T; kernels: number; names: string[] } {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  const names: string[] = [];
  engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
    names.push(name);
    return original.call(this, name, ...rest);
  };
  const fusedBefore = executorStats.fusedLaunches;
  try {
    const result = fn();
    const fused = executorStats.fusedLaunches - fusedBefore;
    for (let i = 0; i < fused; i++) names.push("fused");
    return { result, kernels: names.length, names };
  } finally {
    engine.runKernel = original;
  }
}
