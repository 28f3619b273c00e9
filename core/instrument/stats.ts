// Summary statistics of a tensor's values in one pass, and histograms. Non-finite values are
// counted, never silently folded in: mean/std/min/max cover the finite values, while the L2 norm
// covers all of them (so a NaN or Inf gradient shows as a NaN or Inf norm, as in PyTorch).

import { binParams, histogramCounts, nonzeroHistogram, statsAndHistogram, statsSums, type NonzeroHistogram, type StatsAndHistogram, type StatsSums } from '../kernels/stats';

/** float16's smallest normal (2^-14) and smallest subnormal (2^-24): below them, values are lost without loss scaling. */
export const FP16_MIN_NORMAL = 2 ** -14;
export const FP16_MIN_SUBNORMAL = 2 ** -24;

export interface TensorStats {
  count: number;
  /** L2 norm of all values (NaN/Inf if any value is). */
  norm: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  meanAbs: number;
  maxAbs: number;
  /** Fraction of values exactly 0. */
  zeroFrac: number;
  nanCount: number;
  infCount: number;
  /** Fractions of the nonzero finite values below float16's smallest normal, and its smallest subnormal. */
  fp16BelowNormal: number;
  fp16BelowSubnormal: number;
}

/** All the statistics from the WebAssembly SIMD sums (several times the JS loop), or null where they do not run (short arrays, no wasm). */
function simdStats(x: Float32Array): TensorStats | null {
  const w = statsSums(x, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL);
  return w === null ? null : fromSums(x, w);
}

/** The statistics from the kernel's sums of x, or from the careful loop when they are not finite (NaN/Inf in x). */
function fromSums(x: Float32Array, w: StatsSums): TensorStats {
  if (!Number.isFinite(w.sumSq) || !Number.isFinite(w.sum)) return carefulStats(x);
  return summarize(x.length, x.length, w.sum, w.sumSq, w.sumAbs, w.min, w.max, Math.max(-w.min, w.max), w.zeros, 0, 0, w.belowNormal, w.belowSubnormal);
}

export function tensorStats(x: Float32Array): TensorStats {
  const simd = simdStats(x);
  if (simd !== null) return simd;
  // Fast path: one loop with no NaN/Inf tests (a non-finite value poisons the sums, which sends
  // the tensor to the careful loop below). This runs on every parameter every step.
  let sum = 0, sumSq = 0, sumAbs = 0, min = Infinity, max = -Infinity, zeros = 0, belowNormal = 0, belowSub = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const a = Math.abs(v);
    sum += v;
    sumSq += v * v;
    sumAbs += a;
    if (v < min) min = v;
    if (v > max) max = v;
    if (a < FP16_MIN_NORMAL) {
      if (v === 0) zeros++;
      else { belowNormal++; if (a < FP16_MIN_SUBNORMAL) belowSub++; }
    }
  }
  if (Number.isFinite(sumSq) && Number.isFinite(sum)) {
    return summarize(x.length, x.length, sum, sumSq, sumAbs, min, max, Math.max(-min, max), zeros, 0, 0, belowNormal, belowSub);
  }
  return carefulStats(x);
}

/**
 * For the steps between detailed ones: at least the L2 norm (and NaN/Inf counts when there are
 * any). Large arrays get every statistic from the SIMD pass, which costs less than a JS norm loop;
 * on the JS path the other fields are NaN (the step record says the step is not detailed).
 */
export function normStats(x: Float32Array): TensorStats {
  // Large arrays: the SIMD pass computes every statistic for less than this loop's one.
  const simd = simdStats(x);
  if (simd !== null) return simd;
  let sumSq = 0;
  for (let i = 0; i < x.length; i++) sumSq += x[i]! * x[i]!;
  if (!Number.isFinite(sumSq)) return carefulStats(x);
  return normFromSumSq(x.length, sumSq);
}

/** The statistics of finite values known only by their count and Σv²: the norm, the rest unknown (NaN). */
export function normFromSumSq(count: number, sumSq: number): TensorStats {
  return {
    count, norm: Math.sqrt(sumSq), mean: NaN, std: NaN, min: NaN, max: NaN, meanAbs: NaN, maxAbs: NaN,
    zeroFrac: sumSq === 0 ? 1 : NaN, nanCount: 0, infCount: 0, fp16BelowNormal: NaN, fp16BelowSubnormal: NaN,
  };
}

/** The slow path, for tensors holding NaN or ±Inf (or finite values whose squares overflow). */
function carefulStats(x: Float32Array): TensorStats {
  let sum = 0, sumSq = 0, sumAbs = 0, min = Infinity, max = -Infinity, maxAbs = 0;
  let zeros = 0, nans = 0, infs = 0, finite = 0, belowNormal = 0, belowSub = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) { if (v !== v) nans++; else infs++; continue; }
    finite++;
    sum += v;
    sumSq += v * v;
    const a = Math.abs(v);
    sumAbs += a;
    if (a > maxAbs) maxAbs = a;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
    else if (a < FP16_MIN_NORMAL) { belowNormal++; if (a < FP16_MIN_SUBNORMAL) belowSub++; }
  }
  return summarize(x.length, finite, sum, sumSq, sumAbs, min, max, infs > 0 ? Infinity : maxAbs, zeros, nans, infs, belowNormal, belowSub);
}

