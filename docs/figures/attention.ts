/**
 * Attention weights of sinusoidal positional encodings attending to each other under a
 * causal mask: each position attends most to itself and its recent past.
 */
import { np } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { heatmap, sideBySide, type Figure } from "./svg.ts";

export async function attentionMap(): Promise<Figure> {
  const t = 16, d = 32;
  const pe = nn.sinusoidalEncoding(t, d);
  const scores = np.matmul(pe, pe.T).div(Math.sqrt(d));
  const full = nn.softmax(scores, { axis: -1 });
  const causal = nn.softmax(np.where(nn.causalMask(t), scores, -1e9), { axis: -1 });
  const labels = Array.from({ length: t }, (_, i) => String(i));
  return sideBySide([
    heatmap({ title: "softmax(QKᵀ/√d), Q = K = positions", values: await full.toArrayAsync() as number[][], rowLabels: labels, colLabels: labels, xLabel: "key position", yLabel: "query position", cell: 18 }),
    heatmap({ title: "with a causal mask", values: await causal.toArrayAsync() as number[][], rowLabels: labels, colLabels: labels, xLabel: "key position", cell: 18 }),
  ], 24);
}
