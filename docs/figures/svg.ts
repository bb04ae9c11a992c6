/**
 * A small SVG vocabulary for the guides' figures: line plots, heatmaps, decision regions,
 * image grids and code panels. Every figure is a string of standalone SVG; `sideBySide`
 * places several in one picture.
 */

/** A rendered figure and its size. */
export interface Figure { svg: string; width: number; height: number }

/** Colours for series, readable on white and by colour-blind readers (Okabe–Ito). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

export const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

function wrap(width: number, height: number, body: string, title?: string): Figure {
  const head = title ? `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>` : "";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`
    + `<rect width="${width}" height="${height}" fill="#fff"/>${head}${body}</svg>`;
  return { svg, width, height };
}

/** Round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmtTick = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4))));

/** A plotting area: data → pixel maps, axes and grid lines. */
function axes(o: { width: number; height: number; x: [number, number]; y: [number, number]; xLabel?: string; yLabel?: string; logY?: boolean; top?: number }) {
  const m = { l: 58, r: 16, t: o.top ?? 32, b: 44 };
  const w = o.width - m.l - m.r, h = o.height - m.t - m.b;
  const fy = (v: number) => (o.logY ? Math.log10(v) : v);
  const [y0, y1] = [fy(o.y[0]), fy(o.y[1])];
  const px = (v: number) => m.l + ((v - o.x[0]) / (o.x[1] - o.x[0] || 1)) * w;
  const py = (v: number) => m.t + h - ((fy(v) - y0) / (y1 - y0 || 1)) * h;
  const xt = ticks(o.x[0], o.x[1]);
  const yt = o.logY ? ticks(y0, y1).filter(Number.isInteger).map((e) => 10 ** e) : ticks(o.y[0], o.y[1]);
  let g = `<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#999"/>`;
  for (const v of xt) g += `<line x1="${num(px(v))}" y1="${m.t}" x2="${num(px(v))}" y2="${m.t + h}" stroke="#eee"/><text x="${num(px(v))}" y="${m.t + h + 16}" text-anchor="middle" fill="#444">${fmtTick(v)}</text>`;
  for (const v of yt) g += `<line x1="${m.l}" y1="${num(py(v))}" x2="${m.l + w}" y2="${num(py(v))}" stroke="#eee"/><text x="${m.l - 6}" y="${num(py(v) + 4)}" text-anchor="end" fill="#444">${fmtTick(v)}</text>`;
  if (o.xLabel) g += `<text x="${m.l + w / 2}" y="${o.height - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`;
  if (o.yLabel) g += `<text transform="translate(14 ${m.t + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`;
  return { g, px, py, m, w, h };
}

/** One line of a plot. */
export interface Series { label: string; x: number[]; y: number[]; color?: string; dashed?: boolean; points?: boolean }

const extent = (vs: number[]): [number, number] => {
  const finite = vs.filter(Number.isFinite);
  return [Math.min(...finite), Math.max(...finite)];
};

/** Lines (with an optional y range and log scale) and a legend. */
export function linePlot(o: { title?: string; series: Series[]; xLabel?: string; yLabel?: string; width?: number; height?: number; yRange?: [number, number]; logY?: boolean; legend?: "top-left" | "bottom-right" }): Figure {
  const width = o.width ?? 640, height = o.height ?? 360;
  const x = extent(o.series.flatMap((s) => s.x));
  const y = o.yRange ?? extent(o.series.flatMap((s) => s.y));
  const a = axes({ width, height, x, y, xLabel: o.xLabel, yLabel: o.yLabel, logY: o.logY, top: o.title ? 32 : 12 });
  let body = a.g + `<clipPath id="plot-area"><rect x="${a.m.l}" y="${a.m.t}" width="${a.w}" height="${a.h}"/></clipPath><g clip-path="url(#plot-area)">`;
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.x.map((xv, k) => [xv, s.y[k]!] as const).filter(([, yv]) => Number.isFinite(yv) && (!o.logY || yv > 0));
    if (s.points) for (const [xv, yv] of pts) body += `<circle cx="${num(a.px(xv))}" cy="${num(a.py(yv))}" r="3" fill="${color}"/>`;
    else body += `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts.map(([xv, yv]) => `${num(a.px(xv))},${num(a.py(yv))}`).join(" ")}"/>`;
  });
  body += "</g>";
  // A light box behind the legend keeps it readable over the lines.
  const legendW = 36 + 7 * Math.max(...o.series.map((s) => s.label.length)), legendH = o.series.length * 16 + 6;
  const bottomRight = o.legend === "bottom-right";
  const legendX = bottomRight ? a.m.l + a.w - legendW - 4 : a.m.l + 10;
  const legendY = bottomRight ? a.m.t + a.h - legendH - 6 : a.m.t + 3;
  body += `<rect x="${num(legendX - 6)}" y="${num(legendY)}" width="${num(legendW)}" height="${legendH}" rx="3" fill="#fff" fill-opacity="0.85" stroke="#ddd"/>`;
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!, yy = legendY + 11 + i * 16;
    body += `<line x1="${legendX}" y1="${yy - 4}" x2="${legendX + 18}" y2="${yy - 4}" stroke="${color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/><text x="${legendX + 24}" y="${yy}">${escapeXml(s.label)}</text>`;
  });
  return wrap(width, height, body, o.title);
}

