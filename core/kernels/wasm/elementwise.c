// Elementwise kernels where JS is slow: a data-dependent branch per element mispredicts half the
// time on activations (≈10 ns/element measured); SIMD compare/select has no branch.

#include <wasm_simd128.h>

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

/**
 * The plain SGD step P += f32(negLr · G) (no momentum, decay or maximize). Float32 multiply then
 * float32 add rounds exactly as the JS loop (a double sum of two floats rounded to float32).
 */
EXPORT("sgd_plain") void sgd_plain(float* P, const float* G, int n, float negLr) {
  v128_t lr = wasm_f32x4_splat(negLr);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t d = wasm_f32x4_mul(lr, wasm_v128_load(G + i));
    wasm_v128_store(P + i, wasm_f32x4_add(wasm_v128_load(P + i), d));
  }
  for (; i < n; i++) P[i] = P[i] + negLr * G[i];
}
