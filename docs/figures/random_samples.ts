/** Histograms of gradus's samplers against their densities. */
import { np, random } from "../../src/index.ts";
import { linePlot, type Figure } from "./svg.ts";

function histogram(values: number[], lo: number, hi: number, bins: number): { x: number[]; y: number[] } {
  const counts = new Array<number>(bins).fill(0), w = (hi - lo) / bins;
  for (const v of values) if (v >= lo && v < hi) counts[Math.floor((v - lo) / w)]!++;
  // A step outline: two points per bin.
  const x: number[] = [], y: number[] = [];
  counts.forEach((c, i) => { const d = c / (values.length * w); x.push(lo + i * w, lo + (i + 1) * w); y.push(d, d); });
  return { x, y };
}

export async function samplerHistograms(): Promise<Figure> {
  const key = random.key(0);
  const [k1, k2] = random.split(key);
  const normal = await random.normal(k1!, [20000]).toArrayAsync() as number[];
  const trunc = await random.truncatedNormal(k2!, -1, 2, [20000]).toArrayAsync() as number[];
  const xs = await np.linspace(-4, 4, 161).toArrayAsync() as number[];
  const density = xs.map((x) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI));
  const h1 = histogram(normal, -4, 4, 40), h2 = histogram(trunc, -4, 4, 40);
  return linePlot({
    title: "20,000 samples: random.normal and random.truncatedNormal(−1, 2)",
    xLabel: "x", yLabel: "density", width: 640, height: 320,
    series: [
      { label: "normal (histogram)", ...h1 },
      { label: "truncatedNormal (histogram)", ...h2 },
      { label: "N(0, 1) density", x: xs, y: density, dashed: true, color: "#000" },
    ],
  });
}
