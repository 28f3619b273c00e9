// The wasm statistics sums against a sequential double-precision reference, with zeros, fp16
// subnormal-range values, a scalar tail, and a NaN that must poison the sums.
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

describe('wasm statistics sums', () => {
  it('match the sequential loop', () => {
    const n = 10_003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 10 ** ((i % 9) - 7);
    for (let i = 0; i < n; i += 17) x[i] = 0;
    x[n - 1] = 3e-8; // in the tail, below the subnormal limit
    x[10] = -1e-6;
    const got = statsSums(x, MIN_NORMAL, MIN_SUB)!;
    const ref = reference(x);
    for (const key of ['sum', 'sumSq', 'sumAbs'] as const) expect(Math.abs(got[key] - ref[key])).toBeLessThan(1e-13 * Math.abs(ref[key]));
    expect(got.min).toBe(ref.min);
    expect(got.max).toBe(ref.max);
    expect([got.zeros, got.belowNormal, got.belowSubnormal]).toEqual([ref.zeros, ref.belowNormal, ref.belowSubnormal]);
    expect(ref.belowSubnormal).toBeGreaterThan(0);
  });

  it('a NaN poisons the sums; short arrays are left to JS', () => {
    const x = new Float32Array(4096).fill(1);
    x[7] = NaN;
    expect(Number.isNaN(statsSums(x, MIN_NORMAL, MIN_SUB)!.sum)).toBe(true);
    expect(statsSums(new Float32Array(STATS_MIN_ELEMENTS - 1), MIN_NORMAL, MIN_SUB)).toBeNull();
  });
});
