// One-pass sums for the instrumentation's tensor statistics (core/instrument/stats.ts's fast
// path): Σv, Σv², Σ|v|, min, max, and counts of zeros and of nonzero values below float16's
// smallest normal and subnormal; and the histogram counts of its `binned()`. Non-finite values
// poison the sums, which tells the caller to take its careful path.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/**
 * Vectors of 8 floats per block: each f32 lane adds up 2·BLOCK values, then the block's partial sums
 * are promoted into the double accumulators. Short f32 runs keep the sums within a few 1e-8 of
 * the double loop (the f32 rounding errors of a block are small and cancel across blocks) at the
 * cost of f32 rather than f64 arithmetic per element.
 */
#define BLOCK 16

/**
 * |v| as v & 0x7fffffff, read from memory so that clang cannot turn it back into f32x4.abs, which
 * V8 expands to three instructions (it builds the mask each time).
 */
static volatile int ABS_MASK = 0x7fffffff;

static inline double hsum(v128_t a, v128_t b) {
  return (wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1)) + (wasm_f64x2_extract_lane(b, 0) + wasm_f64x2_extract_lane(b, 1));
}

/** acc += the four f32 lanes of v, as doubles. */
static inline void promote_add(v128_t* lo, v128_t* hi, v128_t v) {
  *lo = wasm_f64x2_add(*lo, wasm_f64x2_promote_low_f32x4(v));
  *hi = wasm_f64x2_add(*hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
}

/** Σv, Σv², Σ|v| of x[0..n) in double, the old way (each value promoted): the exact fallback. */
static void sums_f64(const float* x, int n, double* sum, double* sq, double* ab) {
  v128_t s0 = wasm_f64x2_splat(0), s1 = s0, q0 = s0, q1 = s0, a0 = s0, a1 = s0;
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
  }
  double s = hsum(s0, s1), q = hsum(q0, q1), a = hsum(a0, a1);
  for (; i < n; i++) {
    double v = x[i];
    s += v; q += v * v; a += v < 0 ? -v : v;
  }
  *sum = s; *sq = q; *ab = a;
}

/**
 * out[0..4] = Σv, Σv², Σ|v|, min, max (doubles); cnt[0..2] = zeros, below normal, below subnormal.
 *
 * The sums run in f32 blocks over d = v - c with a shift c near the mean, so that the caller's
 * variance Σv²/n - mean² does not cancel away the f32 rounding for data far from zero (weights
 * near 1 with a spread of 1e-3 lost 1% of their std unshifted; shifted, a few 1e-8): Σv = Σd + nc,
 * Σv² = Σd² + 2cΣd + nc² in double. Where f32 squares could underflow or overflow (largest |v|
 * below 2^-44 or from 2^56 up) the sums are redone in double, so the results stay within about
 * 1e-7 of the double loop for any finite data, and non-finite sums still mean non-finite data.
 */
