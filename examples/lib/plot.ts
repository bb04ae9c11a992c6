/** A small SVG line chart for the examples (no dependencies): curves, axes, ticks, a legend. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** One curve: a name for the legend and its points. */
export interface Series { name: string; x: number[]; y: number[] }

/** What to draw. */
export interface ChartOptions {
  title: string;
  series: Series[];
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (for loss curves). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(3))));

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** An SVG document with the curves of `series`. */
export function lineChart({ title, series, xLabel = "", yLabel = "", logY = false, width = 720, height = 440 }: ChartOptions): string {
  const m = { left: 64, right: 160, top: 40, bottom: 48 };
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  const ty = (v: number) => (logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y.filter(Number.isFinite).map(ty));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const px = (v: number) => m.left + ((v - x0) / (x1 - x0 || 1)) * w;
  const py = (v: number) => m.top + h - ((ty(v) - y0) / (y1 - y0)) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left + w / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`,
  ];
  for (const t of ticks(x0, x1)) parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${m.top + h}" y2="${m.top + h + 5}" stroke="#333"/><text x="${px(t)}" y="${m.top + h + 18}" text-anchor="middle">${fmt(t)}</text>`);
  const yt = logY ? ticks(Math.floor(y0), Math.ceil(y1)).filter((t) => Number.isInteger(t) && t >= y0 - 1e-9 && t <= y1 + 1e-9) : ticks(y0, y1);
  for (const t of yt) {
    const y = m.top + h - ((t - y0) / (y1 - y0)) * h;
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${fmt(logY ? 10 ** t : t)}</text>`);
  }
  if (!logY && y0 < 0 && y1 > 0) parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${py(0)}" y2="${py(0)}" stroke="#999"/>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const d = s.x.map((x, k) => (Number.isFinite(s.y[k]) ? `${px(x).toFixed(1)},${py(s.y[k]!).toFixed(1)}` : "")).filter(Boolean).join(" ");
    parts.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<line x1="${m.left + w + 12}" x2="${m.left + w + 36}" y1="${m.top + 12 + 20 * i}" y2="${m.top + 12 + 20 * i}" stroke="${color}" stroke-width="3"/><text x="${m.left + w + 42}" y="${m.top + 16 + 20 * i}">${escape(s.name)}</text>`);
  });
  parts.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}

/** Writes a chart to `path` (creating its directory) and says where. */
export function saveChart(path: string, options: ChartOptions): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lineChart(options));
  console.log(`wrote ${path}`);
}
