// Live chart adapters: each owns one canvas, creates its chart.js chart on the first data and from
// then on only swaps the data in and calls update('none') — never a rebuild per message. A chart is
// rebuilt only when its axes change kind (a loss that turns log-worthy) or the theme changes.

import {
  BarController, BarElement, CategoryScale, Chart, Decimation, Legend, LineController, LineElement, LinearScale,
  LogarithmicScale, PointElement, Tooltip,
} from 'chart.js';
import { barConfig, barDatasets, lineConfig, lineDataset, type AxisOptions, type XYPoint } from '../charts/config';
import type { BarData, LineData } from '../charts/transform';
import type { PanelTheme } from './theme';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Decimation, Legend, Tooltip);

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`GradScope panel: #${id} is missing from the page (see webview/panel/html.ts)`);
  return el as T;
}

/** A card's note line and its "nothing to draw" state. */
export function setNote(id: string, text: string, empty = false): void {
  const note = byId(`${id}-note`);
  if (note.textContent !== text) note.textContent = text;
  byId(id).classList.toggle('no-data', empty);
}

export function droppedText(dropped: number, log: boolean): string {
  return dropped > 0 ? `${dropped} point${dropped === 1 ? '' : 's'} not drawn: NaN, ±Infinity${log ? ', or ≤ 0 on the log scale' : ''}.` : '';
}

abstract class ChartView<D> {
  protected chart: Chart | null = null;
  protected last: { data: D; axes: AxisOptions } | null = null;

  constructor(readonly id: string, protected theme: PanelTheme) {}

  protected get canvas(): HTMLCanvasElement {
    return byId<HTMLCanvasElement>(`${this.id}-canvas`);
  }

  protected abstract create(data: D, axes: AxisOptions): Chart;
  protected abstract swap(chart: Chart, data: D): void;

  show(data: D, axes: AxisOptions): void {
    const prev = this.last?.axes;
    this.last = { data, axes };
    if (this.chart !== null && prev !== undefined && prev.log === axes.log && prev.yTitle === axes.yTitle && prev.yMax === axes.yMax) {
      this.swap(this.chart, data);
      this.chart.update('none');
      return;
    }
    this.chart?.destroy();
    this.chart = this.create(data, axes);
  }

  retheme(theme: PanelTheme): void {
    this.theme = theme;
    if (this.last === null || this.chart === null) return;
    this.chart.destroy();
    this.chart = this.create(this.last.data, this.last.axes);
  }

  /** Points (or bars) with a value, over all datasets; null before the first data. */
  drawablePoints(): number | null {
    if (this.chart === null) return null;
    let n = 0;
    for (const ds of this.chart.data.datasets) {
      // The decimation plugin keeps the full series in `_data` and shows a thinned `data`.
      const data = ((ds as { _data?: unknown[] })._data ?? ds.data) as unknown[];
      for (const p of data) if (p !== null && (typeof p === 'number' || (p as { y: number | null }).y !== null)) n++;
    }
    return n;
  }
}

export class LineView extends ChartView<LineData> {
  protected create(d: LineData, axes: AxisOptions): Chart {
    return new Chart(this.canvas, lineConfig(this.theme, d, axes)) as unknown as Chart;
  }

  protected swap(chart: Chart, d: LineData): void {
    const sets = chart.data.datasets as ReturnType<typeof lineDataset>[];
    // Keep each dataset object (and so its hidden state and the decimation plugin's bookkeeping)
    // while the series stay the same; replace the ones that changed.
    d.datasets.forEach((ds, i) => {
      const cur = sets[i];
      if (cur !== undefined && cur.label === ds.label) {
        cur.data = ds.data as XYPoint[];
        cur.pointRadius = ds.data.length > 60 ? 0 : 2;
      } else sets[i] = lineDataset(this.theme, ds.label, ds.data, i);
    });
    sets.length = d.datasets.length;
    const legend = chart.options.plugins?.legend;
    if (legend !== undefined) legend.display = d.datasets.length > 1;
  }
}

export class BarView extends ChartView<BarData> {
  protected create(d: BarData, axes: AxisOptions): Chart {
    return new Chart(this.canvas, barConfig(this.theme, d, axes)) as unknown as Chart;
  }

  protected swap(chart: Chart, d: BarData): void {
    chart.data.labels = d.labels;
    const sets = chart.data.datasets;
    if (sets.length === d.datasets.length && sets.every((s, i) => s.label === d.datasets[i]!.label)) {
      d.datasets.forEach((ds, i) => { sets[i]!.data = ds.data; });
    } else chart.data.datasets = barDatasets(this.theme, d);
  }
}
