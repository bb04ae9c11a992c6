import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";

/** Feeds lines to `npm run repl`'s entry point through stdin and returns what it printed. */
function runRepl(lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/repl/main.ts"], {
      env: { ...process.env, GRADUS_BACKEND: "cpu" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.on("error", reject);
    child.on("close", () => resolve(out));
    child.stdin.end(lines.join("\n") + "\n.exit\n");
  });
}

describe("REPL", () => {
  test("evaluates TypeScript with gradus in scope, prints arrays like NumPy, supports top-level await", async () => {
    const out = await runRepl([
      "const x: NDArray = np.array([[1, 2], [3, 4]]);",
      "x.matmul(x)",
      "await x.sum().itemAsync()",
      "function twice(a: NDArray): NDArray {",
      "  return a.mul(2);",
      "}",
      "twice(np.arange(3)).toString()",
      "typeof random.uniform",
      "tree.leaves({ a: 1, b: [2, 3] })",
    ]);
    expect(out).toContain("Array([[ 7., 10.],\n       [15., 22.]], dtype=float32)");
    expect(out).toContain("10");
    expect(out).toContain("'[0 2 4]'");
    expect(out).toContain("'function'");
    expect(out).toContain("[ 1, 2, 3 ]");
    expect(out).not.toMatch(/SyntaxError|ReferenceError|TypeError/);
  }, 60_000);

  test("errors are reported and the session goes on", async () => {
    const out = await runRepl(["np.ones([2]).add(np.ones([3]))", "1 + 1"]);
    expect(out).toMatch(/cannot broadcast shapes/);
    expect(out).toContain("2");
  }, 60_000);
});
