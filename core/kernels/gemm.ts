// The WebAssembly GEMM behind matmul, linear and conv: operands are copied into the wasm arena
// (a memcpy, far cheaper than the product above the threshold), multiplied by the packed SIMD
// kernel (core/kernels/wasm/gemm.c) and the result copied back.

import { arena, heapBase, wasmKernels, type KernelExports } from './wasm';

/**
 * Products with fewer multiply-adds stay in the JS loops: below this the wasm call and the
 * copies cost more than they save. Settable so tests can push every product through wasm.
 */
export let GEMM_MIN_MACS = 1 << 12;

export function setGemmMinMacs(n: number): void {
  GEMM_MIN_MACS = n;
}

let scratchBytes = -1;
const align = (n: number): number => (n + 63) & ~63;

/**
 * C[M,N] (+)= op(A)·op(B) in WebAssembly, where op(A) is A[M,K] at offset ao (or, with tA, the
 * transpose of A[K,M]) and op(B) is B[K,N] at bo (or, with tB, the transpose of B[N,K]); all
 * row-major and contiguous. `accumulate` false means C's old values are not read (overwritten).
 * Returns false, doing nothing, when the product is too small or WebAssembly is unavailable.
 */
export function gemm(
  tA: boolean, tB: boolean, M: number, N: number, K: number,
  A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, accumulate: boolean,
): boolean {
  if (M * N * K < GEMM_MIN_MACS) return false;
  const k = wasmKernels();
  if (k === null) return false;
  gemmWasm(k, tA, tB, M, N, K, A, ao, B, bo, C, co, accumulate);
  return true;
}

/** As gemm, always in WebAssembly (tests compare it with the JS loops at every size). */
export function gemmWasm(
  k: KernelExports, tA: boolean, tB: boolean, M: number, N: number, K: number,
  A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, accumulate: boolean,
): void {
  if (scratchBytes < 0) scratchBytes = k.sgemm_scratch_bytes();
  const base = heapBase(k);
  const pa = base + align(scratchBytes);
  const pb = pa + align(M * K * 4);
  const pc = pb + align(K * N * 4);
  const h = arena(k, pc + M * N * 4 - base);
  h.set(A.subarray(ao, ao + M * K), pa >> 2);
  h.set(B.subarray(bo, bo + K * N), pb >> 2);
  if (accumulate) h.set(C.subarray(co, co + M * N), pc >> 2);
  k.sgemm(tA ? 1 : 0, tB ? 1 : 0, M, N, K, pa, pb, pc, accumulate ? 1 : 0, base);
  C.set(h.subarray(pc >> 2, (pc >> 2) + M * N), co);
}
