// The HTML report's client: reads the embedded report, draws the charts with chart.js (inlined
// before this script as the global `Chart`) and wires the pickers. Every user string reaches the
// page through textContent or chart.js's canvas text, never as HTML.

import type { Chart as ChartInstance } from 'chart.js';
import { decodeReport } from '../../core/report/codec';
import type { JsonReport } from '../../core/report/model';
import {
  activationFractions, bpttNorms, findHistogram, formatNumber, gradNormChart, gradientFlow, histogramBars,
  histogramHeatmap, histogramKeyId, histogramKeys, informativeKey, lastDrawableFlowStep, lossChart, lossPrefersLog, normsOverTime, paletteColor,
  parameterSteps, updateRatios, type HistogramKey, type LineData,
} from '../charts/transform';
import { barConfig, lineConfig, type AxisOptions, type ChartTheme } from '../charts/config';
import { drawHeatmap } from './heatmap';

declare const Chart: typeof import('chart.js').Chart;

const dataEl = document.getElementById('report-data');
const report: JsonReport = decodeReport(dataEl?.textContent ?? '{}');

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const theme = { fg: cssVar('--fg'), muted: cssVar('--muted'), grid: cssVar('--grid'), bg: cssVar('--bg'), error: cssVar('--error') };
// The panel's chart configurations (webview/charts/config.ts), in the page's colours.
const chartTheme: ChartTheme = { text: theme.muted, grid: theme.grid, series: [] };
Chart.defaults.color = theme.muted;
Chart.defaults.borderColor = theme.grid;
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", sans-serif';

const charts = new Map<string, ChartInstance>();

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`report page: #${id} missing`);
  return el as T;
}

function note(id: string, text: string): void {
  byId(`${id}-note`).textContent = text;
}

function noData(id: string, why: string): void {
  byId(id).classList.add('no-data');
  note(id, why);
}

function droppedNote(id: string, dropped: number, log: boolean): void {
  if (dropped > 0) note(id, `${dropped} point${dropped === 1 ? '' : 's'} not drawn: NaN, ±Infinity${log ? ', or ≤ 0 on the log scale' : ''}.`);
}

function lineChart(id: string, d: LineData, opts: AxisOptions): void {
  if (d.datasets.every((ds) => ds.data.every((p) => p.y === null))) return noData(id, 'No data was recorded for this view in this run.');
  charts.set(id, new Chart(byId<HTMLCanvasElement>(`${id}-canvas`), lineConfig(chartTheme, d, opts)));
  droppedNote(id, d.dropped, opts.log);
}

function lossView(): void {
  const log = lossPrefersLog(report);
  lineChart('loss', lossChart(report, log), { log, xTitle: 'step', yTitle: log ? 'loss (log)' : 'loss' });
}

function flowView(): void {
  const params = report.parameters.filter((p) => p.gradMeanAbs.some((v) => v !== null));
  const steps = parameterSteps(params);
  if (params.length === 0 || steps.length === 0) return noData('flow', 'No parameter received a gradient in this run.');
  const slider = byId<HTMLInputElement>('flow-step');
  const out = byId<HTMLOutputElement>('flow-step-out');
  const start = Math.max(0, steps.indexOf(lastDrawableFlowStep(params) ?? steps[steps.length - 1]!));
  slider.max = String(steps.length - 1);
  slider.value = String(start);
  const data = (i: number) => gradientFlow(params, steps[i]);
  const chart = new Chart(byId<HTMLCanvasElement>('flow-canvas'), barConfig(chartTheme, data(start), { log: true, xTitle: 'parameter', yTitle: '|grad| (log)' }));
  charts.set('flow', chart);
  const show = (): void => {
    const i = Number(slider.value);
    out.textContent = String(steps[i]);
    slider.setAttribute('aria-valuetext', `step ${steps[i]}`);
    const d = data(i);
    chart.data.datasets.forEach((ds, k) => { ds.data = d.datasets[k]!.data; });
    chart.update('none');
    note('flow', d.dropped > 0 ? `${d.dropped} value${d.dropped === 1 ? '' : 's'} not drawn at this step (zero, NaN or ±Infinity).` : '');
  };
  slider.addEventListener('input', show);
  show();
}

function normsView(): void {
  const d = normsOverTime(report.parameters);
  const global = gradNormChart(report);
  if (global.datasets[0]!.data.length > 0) d.datasets.unshift({ label: 'global ‖grad‖', data: global.datasets[0]!.data });
  lineChart('norms', { datasets: d.datasets, dropped: d.dropped + global.dropped }, { log: true, xTitle: 'step', yTitle: '‖grad‖ (log)' });
}

