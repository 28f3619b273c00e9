import { describe, expect, it } from 'vitest';
import {
  activationFractions, bpttNorms, lastDrawableFlowStep, logTickLabel, tickDecades, informativeKey, gradientFlow, histogramBars, histogramHeatmap, histogramKeys, logSafe, lossChart,
  lossPrefersLog, normsOverTime, parameterSteps, rowAt, updateRatios, formatNumber, severityCounts,
} from '../../../webview/charts/transform';
import type { HistogramReportEntry, HistogramSnapshot, ParameterSeries } from '../../../core/report/model';

function series(name: string, steps: number[], over: Partial<ParameterSeries> = {}): ParameterSeries {
  const nulls = steps.map(() => null);
  return {
    name, module: name.split('.')[0]!, shape: [2, 2], steps,
    gradNorm: [...nulls], gradMeanAbs: [...nulls], gradMaxAbs: [...nulls], gradZeroFrac: [...nulls], gradNanCount: [...nulls],
    gradInfCount: [...nulls], weightNorm: [...nulls], updateRatio: [...nulls], ...over,
  };
}

function entry(name: string, lo: number, hi: number, counts: number[], over: Partial<HistogramReportEntry> = {}): HistogramReportEntry {
  return { name, kind: 'grad', lo, hi, counts, zero: 0, nan: 0, posInf: 0, negInf: 0, ...over };
}

describe('log and linear safety', () => {
  it('drops what a log axis cannot draw and counts it', () => {
    expect([1e-9, 0, -1, NaN, Infinity, null].map(logSafe)).toEqual([1e-9, null, null, null, null, null]);
    const d = lossChart({ loss: [{ step: 1, value: 2 }, { step: 2, value: NaN }, { step: 3, value: null }, { step: 4, value: -1 }] });
    expect(d.datasets[0]!.data).toEqual([{ x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: null }, { x: 4, y: -1 }]);
    expect(d.dropped).toBe(1); // the NaN; null was never a value
    expect(lossChart({ loss: [{ step: 1, value: -1 }] }, true).dropped).toBe(1);
  });

  it('prefers a log loss axis only for a positive loss spanning > 3 decades', () => {
    expect(lossPrefersLog({ loss: [{ step: 1, value: 1e4 }, { step: 2, value: 1 }] })).toBe(true);
    expect(lossPrefersLog({ loss: [{ step: 1, value: 10 }, { step: 2, value: 1 }] })).toBe(false);
    expect(lossPrefersLog({ loss: [{ step: 1, value: 1e4 }, { step: 2, value: -1 }] })).toBe(false);
  });
});

describe('gradient flow', () => {
  const params = [
    series('fc1.weight', [1, 2, 4], { gradMeanAbs: [1e-3, 2e-3, 4e-3], gradMaxAbs: [1e-2, 2e-2, 4e-2] }),
    series('fc2.weight', [1, 2, 4], { gradMeanAbs: [1e-8, 0, NaN], gradMaxAbs: [1e-7, 1e-7, Infinity] }),
  ];

  it('takes mean and max |grad| per parameter at the latest step by default', () => {
    const d = gradientFlow(params);
    expect(d.labels).toEqual(['fc1.weight', 'fc2.weight']);
    expect(d.datasets.map((s) => s.label)).toEqual(['mean |grad|', 'max |grad|']);
    expect(d.datasets[0]!.data).toEqual([4e-3, null]);
    expect(d.datasets[1]!.data).toEqual([4e-2, null]);
    expect(d.dropped).toBe(2);
  });

  it('takes the last row at or before a chosen step (decimated series)', () => {
    expect(gradientFlow(params, 3).datasets[0]!.data).toEqual([2e-3, null]);
    expect(gradientFlow(params, 1).datasets[1]!.data).toEqual([1e-2, 1e-7]);
    expect(gradientFlow(params, 0).datasets[0]!.data).toEqual([null, null]);
    expect(rowAt([1, 2, 4], 3)).toBe(1);
    expect(rowAt([1, 2, 4])).toBe(2);
    expect(rowAt([], 3)).toBe(-1);
    expect(parameterSteps([series('a', [1, 3]), series('b', [2, 3])])).toEqual([1, 2, 3]);
  });
});

