// Max-pool forward in WebAssembly (core/kernels/wasm/pool.c): the JS reference in core/ops/pool.ts
// branches on "new maximum?" per element, which mispredicts on activations.

import { arena, heapBase, wasmKernels } from './wasm';

/** Inputs smaller than this stay in JS (the call and copies cost more). */
const MIN_ELEMENTS = 4096;

const align = (bytes: number): number => (bytes + 63) & ~63;

/** Window bounds along one axis (see core/ops/pool.ts's axisWindows). */
interface Windows { lo: Int32Array; hi: Int32Array }

/** As core/ops/pool.ts's maxPoolPlanes; false (nothing done) when the JS path should run. */
export function maxPoolWasm(
  X: Float32Array, planes: number, H: number, W: number, dH: number, dW: number,
  rows: Windows, cols: Windows, Y: Float32Array, idx: Int32Array,
): boolean {
  if (X.length < MIN_ELEMENTS) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const OH = rows.lo.length;
  const OW = cols.lo.length;
  const px = heapBase(k);
  const prl = px + align(X.length * 4);
  const prh = prl + align(OH * 4);
  const pcl = prh + align(OH * 4);
  const pch = pcl + align(OW * 4);
  const py = pch + align(OW * 4);
  const pi = py + align(Y.length * 4);
  const h = arena(k, pi + idx.length * 4 - px);
  const hi = new Int32Array(h.buffer);
  h.set(X, px >> 2);
  hi.set(rows.lo, prl >> 2);
  hi.set(rows.hi, prh >> 2);
  hi.set(cols.lo, pcl >> 2);
  hi.set(cols.hi, pch >> 2);
  k.maxpool_fwd(px, planes, H, W, dH, dW, prl, prh, OH, pcl, pch, OW, py, pi);
  Y.set(h.subarray(py >> 2, (py >> 2) + Y.length));
  idx.set(hi.subarray(pi >> 2, (pi >> 2) + idx.length));
  return true;
}
