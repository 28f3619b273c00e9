// Pure transforms from report data to chart.js data, shared by the HTML report and the VS Code
// panel. No DOM and no chart.js runtime here: the callers add colours, axes and options.
// Log-scale charts cannot draw 0, negatives, NaN or ±Inf: those points become null (a gap), and
// each transform says how many it dropped so the view can tell the user rather than hide them.

import type {
  ActivationSeries, BpttReport, HistogramReportEntry, HistogramSnapshot, JsonReport, ParameterSeries, StepValue,
} from '../../core/report/model';

export interface XY {
  x: number;
  y: number | null;
}

export interface LineDataset {
  label: string;
  data: XY[];
}

export interface LineData {
  datasets: LineDataset[];
  /** Points that could not be drawn (non-finite, or ≤ 0 on a log axis). */
  dropped: number;
}

export interface BarData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  dropped: number;
}

/** A value drawable on a log axis, else null. */
export function logSafe(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
}

/** A value drawable on a linear axis, else null. */
export function linearSafe(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

function countDropped(raw: (number | null)[], safe: (number | null)[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] !== null && safe[i] === null) n++;
  return n;
}

function line(label: string, steps: number[], values: (number | null)[], safe: (v: number | null) => number | null): { ds: LineDataset; dropped: number } {
  const ys = values.map(safe);
  return { ds: { label, data: steps.map((x, i) => ({ x, y: ys[i] ?? null })) }, dropped: countDropped(values, ys) };
}

function lines(parts: { ds: LineDataset; dropped: number }[]): LineData {
  return { datasets: parts.map((p) => p.ds), dropped: parts.reduce((a, p) => a + p.dropped, 0) };
}

function stepValues(label: string, s: StepValue[], safe: (v: number | null) => number | null): LineData {
  return lines([line(label, s.map((p) => p.step), s.map((p) => p.value), safe)]);
}

/** The loss over steps (linear axis; `log` for a loss that spans orders of magnitude). */
export function lossChart(r: Pick<JsonReport, 'loss'>, log = false): LineData {
  return stepValues('loss', r.loss, log ? logSafe : linearSafe);
}

/** Global gradient norm over steps (log axis). */
export function gradNormChart(r: Pick<JsonReport, 'gradNorm'>): LineData {
  return stepValues('‖grad‖', r.gradNorm, logSafe);
}

/** Learning rate over steps (log axis). */
export function lrChart(r: Pick<JsonReport, 'lr'>): LineData {
  return stepValues('lr', r.lr, logSafe);
}

/** Whether a loss series spans enough orders of magnitude (and is positive) to read better on a log axis. */
export function lossPrefersLog(r: Pick<JsonReport, 'loss'>): boolean {
  let lo = Infinity, hi = 0;
  for (const p of r.loss) {
    const v = p.value;
    if (v === null || !Number.isFinite(v)) continue;
    if (v <= 0) return false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > 0 && hi / lo > 1e3;
}

/** The index of the last row at or before `step` (the last row when step is undefined); -1 if none. */
export function rowAt(steps: number[], step?: number): number {
  if (step === undefined) return steps.length - 1;
  let lo = 0, hi = steps.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]! <= step) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}

/** Every step at which any parameter has a row, ascending: the choices of a gradient-flow step picker. */
export function parameterSteps(params: ParameterSeries[]): number[] {
  const all = new Set<number>();
  for (const p of params) for (const s of p.steps) all.add(s);
  return [...all].sort((a, b) => a - b);
}

/**
 * Gradient flow: mean and max |grad| per parameter at one step (the latest by default), input
 * side first, for a log-axis bar chart. A vanishing layer shows as bars orders of magnitude lower.
 */
export function gradientFlow(params: ParameterSeries[], step?: number): BarData {
  const mean: (number | null)[] = [], max: (number | null)[] = [], rawMean: (number | null)[] = [], rawMax: (number | null)[] = [];
  for (const p of params) {
    const i = rowAt(p.steps, step);
    const m = i >= 0 ? p.gradMeanAbs[i]! : null, x = i >= 0 ? p.gradMaxAbs[i]! : null;
    rawMean.push(m); rawMax.push(x);
    mean.push(logSafe(m)); max.push(logSafe(x));
  }
  return {
    labels: params.map((p) => p.name),
    datasets: [{ label: 'mean |grad|', data: mean }, { label: 'max |grad|', data: max }],
    dropped: countDropped(rawMean, mean) + countDropped(rawMax, max),
  };
}

