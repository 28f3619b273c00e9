// Finding the first NaN or ±Inf (core/instrument/nonfinite.ts): run on op outputs and gradients
// by the instrumentation, so it must cost far less than the ops. v - v is 0 for every finite v
// and NaN otherwise; a block's sum of those is nonzero (NaN) exactly when the block holds one.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/** Index of the first 64-element block holding a NaN or ±Inf (its first index), or -1; the caller finds the exact index. */
EXPORT("first_nonfinite_block") int first_nonfinite_block(const float* x, int n) {
  int i = 0;
  for (; i + 64 <= n; i += 64) {
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (int k = 0; k < 64; k += 16) {
      v128_t a = wasm_v128_load(x + i + k), b = wasm_v128_load(x + i + k + 4);
      v128_t c = wasm_v128_load(x + i + k + 8), d = wasm_v128_load(x + i + k + 12);
      acc = wasm_f32x4_add(acc, wasm_f32x4_add(wasm_f32x4_sub(a, a), wasm_f32x4_sub(b, b)));
      acc = wasm_f32x4_add(acc, wasm_f32x4_add(wasm_f32x4_sub(c, c), wasm_f32x4_sub(d, d)));
    }
    // NaN compares unequal to itself: any lane that is not equal to itself is a hit.
    if (wasm_v128_any_true(wasm_f32x4_ne(acc, acc))) return i;
  }
  for (int j = i; j < n; j++) {
    float v = x[j];
    if (v - v != 0.0f) return i;
  }
  return -1;
}
