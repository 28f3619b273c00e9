// Fused ReLU forward/backward and the plain SGD step: in JS the per-element branch mispredicts on activations (about
// 10 ns/element measured), so above a few thousand elements the SIMD kernel plus two memcpys wins.

import { arena, heapBase, wasmKernels } from './wasm';

/** Smaller arrays stay in JS (the call and copies cost more). */
const MIN_ELEMENTS = 2048;

const align = (bytes: number): number => (bytes + 63) & ~63;

/** relu(X) as a fresh array (NaN stays NaN, as PyTorch). */
export function reluForward(X: Float32Array): Float32Array {
  const n = X.length;
  const O = new Float32Array(n);
  const k = n >= MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) {
    for (let i = 0; i < n; i++) {
      const v = X[i]!;
      O[i] = v > 0 ? v : v !== v ? NaN : 0;
    }
    return O;
  }
  const px = heapBase(k);
  const po = px + align(n * 4);
  const h = arena(k, po + n * 4 - px);
  h.set(X, px >> 2);
  k.relu_fwd(px, po, n);
  O.set(h.subarray(po >> 2, (po >> 2) + n));
  return O;
}

/** The ReLU input gradient from its output Y and output gradient G: Y <= 0 ? 0 : G. */
export function reluBackward(Y: Float32Array, G: Float32Array): Float32Array {
  const n = Y.length;
  const O = new Float32Array(n);
  const k = n >= MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) {
    for (let i = 0; i < n; i++) O[i] = Y[i]! <= 0 ? 0 : G[i]!;
    return O;
  }
  const py = heapBase(k);
  const pg = py + align(n * 4);
  const po = pg + align(n * 4);
  const h = arena(k, po + n * 4 - py);
  h.set(Y, py >> 2);
  h.set(G, pg >> 2);
  k.relu_bwd(py, pg, po, n);
  O.set(h.subarray(po >> 2, (po >> 2) + n));
  return O;
}

/**
 * The plain SGD update P += f32(negLr · G) in place, in WebAssembly, returning Σg² of G (in double
 * from short f32 blocks, within about 1e-8 of a double loop; NaN or +Inf when G holds NaN or
 * ±Inf), so the gradient's norm comes with the step; null (nothing done) for small tensors or
 * without wasm. The update is bit-identical to the JS loop in core/optim/sgd.ts.
 */
export function sgdPlainStep(P: Float32Array, G: Float32Array, negLr: number): number | null {
  const n = P.length;
  const k = n >= MIN_ELEMENTS ? wasmKernels() : null;
  if (k === null) return null;
  const pp = heapBase(k);
  const pg = pp + align(n * 4);
  const h = arena(k, pg + n * 4 - pp);
  h.set(P, pp >> 2);
  h.set(G, pg >> 2);
  const sumSq = k.sgd_plain(pp, pg, n, negLr);
  P.set(h.subarray(pp >> 2, (pp >> 2) + n));
  return sumSq;
}
