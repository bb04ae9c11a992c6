/**
 * `npm run docs`: builds the documentation site into docs/site/ (ignored by git).
 *
 * 1. figures: docs/figures/ runs gradus and draws SVGs into the staging folder;
 * 2. documents: the guides and other docs, staged for TypeDoc (stage_documents.ts);
 * 3. TypeDoc: the API reference from doc comments plus the documents, warnings as errors;
 * 4. the browser bundle of gradus for the live examples (bundle.ts);
 * 5. docs/site/manifest.json: what was built (pages, documents, figures, bundle size).
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleGradus, bundleLoader } from "./bundle.ts";
import { renderWithTypedoc } from "./api_reference.ts";
import { siteDocuments } from "./documents.ts";
import { ROOT } from "./entry_points.ts";
import { stageDocument } from "./stage_documents.ts";
import { renderFigures } from "../figures/index.ts";

export const SITE = join(ROOT, "docs/site");
/** Per build, so two builds in one checkout (say, two test runs) do not clobber each other's inputs. */
const STAGING = join(ROOT, "docs/.staging", `build-${process.pid}`);

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p).map((g) => `${f}/${g}`) : [f];
  });
}

async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const out = await fn();
  console.log(`docs: ${label} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return out;
}

export async function buildSite(): Promise<void> {
  rmSync(STAGING, { recursive: true, force: true });
  mkdirSync(STAGING, { recursive: true });
  const figures = await timed("figures", () => renderFigures(join(STAGING, "docs/guides/figures")));
  const documents = await timed("documents staged", () => siteDocuments().map((d) => stageDocument(ROOT, d, STAGING)));
  await timed("page script", () => bundleLoader(join(STAGING, "live-loader.js")));
  await timed("TypeDoc", () => renderWithTypedoc({
    out: SITE,
    documents: documents.map((d) => d.staged),
    readme: join(ROOT, "README.md"),
    customJs: join(STAGING, "live-loader.js"),
    customCss: join(ROOT, "docs/live/live.css"),
    preview: process.env.DOCS_PREVIEW === "1",
  }));
  const bundle = await timed("browser bundle", () => bundleGradus(join(SITE, "live")));
  const pages = filesUnder(SITE).filter((f) => f.endsWith(".html")).sort();
  const manifest = {
    pages: pages.length,
    documents: documents.map((d) => ({ source: d.source, title: d.title, group: d.group, live: d.live, figures: d.figures.length })),
    figures,
    bundleBytes: bundle.bytes,
    htmlFiles: pages,
  };
  writeFileSync(join(SITE, "manifest.json"), JSON.stringify(manifest, null, 2));
  rmSync(STAGING, { recursive: true, force: true });
  console.log(`docs: ${pages.length} pages, ${documents.length} documents, ${figures.length} figures, bundle ${(bundle.bytes / 1e6).toFixed(1)} MB → ${relative(ROOT, SITE)}/index.html`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  buildSite().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
