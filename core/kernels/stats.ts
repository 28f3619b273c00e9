// The one-pass sums behind the instrumentation's tensor statistics, in WebAssembly SIMD (about
// 20× the JS loop of core/instrument/stats.ts's fast path, which runs on every parameter and
// gradient every step). Same quantities; the sums are accumulated in short f32 blocks promoted
// into double, in a different order, so they may differ from the sequential double loop by about
// 1e-8 relative. Min, max and the counts are exact.

import { arena, heapBase, wasmKernels } from './wasm';

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

/**
 * The sums of x (non-finite values poison sum/sumSq: the caller then takes its careful path), or
 * null for short arrays or without wasm.
 */
export function statsSums(x: Float32Array, minNormal: number, minSubnormal: number): StatsSums | null {
  const n = x.length;
  const k = n >= STATS_MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) return null;
  const px = heapBase(k);
  const pout = px + ((n * 4 + 63) & ~63);
  const pcnt = pout + 64;
  const h = arena(k, pcnt + 16 - px);
  h.set(x, px >> 2);
  k.stats_sums(px, n, minNormal, minSubnormal, pout, pcnt);
  const d = new Float64Array(h.buffer, pout, 5);
  const c = new Int32Array(h.buffer, pcnt, 3);
  return { sum: d[0]!, sumSq: d[1]!, sumAbs: d[2]!, min: d[3]!, max: d[4]!, zeros: c[0]!, belowNormal: c[1]!, belowSubnormal: c[2]! };
}
