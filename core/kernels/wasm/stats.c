// One-pass sums for the instrumentation's tensor statistics (core/instrument/stats.ts's fast
// path): Σv, Σv², Σ|v| in double, min, max, and counts of zeros and of nonzero values below
// float16's smallest normal and subnormal. Non-finite values poison the sums, which tells the
// caller to take its careful path.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/** out[0..4] = Σv, Σv², Σ|v|, min, max (doubles); cnt[0..2] = zeros, below normal, below subnormal. */
EXPORT("stats_sums") void stats_sums(const float* x, int n, float minNormal, float minSub, double* out, int* cnt) {
  v128_t s0 = wasm_f64x2_splat(0), s1 = s0, q0 = s0, q1 = s0, a0 = s0, a1 = s0;
  v128_t mn = wasm_f32x4_splat(__builtin_inff()), mx = wasm_f32x4_splat(-__builtin_inff());
  v128_t zc = wasm_i32x4_splat(0), bc = zc, sc = zc;
  v128_t zero = wasm_f32x4_splat(0.0f), lim = wasm_f32x4_splat(minNormal), limSub = wasm_f32x4_splat(minSub);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t lo = wasm_f64x2_promote_low_f32x4(v);
    v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    s0 = wasm_f64x2_add(s0, lo);
    s1 = wasm_f64x2_add(s1, hi);
    q0 = wasm_f64x2_add(q0, wasm_f64x2_mul(lo, lo));
    q1 = wasm_f64x2_add(q1, wasm_f64x2_mul(hi, hi));
    a0 = wasm_f64x2_add(a0, wasm_f64x2_abs(lo));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_abs(hi));
    mn = wasm_f32x4_pmin(v, mn);
    mx = wasm_f32x4_pmax(v, mx);
    v128_t a = wasm_f32x4_abs(v);
    v128_t isZero = wasm_f32x4_eq(v, zero);
    v128_t small = wasm_v128_andnot(wasm_f32x4_lt(a, lim), isZero);
    v128_t tiny = wasm_v128_andnot(wasm_f32x4_lt(a, limSub), isZero);
    // Masks are -1 where true: subtracting counts them.
    zc = wasm_i32x4_sub(zc, isZero);
    bc = wasm_i32x4_sub(bc, small);
    sc = wasm_i32x4_sub(sc, tiny);
  }
  double sum = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1) + wasm_f64x2_extract_lane(s1, 0) + wasm_f64x2_extract_lane(s1, 1);
  double sq = wasm_f64x2_extract_lane(q0, 0) + wasm_f64x2_extract_lane(q0, 1) + wasm_f64x2_extract_lane(q1, 0) + wasm_f64x2_extract_lane(q1, 1);
  double ab = wasm_f64x2_extract_lane(a0, 0) + wasm_f64x2_extract_lane(a0, 1) + wasm_f64x2_extract_lane(a1, 0) + wasm_f64x2_extract_lane(a1, 1);
  float lo = __builtin_inff(), hi = -__builtin_inff();
  int z = 0, b = 0, s = 0;
  for (int l = 0; l < 4; l++) {
    float m0 = ((float*)&mn)[l], m1 = ((float*)&mx)[l];
    lo = m0 < lo ? m0 : lo;
    hi = m1 > hi ? m1 : hi;
    z += ((int*)&zc)[l];
    b += ((int*)&bc)[l];
    s += ((int*)&sc)[l];
  }
  for (; i < n; i++) {
    float v = x[i];
    float a = v < 0 ? -v : v;
    sum += v;
    sq += (double)v * v;
    ab += a;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    if (v == 0.0f) z++;
    else if (a < minNormal) { b++; if (a < minSub) s++; }
  }
  out[0] = sum; out[1] = sq; out[2] = ab; out[3] = lo; out[4] = hi;
  cnt[0] = z; cnt[1] = b; cnt[2] = s;
}
