/**
 * The markdown documents of the site, in navigation order: the guides (docs/guides, one
 * per step of the curriculum, named `NN-topic.md`) and the other documents of docs/.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./entry_points.ts";

/** A document: its source file (repository-relative) and the navigation group it belongs to. */
export interface SiteDocument {
  file: string;
  group: "Guides" | "Reference" | "Internals";
}

/** The guides, in curriculum order. */
export function guideFiles(): string[] {
  return readdirSync(join(ROOT, "docs/guides")).filter((f) => /^\d\d-[\w-]+\.md$/.test(f)).sort().map((f) => `docs/guides/${f}`);
}

/** Other documents rendered into the site (those that exist). */
const OTHERS: SiteDocument[] = [
  { file: "docs/nn.md", group: "Reference" },
  { file: "docs/testing.md", group: "Reference" },
  { file: "docs/writing-docs.md", group: "Internals" },
  { file: "docs/architecture.md", group: "Internals" },
  { file: "docs/contributing-internals.md", group: "Internals" },
];

/** Every document of the site, guides first. */
export function siteDocuments(): SiteDocument[] {
  const present = new Set(readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`));
  return [...guideFiles().map((file) => ({ file, group: "Guides" as const })), ...OTHERS.filter((d) => present.has(d.file))];
}
