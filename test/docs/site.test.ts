/**
 * The documentation site, end to end: `npm run docs` builds it (TypeDoc with warnings as
 * errors, figures from real gradus runs, the browser bundle); every internal link of every
 * page must resolve; then Debian's chromium opens the index, a guide and an API page, which
 * must log no errors, and the guide's live example must run in the page on WebGPU
 * (SwiftShader without a GPU), as must every other live example; without a WebGPU adapter
 * the page falls back to wasm. Screenshots go to test-artifacts/docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { checkLinks } from "../../docs/build/check_links.ts";
import { ROOT } from "../../docs/build/entry_points.ts";
import { serveSite, type SiteServer } from "../../docs/build/serve.ts";
import { CHROMIUM, launchBrowser, openPage } from "./browser.ts";

const SITE = join(ROOT, "docs/site");
const SHOTS = join(ROOT, "test-artifacts/docs/screenshots");
const report: Record<string, unknown> = {};

/** Runs `npm run docs`; resolves with its output, rejects with it when the build fails. */
function buildDocs(): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn("npm", ["run", "docs"], { cwd: ROOT, env: { ...process.env, DOCS_PREVIEW: "" } });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.on("close", (code) => (code === 0 ? ok(out) : fail(new Error(`npm run docs failed (exit ${code}):\n${out.slice(-6000)}`))));
  });
}

let server: SiteServer;
let browser: Browser;

beforeAll(async () => {
  const start = performance.now();
  const out = await buildDocs();
  report.buildSeconds = Math.round((performance.now() - start) / 100) / 10;
  report.buildLog = out.split("\n").filter((l) => l.startsWith("docs:"));
  server = await serveSite(SITE);
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  mkdirSync(join(ROOT, "test-artifacts/docs"), { recursive: true });
  writeFileSync(join(ROOT, "test-artifacts/docs/site.json"), JSON.stringify(report, null, 2));
});

describe("the documentation site", () => {
  test("npm run docs built the reference, the guides and the bundle", () => {
    const manifest = JSON.parse(readFileSync(join(SITE, "manifest.json"), "utf8"));
    report.pages = manifest.pages;
    report.documents = manifest.documents.map((d: { title: string }) => d.title);
    report.figures = manifest.figures.length;
    expect(manifest.documents.filter((d: { group: string }) => d.group === "Guides").length).toBeGreaterThan(0);
    for (const f of ["index.html", "modules.html", "live/gradus.js", "live/tfjs-backend-wasm.wasm", "assets/custom.js"]) {
      expect(existsSync(join(SITE, f)), f).toBe(true);
    }
  });

  test("no broken internal links", () => {
    const { checked, pages, broken } = checkLinks(SITE);
    report.links = { checked, pages, broken: broken.length };
    expect(broken.slice(0, 20), `${broken.length} broken links`).toEqual([]);
  });

  test.runIf(existsSync(CHROMIUM))("index, guide and API pages load without errors; the live example runs on WebGPU", async () => {
    const pages = {
      index: "index.html",
      guide: "documents/Getting_started.html",
      api: "functions/gradus.grad.html",
    };
    const screenshots: string[] = [];
    for (const [name, path] of Object.entries(pages)) {
      const { page, problems } = await openPage(browser, server.url + path);
      if (name === "guide") {
        await page.waitForFunction(() => window.gradusLive?.done === true, null, { timeout: 180_000 });
        const live = await page.evaluate(() => window.gradusLive!.results);
        report.live = live;
        expect(live.length).toBeGreaterThan(0);
        for (const r of live) {
          expect(r.ok, r.output).toBe(true);
          expect(r.backend).toBe("webgpu");
        }
        await page.locator(".gradus-live").first().scrollIntoViewIfNeeded();
      }
      const internal = await page.evaluate(() => Array.from(document.querySelectorAll("a[href]")).map((a) => (a as HTMLAnchorElement).href).filter((h) => h.startsWith(location.origin)));
      const file = join(SHOTS, `${name}.png`);
      await page.screenshot({ path: file });
      screenshots.push(file);
      await page.close();
      expect(problems, `${path}`).toEqual([]);
      expect(internal.length, `${path} has internal links`).toBeGreaterThan(0);
    }
    report.screenshots = screenshots;
    expect(server.notFound).toEqual([]);
  }, 300_000);

  test.runIf(existsSync(CHROMIUM))("every live example of every guide runs in the browser", async () => {
    const dir = join(SITE, "documents");
    const pages = readdirSync(dir).filter((f) => readFileSync(join(dir, f), "utf8").includes("gradus-live-source"));
    const outcomes: Record<string, unknown> = {};
    for (const file of pages) {
      const { page, problems } = await openPage(browser, `${server.url}documents/${file}`);
      await page.waitForFunction(() => window.gradusLive?.done === true, null, { timeout: 180_000 });
      const results = await page.evaluate(() => window.gradusLive!.results);
      outcomes[file] = results.map((r) => ({ ok: r.ok, backend: r.backend, ms: r.ms }));
      await page.close();
      for (const r of results) expect(r.ok, `${file}: ${r.output}`).toBe(true);
      expect(problems, file).toEqual([]);
    }
    report.livePages = outcomes;
    expect(pages.length).toBeGreaterThan(0);
  }, 300_000);

  test.runIf(existsSync(CHROMIUM))("without a WebGPU adapter the live example falls back to wasm", async () => {
    const noGpu = await launchBrowser({ webgpu: false });
    try {
      const { page, problems } = await openPage(noGpu, `${server.url}documents/Getting_started.html`);
      await page.waitForFunction(() => window.gradusLive?.done === true, null, { timeout: 120_000 });
      const results = await page.evaluate(() => window.gradusLive!.results);
      report.liveWithoutWebgpu = results.map((r) => ({ ok: r.ok, backend: r.backend }));
      for (const r of results) {
        expect(r.ok, r.output).toBe(true);
        expect(r.backend).toBe("wasm");
      }
      expect(problems).toEqual([]);
    } finally {
      await noGpu.close();
    }
  }, 180_000);
});
