import { afterEach, describe, expect, it } from 'vitest';
import { FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, histogram, normStats, tensorStats, tensorStatsWithHistogram } from '../../../core/instrument/stats';
import { setKernelMode } from '../../../core/kernels/wasm';
import { firstNonFinite } from '../../../core/instrument/nonfinite';
import { activationHealth } from '../../../core/instrument/activations';

describe('tensorStats', () => {
  it('computes norm, moments, extremes and zero fraction', () => {
    const s = tensorStats(new Float32Array([3, -4, 0, 0]));
    expect(s.count).toBe(4);
    expect(s.norm).toBeCloseTo(5, 6);
    expect(s.mean).toBeCloseTo(-0.25, 6);
    expect(s.std).toBeCloseTo(Math.sqrt((9 + 16) / 4 - 0.0625), 6);
    expect(s.min).toBe(-4);
    expect(s.max).toBe(3);
    expect(s.meanAbs).toBeCloseTo(7 / 4, 6);
    expect(s.maxAbs).toBe(4);
    expect(s.zeroFrac).toBe(0.5);
    expect(s.nanCount).toBe(0);
    expect(s.infCount).toBe(0);
  });

  it('counts NaN and Inf apart and makes the norm show them', () => {
    const nan = tensorStats(new Float32Array([1, NaN, 2]));
    expect(nan.nanCount).toBe(1);
    expect(nan.norm).toBeNaN();
    expect(nan.mean).toBeCloseTo(1.5, 6);
    const inf = tensorStats(new Float32Array([1, Infinity, -Infinity]));
    expect(inf.infCount).toBe(2);
    expect(inf.norm).toBe(Infinity);
    expect(inf.maxAbs).toBe(Infinity);
    expect(inf.max).toBe(1);
  });

  it('measures what float16 would lose', () => {
    const s = tensorStats(new Float32Array([1, FP16_MIN_NORMAL / 2, FP16_MIN_SUBNORMAL / 2, 0]));
    expect(s.fp16BelowNormal).toBeCloseTo(2 / 3, 6);
    expect(s.fp16BelowSubnormal).toBeCloseTo(1 / 3, 6);
  });
});

describe('histogram', () => {
  it('bins finite nonzero values and keeps zeros, NaN and infinities in their own buckets', () => {
    const h = histogram(new Float32Array([-1, -0.5, 0, 0, 0.5, 1, NaN, Infinity, -Infinity, Infinity]), 4);
    expect(h.lo).toBe(-1);
    expect(h.hi).toBe(1);
    expect(Array.from(h.counts)).toEqual([1, 1, 0, 2]);
    expect(h.zero).toBe(2);
    expect(h.nan).toBe(1);
    expect(h.posInf).toBe(2);
    expect(h.negInf).toBe(1);
  });

  it('puts equal values in one bin and handles all-zero data', () => {
    expect(Array.from(histogram(new Float32Array([2, 2, 2]), 3).counts)).toEqual([3, 0, 0]);
    const z = histogram(new Float32Array([0, 0]), 3);
    expect(z.zero).toBe(2);
    expect(Array.from(z.counts)).toEqual([0, 0, 0]);
  });
});

describe('firstNonFinite', () => {
  it('finds NaN and infinities, not large finite values', () => {
    expect(firstNonFinite(new Float32Array([1, 3e38, -3e38]))).toBe(-1);
    expect(firstNonFinite(new Float32Array([1, 2, NaN]))).toBe(2);
    expect(firstNonFinite(new Float32Array([-Infinity]))).toBe(0);
  });
});

describe('activationHealth', () => {
  it('counts a unit as dead only when it is ≤ 0 for every sample', () => {
    // batch 2, 3 units: unit 0 alive in sample 1, unit 1 never, unit 2 alive in sample 0
    const out = new Float32Array([0, 0, 1, 2, 0, 0]);
    const h = activationHealth('Relu', out, out, [2, 3], 5);
    expect(h.units).toBe(3);
    expect(h.deadFrac).toBeCloseTo(1 / 3, 6);
    expect(h.saturatedFrac).toBeNull();
  });

  it('measures saturated pre-activations for sigmoid and tanh', () => {
    const x = new Float32Array([-6, 0, 1, 7]);
    const h = activationHealth('Tanh', x, x.map(Math.tanh), [1, 4], 5);
    expect(h.saturatedFrac).toBe(0.5);
  });
});

describe('tensorStats fast and careful paths agree', () => {
  it('gives the same figures for finite data whichever path runs', () => {
    const data = new Float32Array(1000).map((_, i) => Math.sin(i) * (i % 7 === 0 ? 0 : 1e-3 * i));
    const fast = tensorStats(data);
    const withNaN = tensorStats(Float32Array.from([...data, NaN]));
    expect(withNaN.nanCount).toBe(1);
    expect(withNaN.count).toBe(1001);
    for (const k of ['mean', 'std', 'min', 'max', 'meanAbs', 'maxAbs', 'fp16BelowNormal', 'fp16BelowSubnormal'] as const) {
      expect(withNaN[k], k).toBeCloseTo(fast[k], 9);
    }
    expect(withNaN.zeroFrac).toBeCloseTo((fast.zeroFrac * 1000) / 1001, 9);
  });

  it('does not lose huge finite values whose squares overflow double', () => {
    const s = tensorStats(new Float32Array([3e38, -3e38]));
    expect(s.max).toBeCloseTo(3e38, -33);
    expect(s.infCount).toBe(0);
  });
});