function updatesView(): void {
  const d = updateRatios(report.parameters);
  if (d.datasets.length === 0) return noData('updates', 'No optimizer step was recorded, so there are no update ratios.');
  lineChart('updates', d, { log: true, xTitle: 'step', yTitle: '‖Δw‖ / ‖w‖ (log)' });
}

function fillKeys(select: HTMLSelectElement, keys: HistogramKey[]): void {
  for (const k of keys) {
    const o = document.createElement('option');
    o.value = histogramKeyId(k);
    o.textContent = `${k.kind} · ${k.name}`;
    select.append(o);
  }
  const start = informativeKey(report.histograms, keys);
  if (start !== undefined) select.value = histogramKeyId(start);
}

function histogramView(): void {
  const snaps = report.histograms;
  const keys = histogramKeys(snaps);
  if (keys.length === 0) return noData('histograms', 'No histograms were recorded in this run.');
  const select = byId<HTMLSelectElement>('hist-key');
  const slider = byId<HTMLInputElement>('hist-step');
  const out = byId<HTMLOutputElement>('hist-step-out');
  fillKeys(select, keys);
  slider.max = String(snaps.length - 1);
  slider.value = String(snaps.length - 1);
  let chart: ChartInstance | null = null;
  const show = (): void => {
    const key = keys.find((k) => histogramKeyId(k) === select.value)!;
    const snap = snaps[Number(slider.value)]!;
    out.textContent = String(snap.step);
    slider.setAttribute('aria-valuetext', `step ${snap.step}`);
    const entry = findHistogram(snap, key);
    chart?.destroy();
    chart = null;
    if (entry === undefined) {
      note('histograms', `No histogram of ${key.kind} ${key.name} at step ${snap.step}.`);
      return;
    }
    note('histograms', `range [${formatNumber(entry.lo)}, ${formatNumber(entry.hi)}]`);
    chart = new Chart(byId<HTMLCanvasElement>('histograms-canvas'), barConfig(chartTheme, histogramBars(entry), { log: false, xTitle: 'value (bin centre)', yTitle: 'count' }));
    charts.set('histograms', chart);
  };
  select.addEventListener('change', show);
  slider.addEventListener('input', show);
  show();
}

function heatmapView(): void {
  const snaps = report.histograms;
  const keys = histogramKeys(snaps);
  if (keys.length === 0) return noData('heatmap', 'No histograms were recorded in this run.');
  const select = byId<HTMLSelectElement>('heat-key');
  fillKeys(select, keys);
  const canvas = byId<HTMLCanvasElement>('heatmap-canvas');
  const show = (): void => {
    const key = keys.find((k) => histogramKeyId(k) === select.value)!;
    const h = histogramHeatmap(snaps, key);
    const cells = drawHeatmap(canvas, h, { fg: theme.muted, accent: paletteColor(0), bg: theme.bg, bad: theme.error });
    canvas.dataset.cells = String(cells);
    canvas.setAttribute('aria-label', `Histogram of ${key.kind} ${key.name} over ${h.steps.length} steps, values from ${formatNumber(h.lo)} to ${formatNumber(h.hi)}`);
  };
  select.addEventListener('change', show);
  new ResizeObserver(show).observe(canvas.parentElement!);
  show();
}

function activationsView(): void {
  if (report.activations.length === 0) return noData('activations', 'No activation (ReLU, GELU, sigmoid, tanh…) ran in this run.');
  lineChart('activations', activationFractions(report.activations), { log: false, xTitle: 'step', yTitle: 'fraction of units', yMax: 1 });
}

function bpttView(): void {
  if (report.bptt.length === 0) return noData('bptt', 'No recurrent layer (RNN, LSTM, GRU) ran in this run.');
  lineChart('bptt', bpttNorms(report.bptt), { log: true, xTitle: 'time step', yTitle: '‖∂L/∂h_t‖ (log)' });
}

for (const view of [lossView, flowView, normsView, updatesView, histogramView, heatmapView, activationsView, bpttView]) {
  try {
    view();
  } catch (err) {
    // One broken view must not take the others down; the message is shown, never injected as HTML.
    console.error(err);
  }
}

// For tests and for curious users: the chart instances by section id.
(window as unknown as { gradscopeCharts: Map<string, ChartInstance> }).gradscopeCharts = charts;