EXPORT("stats_sums") void stats_sums(const float* x, int n, float minNormal, float minSub, double* out, int* cnt) {
  // The shift: the mean of the first values, near the data's mean for most tensors (a lone value
  // as shift can sit several spreads out, which costs a digit in the reconstruction).
  double c0 = 0;
  int m = n < 64 ? n : 64;
  for (int j = 0; j < m; j++) c0 += x[j];
  const float c = m > 0 ? (float)(c0 / m) : 0.0f;
  v128_t cv = wasm_f32x4_splat(c), am = wasm_i32x4_splat(ABS_MASK);
  v128_t S0 = wasm_f64x2_splat(0), S1 = S0, Q0 = S0, Q1 = S0, A0 = S0, A1 = S0;
  v128_t mn = wasm_f32x4_splat(__builtin_inff()), mx = wasm_f32x4_splat(-__builtin_inff());
  v128_t zc = wasm_i32x4_splat(0), bc = zc, sc = zc;
  v128_t zero = wasm_f32x4_splat(0.0f), lim = wasm_f32x4_splat(minNormal), limSub = wasm_f32x4_splat(minSub);
  int i = 0;
  while (i + 8 <= n) {
    v128_t s = zero, q = zero, a = zero, z16 = zero, b16 = zero, t16 = zero;
    int end = i + 8 * BLOCK <= n ? i + 8 * BLOCK : n;
    // Two passes over the block (the second from L1): one loop holding every accumulator needs
    // more than the 16 vector registers V8 allocates on x64, and spilled every iteration.
    for (int j = i; j + 8 <= end; j += 8) {
      v128_t v = wasm_v128_load(x + j), w = wasm_v128_load(x + j + 4);
      v128_t d = wasm_f32x4_sub(v, cv), e = wasm_f32x4_sub(w, cv);
      s = wasm_f32x4_add(s, wasm_f32x4_add(d, e));
      q = wasm_f32x4_add(q, wasm_f32x4_add(wasm_f32x4_mul(d, d), wasm_f32x4_mul(e, e)));
      a = wasm_f32x4_add(a, wasm_f32x4_add(wasm_v128_and(v, am), wasm_v128_and(w, am)));
    }
    for (; i + 8 <= end; i += 8) {
      v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4);
      v128_t av = wasm_v128_and(v, am), aw = wasm_v128_and(w, am);
      mn = wasm_f32x4_pmin(wasm_f32x4_pmin(v, w), mn);
      mx = wasm_f32x4_pmax(wasm_f32x4_pmax(v, w), mx);
      // Masks are -1 where true: subtracting counts them (in i16 lanes within a block). Zeros are
      // below both limits too; they are taken off the two counts at the end.
      z16 = wasm_i16x8_sub(z16, wasm_i16x8_narrow_i32x4(wasm_f32x4_eq(v, zero), wasm_f32x4_eq(w, zero)));
      b16 = wasm_i16x8_sub(b16, wasm_i16x8_narrow_i32x4(wasm_f32x4_lt(av, lim), wasm_f32x4_lt(aw, lim)));
      t16 = wasm_i16x8_sub(t16, wasm_i16x8_narrow_i32x4(wasm_f32x4_lt(av, limSub), wasm_f32x4_lt(aw, limSub)));
    }
    zc = wasm_i32x4_add(zc, wasm_i32x4_extadd_pairwise_i16x8(z16));
    bc = wasm_i32x4_add(bc, wasm_i32x4_extadd_pairwise_i16x8(b16));
    sc = wasm_i32x4_add(sc, wasm_i32x4_extadd_pairwise_i16x8(t16));
    promote_add(&S0, &S1, s);
    promote_add(&Q0, &Q1, q);
    promote_add(&A0, &A1, a);
  }
  double sd = hsum(S0, S1), sq = hsum(Q0, Q1), ab = hsum(A0, A1);
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
  b -= z; s -= z;
  for (; i < n; i++) {
    float v = x[i];
    float a = v < 0 ? -v : v;
    double d = (double)v - c;
    sd += d;
    sq += d * d;
    ab += a;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    if (v == 0.0f) z++;
    else if (a < minNormal) { b++; if (a < minSub) s++; }
  }
  double dc = c;
  double sum = sd + n * dc, sumSq = sq + 2 * dc * sd + n * dc * dc;
  // Finite range (NaN is invisible to min/max, but it has poisoned the sums already).
  float maxAbs = -lo > hi ? -lo : hi;
  if (maxAbs < __builtin_inff() && (maxAbs >= 0x1p56f || (maxAbs > 0 && maxAbs < 0x1p-44f))) sums_f64(x, n, &sum, &sumSq, &ab);
  out[0] = sum; out[1] = sumSq; out[2] = ab; out[3] = lo; out[4] = hi;
  cnt[0] = z; cnt[1] = b; cnt[2] = s;
}

/**
 * counts[0..bins) = the histogram of x's finite nonzero values, exactly as the JS loop of
 * `binned()` in core/instrument/stats.ts for finite lo and scale: t = (v - lo) · scale in double,
 * skipped when t <= -1, else bin min(trunc(t), bins - 1).
 *
 * Per vector: t clamped to [-1, bins - 1] in double, truncated, and read as an integer from the
 * low word of t + 1.5·2^52 (cheaper in V8 than i32x4.trunc_sat_f64x2_zero); zeros, NaN and ±Inf
 * are sent to -1 too. Eight partial tables of 1 + bins counts at `tables` (slot 0 collects the
 * skipped values), one per lane of two vectors, so runs of values in one bin do not wait on the
 * previous increment of the same counter; the lanes carry byte addresses into their own table.
 */