/** A diverging/sequential colour for t in [0, 1] (white → blue, or blue ↔ orange with `diverging`). */
export function colour(t: number, diverging = false): string {
  const c = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const mix = (a: number[], b: number[], u: number) => a.map((v, i) => Math.round(v + (b[i]! - v) * u));
  const rgb = diverging
    ? (c < 0.5 ? mix([0, 114, 178], [255, 255, 255], c * 2) : mix([255, 255, 255], [213, 94, 0], (c - 0.5) * 2))
    : mix([255, 255, 255], [0, 60, 140], c);
  return `rgb(${rgb.join(",")})`;
}

/** A matrix as coloured cells, with optional row/column labels. */
export function heatmap(o: { title?: string; values: number[][]; rowLabels?: string[]; colLabels?: string[]; cell?: number; xLabel?: string; yLabel?: string }): Figure {
  const rows = o.values.length, cols = o.values[0]?.length ?? 0, cell = o.cell ?? 22;
  const left = o.rowLabels ? 70 : 40, top = o.title ? 40 : 16;
  const width = left + cols * cell + 16, height = top + rows * cell + (o.colLabels ? 60 : 30);
  const [lo, hi] = extent(o.values.flat());
  let body = "";
  o.values.forEach((row, i) => row.forEach((v, j) => {
    body += `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${colour((v - lo) / (hi - lo || 1))}"><title>${escapeXml(`${o.rowLabels?.[i] ?? i}, ${o.colLabels?.[j] ?? j}: ${v.toFixed(3)}`)}</title></rect>`;
  }));
  o.rowLabels?.forEach((l, i) => { body += `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(l)}</text>`; });
  o.colLabels?.forEach((l, j) => { body += `<text transform="translate(${left + j * cell + cell / 2 + 4} ${top + rows * cell + 8}) rotate(60)">${escapeXml(l)}</text>`; });
  if (o.xLabel) body += `<text x="${left + (cols * cell) / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`;
  if (o.yLabel) body += `<text transform="translate(14 ${top + (rows * cell) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`;
  return wrap(width, height, body, o.title);
}

/** A classifier's probability over a 2-D grid, with labelled points on top. */
export function decisionRegions(o: { title?: string; grid: number[][]; x: [number, number]; y: [number, number]; points: { x: number; y: number; label: number }[]; size?: number }): Figure {
  const size = o.size ?? 300;
  const a = axes({ width: size + 74, height: size + 76, x: o.x, y: o.y, xLabel: "x₁", yLabel: "x₂", top: o.title ? 32 : 12 });
  const n = o.grid.length, cw = a.w / (o.grid[0]?.length ?? 1), ch = a.h / n;
  let body = "";
  o.grid.forEach((row, i) => row.forEach((p, j) => {
    body += `<rect x="${num(a.m.l + j * cw)}" y="${num(a.m.t + a.h - (i + 1) * ch)}" width="${num(cw + 0.5)}" height="${num(ch + 0.5)}" fill="${colour(p, true)}"/>`;
  }));
  body += a.g;
  for (const p of o.points) body += `<circle cx="${num(a.px(p.x))}" cy="${num(a.py(p.y))}" r="7" fill="${p.label ? PALETTE[1] : PALETTE[0]}" stroke="#fff" stroke-width="2"/>`;
  return wrap(size + 74, size + 76, body, o.title);
}

