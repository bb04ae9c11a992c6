/**
 * Checks the internal links of a built site without a browser: every `href`/`src` that
 * points inside the site must name an existing file, and a `#fragment` must name an
 * element id (or anchor name) of that page.
 */
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** A broken link: the page it is on and the target as written. */
export interface BrokenLink { page: string; target: string; why: string }

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? htmlFiles(p) : f.endsWith(".html") ? [p] : [];
  });
}

const idsCache = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let ids = idsCache.get(file);
  if (!ids) {
    const html = readFileSync(file, "utf8");
    ids = new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]!));
    idsCache.set(file, ids);
  }
  return ids;
}

/** Every internal link of the site under `dir` that leads nowhere; also how many were checked. */
export function checkLinks(dir: string): { checked: number; pages: number; broken: BrokenLink[] } {
  const broken: BrokenLink[] = [];
  const pages = htmlFiles(dir);
  let checked = 0;
  for (const page of pages) {
    const html = readFileSync(page, "utf8");
    for (const m of html.matchAll(/\s(href|src)="([^"]*)"/g)) {
      const target = m[2]!.replace(/&amp;/g, "&");
      if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(target)) continue; // external (https:, mailto:, data:)
      checked++;
      const [pathPart, fragment] = target.split("#", 2) as [string, string | undefined];
      const file = pathPart ? normalize(join(dirname(page), decodeURIComponent(pathPart.split("?")[0]!))) : page;
      const rel = relative(dir, page);
      if (!file.startsWith(normalize(dir))) { broken.push({ page: rel, target, why: "leaves the site" }); continue; }
      if (!existsSync(file)) { broken.push({ page: rel, target, why: "no such file" }); continue; }
      if (fragment && file.endsWith(".html") && !idsOf(file).has(decodeURIComponent(fragment))) {
        broken.push({ page: rel, target, why: `no element with id "${fragment}"` });
      }
    }
  }
  return { checked, pages: pages.length, broken };
}
