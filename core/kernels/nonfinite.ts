// The first NaN/Inf of an array, in WebAssembly SIMD for large arrays (the copy into wasm memory
// and the SIMD scan cost about a third of the fastest JS loop); null where the caller's JS loop
// should run instead (short arrays, no wasm).

import { arena, heapBase, wasmKernels } from './wasm';

/** Below this, the call and copy cost more than the JS loop saves. */
export const NONFINITE_MIN_ELEMENTS = 4096;

/** The index of the first 64-element block that holds a NaN or ±Inf (-1 for none), or null when not run. */
export function firstNonFiniteBlock(x: Float32Array): number | null {
  const n = x.length;
  const k = n >= NONFINITE_MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) return null;
  const px = heapBase(k);
  const h = arena(k, n * 4);
  h.set(x, px >> 2);
  return k.first_nonfinite_block(px, n);
}
