/** A progress bar for training loops: redrawn in place on a terminal, plain lines otherwise. */

/**
 * Where progress goes: anything with `write` (`process.stderr` by default). On a TTY the
 * bar redraws in place; otherwise only the final line of each bar is written.
 * @example const out: ProgressStream = { write: (s) => { lines.push(s); return true; }, isTTY: false };
 */
export interface ProgressStream {
  /** Writes text (no newline is added). */
  write(text: string): unknown;
  /** Whether the stream is a terminal, where the bar redraws in place. */
  isTTY?: boolean;
  /** The terminal's width; lines are clipped to it. Default 120. */
  columns?: number;
}

/**
 * Options of {@link progressBar}.
 * @example optim.progressBar({ total: 100, label: "epoch 1/5" } satisfies optim.ProgressOptions);
 */
export interface ProgressOptions {
  /** Number of units (steps) the bar counts to. */
  total: number;
  /** Text before the bar. */
  label?: string;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Minimum milliseconds between redraws on a TTY. Default 100. */
  intervalMs?: number;
}

/**
 * A progress bar.
 * @example const bar: ProgressBar = optim.progressBar({ total: 10 }); bar.update(5); bar.done();
 */
export interface ProgressBar {
  /** Sets progress to `done` units with optional values to show (`{ loss: 0.31 }`). */
  update(done: number, info?: Record<string, number | string>): void;
  /** Finishes the bar: writes the final line (on every stream) with `info`. */
  done(info?: Record<string, number | string>): void;
}

const formatValue = (v: number | string): string => (typeof v === "string" ? v : Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4));
const formatInfo = (info: Record<string, number | string>): string => Object.entries(info).map(([k, v]) => `${k} ${formatValue(v)}`).join("  ");
const seconds = (ms: number): string => {
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
};

/**
 * A text progress bar: `label [=====>    ] 45/90  3.1s<3.2s  loss 0.3120`. On a TTY it
 * redraws in place (at most every `intervalMs`); elsewhere (CI logs, pipes) it stays quiet
 * until `done`, which writes one plain line.
 *
 * @example
 * const bar = optim.progressBar({ total: 3, label: "epoch 1" });
 * for (let i = 1; i <= 3; i++) bar.update(i, { loss: 1 / i });
 * bar.done({ loss: 1 / 3 });   // on a terminal: epoch 1 [========================] 3/3  0.0s  loss 0.3333
 */
export function progressBar({ total, label = "", stream = process.stderr, intervalMs = 100 }: ProgressOptions): ProgressBar {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`optim.progressBar: total must be a non-negative integer; got ${total}`);
  const start = Date.now();
  let last = 0;
  let current = 0;
  let shown = "";
  const tty = stream.isTTY === true;
  const line = (done: number, info: Record<string, number | string>, final: boolean): string => {
    const elapsed = Date.now() - start;
    const counts = `${String(done).padStart(String(total).length)}/${total}`;
    const time = final || done === 0 ? seconds(elapsed) : `${seconds(elapsed)}<${seconds((elapsed / done) * (total - done))}`;
    const text = formatInfo(info);
    if (final && !tty) return `${label ? `${label}: ` : ""}${counts}  ${time}${text ? `  ${text}` : ""}`;
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `[${"=".repeat(Math.max(0, filled - 1))}${filled > 0 ? (done >= total ? "=" : ">") : ""}${" ".repeat(width - filled)}]`;
    return `${label ? `${label} ` : ""}${bar} ${counts}  ${time}${text ? `  ${text}` : ""}`;
  };
  const draw = (text: string) => {
    const cols = stream.columns ?? 120;
    const clipped = text.length > cols - 1 ? text.slice(0, cols - 1) : text;
    stream.write(`\r${clipped}${" ".repeat(Math.max(0, shown.length - clipped.length))}`);
    shown = clipped;
  };
  return {
    update: (done, info = {}) => {
      current = done;
      if (!tty) return;
      const now = Date.now();
      if (now - last < intervalMs && done < total) return;
      last = now;
      draw(line(done, info, false));
    },
    done: (info = {}) => {
      if (tty) { draw(line(Math.max(current, total), info, true)); stream.write("\n"); }
      else stream.write(`${line(Math.max(current, total), info, true)}\n`);
    },
  };
}
