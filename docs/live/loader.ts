/**
 * Runs the live examples of a guide page. TypeDoc includes this script (bundled as
 * assets/custom.js) in every page; on a page with live examples it loads the gradus
 * bundle (live/gradus.js, WebGPU when the browser has it, else wasm), runs each example and
 * shows its console output under the code. `window.gradusLive` reports the outcome (the
 * docs browser test reads it).
 */

interface LiveRuntime {
  modules: Record<string, object>;
  scope(): Record<string, unknown>;
  backend(): string;
  runSnippet(js: string, env: {
    scope: Record<string, unknown>;
    importModule: (s: string) => Promise<unknown>;
    console: Pick<Console, "log" | "info" | "warn" | "error" | "table">;
  }): Promise<void>;
}

interface LiveResult { index: number; ok: boolean; backend: string; output: string; ms: number }

interface LiveStatus { done: boolean; results: LiveResult[] }

declare global {
  interface Window { gradusLive?: LiveStatus }
}

const format = (v: unknown): string => (typeof v === "string" ? v : v instanceof Error ? `${v.name}: ${v.message}` : JSON.stringify(v) ?? String(v));

function panelFor(source: HTMLScriptElement, index: number): { status: HTMLElement; output: HTMLElement; button: HTMLButtonElement } {
  const panel = document.createElement("div");
  panel.className = "gradus-live";
  panel.dataset.index = String(index);
  const bar = document.createElement("div");
  bar.className = "gradus-live-bar";
  const status = document.createElement("span");
  status.className = "gradus-live-status";
  status.textContent = "Live example: loading gradus…";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Run again";
  button.disabled = true;
  bar.append(status, button);
  const output = document.createElement("pre");
  output.className = "gradus-live-output";
  panel.append(bar, output);
  source.after(panel);
  return { status, output, button };
}

async function runOne(runtime: LiveRuntime, js: string, index: number, ui: ReturnType<typeof panelFor>): Promise<LiveResult> {
  const lines: string[] = [];
  const record = (...args: unknown[]) => { lines.push(args.map(format).join(" ")); ui.output.textContent = lines.join("\n"); };
  ui.status.textContent = `Live example: running on ${runtime.backend()}…`;
  ui.output.textContent = "";
  const start = performance.now();
  let ok = true;
  try {
    await runtime.runSnippet(js, {
      scope: runtime.scope(),
      importModule: async (s) => {
        const m = runtime.modules[s];
        if (!m) throw new Error(`live examples can import ${Object.keys(runtime.modules).join(", ")}; not ${s}`);
        return m;
      },
      console: { log: record, info: record, warn: record, error: record, table: record },
    });
  } catch (e) {
    ok = false;
    record(e);
    console.error(`live example ${index} failed:`, e);
  }
  const ms = Math.round(performance.now() - start);
  ui.status.textContent = ok ? `Ran in your browser on ${runtime.backend()} in ${ms} ms` : `Failed on ${runtime.backend()} (see the output)`;
  ui.status.classList.toggle("gradus-live-failed", !ok);
  return { index, ok, backend: runtime.backend(), output: lines.join("\n"), ms };
}

async function main(sources: HTMLScriptElement[], bundleUrl: string): Promise<void> {
  const status: LiveStatus = { done: false, results: [] };
  window.gradusLive = status;
  const panels = sources.map(panelFor);
  let runtime: LiveRuntime;
  try {
    runtime = (await import(/* @vite-ignore */ bundleUrl)) as LiveRuntime;
  } catch (e) {
    for (const p of panels) p.status.textContent = `Live example: gradus could not load (${format(e)})`;
    console.error("gradus live examples: the bundle failed to load:", e);
    status.done = true;
    return;
  }
  for (const [i, source] of sources.entries()) {
    const { js } = JSON.parse(source.textContent ?? "{}") as { js: string };
    const ui = panels[i]!;
    status.results[i] = await runOne(runtime, js, i, ui);
    ui.button.disabled = false;
    ui.button.addEventListener("click", async () => {
      ui.button.disabled = true;
      status.results[i] = await runOne(runtime, js, i, ui);
      ui.button.disabled = false;
    });
  }
  status.done = true;
}

const sources = Array.from(document.querySelectorAll<HTMLScriptElement>("script.gradus-live-source"));
if (sources.length) {
  const script = document.currentScript as HTMLScriptElement | null;
  const bundleUrl = new URL("../live/gradus.js", script?.src ?? document.baseURI).href;
  void main(sources, bundleUrl);
}

export {};