/** The latest step at which gradient flow has something to draw (a run that went NaN keeps its last finite picture); undefined if none. */
export function lastDrawableFlowStep(params: ParameterSeries[]): number | undefined {
  const steps = parameterSteps(params);
  for (let i = steps.length - 1; i >= 0; i--) {
    const d = gradientFlow(params, steps[i]);
    if (d.datasets.some((ds) => ds.data.some((v) => v !== null))) return steps[i];
  }
  return undefined;
}

/**
 * Log-axis tick label. chart.js puts a tick at every integer significand of every decade, so over
 * a wide range only some get a label: 1, 2 and 5 over up to 2 decades, powers of ten up to 6, and
 * every k-th power of ten beyond (about 6 labels in all).
 */
export function logTickLabel(v: number, decades = 1): string {
  if (!(v > 0) || !Number.isFinite(v)) return '';
  const exp = Math.floor(Math.log10(v) + 1e-9);
  const sig = v / 10 ** exp;
  const near = (s: number) => Math.abs(sig - s) < 1e-6;
  if (decades <= 2) return [1, 2, 5].some(near) ? formatNumber(v) : '';
  if (!near(1)) return '';
  const every = decades <= 6 ? 1 : Math.ceil(decades / 6);
  return exp % every === 0 ? formatNumber(v) : '';
}

/** Decades spanned by a list of axis ticks (for `logTickLabel`). */
export function tickDecades(ticks: { value: number }[]): number {
  const vs = ticks.map((t) => t.value).filter((v) => v > 0 && Number.isFinite(v));
  return vs.length < 2 ? 1 : Math.log10(Math.max(...vs) / Math.min(...vs));
}

export type ParameterColumn = 'gradNorm' | 'gradMeanAbs' | 'gradMaxAbs' | 'weightNorm' | 'updateRatio';

/** One column of every parameter over steps, one dataset per parameter, for a log axis. */
export function perParameterOverTime(params: ParameterSeries[], column: ParameterColumn): LineData {
  return lines(params.map((p) => line(p.name, p.steps, p[column], logSafe)));
}

/** Gradient norms over time per parameter (log). */
export function normsOverTime(params: ParameterSeries[]): LineData {
  return perParameterOverTime(params, 'gradNorm');
}

/** ‖Δw‖/‖w‖ over time per parameter (log); healthy SGD/Adam runs sit around 1e-3. */
export function updateRatios(params: ParameterSeries[]): LineData {
  return perParameterOverTime(params.filter((p) => p.updateRatio.some((v) => v !== null)), 'updateRatio');
}

/** Dead (and, for sigmoid/tanh, saturated) fraction per activation over steps, in [0, 1]. */
export function activationFractions(acts: ActivationSeries[]): LineData {
  const parts: { ds: LineDataset; dropped: number }[] = [];
  for (const a of acts) {
    parts.push(line(`${a.name} dead`, a.steps, a.deadFrac, linearSafe));
    if (a.saturatedFrac.some((v) => v !== null)) parts.push(line(`${a.name} saturated`, a.steps, a.saturatedFrac, linearSafe));
  }
  return lines(parts);
}

/** Per-time-step gradient norms reaching each recurrent layer's hidden state (log), x = time step. */
export function bpttNorms(bptt: BpttReport[]): LineData {
  const parts: { ds: LineDataset; dropped: number }[] = [];
  for (const b of bptt) {
    const name = `${b.module || '(root)'} layer ${b.layer}`;
    parts.push(line(`${name} @ step ${b.step}`, b.norms.map((_, t) => t), b.norms, logSafe));
    // The latest reading went non-finite: also show the last finite one, where the blow-up is visible.
    if (b.lastFinite) parts.push(line(`${name} @ step ${b.lastFinite.step} (last finite)`, b.lastFinite.norms.map((_, t) => t), b.lastFinite.norms, logSafe));
  }
  return lines(parts);
}

export interface HistogramKey {
  name: string;
  kind: HistogramReportEntry['kind'];
}

export const histogramKeyId = (k: HistogramKey): string => `${k.kind}:${k.name}`;

/** Every (name, kind) that has a histogram at some kept step, gradients first. */
export function histogramKeys(snaps: HistogramSnapshot[]): HistogramKey[] {
  const seen = new Map<string, HistogramKey>();
  for (const s of snaps) for (const e of s.entries) {
    const k = { name: e.name, kind: e.kind };
    if (!seen.has(histogramKeyId(k))) seen.set(histogramKeyId(k), k);
  }
  const order = { grad: 0, weight: 1, activation: 2 } as const;
  return [...seen.values()].sort((a, b) => order[a.kind] - order[b.kind]);
}

/** The first key with something to show (a nonzero or non-finite value at some kept step), else the first key. */
export function informativeKey(snaps: HistogramSnapshot[], keys: HistogramKey[]): HistogramKey | undefined {
  return keys.find((k) => snaps.some((s) => {
    const e = findHistogram(s, k);
    return e !== undefined && (e.counts.some((c) => c > 0) || e.nan + e.posInf + e.negInf > 0);
  })) ?? keys[0];
}