describe('defaults and ticks', () => {
  it('gradient flow opens at the last step with something to draw', () => {
    const ps = [series('a', [1, 2, 3], { gradMeanAbs: [1, 2, NaN], gradMaxAbs: [1, Infinity, NaN] })];
    expect(lastDrawableFlowStep(ps)).toBe(2);
    expect(lastDrawableFlowStep([series('a', [1], { gradMeanAbs: [0], gradMaxAbs: [0] })])).toBeUndefined();
  });

  it('log ticks are labelled at 1, 2 and 5 only', () => {
    expect([1, 2, 3, 5, 10, 0.02, 7e-5, 5e-7, 0, -1].map((v) => logTickLabel(v))).toEqual(['1', '2', '', '5', '10', '0.02', '', '5e-7', '', '']);
    expect([1, 2, 10, 100].map((v) => logTickLabel(v, 4))).toEqual(['1', '', '10', '100']);
    // 24 decades: every 4th power of ten.
    expect([1e4, 1e5, 1e8, 2e8].map((v) => logTickLabel(v, 24))).toEqual(['1e+4', '', '1e+8', '']);
    expect(tickDecades([{ value: 1e-3 }, { value: 1 }, { value: 1e3 }])).toBeCloseTo(6, 9);
  });
});

describe('series over time', () => {
  it('norms: one log dataset per parameter', () => {
    const d = normsOverTime([series('a', [1, 2], { gradNorm: [1, 0] }), series('b', [2], { gradNorm: [3] })]);
    expect(d.datasets).toEqual([{ label: 'a', data: [{ x: 1, y: 1 }, { x: 2, y: null }] }, { label: 'b', data: [{ x: 2, y: 3 }] }]);
    expect(d.dropped).toBe(1);
  });

  it('update ratios skip parameters the optimizer never stepped', () => {
    const d = updateRatios([series('a', [1], { updateRatio: [1e-3] }), series('frozen', [1])]);
    expect(d.datasets.map((s) => s.label)).toEqual(['a']);
  });

  it('activations: dead fraction always, saturated only where measured', () => {
    const d = activationFractions([
      { name: 'relu', module: 'relu', op: 'Relu', units: 4, steps: [1, 2], deadFrac: [0.5, 0.75], saturatedFrac: [null, null] },
      { name: 'tanh', module: 'tanh', op: 'Tanh', units: 4, steps: [1], deadFrac: [0], saturatedFrac: [0.9] },
    ]);
    expect(d.datasets.map((s) => s.label)).toEqual(['relu dead', 'tanh dead', 'tanh saturated']);
    expect(d.datasets[2]!.data).toEqual([{ x: 1, y: 0.9 }]);
  });

  it('BPTT: x is the time step', () => {
    const d = bpttNorms([{ module: 'rnn', layer: 0, step: 7, norms: [4, 2, 1] }]);
    expect(d.datasets[0]).toEqual({ label: 'rnn layer 0 @ step 7', data: [{ x: 0, y: 4 }, { x: 1, y: 2 }, { x: 2, y: 1 }] });
    const nan = bpttNorms([{ module: '', layer: 1, step: 9, norms: [NaN], lastFinite: { step: 8, norms: [3] } }]);
    expect(nan.datasets.map((s) => s.label)).toEqual(['(root) layer 1 @ step 9', '(root) layer 1 @ step 8 (last finite)']);
    expect(nan.datasets[1]!.data).toEqual([{ x: 0, y: 3 }]);
  });
});

