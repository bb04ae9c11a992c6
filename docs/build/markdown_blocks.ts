/**
 * The code blocks of a markdown document and the HTML-comment directives written right
 * before them (invisible in the rendered page):
 *
 * - `<!-- live -->`: the block also runs in the reader's browser (it must be standalone);
 * - `<!-- no-run -->`: the block is shown but not run by the tests (counted and reported);
 * - `<!-- test: epochs=1, size=64 -->`: when the tests run the block, these `const`/`let`
 *   declarations get the small values instead, so the guide can show real sizes.
 */

/** One fenced code block. `start`/`end` are line indices of its fences (0-based). */
export interface CodeBlock {
  lang: string;
  code: string;
  start: number;
  end: number;
  live: boolean;
  noRun: boolean;
  overrides: Record<string, string>;
}

/** Languages whose blocks are TypeScript to run. */
export const RUNNABLE = new Set(["ts", "typescript", "js", "javascript"]);

function parseOverrides(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_$][\w$]*)\s*=\s*(.+)$/.exec(part);
    if (!m) throw new Error(`${where}: bad test override "${part}"; write <!-- test: name=value, ... -->`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** The fenced code blocks of `markdown`, in order, with their directives. */
export function codeBlocks(markdown: string, where = "markdown"): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  let pending = { live: false, noRun: false, overrides: {} as Record<string, string> };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const directive = /^\s*<!--\s*(live|no-run|test:(.*?))\s*-->\s*$/.exec(line);
    if (directive) {
      if (directive[1] === "live") pending.live = true;
      else if (directive[1] === "no-run") pending.noRun = true;
      else Object.assign(pending.overrides, parseOverrides(directive[2]!, `${where}:${i + 1}`));
      continue;
    }
    const open = /^(\s*)(`{3,})\s*([\w-]*)/.exec(line);
    if (!open) {
      if (line.trim()) pending = { live: false, noRun: false, overrides: {} };
      continue;
    }
    const fence = open[2]!;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) j++;
    if (j >= lines.length) throw new Error(`${where}:${i + 1}: code block never closed`);
    blocks.push({ lang: open[3]!.toLowerCase(), code: lines.slice(i + 1, j).join("\n"), start: i, end: j, ...pending });
    pending = { live: false, noRun: false, overrides: {} };
    i = j;
  }
  return blocks;
}

/**
 * Applies a block's test overrides: `const name = ...;` → `const name = value;` (also the
 * second name of `const a = 1, name = 2;`). The value ends at a comma, semicolon or newline.
 */
export function applyOverrides(block: CodeBlock, where: string): string {
  let code = block.code;
  for (const [name, value] of Object.entries(block.overrides)) {
    const decl = new RegExp(`((?:(?:const|let)\\s+|,\\s*)${name}\\s*(?::[^=,]+)?=\\s*)([^,;\\n]+)`);
    if (!decl.test(code)) throw new Error(`${where}: the test override ${name}=${value} matches no \`const ${name} = ...\` in its block`);
    code = code.replace(decl, (_m, head: string) => `${head}${value}`);
  }
  return code;
}
