// Single-precision GEMM for WebAssembly SIMD128: C (+)= op(A)·op(B), op = identity or transpose.
// Goto/BLIS structure: B is packed into KC×NR column strips, A into MC×KC row strips (both
// zero-padded to whole strips, so the micro-kernel never branches on edges), and an MR×NR
// register tile accumulates KC rank-1 updates. Node 20's V8 has no relaxed-SIMD FMA without a
// flag, so the update is a multiply then an add.

#include <wasm_simd128.h>

// 4×8 measured fastest under V8 (about 38 GFLOP/s here): 8 accumulators, 2 B vectors and a
// broadcast fit the 16 vector registers; 6×8 and 8×8 spill and run at half speed or less.
#define MR 4
#define NR 8
// An A block (MC×KC, 128 KiB) stays in L2; a B strip (KC×NR, 8 KiB) stays in L1 while the A
// block streams past it; NC bounds the packed B panel (KC×NC, 2 MiB) to the last-level cache.
#define MC 128
#define KC 256
#define NC 2048

#define EXPORT(name) __attribute__((export_name(name)))

/** Bytes of scratch sgemm needs for its packed panels (the caller provides it). */
EXPORT("sgemm_scratch_bytes") int sgemm_scratch_bytes(void) {
  return (MC * KC + KC * NC) * (int)sizeof(float);
}

// op(A)[i,k] for rows i0..i0+mc, k0..k0+kc into MR-row strips, k-major inside a strip.
static void pack_a(int transA, const float* A, int lda, int i0, int k0, int mc, int kc, float* dst) {
  for (int is = 0; is < mc; is += MR) {
    int mr = mc - is < MR ? mc - is : MR;
    if (!transA) {
      const float* src = A + (i0 + is) * lda + k0;
      if (mr == MR) {
        for (int k = 0; k < kc; k++) {
          for (int i = 0; i < MR; i++) dst[i] = src[i * lda + k];
          dst += MR;
        }
      } else {
        for (int k = 0; k < kc; k++) {
          for (int i = 0; i < MR; i++) dst[i] = i < mr ? src[i * lda + k] : 0.0f;
          dst += MR;
        }
      }
    } else {
      // A stored [K, M]: op(A)[i,k] = A[k*lda + i], contiguous along i.
      const float* src = A + k0 * lda + i0 + is;
      for (int k = 0; k < kc; k++) {
        const float* row = src + k * lda;
        for (int i = 0; i < MR; i++) dst[i] = i < mr ? row[i] : 0.0f;
        dst += MR;
      }
    }
  }
}

// op(B)[k,j] for k0..k0+kc, columns j0..j0+nc into NR-column strips, k-major inside a strip.
static void pack_b(int transB, const float* B, int ldb, int k0, int j0, int kc, int nc, float* dst) {
  for (int js = 0; js < nc; js += NR) {
    int nr = nc - js < NR ? nc - js : NR;
    if (!transB) {
      const float* src = B + k0 * ldb + j0 + js;
      if (nr == NR) {
        for (int k = 0; k < kc; k++) {
          const float* row = src + k * ldb;
          for (int j = 0; j < NR; j += 4) wasm_v128_store(dst + j, wasm_v128_load(row + j));
          dst += NR;
        }
      } else {
        for (int k = 0; k < kc; k++) {
          const float* row = src + k * ldb;
          for (int j = 0; j < NR; j++) dst[j] = j < nr ? row[j] : 0.0f;
          dst += NR;
        }
      }
    } else {
      // B stored [N, K]: op(B)[k,j] = B[j*ldb + k].
      const float* src = B + (j0 + js) * ldb + k0;
      for (int k = 0; k < kc; k++) {
        for (int j = 0; j < NR; j++) dst[j] = j < nr ? src[j * ldb + k] : 0.0f;
        dst += NR;
      }
    }
  }
}

// MR×NR tile of C (+)= a-strip · b-strip over kc. `store` overwrites instead of adding (the
// first K block of a product whose C was not meant to be read).
static void micro(int kc, const float* a, const float* b, float* c, int ldc, int mr, int nr, int store) {
  v128_t acc[MR][NR/4];
  // Constant-trip loops below are fully unrolled, so acc and bv live in registers.
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; i++)
#pragma clang loop unroll(full)
    for (int j = 0; j < NR/4; j++) acc[i][j] = wasm_f32x4_splat(0);
  for (int k = 0; k < kc; k++) {
    v128_t bv[NR/4];
#pragma clang loop unroll(full)
    for (int j = 0; j < NR/4; j++) bv[j] = wasm_v128_load(b + 4*j);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      v128_t av = wasm_v128_load32_splat(a + i);
#pragma clang loop unroll(full)
      for (int j = 0; j < NR/4; j++) acc[i][j] = wasm_f32x4_add(acc[i][j], wasm_f32x4_mul(av, bv[j]));
    }
    a += MR;
    b += NR;
  }
  if (mr == MR && nr == NR) {
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
#pragma clang loop unroll(full)
      for (int j = 0; j < NR/4; j++) {
        if (store) wasm_v128_store(row + 4*j, acc[i][j]);
        else wasm_v128_store(row + 4*j, wasm_f32x4_add(wasm_v128_load(row + 4*j), acc[i][j]));
      }
    }
    return;
  }
  float tile[MR * NR] __attribute__((aligned(16)));
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR/4; j++) wasm_v128_store(tile + i * NR + 4*j, acc[i][j]);
  for (int i = 0; i < mr; i++) {
    float* row = c + i * ldc;
    if (store) for (int j = 0; j < nr; j++) row[j] = tile[i * NR + j];
    else for (int j = 0; j < nr; j++) row[j] += tile[i * NR + j];
  }
}

/**
 * C[M,N] (+)= op(A)·op(B) with row-major operands: op(A) is A[M,K] (lda = K) or, with transA,
 * the transpose of A[K,M] (lda = M); likewise op(B) is B[K,N] or the transpose of B[N,K].
 * With `accumulate` 0, C is overwritten (never read). `scratch` holds sgemm_scratch_bytes().
 */
EXPORT("sgemm") void sgemm(int transA, int transB, int M, int N, int K,
                           const float* A, const float* B, float* C, int accumulate, float* scratch) {
  int lda = transA ? M : K;
  int ldb = transB ? K : N;
  int ldc = N;
  float* packA = scratch;
  float* packB = scratch + MC * KC;
  if (K == 0) {
    if (!accumulate) for (int i = 0; i < M * N; i++) C[i] = 0.0f;
    return;
  }
  for (int j0 = 0; j0 < N; j0 += NC) {
    int nc = N - j0 < NC ? N - j0 : NC;
    for (int k0 = 0; k0 < K; k0 += KC) {
      int kc = K - k0 < KC ? K - k0 : KC;
      int store = !accumulate && k0 == 0;
      pack_b(transB, B, ldb, k0, j0, kc, nc, packB);
      for (int i0 = 0; i0 < M; i0 += MC) {
        int mc = M - i0 < MC ? M - i0 : MC;
        pack_a(transA, A, lda, i0, k0, mc, kc, packA);
        for (int js = 0; js < nc; js += NR) {
          int nr = nc - js < NR ? nc - js : NR;
          const float* bs = packB + js * kc;
          for (int is = 0; is < mc; is += MR) {
            int mr = mc - is < MR ? mc - is : MR;
            micro(kc, packA + is * kc, bs, C + (i0 + is) * ldc + j0 + js, ldc, mr, nr, store);
          }
        }
      }
    }
  }
}