/** Grayscale images (values in [0, 1], row-major h×w) in a grid, with captions. */
export function imageGrid(o: { title?: string; images: ArrayLike<number>[]; h: number; w: number; captions?: string[]; cols?: number; scale?: number }): Figure {
  const cols = o.cols ?? 8, scale = o.scale ?? 3, pad = 8, capH = o.captions ? 16 : 0;
  const rows = Math.ceil(o.images.length / cols), top = o.title ? 34 : 8;
  const cw = o.w * scale + pad, chh = o.h * scale + pad + capH;
  let body = "";
  o.images.forEach((img, k) => {
    const ox = pad + (k % cols) * cw, oy = top + Math.floor(k / cols) * chh;
    for (let i = 0; i < o.h; i++) for (let j = 0; j < o.w; j++) {
      const v = img[i * o.w + j]!;
      if (v <= 0.02) continue;
      const g = Math.round(255 * (1 - Math.min(1, v)));
      body += `<rect x="${ox + j * scale}" y="${oy + i * scale}" width="${scale}" height="${scale}" fill="rgb(${g},${g},${g})"/>`;
    }
    body += `<rect x="${ox}" y="${oy}" width="${o.w * scale}" height="${o.h * scale}" fill="none" stroke="#ccc"/>`;
    if (o.captions) body += `<text x="${ox + (o.w * scale) / 2}" y="${oy + o.h * scale + 13}" text-anchor="middle" font-size="11">${escapeXml(o.captions[k] ?? "")}</text>`;
  });
  return wrap(pad + cols * cw, top + rows * chh + pad, body, o.title);
}

/** Monospace text (a jaxpr, a kernel list) in a framed panel. */
export function codePanel(o: { title?: string; lines: string[]; width?: number; highlight?: (line: string) => boolean }): Figure {
  const lineH = 17, top = o.title ? 40 : 14;
  const width = o.width ?? Math.ceil(Math.max(300, 24 + 7.3 * Math.max(...o.lines.map((l) => l.length)), 20 + 8.5 * (o.title?.length ?? 0)));
  const height = top + o.lines.length * lineH + 14;
  let body = `<rect x="6" y="${top - 14}" width="${width - 12}" height="${height - top + 8}" rx="6" fill="#f6f8fa" stroke="#d0d7de"/>`;
  o.lines.forEach((l, i) => {
    const hl = o.highlight?.(l);
    if (hl) body += `<rect x="8" y="${top + i * lineH - 12}" width="${width - 16}" height="${lineH}" fill="#fff3cd"/>`;
    body += `<text x="14" y="${top + i * lineH}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" xml:space="preserve">${escapeXml(l)}</text>`;
  });
  return wrap(width, height, body, o.title);
}

/** Several figures in one row (`gap` pixels apart). */
export function sideBySide(figures: Figure[], gap = 12): Figure {
  const width = figures.reduce((s, f) => s + f.width, 0) + gap * (figures.length - 1);
  const height = Math.max(...figures.map((f) => f.height));
  let x = 0, body = "";
  figures.forEach((f, i) => {
    // Each part keeps its own clip-path ids apart.
    body += `<g transform="translate(${x} 0)">${f.svg.replace(/plot-area/g, `plot-area-${i}`)}</g>`;
    x += f.width + gap;
  });
  return wrap(width, height, body);
}

/** Figures stacked vertically. */
export function stacked(figures: Figure[], gap = 8): Figure {
  const width = Math.max(...figures.map((f) => f.width));
  const height = figures.reduce((s, f) => s + f.height, 0) + gap * (figures.length - 1);
  let y = 0, body = "";
  figures.forEach((f, i) => {
    body += `<g transform="translate(0 ${y})">${f.svg.replace(/plot-area/g, `plot-area-s${i}`)}</g>`;
    y += f.height + gap;
  });
  return wrap(width, height, body);
}