describe('histograms', () => {
  it('bars: bin centres, then zero/NaN/Inf buckets only when present', () => {
    const d = histogramBars(entry('w', -1, 1, [1, 2, 3, 4], { zero: 5, nan: 1, negInf: 2 }));
    expect(d.labels).toEqual(['-0.75', '-0.25', '0.25', '0.75', '0 (exact)', 'NaN', '−Inf']);
    expect(d.datasets[0]!.data).toEqual([1, 2, 3, 4, 5, 1, 2]);
    expect(histogramBars(entry('w', 0, 1, [1])).labels).toEqual(['0.5']);
    // All NaN: no empty value bins, just the NaN bar.
    expect(histogramBars(entry('w', 0, 0, [0, 0, 0], { nan: 7 }))).toMatchObject({ labels: ['NaN'], datasets: [{ data: [7] }] });
  });

  it('keys: each (name, kind) once, gradients first', () => {
    const snaps: HistogramSnapshot[] = [
      { step: 1, entries: [{ ...entry('a', 0, 1, [1]), kind: 'weight' }, entry('a', 0, 1, [1])] },
      { step: 2, entries: [entry('a', 0, 1, [1]), { ...entry('r', 0, 1, [1]), kind: 'activation' }] },
    ];
    expect(histogramKeys(snaps)).toEqual([{ name: 'a', kind: 'grad' }, { name: 'a', kind: 'weight' }, { name: 'r', kind: 'activation' }]);
  });

  it('heatmap: rebins every step onto the common range', () => {
    const snaps: HistogramSnapshot[] = [
      { step: 1, entries: [entry('a', 0, 1, [3, 1])] }, // centres 0.25, 0.75
      { step: 5, entries: [entry('b', 0, 1, [9])] },
      { step: 9, entries: [entry('a', -1, 1, [2, 0, 0, 6], { nan: 2, posInf: 1 })] }, // centres -0.75, 0.75
    ];
    const h = histogramHeatmap(snaps, { name: 'a', kind: 'grad' }, 4);
    expect(h.steps).toEqual([1, 9]);
    expect([h.lo, h.hi, h.rows, h.max]).toEqual([-1, 1, 4, 6]);
    // rows of width 0.5 over [-1, 1]: 0.25 → row 2, 0.75 → row 3, -0.75 → row 0.
    expect(h.counts).toEqual([[0, 0, 3, 1], [2, 0, 0, 6]]);
    expect(h.nonFinite).toEqual([0, 3]);
    // Exact zeros land in the row holding 0; an all-zero tensor is one band.
    const zeros = histogramHeatmap([{ step: 1, entries: [entry('z', 0, 0, [0, 0], { zero: 5 })] }, { step: 2, entries: [entry('z', 1, 3, [2, 0], { zero: 1 })] }], { name: 'z', kind: 'grad' }, 3);
    expect([zeros.lo, zeros.hi]).toEqual([0, 3]);
    expect(zeros.counts).toEqual([[5, 0, 0], [1, 2, 0]]); // centre 1.5 → row 1
    expect(histogramHeatmap([{ step: 1, entries: [entry('z', 0, 0, [0], { zero: 4 })] }], { name: 'z', kind: 'grad' }, 4).counts).toEqual([[0, 0, 4, 0]]);
    expect(informativeKey([{ step: 1, entries: [entry('z', 0, 0, [0], { zero: 4 }), entry('y', 0, 1, [1])] }], [{ name: 'z', kind: 'grad' }, { name: 'y', kind: 'grad' }])).toEqual({ name: 'y', kind: 'grad' });
    const empty = histogramHeatmap(snaps, { name: 'zzz', kind: 'grad' });
    expect(empty.steps).toEqual([]);
    expect(empty.max).toBe(0);
  });
});

describe('small helpers', () => {
  it('formatNumber', () => {
    expect([0, 0.5, 1234.5, 12345, 1e-5, 1.5e-9, NaN, -Infinity].map(formatNumber)).toEqual(['0', '0.5', '1230', '1.23e+4', '1e-5', '1.5e-9', 'NaN', '-Infinity']);
  });

  it('severityCounts', () => {
    expect(severityCounts({ diagnostics: [{ severity: 'error' }, { severity: 'info' }, { severity: 'error' }] as never })).toEqual({ error: 2, warning: 0, info: 1 });
  });
});
