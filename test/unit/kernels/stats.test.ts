// The wasm statistics kernels: the sums against a sequential double-precision reference (zeros,
// fp16 subnormal-range values, a scalar tail, NaN/Inf that must poison the sums, data far from
// zero, tiny and huge values), and the histogram counts bit for bit against a float32 loop written
// from the spec of `binParams` (ranges of every scale, bin edges, 1 to 1000 bins).
import { afterEach, describe, expect, it } from 'vitest';
import { binParams, histogramCounts, nonzeroHistogram, statsAndHistogram, statsSums, HISTOGRAM_MAX_BINS, STATS_MIN_ELEMENTS } from '../../../core/kernels/stats';
import { arena, heapBase, setKernelMode, wasmKernels } from '../../../core/kernels/wasm';
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

  it('count exactly past the kernel narrow counters (all zeros, all below normal), and with other limits', () => {
    const zeros = new Float32Array(70_001);
    expect(statsSums(zeros, MIN_NORMAL, MIN_SUB)).toEqual(expect.objectContaining({ zeros: 70_001, belowNormal: 0, belowSubnormal: 0, min: 0, max: 0 }));
    const tiny = new Float32Array(70_003).map((_, i) => (i % 3 === 0 ? 1e-5 : i % 3 === 1 ? -3e-8 : 0));
    expectClose(statsSums(tiny, MIN_NORMAL, MIN_SUB)!, reference(tiny));
    // Limits that are not powers of two take the float-compare loop.
    const x = randn(20_011, 0, 1e-4, 5);
    const lim = 1.2345e-4, limSub = 3.3e-5;
    const got = statsSums(x, lim, limSub)!;
    let b = 0, t = 0;
    for (const v of x) if (v !== 0 && Math.abs(v) < Math.fround(lim)) { b++; if (Math.abs(v) < Math.fround(limSub)) t++; }
    expect([got.belowNormal, got.belowSubnormal]).toEqual([b, t]);
    expect(b).toBeGreaterThan(1000);
    expect(t).toBeGreaterThan(1000);
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

/**
 * The histogram spec (`binParams` in core/kernels/stats.ts), written out: t in float32 steps, bin
 * clamp(trunc(t), 0, bins - 1), NaN t in bin 0; zeros, NaN and ±Inf not counted.
 */
function spec(bins: number, lo: number, hi: number): { pre: number; off: number; scale: number } {
  if (!(hi > lo)) return { pre: 0, off: 0, scale: 0 };
  const pre = hi - lo >= 2 ** 127 ? 0.25 : hi - lo < 2 ** -64 ? 2 ** 64 : 1;
  return { pre, off: Math.fround(lo * pre), scale: Math.fround(bins / (hi - lo) / pre) };
}
function jsBinned(x: Float32Array, bins: number, lo: number, hi: number): Uint32Array {
  const counts = new Uint32Array(bins);
  const { pre, off, scale } = spec(bins, lo, hi);
  for (const v of x) {
    if (v === 0 || !Number.isFinite(v)) continue;
    const t = Math.fround(Math.fround(Math.fround(v * pre) - off) * scale);
    counts[t >= bins - 1 ? bins - 1 : t > 0 ? Math.trunc(t) : 0]!++;
  }
  return counts;
}

/** [min, max] of the finite values, zeros included (the statistics' range) or not (histogram()'s two-pass range). */
function range(x: Float32Array, withZeros: boolean): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) if (Number.isFinite(v) && (withZeros || v !== 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return [lo, hi];
}

const nonzero = (x: Float32Array): number => x.reduce((a, v) => a + (v !== 0 && Number.isFinite(v) ? 1 : 0), 0);
const sum = (c: ArrayLike<number>): number => Array.from(c).reduce((a, b) => a + b, 0);

describe('wasm histogram', () => {
  it('binParams is the spec', () => {
    for (const [bins, lo, hi] of [[64, -0.13, 0.2], [7, 1, 1], [64, 2, 1], [1000, -3e38, 3e38], [64, 1e-40, 3e-40], [16, 0, 2 ** -64], [64, 0, NaN]] as const) {
      expect(binParams(bins, lo, hi)).toEqual(spec(bins, lo, hi));
    }
    expect(binParams(64, -3e38, 3e38).pre).toBe(0.25);
    expect(binParams(64, 1e-40, 3e-40).pre).toBe(2 ** 64);
  });

  it('counts bit for bit as the spec over the data range, every value in a bin', () => {
    let cases = 0;
    for (const [scale, mean] of [[1e-8, 0], [1, 0], [1e6, 0], [0.05, 0.2], [1, -7], [1e-3, 1]] as const) {
      // 4095 and 4096: either side of the kernels' switch from lane to pair tables (PAIR_MIN_N).
      for (const n of [1024, 1025, 1031, 1039, 4095, 4096, 20_001]) {
        const x = randn(n, mean, scale, n + cases);
        for (let i = 3; i < n; i += 7) x[i] = 0;
        for (const bins of [1, 7, 63, 64, 65, 100, 1000]) {
          for (const withZeros of [true, false]) {
            const [lo, hi] = range(x, withZeros);
            const counts = histogramCounts(x, bins, lo, hi)!;
            expect(Array.from(counts), `scale ${scale} n ${n} bins ${bins}`).toEqual(Array.from(jsBinned(x, bins, lo, hi)));
            expect(sum(counts)).toBe(nonzero(x));
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(588);
  });

  it('keeps extreme ranges in float32: subnormal data, and data spanning ±3e38', () => {
    const tiny = new Float32Array(5000).map((_, i) => (i % 11 === 0 ? 0 : ((i * 7919) % 1000 - 500) * 1e-44));
    const huge = new Float32Array(5000).map((_, i) => (i === 0 ? 3.4e38 : i === 1 ? -3.4e38 : Math.sin(i) * 3e38));
    const narrow = new Float32Array(5000).map((_, i) => 1 + (i % 16) * 2 ** -23); // 16 floats
    for (const x of [tiny, huge, narrow]) {
      for (const bins of [64, 16, 200]) {
        const [lo, hi] = range(x, true);
        const counts = histogramCounts(x, bins, lo, hi)!;
        expect(Array.from(counts)).toEqual(Array.from(jsBinned(x, bins, lo, hi)));
        expect(sum(counts)).toBe(nonzero(x));
        // Spread over the bins, not piled at an end.
        expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(Math.min(bins, 16) / 2);
      }
    }
  });

  it('puts values on bin edges in the bin above, lo in bin 0 and hi in the last', () => {
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
    expect(counts[0]).toBe(2 * 16 + 16); // 1e-30 (k = 0) twice per 65, and 1's neighbour below
    expect(counts[63]).toBe(counts[62]! + 16); // hi itself (k = 64, 16 times) in the last bin
    for (const bins of [13, 64, 100]) {
      const [lo, hi] = range(x, false);
      const c = histogramCounts(x, bins, lo, hi)!;
      expect(Array.from(c)).toEqual(Array.from(jsBinned(x, bins, lo, hi)));
      expect(c[0]).toBeGreaterThan(0);
      expect(c[bins - 1]).toBeGreaterThan(0);
    }
  });

  it('leaves NaN and ±Inf data to the JS loop; skips zeros, and bins everything in bin 0 when hi === lo', () => {
    const x = randn(4099, 0, 1, 11);
    for (let i = 0; i < x.length; i += 5) x[i] = [0, -0][(i / 5) % 2]!;
    const [lo, hi] = range(x, false);
    const counts = histogramCounts(x, 64, lo, hi)!;
    expect(Array.from(counts)).toEqual(Array.from(jsBinned(x, 64, lo, hi)));
    expect(sum(counts)).toBe(4099 - Math.ceil(4099 / 5));
    for (const bad of [NaN, Infinity, -Infinity]) {
      const y = x.slice();
      y[4000] = bad;
      expect(histogramCounts(y, 64, lo, hi)).toBeNull();
    }
    const flat = new Float32Array(3000).fill(0.5);
    flat[10] = 0;
    flat[11] = -0;
    expect(Array.from(histogramCounts(flat, 4, 0.5, 0.5)!)).toEqual([2998, 0, 0, 0]);
    expect(Array.from(histogramCounts(flat, 100, 0.5, 0.5)!)).toEqual([2998, ...new Array(99).fill(0)]);
    expect(Array.from(histogramCounts(flat, 4, 0, 0.5)!)).toEqual([0, 0, 0, 2998]);
  });

  it('over a narrower range, agrees with the JS loop of histogram(): below lo in bin 0, above hi in the last', () => {
    const x = new Float32Array(1024);
    for (let i = 0; i < 1024; i++) x[i] = (i - 512) / 64; // -8 … 7.98
    x[0] = 3e38; // t overflows float32: the last bin
    x[1] = -3e38; // bin 0
    for (const bins of [8, 80]) {
      const counts = (mode: 'js' | 'auto'): number[] => {
        setKernelMode(mode);
        // Stats that give the range [-1, 1] (histogram() then bins with it directly).
        const known = { count: x.length, nanCount: 0, infCount: 0, min: -1, max: 1, zeroFrac: 1 / 1024 } as TensorStats;
        return Array.from(histogram(x, bins, known).counts);
      };
      const js = counts('js');
      expect(counts('auto')).toEqual(js);
      expect(js).toEqual(Array.from(jsBinned(x, bins, -1, 1)));
      if (bins === 8) {
        // Bins of 0.25 (t = 4(v + 1)): bin 0 takes [-1, -0.75) and the 447 values below -1;
        // bins 1-6 hold 16 each (less the zero in bin 4); bin 7 takes [0.75, 1), the 448 values
        // from 1 up and 3e38.
        expect(js).toEqual([16 + 447, 16, 16, 16, 15, 16, 16, 16 + 448 + 1]);
      }
    }
  });

  it('leaves a non-finite range and too many bins to the JS loop; zero bins give no counts', () => {
    const x = new Float32Array(2048).fill(1);
    expect(histogramCounts(x, 8, -Infinity, 1)).toBeNull();
    expect(histogramCounts(x, 8, -1e300, 1)).toBeNull(); // off = lo · pre overflows float32
    expect(Array.from(histogramCounts(x, 8, 1, 1e300)!)).toEqual(Array.from(jsBinned(x, 8, 1, 1e300))); // scale underflows to 0
    expect(histogramCounts(x, HISTOGRAM_MAX_BINS + 1, 0, 1)).toBeNull();
    expect(histogramCounts(x, 0, 0, 1)).toEqual(new Uint32Array(0));
  });
});

describe('nonzeroHistogram (histogram() without known stats)', () => {
  it('takes the range of the finite nonzero values and counts as the spec, zeros apart', () => {
    const relu = randn(16_384, 0, 1, 3).map((v) => Math.max(v, 0));
    const negative = randn(50_003, -2, 0.5, 4).map((v, i) => (i % 4 === 0 ? 0 : -Math.abs(v)));
    const mixed = randn(20_001, 0.1, 1, 5).map((v, i) => (i % 9 === 0 ? 0 : v));
    const above = randn(8191, 0, 1, 6).map((v, i) => (i % 3 === 0 ? 0 : 2 + Math.abs(v))); // zeros far below the range
    for (const x of [relu, negative, mixed, above]) {
      for (const bins of [64, 10, 100]) {
        const w = nonzeroHistogram(x, bins)!;
        const [lo, hi] = range(x, false);
        expect([w.lo, w.hi]).toEqual([lo, hi]);
        expect(w.zeros).toBe(x.length - nonzero(x));
        expect(Array.from(w.counts)).toEqual(Array.from(jsBinned(x, bins, lo, hi)));
      }
    }
  });

  it('gives empty counts for all-zero data, and leaves NaN, ±Inf, short arrays and odd bins to JS', () => {
    expect(nonzeroHistogram(new Float32Array(4096), 8)).toEqual({ lo: 0, hi: 0, counts: new Uint32Array(8), zeros: 4096 });
    const x = randn(4096, 0, 1, 9);
    expect(nonzeroHistogram(x, 0)).toBeNull();
    expect(nonzeroHistogram(x, 2.5)).toBeNull();
    expect(nonzeroHistogram(x.subarray(0, STATS_MIN_ELEMENTS - 1), 8)).toBeNull();
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const [n, at] of [[4096, 4095], [4099, 4098], [4099, 7]]) {
        const y = randn(n, 0, 1, 9);
        y[at!] = bad;
        expect(nonzeroHistogram(y, 8), `${bad} at ${at} of ${n}`).toBeNull();
      }
    }
  });
});

describe('statsAndHistogram (one copy into wasm memory)', () => {
  it('equals the separate calls and the spec', () => {
    for (const [n, mean, sd] of [[50_003, 0.01, 0.05], [235_146, 0, 0.05], [1024, 5, 1e-3], [4095, 0, 1], [4096, 0, 1], [4111, -1, 2]] as const) {
      const x = randn(n, mean, sd, n);
      for (let i = 0; i < x.length; i += 11) x[i] = 0;
      for (const bins of [1, 7, 64, 65, 1000]) {
        const r = statsAndHistogram(x, MIN_NORMAL, MIN_SUB, bins)!;
        const sums = statsSums(x, MIN_NORMAL, MIN_SUB)!;
        expect(r.sums).toEqual(sums);
        expect([r.lo, r.hi]).toEqual([sums.min, sums.max]);
        expect(Array.from(r.counts!), `n ${n} bins ${bins}`).toEqual(Array.from(jsBinned(x, bins, sums.min, sums.max)));
        expect(Array.from(r.counts!)).toEqual(Array.from(histogramCounts(x, bins, sums.min, sums.max)!));
      }
    }
  });

  it('keeps extreme ranges in float32 here too (pre of 2^64 and 1/4)', () => {
    const tiny = new Float32Array(6000).map((_, i) => (i % 7 === 0 ? 0 : ((i * 7919) % 1000 - 500) * 1e-44));
    const huge = new Float32Array(6000).map((_, i) => (i === 0 ? 3.4e38 : i === 1 ? -3.4e38 : Math.sin(i) * 3e38));
    for (const x of [tiny, huge]) {
      for (const bins of [64, 16, 100]) {
        const r = statsAndHistogram(x, MIN_NORMAL, MIN_SUB, bins)!;
        expect(Array.from(r.counts!)).toEqual(Array.from(jsBinned(x, bins, r.lo, r.hi)));
        expect(sum(r.counts!)).toBe(nonzero(x));
      }
    }
  });

  it('bins runs of one value (zero rows, constant tensors) and data without zeros', () => {
    const rows = randn(40_000, 0, 1, 2).map((v, i) => (Math.floor(i / 300) % 2 === 0 ? 0 : v));
    const constant = new Float32Array(30_000).fill(-0.25);
    const positive = randn(30_000, 3, 0.1, 6);
    for (const x of [rows, constant, positive]) {
      const r = statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 64)!;
      expect(Array.from(r.counts!)).toEqual(Array.from(jsBinned(x, 64, r.lo, r.hi)));
      expect(sum(r.counts!)).toBe(nonzero(x));
    }
  });

  it('gives no counts for non-finite data or zero bins, and null for short arrays', () => {
    const x = randn(4096, 0, 1, 9);
    expect(statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 0)!.counts).toBeNull();
    expect(statsAndHistogram(x, MIN_NORMAL, MIN_SUB, HISTOGRAM_MAX_BINS + 1)!.counts).toBeNull();
    for (const bad of [NaN, Infinity, -Infinity]) {
      const y = x.slice();
      y[17] = bad;
      const r = statsAndHistogram(y, MIN_NORMAL, MIN_SUB, 64)!;
      expect(r.counts).toBeNull();
      expect(Number.isFinite(r.sums.sum) && Number.isFinite(r.sums.sumSq)).toBe(false);
    }
    expect(statsAndHistogram(new Float32Array(100), MIN_NORMAL, MIN_SUB, 64)).toBeNull();
  });

  it('the pair histogram writes nowhere but its own tables, whatever the data and range', () => {
    const k = wasmKernels()!;
    const n = 4099;
    const x = randn(n, 0, 1, 12);
    x.set([NaN, Infinity, -Infinity, 3e38, -3e38, 1e-45], 100);
    const px = heapBase(k), pout = px + 4 * n + 64, pcnt = pout + 64, ptab = pcnt + 64, pcounts = ptab + 64;
    arena(k, pcounts + 256 - px).set(x, px >> 2);
    // The static data (the kernels' own, and the tables) lies below the 64 KiB stack under the heap.
    const statics = (): Uint8Array => new Uint8Array(k.memory.buffer, 0, px - 65536).slice();
    const before = statics();
    for (const [pre, off, scale] of [[1, 0.5, 1e30], [1, NaN, 1], [2 ** 64, -1e30, 1e-30], [1, 0, -5], [0.25, 3e38, 1e38], [1, 2, Infinity]]) {
      k.stats_range(px, n, MIN_NORMAL, MIN_SUB, pout, pcnt);
      k.stats_sums_histogram(px, n, 64, pre!, off!, scale!, pout, pcnt, ptab, pcounts);
      k.histogram(px, n, 64, pre!, off!, scale!, 0, ptab, pcounts);
    }
    const after = statics();
    let first = -1, last = -1;
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) { if (first < 0) first = i; last = i; }
    expect(first).toBeGreaterThanOrEqual(0);
    expect(last - first).toBeLessThan(2 * 64 * 64 * 4);
    expect(Array.from(new Float32Array(k.memory.buffer, px, n))).toEqual(Array.from(x));
    // And the kernels still agree with the spec afterwards.
    const y = randn(5000, 0, 1, 13);
    expect(Array.from(statsAndHistogram(y, MIN_NORMAL, MIN_SUB, 64)!.counts!)).toEqual(Array.from(jsBinned(y, 64, ...range(y, true))));
  });

  it('all the kernels step aside when the JS path is forced', () => {
    const x = randn(4096, 0, 1, 9);
    setKernelMode('js');
    expect(statsSums(x, MIN_NORMAL, MIN_SUB)).toBeNull();
    expect(histogramCounts(x, 8, -4, 4)).toBeNull();
    expect(nonzeroHistogram(x, 8)).toBeNull();
    expect(statsAndHistogram(x, MIN_NORMAL, MIN_SUB, 8)).toBeNull();
  });
});
