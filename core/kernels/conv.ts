// Conv2d forward and backward run wholly in WebAssembly: the input, weights and output gradient
// are copied into the arena once per call, then every sample and group is an im2col (or col2im)
// and a GEMM on arena pointers, with no copy of the unfolded columns. core/ops/conv.ts keeps the
// JS reference path (same loop structure) for small convolutions and GRADSCOPE_KERNELS=js.

import type { ConvGeometry } from '../ops/conv';
import { GEMM_MIN_MACS } from './gemm';
import { arena, heapBase, wasmKernels, type KernelExports } from './wasm';

/** The sizes of one Conv2d call (see core/ops/conv.ts's plan). */
export interface ConvSizes {
  N: number;
  groups: number;
  /** Output channels per group. */
  Og: number;
  /** Cg·kH·kW. */
  K: number;
  /** OH·OW. */
  L: number;
  geom: ConvGeometry;
  /** 1×1, stride 1, no padding: the unfold is the input itself. */
  direct: boolean;
}

const align = (bytes: number): number => (bytes + 63) & ~63;

/** Byte offsets of consecutive arena regions of the given float counts, after the GEMM scratch. */
function layout(k: KernelExports, ...floats: number[]): number[] {
  let p = heapBase(k) + align(k.sgemm_scratch_bytes());
  return floats.map((n) => {
    const at = p;
    p += align(n * 4);
    return at;
  });
}

function kernelsFor(s: ConvSizes): KernelExports | null {
  return s.N * s.groups * s.Og * s.K * s.L < GEMM_MIN_MACS ? null : wasmKernels();
}

function unfold(k: KernelExports, g: ConvGeometry, x: number, col: number): void {
  k.im2col(x, g.C, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pT, g.pL, g.dH, g.dW, g.OH, g.OW, col);
}

/** Y = conv(X, W) + bias into Y (fresh, [N, groups·Og, L]); false when the JS path should run. */
export function conv2dForwardWasm(s: ConvSizes, X: Float32Array, Wt: Float32Array, bias: Float32Array | null, Y: Float32Array): boolean {
  const k = kernelsFor(s);
  if (k === null) return false;
  const { N, groups, Og, K, L, geom, direct } = s;
  const inPlane = geom.C * geom.H * geom.W;
  const [px, pw, pcol, py] = layout(k, X.length, Wt.length, direct ? 0 : K * L, Y.length) as [number, number, number, number];
  const h = arena(k, py + Y.length * 4 - heapBase(k));
  h.set(X, px >> 2);
  h.set(Wt, pw >> 2);
  const O = groups * Og;
  if (bias !== null) for (let r = 0; r < N * O; r++) h.fill(bias[r % O]!, (py >> 2) + r * L, (py >> 2) + (r + 1) * L);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      const x = px + (n * groups + g) * inPlane * 4;
      if (!direct) unfold(k, geom, x, pcol);
      k.sgemm(0, 0, Og, L, K, pw + g * Og * K * 4, direct ? x : pcol, py + (n * groups + g) * Og * L * 4, bias !== null ? 1 : 0, heapBase(k));
    }
  }
  Y.set(h.subarray(py >> 2, (py >> 2) + Y.length));
  return true;
}

/**
 * dX (into GX, fresh zeros) and dW (into GW, fresh zeros) of a Conv2d from its output gradient G;
 * either may be null when not needed. False when the JS path should run.
 */
export function conv2dBackwardWasm(
  s: ConvSizes, X: Float32Array, Wt: Float32Array, G: Float32Array, GX: Float32Array | null, GW: Float32Array | null,
): boolean {
  const k = kernelsFor(s);
  if (k === null) return false;
  const { N, groups, Og, K, L, geom, direct } = s;
  const inPlane = geom.C * geom.H * geom.W;
  const unfolded = direct ? 0 : K * L;
  const [px, pw, pg, pcol, pgcol, pgx, pgw] = layout(
    k, X.length, Wt.length, G.length, GW !== null ? unfolded : 0, GX !== null ? unfolded : 0, GX !== null ? X.length : 0, GW !== null ? Wt.length : 0,
  ) as [number, number, number, number, number, number, number];
  const base = heapBase(k);
  const h = arena(k, pgw + (GW !== null ? Wt.length * 4 : 0) - base);
  if (GW !== null || direct) h.set(X, px >> 2);
  h.set(Wt, pw >> 2);
  h.set(G, pg >> 2);
  if (GX !== null) h.fill(0, pgx >> 2, (pgx >> 2) + X.length);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      const xo = (n * groups + g) * inPlane * 4;
      const yo = pg + (n * groups + g) * Og * L * 4;
      const wo = g * Og * K * 4;
      if (GW !== null) {
        if (!direct) unfold(k, geom, px + xo, pcol);
        // dW_g[Og, K] += dY_g[Og, L] · colᵀ; the first sample overwrites (no zero fill needed).
        k.sgemm(0, 1, Og, K, L, yo, direct ? px + xo : pcol, pgw + wo, n > 0 ? 1 : 0, base);
      }
      if (GX !== null) {
        // dcol[K, L] = W_gᵀ · dY_g, folded back onto dX (a 1×1 stride-1 conv adds it directly).
        if (direct) k.sgemm(1, 0, K, L, Og, pw + wo, yo, pgx + xo, 1, base);
        else {
          k.sgemm(1, 0, K, L, Og, pw + wo, yo, pgcol, 0, base);
          k.col2im(pgcol, geom.C, geom.H, geom.W, geom.kH, geom.kW, geom.sH, geom.sW, geom.pT, geom.pL, geom.dH, geom.dW, geom.OH, geom.OW, pgx + xo);
        }
      }
    }
  }
  if (GX !== null) GX.set(h.subarray(pgx >> 2, (pgx >> 2) + X.length));
  if (GW !== null) GW.set(h.subarray(pgw >> 2, (pgw >> 2) + Wt.length));
  return true;
}
