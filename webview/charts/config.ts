// chart.js configurations for the report data the transforms produce: line charts over steps and
// bar charts over layers or bins, coloured from a theme. Pure (chart.js types only, no DOM, no
// chart.js runtime): the callers create the charts. Built for live updates too: no animation, no
// parsing (the data is already {x, y}), min-max decimation of long series.

import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { formatNumber, logTickLabel, paletteColor, tickDecades, type BarData, type LineData } from './transform';

export interface ChartTheme {
  /** Axis labels, ticks and legend text. */
  text: string;
  /** Grid lines and axis borders. */
  grid: string;
  /** Series colours, in order; past the end the fixed palette takes over. */
  series: string[];
}

export const seriesColor = (t: ChartTheme, i: number): string => t.series[i] ?? paletteColor(i);

export interface AxisOptions {
  log: boolean;
  xTitle: string;
  yTitle: string;
  /** Fixes the y axis to [0, yMax] (fractions). */
  yMax?: number;
}

/** Log-axis tick labels: `logTickLabel`'s thinning, and under one decade (which may hold no 1, 2 or 5 at all) every whole significand. */
export function logTicks(v: number | string, _i: number, ticks: { value: number }[]): string {
  const x = Number(v);
  const decades = tickDecades(ticks);
  if (decades >= 1 || !(x > 0)) return logTickLabel(x, decades);
  const sig = x / 10 ** Math.floor(Math.log10(x) + 1e-9);
  return Math.abs(sig - Math.round(sig)) < 1e-6 ? formatNumber(x) : '';
}

/** Linear-axis tick labels with as many digits as the tick spacing needs (0.6931 vs 0.6925 stay apart). */
export function linearTicks(v: number | string, _i: number, ticks: { value: number }[]): string {
  const x = Number(v);
  let spacing = Infinity;
  for (let i = 1; i < ticks.length; i++) spacing = Math.min(spacing, Math.abs(ticks[i]!.value - ticks[i - 1]!.value));
  if (!(spacing > 0) || !Number.isFinite(spacing) || x === 0) return formatNumber(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toFixed(Math.min(8, Math.max(0, -Math.floor(Math.log10(spacing)))))));
  const digits = Math.min(6, Math.max(0, Math.floor(Math.log10(a)) - Math.floor(Math.log10(spacing))));
  return x.toExponential(digits).replace(/\.?0+e/, 'e');
}

const yTicks = (log: boolean, color: string) => ({ callback: log ? logTicks : linearTicks, color });

export type XYPoint = { x: number; y: number | null };

export function lineDataset(t: ChartTheme, label: string, data: XYPoint[], i: number): ChartDataset<'line', XYPoint[]> {
  const c = seriesColor(t, i);
  return { label, data, borderColor: c, backgroundColor: c, borderWidth: 1.5, pointRadius: data.length > 60 ? 0 : 2, spanGaps: false };
}

export function lineConfig(t: ChartTheme, d: LineData, a: AxisOptions): ChartConfiguration<'line', XYPoint[]> {
  return {
    type: 'line',
    data: { datasets: d.datasets.map((ds, i) => lineDataset(t, ds.label, ds.data, i)) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        legend: { display: d.datasets.length > 1, position: 'bottom', labels: { boxWidth: 12, color: t.text } },
        decimation: { enabled: true, algorithm: 'min-max' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.parsed.y ?? NaN)}` } },
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: a.xTitle, color: t.text }, ticks: { color: t.text }, grid: { color: t.grid } },
        y: {
          type: a.log ? 'logarithmic' : 'linear',
          title: { display: true, text: a.yTitle, color: t.text },
          ...(a.yMax !== undefined ? { min: 0, max: a.yMax } : {}),
          ticks: yTicks(a.log, t.text),
          grid: { color: t.grid },
        },
      },
    },
  };
}

export function barDatasets(t: ChartTheme, d: BarData): ChartDataset<'bar', (number | null)[]>[] {
  return d.datasets.map((ds, i) => ({ label: ds.label, data: ds.data, backgroundColor: seriesColor(t, i), borderWidth: 0 }));
}

export function barConfig(t: ChartTheme, d: BarData, a: AxisOptions): ChartConfiguration<'bar', (number | null)[], string> {
  return {
    type: 'bar',
    data: { labels: d.labels, datasets: barDatasets(t, d) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: d.datasets.length > 1, position: 'bottom', labels: { boxWidth: 12, color: t.text } } },
      scales: {
        x: { title: { display: true, text: a.xTitle, color: t.text }, ticks: { autoSkip: true, maxRotation: 60, color: t.text }, grid: { color: t.grid } },
        y: { type: a.log ? 'logarithmic' : 'linear', title: { display: true, text: a.yTitle, color: t.text }, ticks: yTicks(a.log, t.text), grid: { color: t.grid } },
      },
    },
  };
}
