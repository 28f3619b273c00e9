// Activation health sums in WebAssembly SIMD (core/kernels/wasm/activations.c); null where the
// caller's JS loop should run instead (short arrays, no wasm).

import { arena, heapBase, wasmKernels } from './wasm';

/** Below this many elements the JS loops win (the call and copy cost more). */
export const ACTIVATION_MIN_ELEMENTS = 2048;

/** Per column of a rows × cols array, the maximum over the rows (NaN if any is NaN). */
export function columnMax(x: Float32Array, rows: number, cols: number): Float32Array | null {
  const n = rows * cols;
  const k = n >= ACTIVATION_MIN_ELEMENTS && n === x.length ? wasmKernels() : null;
  if (k === null) return null;
  const px = heapBase(k);
  const po = px + ((n * 4 + 63) & ~63);
  const h = arena(k, po + cols * 4 - px);
  h.set(x, px >> 2);
  k.column_max(px, rows, cols, po);
  return h.slice(po >> 2, (po >> 2) + cols);
}

/** How many values have |v| > t (NaN not counted), exactly as comparing each float32 value with the double t. */
export function countAbsAbove(x: Float32Array, t: number): number | null {
  const n = x.length;
  const k = n >= ACTIVATION_MIN_ELEMENTS && t >= 0 ? wasmKernels() : null;
  if (k === null) return null;
  const px = heapBase(k);
  const h = arena(k, n * 4);
  h.set(x, px >> 2);
  return k.count_abs_above(px, n, float32AtMost(t));
}

/**
 * The largest float32 ≤ t (t ≥ 0): for every float32 v, v > t exactly when v > this value, so
 * the kernel's float32 comparison matches the JS one against the double threshold.
 */
function float32AtMost(t: number): number {
  const f = Math.fround(t);
  if (f <= t) return f;
  const bits = new Float32Array([f]);
  const view = new Int32Array(bits.buffer);
  view[0]! -= 1; // f > t ≥ 0: the next float32 down is one unit in the last place below
  return bits[0]!;
}
