// Live progress while the script trains. On a terminal: one line, redrawn in place (`\r` + clear
// line) at most 10 times a second, and lifted out of the way whenever the script prints. Otherwise
// (CI logs, pipes): a plain line about once a second. Formatting is pure; the view does the I/O.

import type { SeverityCounts } from './format';

export interface ProgressState {
  step: number;
  /** Latest loss (null when backward() was not called on a single number). */
  loss: number | null;
  /** Training speed so far (null until it can be measured). */
  stepsPerSec: number | null;
  counts: SeverityCounts;
}

/** 4 significant digits, exponents for the extremes; NaN and ±Inf spelt out. */
export function formatLoss(loss: number | null): string {
  if (loss === null) return '–';
  if (Number.isNaN(loss)) return 'NaN';
  if (!Number.isFinite(loss)) return loss > 0 ? '+Inf' : '-Inf';
  if (loss === 0) return '0';
  const a = Math.abs(loss);
  if (a >= 1e5 || a < 1e-3) return loss.toExponential(3);
  return String(Number(loss.toPrecision(4)));
}

/** Steps per second over a span (measured from the first step, so start-up time does not count). */
export function stepsPerSecond(steps: number, elapsedMs: number): number | null {
  return elapsedMs > 0 && steps > 0 ? (steps * 1000) / elapsedMs : null;
}

function formatRate(rate: number | null): string {
  if (rate === null) return '–';
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

/** `1 error, 2 warnings` (infos too), or `no findings`: only what is there. */
export function formatFindingsSoFar(c: SeverityCounts): string {
  const parts: string[] = [];
  if (c.error > 0) parts.push(`${c.error} error${c.error === 1 ? '' : 's'}`);
  if (c.warning > 0) parts.push(`${c.warning} warning${c.warning === 1 ? '' : 's'}`);
  if (c.info > 0) parts.push(`${c.info} info${c.info === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'no findings';
}

/** `step 120 │ loss 0.03421 │ 85.3 steps/s │ 1 error`, cut to `width` columns if given. */
export function formatProgress(p: ProgressState, width?: number): string {
  const line = `step ${p.step} │ loss ${formatLoss(p.loss)} │ ${formatRate(p.stepsPerSec)} steps/s │ ${formatFindingsSoFar(p.counts)}`;
  if (width === undefined || width <= 1 || line.length < width) return line;
  // One column spare: writing into the last column makes some terminals wrap, breaking the `\r` redraw.
  return `${line.slice(0, width - 2)}…`;
}

/** The plain (non-terminal) form: a prefixed log line. */
export function formatProgressPlain(p: ProgressState): string {
  return `gradscope: step ${p.step}, loss ${formatLoss(p.loss)}, ${formatRate(p.stepsPerSec)} steps/s, ${formatFindingsSoFar(p.counts)}`;
}

export const CLEAR_LINE = '\r\x1b[2K';

export interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressView {
  private readonly live: boolean;
  private readonly interval: number;
  private state: ProgressState | null = null;
  private shownStep = -1;
  private lastDraw = -Infinity;
  /** Whether the live line is on screen (and must be cleared before anything else is written). */
  private drawn = false;
  /** The script's last output did not end its line: redrawing now would erase that partial line. */
  private midLine = false;

  constructor(
    private readonly out: Out,
    private readonly now: () => number = Date.now,
  ) {
    this.live = out.isTTY === true;
    this.interval = this.live ? 100 : 1000;
  }

  update(state: ProgressState): void {
    this.state = state;
    const t = this.now();
    if (t - this.lastDraw < this.interval) return;
    this.lastDraw = t;
    this.draw();
  }

  /** Writes the script's output to `target`, with the live line lifted out of the way. */
  print(target: Out, text: string): void {
    if (text === '') return;
    this.clear();
    target.write(text);
    this.midLine = !text.endsWith('\n');
    if (this.live) this.draw(true);
  }

  /** Removes the live line (before the final report). */
  finish(): void {
    this.clear();
  }

  private draw(force = false): void {
    const s = this.state;
    if (s === null) return;
    if (this.live) {
      if (this.midLine) return;
      this.out.write(`${CLEAR_LINE}${formatProgress(s, this.out.columns)}`);
      this.drawn = true;
    } else if (!force && s.step !== this.shownStep) {
      this.out.write(`${formatProgressPlain(s)}\n`);
    }
    this.shownStep = s.step;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.out.write(CLEAR_LINE);
    this.drawn = false;
  }
}
