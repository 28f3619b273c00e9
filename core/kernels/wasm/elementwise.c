// Elementwise kernels where JS is slow: a data-dependent branch per element mispredicts half the
// time on activations (≈10 ns/element measured); SIMD compare/select has no branch.

#include <wasm_simd128.h>

#include "double-sums.h"

#define EXPORT(name) __attribute__((export_name(name)))

/** O = relu(X): f32x4.max(x, 0) keeps NaN (as PyTorch) and maps -0 to 0. */
EXPORT("relu_fwd") void relu_fwd(const float* X, float* O, int n) {
  v128_t z = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(O + i, wasm_f32x4_max(wasm_v128_load(X + i), z));
  for (; i < n; i++) {
    float v = X[i];
    O[i] = v > 0.0f ? v : (v != v ? v : 0.0f);
  }
}

/** O = Y <= 0 ? 0 : G (PyTorch's threshold_backward on the output: NaN outputs pass G). */
EXPORT("relu_bwd") void relu_bwd(const float* Y, const float* G, float* O, int n) {
  v128_t z = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t dead = wasm_f32x4_le(wasm_v128_load(Y + i), z);
    wasm_v128_store(O + i, wasm_v128_andnot(wasm_v128_load(G + i), dead));
  }
  for (; i < n; i++) O[i] = Y[i] <= 0.0f ? 0.0f : G[i];
}

/** Vectors of 8 floats per f32 block of g² (as stats_sums in stats.c). */
#define BLOCK 16

/**
 * The plain SGD step P += f32(negLr · G) (no momentum, decay or maximize). Float32 multiply then
 * float32 add rounds exactly as the JS loop (a double sum of two floats rounded to float32).
 * Returns Σg² of the gradient it read, for the instrumentation's gradient norm: f32 squares
 * summed over blocks of 16 per lane, each block promoted into double (within about 1e-8 of the
 * double loop). Where f32 squares may have overflowed (+Inf) or underflowed (a total below
 * 2^-80) the sum is redone in double; NaN and ±Inf gradients give NaN and +Inf.
 */
EXPORT("sgd_plain") double sgd_plain(float* P, const float* G, int n, float negLr) {
  v128_t lr = wasm_f32x4_splat(negLr), zero = wasm_f32x4_splat(0.0f);
  v128_t Q0 = wasm_f64x2_splat(0), Q1 = Q0;
  int i = 0;
  while (i + 8 <= n) {
    v128_t q0 = zero, q1 = zero;
    int end = i + 8 * BLOCK <= n ? i + 8 * BLOCK : n;
    for (; i + 8 <= end; i += 8) {
      v128_t g = wasm_v128_load(G + i), h = wasm_v128_load(G + i + 4);
      wasm_v128_store(P + i, wasm_f32x4_add(wasm_v128_load(P + i), wasm_f32x4_mul(lr, g)));
      wasm_v128_store(P + i + 4, wasm_f32x4_add(wasm_v128_load(P + i + 4), wasm_f32x4_mul(lr, h)));
      q0 = wasm_f32x4_add(q0, wasm_f32x4_mul(g, g));
      q1 = wasm_f32x4_add(q1, wasm_f32x4_mul(h, h));
    }
    promote_add(&Q0, &Q1, q0);
    promote_add(&Q0, &Q1, q1);
  }
  double sq = hsum(Q0, Q1);
  for (; i < n; i++) {
    float g = G[i];
    P[i] = P[i] + negLr * g;
    sq += (double)g * g;
  }
  if (sq == __builtin_inf() || sq < 0x1p-80) {
    v128_t s0 = wasm_f64x2_splat(0), s1 = s0;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v128_t g = wasm_v128_load(G + j);
      v128_t lo = wasm_f64x2_promote_low_f32x4(g);
      v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(g, g, 2, 3, 0, 1));
      s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(lo, lo));
      s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(hi, hi));
    }
    sq = hsum(s0, s1);
    for (; j < n; j++) sq += (double)G[j] * G[j];
  }
  return sq;
}