function summarize(
  n: number, finite: number, sum: number, sumSq: number, sumAbs: number, min: number, max: number, maxAbs: number,
  zeros: number, nans: number, infs: number, belowNormal: number, belowSub: number,
): TensorStats {
  const mean = finite > 0 ? sum / finite : NaN;
  const variance = finite > 0 ? Math.max(sumSq / finite - mean * mean, 0) : NaN;
  const nonzero = finite - zeros;
  return {
    count: n,
    norm: nans > 0 ? NaN : infs > 0 ? Infinity : Math.sqrt(sumSq),
    mean,
    std: Math.sqrt(variance),
    min: finite > 0 ? min : NaN,
    max: finite > 0 ? max : NaN,
    meanAbs: finite > 0 ? sumAbs / finite : NaN,
    maxAbs: finite > 0 || infs > 0 ? maxAbs : NaN,
    zeroFrac: n > 0 ? zeros / n : 0,
    nanCount: nans,
    infCount: infs,
    fp16BelowNormal: nonzero > 0 ? belowNormal / nonzero : 0,
    fp16BelowSubnormal: nonzero > 0 ? belowSub / nonzero : 0,
  };
}

export interface Histogram {
  /** Range of the bins: [lo, hi] of the finite nonzero values (lo === hi when they are all equal). */
  lo: number;
  hi: number;
  /** Counts of finite nonzero values per equal-width bin. */
  counts: Uint32Array;
  /** Exact zeros, NaNs and infinities in their own buckets, so they are shown rather than hidden. */
  zero: number;
  nan: number;
  posInf: number;
  negInf: number;
}

export const DEFAULT_BINS = 64;

/**
 * `known`: the tensor's stats, when already computed for this very data; for finite data they give
 * the range and the zero count, which saves a pass (the range is then [min, max] of all values,
 * zeros included, a bin-edge difference only). Without them, large finite arrays take their range
 * and histogram from the wasm kernels with one copy (activations); the loop below is the
 * reference, and handles NaN and ±Inf.
 */
export function histogram(x: Float32Array, bins = DEFAULT_BINS, known?: TensorStats): Histogram {
  if (known !== undefined && known.count === x.length && known.nanCount + known.infCount === 0 && known.min <= known.max) {
    return { lo: known.min, hi: known.max, counts: binned(x, bins, known.min, known.max), zero: Math.round(known.zeroFrac * known.count), nan: 0, posInf: 0, negInf: 0 };
  }
  const w = nonzeroHistogram(x, bins);
  if (w !== null) return histogramOf(w);
  let lo = Infinity, hi = -Infinity, zero = 0, nan = 0, posInf = 0, negInf = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === 0) zero++;
    else if (v !== v) nan++;
    else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  return lo <= hi ? { lo, hi, counts: binned(x, bins, lo, hi), zero, nan, posInf, negInf } : { lo: 0, hi: 0, counts: new Uint32Array(bins), zero, nan, posInf, negInf };
}

/** A histogram from the kernels' nonzero histogram of finite data (computed here, or by the stats thread). */
export function histogramOf(w: NonzeroHistogram): Histogram {
  return { lo: w.lo, hi: w.hi, counts: w.counts, zero: w.zeros, nan: 0, posInf: 0, negInf: 0 };
}

/**
 * `tensorStats(x)` and `histogram(x, bins, tensorStats(x))` (the same results exactly) with one
 * copy of x into wasm memory for both passes, for the steps that record a histogram.
 */
export function tensorStatsWithHistogram(x: Float32Array, bins = DEFAULT_BINS): StatsWithHistogram {
  return fromKernel(x, bins, statsAndHistogram(x, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, bins));
}

export interface StatsWithHistogram {
  stats: TensorStats;
  hist: Histogram;
}

/**
 * `tensorStatsWithHistogram(x, bins)` from the kernel's results `r` for x (computed here, or by
 * the stats thread on a copy of x); null r, or NaN/Inf in x, take the JS path over x.
 */
export function fromKernel(x: Float32Array, bins: number, r: StatsAndHistogram | null): StatsWithHistogram {
  const stats = r === null ? tensorStats(x) : fromSums(x, r.sums);
  if (r === null || r.counts === null) return { stats, hist: histogram(x, bins, stats) };
  // histogram(x, bins, stats)'s known-stats branch, with the counts already taken over [min, max].
  return { stats, hist: { lo: r.lo, hi: r.hi, counts: r.counts, zero: Math.round(stats.zeroFrac * stats.count), nan: 0, posInf: 0, negInf: 0 } };
}

/**
 * Counts of the finite nonzero values of x in `bins` equal bins over [lo, hi]: bin
 * clamp(trunc(t), 0, bins - 1) with t from the float32 arithmetic of `binParams` (values below lo
 * counted in bin 0, above hi in the last; over the data's own range neither happens, and lo falls
 * in bin 0, hi in the last). Large arrays go to the wasm kernel, which gives the same counts bit
 * for bit; `binLoop` is the fallback and the reference.
 */
function binned(x: Float32Array, bins: number, lo: number, hi: number): Uint32Array {
  const wasm = histogramCounts(x, bins, lo, hi);
  if (wasm !== null) return wasm;
  const counts = new Uint32Array(bins);
  const p = binParams(bins, lo, hi);
  binLoop(x, counts, p.pre, p.off, p.scale);
  return counts;
}

/** counts[bin(v)]++ for the finite nonzero v of x (v - v !== 0 skips NaN and ±Inf); see `binned`. */
function binLoop(x: Float32Array, counts: Uint32Array, pre: number, off: number, scale: number): void {
  const last = counts.length - 1;
  if (pre === 1) {
    // fround(v · 1) is v: the same t with one rounding less to spell out (the usual ranges).
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v === 0 || v - v !== 0) continue;
      const t = Math.fround(Math.fround(v - off) * scale);
      counts[t >= last ? last : t > 0 ? t | 0 : 0]!++;
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v === 0 || v - v !== 0) continue;
      const t = Math.fround(Math.fround(Math.fround(v * pre) - off) * scale);
      counts[t >= last ? last : t > 0 ? t | 0 : 0]!++;
    }
  }
}
