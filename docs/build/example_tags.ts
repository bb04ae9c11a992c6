/**
 * Reads the `@example` blocks of one doc comment the way TypeDoc renders them: a block
 * with no code fence is code as a whole; a block with fences is prose around them, and
 * its ts/js fences are the code.
 */

/** The code of one `@example` block and the comment line it starts on (0-based). */
export interface ExampleCode {
  code: string;
  line: number;
}

/** The comment's lines without the `/**`, `*∕` and leading ` * ` decoration. */
function commentLines(comment: string): string[] {
  const body = comment.replace(/^\/\*\*/, "").replace(/\*\/$/, "");
  return body.split("\n").map((l) => l.replace(/^\s*\* ?/, "").replace(/^\s+(?=@)/, ""));
}

const BLOCK_TAG = /(^|\s)@([a-zA-Z]+)\b/;
const CODE_LANGS = new Set(["", "ts", "typescript", "js", "javascript"]);

/**
 * Splits a comment into its block tags. A tag starts at `@name` preceded by whitespace,
 * outside code fences and inline code (TypeDoc's rule); `{@link}` is inline, not a tag.
 */
function blockTags(lines: string[]): { tag: string; text: string[]; line: number }[] {
  const tags: { tag: string; text: string[]; line: number }[] = [{ tag: "", text: [], line: 0 }];
  let inFence = false;
  lines.forEach((raw, i) => {
    if (/^\s*```/.test(raw)) { inFence = !inFence; tags.at(-1)!.text.push(raw); return; }
    if (inFence) { tags.at(-1)!.text.push(raw); return; }
    let rest = raw;
    for (;;) {
      const masked = rest.replace(/`[^`]*`/g, (s) => " ".repeat(s.length)).replace(/\{@[^}]*\}/g, (s) => " ".repeat(s.length));
      const m = BLOCK_TAG.exec(masked);
      if (!m) break;
      const at = m.index + m[1]!.length;
      if (at > 0) tags.at(-1)!.text.push(rest.slice(0, at).trimEnd());
      tags.push({ tag: m[2]!, text: [], line: i });
      rest = rest.slice(at + 1 + m[2]!.length).replace(/^ /, "");
    }
    tags.at(-1)!.text.push(rest);
  });
  return tags;
}

/** Removes the indentation every non-blank line shares, and blank lines at both ends. */
export function dedent(lines: string[]): string {
  while (lines.length && !lines[0]!.trim()) lines = lines.slice(1);
  while (lines.length && !lines.at(-1)!.trim()) lines = lines.slice(0, -1);
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0).trimEnd()).join("\n");
}

/** The code of every `@example` block in a doc comment (`/** ... *∕` text). */
export function exampleCode(comment: string): ExampleCode[] {
  const out: ExampleCode[] = [];
  for (const { tag, text, line } of blockTags(commentLines(comment))) {
    if (tag !== "example") continue;
    if (!text.some((l) => /^\s*```/.test(l))) {
      const first = text.findIndex((l) => l.trim() !== "");
      out.push({ code: dedent(text), line: line + Math.max(0, first) });
      continue;
    }
    let fence: { lang: string; lines: string[]; line: number } | null = null;
    text.forEach((l, i) => {
      const m = /^\s*```\s*(\S*)/.exec(l);
      if (m && !fence) { fence = { lang: m[1]!.toLowerCase(), lines: [], line: line + i + 1 }; return; }
      if (m && fence) {
        if (CODE_LANGS.has(fence.lang)) out.push({ code: dedent(fence.lines), line: fence.line });
        fence = null;
        return;
      }
      fence?.lines.push(l);
    });
  }
  return out;
}
