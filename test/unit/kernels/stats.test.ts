// The wasm statistics kernels: the sums against a sequential double-precision reference (zeros,
// fp16 subnormal-range values, a scalar tail, NaN/Inf that must poison the sums, data far from
// zero, tiny and huge values), and the histogram counts bit for bit against the JS loop.
import { afterEach, describe, expect, it } from 'vitest';
import { histogramCounts, statsAndHistogram, statsSums, STATS_MIN_ELEMENTS } from '../../../core/kernels/stats';
import { setKernelMode } from '../../../core/kernels/wasm';
import { histogram, type TensorStats } from '../../../core/instrument/stats';

const MIN_NORMAL = 2 ** -14;
const MIN_SUB = 2 ** -24;

afterEach(() => setKernelMode('auto'));

function reference(x: Float32Array) {
  let sum = 0, sumSq = 0, sumAbs = 0, min = Infinity, max = -Infinity, zeros = 0, belowNormal = 0, belowSubnormal = 0;
  for (const v of x) {
    const a = Math.abs(v);
    sum += v; sumSq += v * v; sumAbs += a;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
    else if (a < MIN_NORMAL) { belowNormal++; if (a < MIN_SUB) belowSubnormal++; }
  }
  return { sum, sumSq, sumAbs, min, max, zeros, belowNormal, belowSubnormal };
}

function randn(n: number, mean: number, sd: number, seed: number): Float32Array {
  let s = seed;
  const r = (): number => ((s = (s * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = mean + sd * Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r());
  return x;
}

/**
 * The kernel adds f32 values (and f32 squares) in blocks of 32 per lane, each block promoted into
 * double: a relative error of a few 1e-8 (measured worst over 300 random tensors: 2.5e-8) instead
 * of the 1e-13 of an all-double loop. Σv's error scales with Σ|v|, not with Σv (which may cancel).
 */
const REL = 1e-7;

function expectClose(got: ReturnType<typeof reference>, ref: ReturnType<typeof reference>): void {
  expect(Math.abs(got.sum - ref.sum)).toBeLessThanOrEqual(REL * ref.sumAbs);
  expect(Math.abs(got.sumSq - ref.sumSq)).toBeLessThanOrEqual(REL * ref.sumSq);
  expect(Math.abs(got.sumAbs - ref.sumAbs)).toBeLessThanOrEqual(REL * ref.sumAbs);
  expect(got.min).toBe(ref.min);
  expect(got.max).toBe(ref.max);
  expect([got.zeros, got.belowNormal, got.belowSubnormal]).toEqual([ref.zeros, ref.belowNormal, ref.belowSubnormal]);
}

describe('wasm statistics sums', () => {
  it('match the sequential loop', () => {
    const n = 10_003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 10 ** ((i % 9) - 7);
    for (let i = 0; i < n; i += 17) x[i] = 0;
    x[n - 1] = 3e-8; // in the tail, below the subnormal limit
    x[10] = -1e-6;
    const ref = reference(x);
    expectClose(statsSums(x, MIN_NORMAL, MIN_SUB)!, ref);
    expect(ref.belowSubnormal).toBeGreaterThan(0);
  });

  it('match on weight- and gradient-like tensors of several sizes and offsets', () => {
    for (const [n, mean, sd] of [[1024, 0, 0.05], [235_146, 0, 0.05], [4099, 0.01, 1e-4], [70_001, -3, 0.5], [2053, 100, 1e-3]] as const) {
      const x = randn(n, mean, sd, n);
      expectClose(statsSums(x, MIN_NORMAL, MIN_SUB)!, reference(x));
    }
  });

  it('keep the spread of data far from zero (the f32 blocks run on values shifted to near the mean)', () => {
    // Weights near 1 with a spread of 1e-3: unshifted f32 sums lose about 1% of the std here.
    const x = randn(235_146, 1, 1e-3, 7);
    const std = (s: { sum: number; sumSq: number }): number => Math.sqrt(s.sumSq / x.length - (s.sum / x.length) ** 2);
    const got = statsSums(x, MIN_NORMAL, MIN_SUB)!;
    expect(Math.abs(std(got) / std(reference(x)) - 1)).toBeLessThan(1e-6);
  });

  it('redo the sums in double where f32 squares would underflow or overflow', () => {
    for (const scale of [1e-30, 1e-18, 1e25, 1e30]) {
      const x = randn(5000, 0, scale, 3);
      const got = statsSums(x, MIN_NORMAL, MIN_SUB)!;
      const ref = reference(x);
      expect(Number.isFinite(got.sumSq)).toBe(true);
      expectClose(got, ref);
    }
  });

  it('NaN and ±Inf anywhere poison the sums; short arrays are left to JS', () => {
    for (const [at, bad] of [[7, NaN], [0, NaN], [4095, NaN], [100, Infinity], [0, -Infinity], [4094, Infinity]] as const) {
      const x = new Float32Array(4096).fill(1);
      x[at] = bad;
      const s = statsSums(x, MIN_NORMAL, MIN_SUB)!;
      expect(Number.isFinite(s.sum) && Number.isFinite(s.sumSq), `${bad} at ${at}`).toBe(false);
    }
    const both = new Float32Array(4096).fill(1);
    both[5] = Infinity;
    both[900] = -Infinity;
    expect(Number.isFinite(statsSums(both, MIN_NORMAL, MIN_SUB)!.sumSq)).toBe(false);
    expect(statsSums(new Float32Array(STATS_MIN_ELEMENTS - 1), MIN_NORMAL, MIN_SUB)).toBeNull();
  });
});

/** The histogram loop of core/instrument/stats.ts as it was before the kernel (the spec over the data's own range). */
function jsBinned(x: Float32Array, bins: number, lo: number, hi: number): Uint32Array {
  const counts = new Uint32Array(bins);
  const scale = hi > lo ? bins / (hi - lo) : 0;
  const last = bins - 1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === 0 || v - v !== 0) continue;
    const b = ((v - lo) * scale) | 0;
    counts[b > last ? last : b]!++;
  }
  return counts;
}

