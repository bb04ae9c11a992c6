/**
 * Flags shared by the examples: `--quick` (tiny settings, for the smoke tests), `--out`
 * (where files go, default examples/output) and `--backend`; plus each example's own
 * numeric or string flags, read with defaults for full and quick runs.
 */
import { parseArgs } from "node:util";
import { setBackend, type BackendName } from "../../src/index.ts";

/** The parsed flags of an example. */
export interface ExampleArgs {
  quick: boolean;
  out: string;
  /** A numeric flag `--name v`: its value, else `full` (or `quick` in a quick run). */
  number(name: string, full: number, quick?: number): number;
  /** A string flag `--name v`: its value, else `fallback`. */
  string(name: string, fallback: string): string;
}

/** Parses `--quick`, `--out`, `--backend` and the example's own flags (all strings), and selects the backend. */
export async function exampleArgs(flags: string[] = []): Promise<ExampleArgs> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string", default: "examples/output" },
      backend: { type: "string" },
      ...Object.fromEntries(flags.map((f) => [f, { type: "string" as const }])),
    },
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (typeof v.backend === "string") await setBackend(v.backend as BackendName);
  const quick = v.quick === true;
  return {
    quick,
    out: String(v.out),
    number: (name, full, quickValue = full) => (typeof v[name] === "string" ? Number(v[name]) : quick ? quickValue : full),
    string: (name, fallback) => (typeof v[name] === "string" ? (v[name] as string) : fallback),
  };
}