export function findHistogram(snap: HistogramSnapshot, key: HistogramKey): HistogramReportEntry | undefined {
  return snap.entries.find((e) => e.name === key.name && e.kind === key.kind);
}

/** Compact number for axis labels: 3 significant digits, exponent form for tiny or huge values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2).replace(/\.?0+e/, 'e') : String(Number(v.toPrecision(3)));
}

/**
 * One histogram as bar data: the bins (labelled by their centre) then the special buckets —
 * exact zeros, NaN, +Inf, −Inf — as their own bars so they are seen, not hidden; the special bars
 * appear only when nonzero (zeros always, when the range straddles it, is left to the bins).
 */
export function histogramBars(e: HistogramReportEntry): BarData {
  // No finite nonzero value at all (e.g. an all-NaN gradient): only the special bars are shown.
  const counts = e.counts.some((c) => c > 0) ? e.counts : [];
  const n = counts.length;
  const width = n > 0 ? (e.hi - e.lo) / n : 0;
  const labels = counts.map((_, i) => formatNumber(e.lo + (i + 0.5) * width));
  const data: (number | null)[] = [...counts];
  const specials: [string, number][] = [['0 (exact)', e.zero], ['NaN', e.nan], ['+Inf', e.posInf], ['−Inf', e.negInf]];
  for (const [label, count] of specials) if (count > 0) { labels.push(label); data.push(count); }
  return { labels, datasets: [{ label: `${e.kind} ${e.name}`, data }], dropped: 0 };
}

export interface HeatmapData {
  /** Column per kept step. */
  steps: number[];
  /** Common value range of the rows: row r covers [lo + r·(hi−lo)/rows, lo + (r+1)·(hi−lo)/rows). */
  lo: number;
  hi: number;
  rows: number;
  /** counts[column][row]: values per bin, rebinned onto the common range. */
  counts: number[][];
  max: number;
  /** NaN and ±Inf count per column (shown apart from the value rows). */
  nonFinite: number[];
}

/**
 * A (name, kind) histogram over the kept steps as heatmap cells. Each step's bins have their own
 * range, so they are rebinned onto the range common to all steps (each bin's count goes to the
 * row holding the bin's centre) and exact zeros to the row holding 0; NaN/Inf are counted per column apart.
 */
export function histogramHeatmap(snaps: HistogramSnapshot[], key: HistogramKey, rows = 32): HeatmapData {
  const cols: { step: number; e: HistogramReportEntry }[] = [];
  let lo = Infinity, hi = -Infinity;
  for (const s of snaps) {
    const e = findHistogram(s, key);
    if (e === undefined) continue;
    cols.push({ step: s.step, e });
    if (e.counts.some((c) => c > 0)) {
      if (e.lo < lo) lo = e.lo;
      if (e.hi > hi) hi = e.hi;
    }
    // Exact zeros go in the row holding 0 (all-zero gradients are what a dead layer looks like).
    if (e.zero > 0) { if (0 < lo) lo = 0; if (0 > hi) hi = 0; }
  }
  if (!(lo <= hi)) { lo = 0; hi = 0; }
  const span = hi - lo;
  const rowOf = (v: number) => (span > 0 ? Math.min(rows - 1, Math.max(0, Math.floor(((v - lo) / span) * rows))) : Math.floor(rows / 2));
  let max = 0;
  const counts = cols.map(({ e }) => {
    const out = new Array<number>(rows).fill(0);
    const n = e.counts.length;
    const w = n > 0 ? (e.hi - e.lo) / n : 0;
    for (let i = 0; i < n; i++) {
      const c = e.counts[i]!;
      if (c > 0) out[rowOf(e.lo + (i + 0.5) * w)]! += c;
    }
    if (e.zero > 0) out[rowOf(0)]! += e.zero;
    for (const c of out) if (c > 0 && c > max) max = c;
    return out;
  });
  return { steps: cols.map((c) => c.step), lo, hi, rows, counts, max, nonFinite: cols.map(({ e }) => e.nan + e.posInf + e.negInf) };
}

/** Severity counts for a summary line. */
export function severityCounts(r: Pick<JsonReport, 'diagnostics'>): { error: number; warning: number; info: number } {
  const out = { error: 0, warning: 0, info: 0 };
  for (const d of r.diagnostics) out[d.severity]++;
  return out;
}

/** A fixed palette readable on light and dark backgrounds; index wraps. */
const PALETTE = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#6366f1', '#84cc16', '#06b6d4', '#a855f7'];

export function paletteColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}