EXPORT("histogram") void histogram(const float* x, int n, int bins, double lo, double scale, unsigned* tables, unsigned* counts) {
  if (bins <= 0) return;
  const int stride = bins + 1;
  for (int j = 0; j < 8 * stride; j++) tables[j] = 0;
  v128_t lov = wasm_f64x2_splat(lo), sv = wasm_f64x2_splat(scale);
  v128_t m1 = wasm_f64x2_splat(-1.0), lastd = wasm_f64x2_splat(bins - 1), magic = wasm_f64x2_splat(0x1.8p52);
  // Finite nonzero ⇔ 1 <= bits(|v|) <= 0x7f7fffff ⇔ bits(|v|) + 0x7fffffff <= 0xff7ffffe (signed).
  v128_t am = wasm_i32x4_splat(ABS_MASK), k1 = wasm_i32x4_splat(0x7fffffff), k2 = wasm_i32x4_splat((int)0xff7ffffe);
  int tb = (int)tables, sb = stride * 4;
  // Lane l's slot for bin b is at tables + l·stride + 1 + b: bytes (b << 2) + base_l.
  v128_t lbv = wasm_i32x4_make(tb + 4, tb + sb + 4, tb + 2 * sb + 4, tb + 3 * sb + 4);
  v128_t lbw = wasm_i32x4_add(lbv, wasm_i32x4_splat(4 * sb));
  int i = 0;
#define BINS(v, lb, out)                                                                                \
  do {                                                                                                  \
    v128_t tl = wasm_f64x2_mul(wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(v), lov), sv);               \
    v128_t th = wasm_f64x2_mul(wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)), lov), sv); \
    tl = wasm_f64x2_add(wasm_f64x2_trunc(wasm_f64x2_pmin(wasm_f64x2_pmax(tl, m1), lastd)), magic);    \
    th = wasm_f64x2_add(wasm_f64x2_trunc(wasm_f64x2_pmin(wasm_f64x2_pmax(th, m1), lastd)), magic);    \
    v128_t bin = wasm_i32x4_shuffle(tl, th, 0, 2, 4, 6);                                              \
    v128_t bad = wasm_i32x4_gt(wasm_i32x4_add(wasm_v128_and(v, am), k1), k2);                          \
    out = wasm_i32x4_add(wasm_i32x4_shl(wasm_v128_or(bin, bad), 2), lb);                               \
  } while (0)
  for (; i + 8 <= n; i += 8) {
    v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4), pv, pw;
    BINS(v, lbv, pv);
    BINS(w, lbw, pw);
    ++*(unsigned*)wasm_i32x4_extract_lane(pv, 0);
    ++*(unsigned*)wasm_i32x4_extract_lane(pv, 1);
    ++*(unsigned*)wasm_i32x4_extract_lane(pv, 2);
    ++*(unsigned*)wasm_i32x4_extract_lane(pv, 3);
    ++*(unsigned*)wasm_i32x4_extract_lane(pw, 0);
    ++*(unsigned*)wasm_i32x4_extract_lane(pw, 1);
    ++*(unsigned*)wasm_i32x4_extract_lane(pw, 2);
    ++*(unsigned*)wasm_i32x4_extract_lane(pw, 3);
  }
#undef BINS
  for (; i < n; i++) {
    float v = x[i];
    if (v == 0.0f || v - v != 0.0f) continue;
    double t = ((double)v - lo) * scale;
    if (t <= -1) continue;
    tables[1 + (t >= bins - 1 ? bins - 1 : (int)t)]++;
  }
  for (int j = 0; j < bins; j++) {
    unsigned c = 0;
    for (int l = 0; l < 8; l++) c += tables[l * stride + 1 + j];
    counts[j] = c;
  }
}
