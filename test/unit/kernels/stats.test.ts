// The wasm statistics sums against a sequential double-precision reference (zeros, fp16
// subnormal-range values, a scalar tail, NaN/Inf that must poison the sums, data far from zero,
// tiny and huge values).
import { describe, expect, it } from 'vitest';
import { statsSums, STATS_MIN_ELEMENTS } from '../../../core/kernels/stats';

const MIN_NORMAL = 2 ** -14;
const MIN_SUB = 2 ** -24;

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
