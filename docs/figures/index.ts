/**
 * The guides' figures: each is drawn by a function that runs gradus for real (training a
 * network, differentiating a function, printing a jaxpr) and returns SVG. `npm run docs`
 * renders them into the staged docs/guides/figures/; nothing generated is committed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Figure } from "./svg.ts";

/** File name → function drawing it. Modules load lazily, so one failing figure names itself. */
export const FIGURES: Record<string, () => Promise<Figure>> = {
  "activations.svg": async () => (await import("./activations.ts")).activations(),
  "sin-derivatives.svg": async () => (await import("./derivatives.ts")).sinDerivatives(),
  "xor-regions.svg": async () => (await import("./xor.ts")).xorRegions(),
  "digits-samples.svg": async () => (await import("./images.ts")).digitSamples(),
  "digits-curves.svg": async () => (await import("./digits_mlp.ts")).digitsCurves(),
  "losses.svg": async () => (await import("./losses.ts")).lossShapes(),
  "optimizers.svg": async () => (await import("./optimizers.ts")).optimizerRace(),
  "schedules.svg": async () => (await import("./optimizers.ts")).scheduleShapes(),
  "random-histograms.svg": async () => (await import("./random_samples.ts")).samplerHistograms(),
  "attention-map.svg": async () => (await import("./attention.ts")).attentionMap(),
  "jaxpr-fusion.svg": async () => (await import("./jaxpr.ts")).jaxprAndKernels(),
  "roc-curve.svg": async () => (await import("./roc.ts")).rocCurve(),
  "fashion-samples.svg": async () => (await import("./images.ts")).fashionSamples(),
};

/** Renders every figure into `dir`; returns each file's name and render time. */
export async function renderFigures(dir: string): Promise<{ name: string; ms: number }[]> {
  mkdirSync(dir, { recursive: true });
  const done: { name: string; ms: number }[] = [];
  for (const [name, draw] of Object.entries(FIGURES)) {
    const start = performance.now();
    let figure: Figure;
    try { figure = await draw(); } catch (e) { throw new Error(`docs: the figure ${name} failed: ${(e as Error).stack ?? e}`); }
    writeFileSync(join(dir, name), figure.svg);
    done.push({ name, ms: Math.round(performance.now() - start) });
  }
  return done;
}