/** [min, max] of the finite values, zeros included (the statistics' range) or not (histogram()'s two-pass range). */
function range(x: Float32Array, withZeros: boolean): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) if (Number.isFinite(v) && (withZeros || v !== 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return [lo, hi];
}

describe('wasm histogram', () => {
  it('counts bit for bit as the JS loop over the data range', () => {
    let cases = 0;
    for (const [scale, mean] of [[1e-8, 0], [1, 0], [1e6, 0], [0.05, 0.2], [1, -7]] as const) {
      for (const n of [1024, 1025, 1026, 1027, 1028, 1029, 1030, 1031, 20_001]) {
        const x = randn(n, mean, scale, n + cases);
        for (let i = 3; i < n; i += 7) x[i] = 0;
        for (const bins of [1, 7, 64, 100, 1000]) {
          for (const withZeros of [true, false]) {
            const [lo, hi] = range(x, withZeros);
            expect(Array.from(histogramCounts(x, bins, lo, hi)!), `scale ${scale} n ${n} bins ${bins}`).toEqual(Array.from(jsBinned(x, bins, lo, hi)));
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(450);
  });

  it('puts values on bin edges, at lo and at hi where the JS loop does', () => {
    // lo = 0, hi = 64 over 64 bins: t = v exactly, so integers sit on edges; their float32
    // neighbours just below fall in the bin before.
    const x = new Float32Array(2048);
    for (let i = 0; i < 1024; i++) {
      const k = (i % 65);
      x[2 * i] = k === 0 ? 1e-30 : k;
      x[2 * i + 1] = Math.max(Math.fround(k - k * 2 ** -23), 1e-30);
    }
    x[5] = 0;
    x[7] = 64;
    const counts = histogramCounts(x, 64, 0, 64)!;
    expect(Array.from(counts)).toEqual(Array.from(jsBinned(x, 64, 0, 64)));
    expect(counts[63]).toBeGreaterThan(counts[62]!); // hi itself is in the last bin
    const [lo, hi] = range(x, false);
    expect(Array.from(histogramCounts(x, 13, lo, hi)!)).toEqual(Array.from(jsBinned(x, 13, lo, hi)));
  });

  it('skips zeros, NaN and ±Inf, and bins everything in bin 0 when hi === lo', () => {
    const x = randn(4099, 0, 1, 11);
    for (let i = 0; i < x.length; i += 5) x[i] = [0, -0, NaN, Infinity, -Infinity][(i / 5) % 5]!;
    const [lo, hi] = range(x, false);
    const counts = histogramCounts(x, 64, lo, hi)!;
    expect(Array.from(counts)).toEqual(Array.from(jsBinned(x, 64, lo, hi)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4099 - Math.ceil(4099 / 5));
    const flat = new Float32Array(3000).fill(0.5);
    flat[10] = 0;
    flat[11] = NaN;
    expect(Array.from(histogramCounts(flat, 4, 0.5, 0.5)!)).toEqual([2998, 0, 0, 0]);
    expect(Array.from(histogramCounts(flat, 4, 0, 0.5)!)).toEqual(Array.from(jsBinned(flat, 4, 0, 0.5)));
  });

  it('over a narrower range, agrees with the JS loop of histogram(): a bin below lo to bin 0, further below skipped, above hi to the last bin', () => {
    const x = new Float32Array(1024);
    for (let i = 0; i < 1024; i++) x[i] = (i - 512) / 64; // -8 … 7.98
    x[0] = 3e38; // t far beyond int32: still the last bin
    x[1] = -3e38; // skipped
    const counts = (mode: 'js' | 'auto'): number[] => {
      setKernelMode(mode);
      // Stats that give the range [-1, 1] (histogram() then bins with it directly).
      const known = { count: x.length, nanCount: 0, infCount: 0, min: -1, max: 1, zeroFrac: 1 / 1024 } as TensorStats;
      return Array.from(histogram(x, 8, known).counts);
    };
    const js = counts('js');
    expect(counts('auto')).toEqual(js);
    // Bins of 0.25 (t = 4(v + 1)): the 15 values in (-1.25, -1) join the 16 of [-1, -0.75) in bin 0;
    // -1.25 and below are skipped; bins 1-6 hold 16 each (less the zero in bin 4); bin 7 takes
    // [0.75, 1), the 448 values from 1 up and 3e38.
    expect(js).toEqual([31, 16, 16, 16, 15, 16, 16, 16 + 448 + 1]);
  });

  it('leaves a non-finite range to the JS loop; zero bins give no counts', () => {
    const x = new Float32Array(2048).fill(1);
    expect(histogramCounts(x, 8, -Infinity, 1)).toBeNull();
    expect(histogramCounts(x, 0, 0, 1)).toEqual(new Uint32Array(0));
  });
});

describe('statsAndHistogram (one copy into wasm memory)', () => {
  it('equals the separate calls', () => {
    const x = randn(50_003, 0.01, 0.05, 5);
    for (let i = 0; i < x.length; i += 11) x[i] = 0;
    const r = statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 64)!;
    const sums = statsSums(x, MIN_NORMAL, MIN_SUB)!;
    expect(r.sums).toEqual(sums);
    expect([r.lo, r.hi]).toEqual([sums.min, sums.max]);
    expect(Array.from(r.counts!)).toEqual(Array.from(histogramCounts(x, 64, sums.min, sums.max)!));
    expect(Array.from(r.counts!)).toEqual(Array.from(jsBinned(x, 64, sums.min, sums.max)));
  });

  it('gives no counts for non-finite data or zero bins, and null for short arrays', () => {
    const x = randn(4096, 0, 1, 9);
    expect(statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 0)!.counts).toBeNull();
    x[17] = NaN;
    const r = statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 64)!;
    expect(r.counts).toBeNull();
    expect(r.sums.sum).toBeNaN();
    expect(statsAndHistogram(new Float32Array(100), MIN_NORMAL, MIN_SUB, 64)).toBeNull();
  });

  it('all the kernels step aside when the JS path is forced', () => {
    const x = randn(4096, 0, 1, 9);
    setKernelMode('js');
    expect(statsSums(x, MIN_NORMAL, MIN_SUB)).toBeNull();
    expect(histogramCounts(x, 8, -4, 4)).toBeNull();
    expect(statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 8)).toBeNull();
  });
});
