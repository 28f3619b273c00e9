// Activation health (core/instrument/activations.ts): the per-unit maximum over the batch (a
// unit is dead when it is ≤ 0 for every sample) and the count of saturated pre-activations. In
// JS both are branchy loops at ~1.5 ns/element on real activations; here a few SIMD ops.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/**
 * out[j] = max over rows of x[r*cols + j]; NaN wins (wasm's max propagates it), so a NaN unit is
 * not dead. Row by row, so the array streams through once and only `out` stays in cache.
 */
EXPORT("column_max") void column_max(const float* x, int rows, int cols, float* out) {
  for (int j = 0; j < cols; j++) out[j] = -__builtin_inff();
  for (int r = 0; r < rows; r++) {
    const float* row = x + r * cols;
    int j = 0;
    for (; j + 4 <= cols; j += 4) wasm_v128_store(out + j, wasm_f32x4_max(wasm_v128_load(out + j), wasm_v128_load(row + j)));
    for (; j < cols; j++) {
      float v = row[j], m = out[j];
      if (v > m || v != v) out[j] = v;
    }
  }
}

/** How many |x[i]| > t (NaN is not counted: it compares false). */
EXPORT("count_abs_above") int count_abs_above(const float* x, int n, float t) {
  v128_t lim = wasm_f32x4_splat(t), c = wasm_i32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) c = wasm_i32x4_sub(c, wasm_f32x4_gt(wasm_f32x4_abs(wasm_v128_load(x + i)), lim));
  int count = wasm_i32x4_extract_lane(c, 0) + wasm_i32x4_extract_lane(c, 1) + wasm_i32x4_extract_lane(c, 2) + wasm_i32x4_extract_lane(c, 3);
  for (; i < n; i++) {
    float a = x[i] < 0 ? -x[i] : x[i];
    if (a > t) count++;
  }
  return count;
}
