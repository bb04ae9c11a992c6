/**
 * Opening pages of the built site in Debian's chromium (playwright-core, no downloaded
 * browser) and collecting what went wrong: console errors, uncaught exceptions, failed
 * requests. WebGPU is enabled; on a machine without a GPU chromium runs it on SwiftShader.
 */
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update"];

/** Launches chromium; without `webgpu` the page sees `navigator.gpu` but gets no adapter. */
export async function launchBrowser({ webgpu = true } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: webgpu ? [...ARGS, "--enable-unsafe-webgpu"] : ARGS });
}

/** A page and the problems it reports while open. */
export interface WatchedPage { page: Page; problems: string[] }

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()} (${m.location().url})`); });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  return { page, problems };
}
