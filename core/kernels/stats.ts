// The one-pass sums behind the instrumentation's tensor statistics, and its histogram counts, in
// WebAssembly SIMD (the JS loops of core/instrument/stats.ts stay as the fallback and the
// reference; they run on every parameter and gradient every step). Same quantities; the sums are
// accumulated in short f32 blocks promoted into double, in a different order, so they may differ
// from the sequential double loop by about 1e-8 relative. Min, max, counts and histogram counts
// are exact (the histogram bit-identical to the JS loop: both bin with the float32 arithmetic of
// `binParams`).

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

/** Histograms with more bins than this stay in JS (the kernel's per-lane tables grow with the bins). */
export const HISTOGRAM_MAX_BINS = 4096;

const align = (bytes: number): number => (bytes + 63) & ~63;

/** The inverse bin width in double: bins / (hi - lo), 0 when hi <= lo. */
export function binScale(bins: number, lo: number, hi: number): number {
  return hi > lo ? bins / (hi - lo) : 0;
}

/**
 * The histogram's bin arithmetic, in float32 so that the kernel bins 4 values per SIMD operation:
 * a finite value v falls in bin clamp(trunc(t), 0, bins - 1) (NaN t in bin 0), with
 *
 *   t = fround(fround(fround(v · pre) - off) · scale)
 *
 * (each step rounded to float32, which `Math.fround` of the double result reproduces exactly).
 * pre is a power of two that keeps the float32 difference and scale finite for extreme ranges
 * (1 unless hi - lo is below 2^-64 or from 2^127 up), off = lo · pre, scale = bins / (hi - lo) /
 * pre. Rounding is monotonic, so every value of [lo, hi] gets t >= 0 (lo itself 0: bin 0) and
 * t <= bins · (1 + 2^-22) (hi in the last bin, by the clamp). hi <= lo (or NaN): everything in bin 0.
 */
export interface BinParams {
  pre: number;
  off: number;
  scale: number;
}

export function binParams(bins: number, lo: number, hi: number): BinParams {
  if (!(hi > lo)) return { pre: 0, off: 0, scale: 0 };
  const r = hi - lo;
  const pre = r >= 2 ** 127 ? 2 ** -2 : r < 2 ** -64 ? 2 ** 64 : 1;
  return { pre, off: Math.fround(lo * pre), scale: Math.fround(binScale(bins, lo, hi) / pre) };
}

/** Bins the kernels take (else the JS loop): a positive integer up to HISTOGRAM_MAX_BINS. */
const kernelBins = (bins: number): boolean => bins > 0 && Number.isInteger(bins) && bins <= HISTOGRAM_MAX_BINS;

/**
 * Where the statistics kernels' operands go from `base`: first the scratch (results, counters, the
 * lane tables and the counts of up to `bins` bins), then the data at px. Shared with the stats
 * thread (core/kernels/stats-thread.ts), which lays out its own memory the same way.
 */
export function statsLayout(base: number, bins: number): { pout: number; pcnt: number; ptab: number; pcounts: number; px: number } {
  const b = Math.max(bins, 0);
  const pout = base;
  const pcnt = pout + 64;
  const ptab = pcnt + 64;
  // Per-lane tables of the kernel's lane histogram (above 64 bins, or short data).
  const pcounts = ptab + align(8 * b * 4);
  return { pout, pcnt, ptab, pcounts, px: pcounts + align(b * 4) };
}

/** Places x after the scratch (`statsLayout`) and returns the float view and the offsets. */
function layout(k: KernelExports, x: Float32Array, bins: number) {
  const l = statsLayout(heapBase(k), bins);
  const h = arena(k, l.px + x.length * 4 - heapBase(k));
  h.set(x, l.px >> 2);
  return { h, ...l };
}

function readSums(buffer: ArrayBufferLike, pout: number, pcnt: number): StatsSums {
  const d = new Float64Array(buffer, pout, 5);
  const c = new Int32Array(buffer, pcnt, 3);
  return { sum: d[0]!, sumSq: d[1]!, sumAbs: d[2]!, min: d[3]!, max: d[4]!, zeros: c[0]!, belowNormal: c[1]!, belowSubnormal: c[2]! };
}

const finiteParams = (p: BinParams): boolean => Number.isFinite(p.off) && Number.isFinite(p.scale);

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
 * Counts of the finite nonzero values of x in `bins` equal-width bins over [lo, hi] (values below
 * lo in bin 0, above hi in the last), exactly as the JS loop of `binned()` in
 * core/instrument/stats.ts: the float32 arithmetic of `binParams`. Null for short arrays, without
 * wasm, for NaN or ±Inf in x, more than HISTOGRAM_MAX_BINS bins, or a range whose float32
 * parameters are not finite (all left to the JS loop).
 */
