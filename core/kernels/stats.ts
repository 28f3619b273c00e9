// The one-pass sums behind the instrumentation's tensor statistics, and its histogram counts, in
// WebAssembly SIMD (the JS loops of core/instrument/stats.ts stay as the fallback and the
// reference; they run on every parameter and gradient every step). Same quantities; the sums are
// accumulated in short f32 blocks promoted into double, in a different order, so they may differ
// from the sequential double loop by about 1e-8 relative. Min, max, counts and histogram counts
// are exact (the histogram bit-identical to the JS loop).

import { arena, heapBase, wasmKernels, type KernelExports } from './wasm';

export interface StatsSums {
  sum: number;
  sumSq: number;
  sumAbs: number;
  min: number;
  max: number;
  zeros: number;
  /** Nonzero values with |v| < minNormal, and with |v| < minSubnormal. */
  belowNormal: number;
  belowSubnormal: number;
}

/** Arrays shorter than this are summed faster in JS. */
export const STATS_MIN_ELEMENTS = 1024;

const align = (bytes: number): number => (bytes + 63) & ~63;

/**
 * The histogram's inverse bin width: bins / (hi - lo), 0 when hi <= lo (everything then falls in
 * bin 0). The JS loop and the kernel both use this very double.
 */
export function binScale(bins: number, lo: number, hi: number): number {
  return hi > lo ? bins / (hi - lo) : 0;
}

/** Places x at the heap base and returns the float view and the offsets of the scratch after it. */
function layout(k: KernelExports, x: Float32Array, bins: number) {
  const px = heapBase(k);
  const pout = px + align(x.length * 4);
  const pcnt = pout + 64;
  const ptab = pcnt + 64;
  const pcounts = ptab + align(8 * (bins + 1) * 4);
  const h = arena(k, pcounts + bins * 4 - px);
  h.set(x, px >> 2);
  return { h, px, pout, pcnt, ptab, pcounts };
}

function readSums(buffer: ArrayBufferLike, pout: number, pcnt: number): StatsSums {
  const d = new Float64Array(buffer, pout, 5);
  const c = new Int32Array(buffer, pcnt, 3);
  return { sum: d[0]!, sumSq: d[1]!, sumAbs: d[2]!, min: d[3]!, max: d[4]!, zeros: c[0]!, belowNormal: c[1]!, belowSubnormal: c[2]! };
}

/** Runs the histogram kernel on the n floats at px; a fresh copy of the counts. */
function runHistogram(k: KernelExports, px: number, n: number, bins: number, lo: number, hi: number, ptab: number, pcounts: number): Uint32Array {
  k.histogram(px, n, bins, lo, binScale(bins, lo, hi), ptab, pcounts);
  return new Uint32Array(k.memory.buffer, pcounts, bins).slice();
}

/**
 * The sums of x (non-finite values poison sum/sumSq: the caller then takes its careful path), or
 * null for short arrays or without wasm.
 */
export function statsSums(x: Float32Array, minNormal: number, minSubnormal: number): StatsSums | null {
  const n = x.length;
  const k = n >= STATS_MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) return null;
  const { h, px, pout, pcnt } = layout(k, x, 0);
  k.stats_sums(px, n, minNormal, minSubnormal, pout, pcnt);
  return readSums(h.buffer, pout, pcnt);
}

/**
 * Counts of the finite nonzero values of x in `bins` equal-width bins over [lo, hi], exactly as
 * the JS loop of `binned()` in core/instrument/stats.ts: bin trunc((v - lo) · binScale(…)) in
 * double, the last bin also taking everything above, values more than a bin below lo skipped;
 * null for short arrays, without wasm, or for a non-finite lo or bin scale (left to the JS loop).
 */
export function histogramCounts(x: Float32Array, bins: number, lo: number, hi: number): Uint32Array | null {
  const n = x.length;
  // The kernel's bin arithmetic assumes a finite t = (v - lo) · scale (always so over a range of float32 data).
  const k = n >= STATS_MIN_ELEMENTS && Number.isFinite(lo) && Number.isFinite(binScale(bins, lo, hi)) ? wasmKernels() : null;
  if (k === null) return null;
  // 0 bins: no counts; negative or fractional: the RangeError of the JS loop's `new Uint32Array(bins)`.
  if (!(bins > 0 && Number.isInteger(bins))) return new Uint32Array(bins);
  const { px, ptab, pcounts } = layout(k, x, bins);
  return runHistogram(k, px, n, bins, lo, hi, ptab, pcounts);
}

export interface StatsAndHistogram {
  sums: StatsSums;
  /** Histogram counts over [lo, hi] = [sums.min, sums.max]; null when the sums are not finite (NaN/Inf data) or bins is not a positive integer. */
  counts: Uint32Array | null;
  lo: number;
  hi: number;
}

/**
 * `statsSums` and, when its sums are finite, `histogramCounts` over the data's own range [min, max]
 * (zeros included) with one copy of x into wasm memory; null for short arrays or without wasm.
 */
export function statsAndHistogram(x: Float32Array, minNormal: number, minSubnormal: number, bins: number): StatsAndHistogram | null {
  const n = x.length;
  const k = n >= STATS_MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) return null;
  const withHist = bins > 0 && Number.isInteger(bins);
  const { h, px, pout, pcnt, ptab, pcounts } = layout(k, x, withHist ? bins : 0);
  k.stats_sums(px, n, minNormal, minSubnormal, pout, pcnt);
  const sums = readSums(h.buffer, pout, pcnt);
  const finite = Number.isFinite(sums.sum) && Number.isFinite(sums.sumSq);
  const counts = finite && withHist ? runHistogram(k, px, n, bins, sums.min, sums.max, ptab, pcounts) : null;
  return { sums, counts, lo: sums.min, hi: sums.max };
}
