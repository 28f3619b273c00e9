// Double-precision accumulators fed from float32 SIMD blocks, shared by the kernels that sum in
// short f32 blocks and promote each block into double (stats.c, elementwise.c's SGD step).

#ifndef DOUBLE_SUMS_H
#define DOUBLE_SUMS_H

#include <wasm_simd128.h>

/** The sum of the four double lanes of a and b. */
static inline double hsum(v128_t a, v128_t b) {
  return (wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1)) + (wasm_f64x2_extract_lane(b, 0) + wasm_f64x2_extract_lane(b, 1));
}

/** acc += the four f32 lanes of v, as doubles. */
static inline void promote_add(v128_t* lo, v128_t* hi, v128_t v) {
  *lo = wasm_f64x2_add(*lo, wasm_f64x2_promote_low_f32x4(v));
  *hi = wasm_f64x2_add(*hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
}

#endif