export function histogramCounts(x: Float32Array, bins: number, lo: number, hi: number): Uint32Array | null {
  const n = x.length;
  const p = binParams(bins, lo, hi);
  const k = n >= STATS_MIN_ELEMENTS && finiteParams(p) ? wasmKernels() : null;
  if (k === null) return null;
  // 0 bins: no counts; negative or fractional: the RangeError of the JS loop's `new Uint32Array(bins)`.
  if (!(bins > 0 && Number.isInteger(bins))) return new Uint32Array(bins);
  if (bins > HISTOGRAM_MAX_BINS) return null;
  const { h, px, pout, pcnt, ptab, pcounts } = layout(k, x, bins);
  k.nonzero_range(px, n, pout, pcnt);
  const [zeros, nonFinite] = new Int32Array(h.buffer, pcnt, 2);
  if (nonFinite! > 0) return null;
  k.histogram(px, n, bins, p.pre, p.off, p.scale, zeros!, ptab, pcounts);
  return new Uint32Array(k.memory.buffer, pcounts, bins).slice();
}

export interface NonzeroHistogram {
  lo: number;
  hi: number;
  counts: Uint32Array;
  zeros: number;
}

/**
 * The histogram of `histogram(x, bins)` without known statistics, with one copy of x into wasm
 * memory and one kernel call: range [lo, hi] of the finite nonzero values, their counts (as
 * `histogramCounts`), and the zeros. Null for short arrays, without wasm, for NaN or ±Inf in x
 * (the JS loop counts those), or bins the kernel does not take.
 */
export function nonzeroHistogram(x: Float32Array, bins: number): NonzeroHistogram | null {
  const n = x.length;
  const k = n >= STATS_MIN_ELEMENTS && kernelBins(bins) ? wasmKernels() : null;
  if (k === null) return null;
  const { h, px, pout, pcnt, ptab, pcounts } = layout(k, x, bins);
  k.nonzero_histogram(px, n, bins, pout, pcnt, ptab, pcounts);
  return readNonzeroHistogram(h.buffer, pout, pcnt, pcounts, bins);
}

/** The results of the `nonzero_histogram` kernel (wasm memory, or the stats thread's shared results); null for NaN/Inf data. */
export function readNonzeroHistogram(buffer: ArrayBufferLike, pout: number, pcnt: number, pcounts: number, bins: number): NonzeroHistogram | null {
  const [zeros, , , made] = new Int32Array(buffer, pcnt, 4);
  if (made !== 1) return null;
  const [lo, hi] = new Float32Array(buffer, pout, 2);
  return { lo: lo!, hi: hi!, counts: new Uint32Array(buffer, pcounts, bins).slice(), zeros: zeros! };
}

export interface StatsAndHistogram {
  sums: StatsSums;
  /** Histogram counts over [lo, hi] = [sums.min, sums.max]; null when the sums are not finite (NaN/Inf data) or bins is not a positive integer up to HISTOGRAM_MAX_BINS. */
  counts: Uint32Array | null;
  lo: number;
  hi: number;
}

/**
 * `statsSums` and, when its sums are finite, `histogramCounts` over the data's own range [min, max]
 * (zeros included) with one copy of x into wasm memory and one kernel call: a first pass for the
 * range and counts, a second for the sums and the histogram together. Null for short arrays or
 * without wasm.
 */
export function statsAndHistogram(x: Float32Array, minNormal: number, minSubnormal: number, bins: number): StatsAndHistogram | null {
  const n = x.length;
  const k = n >= STATS_MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) return null;
  const b = kernelBins(bins) ? bins : 0;
  const { h, px, pout, pcnt, ptab, pcounts } = layout(k, x, b);
  k.stats_histogram(px, n, b, minNormal, minSubnormal, pout, pcnt, ptab, pcounts);
  return readStatsHistogram(h.buffer, pout, pcnt, pcounts, b);
}

/**
 * The results of the `stats_histogram` kernel from its out, cnt and counts in `buffer` (wasm
 * memory, or the stats thread's shared results): counts only when it made them and the sums are
 * finite (NaN/Inf data: the caller takes its careful path).
 */
export function readStatsHistogram(buffer: ArrayBufferLike, pout: number, pcnt: number, pcounts: number, bins: number): StatsAndHistogram {
  const sums = readSums(buffer, pout, pcnt);
  const made = new Int32Array(buffer, pcnt + 12, 1)[0] === 1;
  const finite = Number.isFinite(sums.sum) && Number.isFinite(sums.sumSq);
  const counts = finite && made ? new Uint32Array(buffer, pcounts, bins).slice() : null;
  return { sums, counts, lo: sums.min, hi: sums.max };
}
