/**
 * Prepares the markdown documents for TypeDoc: adds the front matter it reads (title from
 * the first heading, navigation group), removes the test directives, and after each live
 * block embeds its code, transpiled, for the page script (docs/live/loader.ts) to run.
 * Figures referenced as `figures/name.svg` must exist in the staged figures folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { codeBlocks, RUNNABLE } from "./markdown_blocks.ts";
import { prepareSnippet } from "./snippet.ts";
import type { SiteDocument } from "./documents.ts";

/** A staged document: where it went and what it holds. */
export interface StagedDocument { source: string; staged: string; title: string; group: string; live: number; figures: string[] }

/** `<script type="application/json">` content that cannot close the script element early. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

/** Stages `doc` (repository-relative) under `stagingRoot`, keeping its relative path so links between documents still resolve. */
export function stageDocument(root: string, doc: SiteDocument, stagingRoot: string): StagedDocument {
  const markdown = readFileSync(join(root, doc.file), "utf8");
  const lines = markdown.split("\n");
  const heading = lines.find((l) => /^# /.test(l));
  if (!heading) throw new Error(`${doc.file}: a document needs a "# Title" line`);
  const title = heading.slice(2).trim();

  const after = new Map<number, string>();
  let live = 0;
  for (const block of codeBlocks(markdown, doc.file)) {
    if (!block.live) continue;
    if (!RUNNABLE.has(block.lang)) throw new Error(`${doc.file}:${block.start + 1}: only TypeScript blocks can be live`);
    const { js } = prepareSnippet(block.code, `${doc.file}:${block.start + 1}`);
    after.set(block.end, `\n<script type="application/json" class="gradus-live-source">${scriptJson({ js })}</script>\n`);
    live++;
  }
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (/^\s*<!--\s*(live|no-run|test:.*?|requires:.*?)\s*-->\s*$/.test(line)) return;
    out.push(line);
    const extra = after.get(i);
    if (extra) out.push(extra);
  });

  // Figure references in the text (not in code blocks or inline code).
  const prose = markdown.replace(/^(\s*)(`{3,})[\s\S]*?^\1\2/gm, "").replace(/`[^`\n]*`/g, "");
  const figures = [...prose.matchAll(/\]\((figures\/[\w.-]+\.svg)\)/g)].map((m) => m[1]!);
  const staged = join(stagingRoot, doc.file);
  for (const f of figures) {
    if (!existsSync(join(dirname(staged), f))) throw new Error(`${doc.file}: the figure ${f} was not generated (see docs/figures/index.ts)`);
  }
  const frontMatter = `---\ntitle: ${JSON.stringify(title)}\ngroup: ${doc.group}\n---\n`;
  mkdirSync(dirname(staged), { recursive: true });
  writeFileSync(staged, frontMatter + out.join("\n"));
  return { source: doc.file, staged, title, group: doc.group, live, figures };
}
