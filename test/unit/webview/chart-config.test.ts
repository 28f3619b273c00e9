// chart.js configurations shared by the panel: axis labels that stay readable over narrow and wide
// ranges, theme colours, live-update settings.
import { describe, expect, it } from 'vitest';
import { barConfig, lineConfig, linearTicks, logTicks, seriesColor } from '../../../webview/charts/config';
import { paletteColor } from '../../../webview/charts/transform';

const ticks = (...vs: number[]) => vs.map((value) => ({ value }));

describe('axis labels', () => {
  it('log axis under a decade: every whole significand, nothing in between', () => {
    const t = ticks(0.0017, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.008);
    expect(t.map((x, i) => logTicks(x.value, i, t))).toEqual(['', '0.002', '', '0.003', '0.004', '0.005', '0.008']);
  });

  it('log axis over decades: thinned to 1, 2, 5 or to powers of ten', () => {
    const two = ticks(0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1);
    expect(two.map((x, i) => logTicks(x.value, i, two))).toEqual(['0.01', '0.02', '', '0.05', '0.1', '0.2', '0.5', '1']);
    const wide = ticks(1e-6, 2e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1);
    expect(wide.map((x, i) => logTicks(x.value, i, wide))).toEqual(['1e-6', '', '1e-5', '1e-4', '0.001', '0.01', '0.1', '1']);
  });

  it('linear axis: as many digits as the spacing needs', () => {
    const loss = ticks(0.6925, 0.6927, 0.6929, 0.6931);
    expect(loss.map((x, i) => linearTicks(x.value, i, loss))).toEqual(['0.6925', '0.6927', '0.6929', '0.6931']);
    const frac = ticks(0, 0.5, 1);
    expect(frac.map((x, i) => linearTicks(x.value, i, frac))).toEqual(['0', '0.5', '1']);
    const big = ticks(1e6, 1.2e6, 1.4e6);
    expect(big.map((x, i) => linearTicks(x.value, i, big))).toEqual(['1e+6', '1.2e+6', '1.4e+6']);
    // A single value: no spacing to go by.
    expect(linearTicks(3.27e35, 0, ticks(3.27e35, 3.27e35))).toBe('3.27e+35');
  });
});

describe('configs', () => {
  const theme = { text: '#111', grid: '#eee', series: ['#00f', '#f00'] };

  it('series colours: the theme first, then the fixed palette', () => {
    expect([0, 1, 2].map((i) => seriesColor(theme, i))).toEqual(['#00f', '#f00', paletteColor(2)]);
  });

  it('line charts are set up for live updates: no animation, no parsing, min-max decimation, log axis on request', () => {
    const c = lineConfig(theme, { datasets: [{ label: 'a', data: [{ x: 1, y: 2 }] }, { label: 'b', data: [] }], dropped: 0 }, { log: true, xTitle: 'step', yTitle: 'y' });
    expect(c.options?.animation).toBe(false);
    expect(c.options?.parsing).toBe(false);
    expect(c.options?.plugins?.decimation).toEqual({ enabled: true, algorithm: 'min-max' });
    expect(c.options?.scales?.['y']?.type).toBe('logarithmic');
    expect(c.data.datasets.map((d) => d.borderColor)).toEqual(['#00f', '#f00']);
    expect(c.options?.plugins?.legend?.display).toBe(true);
  });

  it('bar charts take the labels, one legend entry hidden', () => {
    const c = barConfig(theme, { labels: ['w', 'b'], datasets: [{ label: 'mean', data: [1, null] }], dropped: 0 }, { log: false, xTitle: 'layer', yTitle: 'y' });
    expect(c.data.labels).toEqual(['w', 'b']);
    expect(c.options?.animation).toBe(false);
    expect(c.options?.plugins?.legend?.display).toBe(false);
    expect(c.options?.scales?.['y']?.type).toBe('linear');
  });
});
