/**
 * The package's public entry points (package.json `exports`), as the docs see them: the
 * module name a reader imports and the source file behind it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository root (two folders above this file). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One entry point: `name` as imported ("gradus/nn") and its source file (absolute). */
export interface EntryPoint {
  name: string;
  file: string;
}

/** The entry points listed in package.json `exports`, in that order. */
export function entryPoints(): EntryPoint[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; exports: Record<string, string> };
  return Object.entries(pkg.exports).map(([sub, file]) => ({
    name: sub === "." ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, "")}`,
    file: join(ROOT, file),
  }));
}