describe('histogram from known stats', () => {
  it('bins the same values in one pass when the stats are given', () => {
    const x = new Float32Array(5000).map((_, i) => Math.sin(i * 0.37) * (i % 9 === 0 ? 0 : 1));
    const s = tensorStats(x);
    const fast = histogram(x, 16, s);
    const slow = histogram(x, 16);
    expect(fast.zero).toBe(slow.zero);
    expect(fast.counts.reduce((a, b) => a + b, 0)).toBe(slow.counts.reduce((a, b) => a + b, 0));
    expect(fast.lo).toBe(s.min);
    expect(fast.hi).toBe(s.max);
  });

  it('falls back to two passes for data with NaN or Inf', () => {
    const x = new Float32Array([1, NaN, Infinity, -2]);
    const h = histogram(x, 4, tensorStats(x));
    expect([h.nan, h.posInf, h.negInf]).toEqual([1, 1, 0]);
  });
});

describe('normStats (steps between detailed ones)', () => {
  it('gives the exact norm on both paths, and counts NaN/Inf', () => {
    const small = new Float32Array([3, -4]);
    expect(normStats(small).norm).toBeCloseTo(5, 6);
    const big = new Float32Array(4096).map((_, i) => Math.cos(i));
    expect(normStats(big).norm).toBeCloseTo(tensorStats(big).norm, 3);
    const bad = Float32Array.from([...big, NaN, Infinity]);
    expect(normStats(bad)).toEqual(expect.objectContaining({ nanCount: 1, infCount: 1 }));
    expect(normStats(new Float32Array(8)).zeroFrac).toBe(1);
  });
});

describe('tensorStatsWithHistogram (one copy into wasm memory for both passes)', () => {
  afterEach(() => setKernelMode('auto'));

  const data = (n: number, f: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => f(i));
  const cases: Array<[string, Float32Array]> = [
    ['weights', data(235_146, (i) => Math.sin(i * 0.37) * 0.05 * Math.cos(i * 0.011))],
    ['gradients with zero rows', data(20_000, (i) => (Math.floor(i / 100) % 3 === 0 ? 0 : Math.cos(i) * 1e-5))],
    ['positive only (zeros set the range)', data(5000, (i) => (i % 4 === 0 ? 0 : 1 + (i % 97)))],
    ['ReLU outputs (zeros below the nonzero range)', data(16_384, (i) => Math.max(0, Math.sin(i * 0.7) + 0.3 * Math.cos(i * 0.013)))],
    ['negative with zeros above', data(3001, (i) => (i % 5 === 0 ? 0 : -2 - Math.abs(Math.sin(i))))],
    ['constant', data(3000, () => 0.25)],
    ['all zeros', new Float32Array(4096)],
    ['NaN', data(5000, (i) => (i === 777 ? NaN : Math.sin(i)))],
    ['±Inf', data(5000, (i) => (i === 5 ? Infinity : i === 6 ? -Infinity : Math.sin(i)))],
    ['short (JS path)', data(300, (i) => Math.sin(i) * (i % 3))],
  ];

  it('equals tensorStats(x) and histogram(x, bins, tensorStats(x)) exactly, on both kernel paths', () => {
    for (const mode of ['auto', 'js'] as const) {
      setKernelMode(mode);
      for (const [name, x] of cases) {
        for (const bins of [64, 16, 0]) {
          const stats = tensorStats(x);
          const got = bins === 64 ? tensorStatsWithHistogram(x) : tensorStatsWithHistogram(x, bins);
          expect(got.stats, `${mode} ${name} ${bins}`).toEqual(stats);
          expect({ ...got.hist, counts: Array.from(got.hist.counts) }, `${mode} ${name} ${bins}`).toEqual({ ...histogram(x, bins, stats), counts: Array.from(histogram(x, bins, stats).counts) });
        }
      }
    }
  });

  it('bins over [min, max] of the finite values, zeros included', () => {
    const x = data(5000, (i) => (i % 4 === 0 ? 0 : 1 + (i % 97)));
    const { stats, hist } = tensorStatsWithHistogram(x, 8);
    expect([hist.lo, hist.hi]).toEqual([0, 97]);
    expect(hist.zero).toBe(1250);
    expect(hist.counts.reduce((a, b) => a + b, 0)).toBe(3750);
    expect(stats.zeroFrac).toBe(0.25);
  });

  it('histogram() gives the same counts with the wasm kernel and with the JS loop, with and without stats', () => {
    for (const [name, x] of cases) {
      for (const bins of [64, 16, 100]) {
        const run = (mode: 'auto' | 'js') => {
          setKernelMode(mode);
          const known = histogram(x, bins, tensorStats(x));
          const twoPass = histogram(x, bins);
          return { known: { ...known, counts: Array.from(known.counts) }, twoPass: { ...twoPass, counts: Array.from(twoPass.counts) } };
        };
        expect(run('auto'), `${name} ${bins}`).toEqual(run('js'));
      }
    }
  });

  it('histogram() without stats bins over the finite nonzero values (ReLU outputs: lo is the smallest positive)', () => {
    const x = data(16_384, (i) => (i % 2 === 0 ? 0 : 0.5 + (i % 1000) / 100));
    const h = histogram(x, 10);
    expect([h.lo, h.hi, h.zero]).toEqual([Math.fround(0.51), Math.fround(10.49), 8192]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(8192);
    expect(h.counts[0]).toBeGreaterThan(0);
    expect(h.counts[9]).toBeGreaterThan(0);
  });
});
