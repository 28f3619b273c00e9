// The instrumentation's tensor statistics (core/instrument/stats.ts's fast path) in two passes
// over data in wasm memory, the second reading from cache:
// - stats_range: min, max, and counts of zeros and of nonzero values below float16's smallest
//   normal and subnormal;
// - then the sums Σv, Σv², Σ|v| (stats_sums), or the sums and the histogram over [min, max] in one
//   loop (stats_sums_histogram).
// Non-finite values poison the sums, which tells the caller to take its careful path (and to drop
// the histogram). nonzero_range and histogram serve histograms of other ranges (activations).
//
// Histogram bins (the same arithmetic as `binned()` in core/instrument/stats.ts, bit for bit): with
// pre, off, scale from `binParams()` in core/kernels/stats.ts, t = ((v · pre) - off) · scale in
// float32 (each operation rounded to float32) and bin = clamp(trunc(t), 0, bins - 1), NaN t to
// bin 0. Over the data's own range t >= 0, so only the top needs the clamp there.

#include <wasm_simd128.h>

#include "double-sums.h"

#define EXPORT(name) __attribute__((export_name(name)))

/**
 * Sum blocks: each f32 lane adds up 32 values (8 iterations of 16 elements), then the block's
 * partial sums are promoted into the double accumulators. Short f32 runs keep the sums within a
 * few 1e-8 of the double loop (the f32 rounding errors of a block are small and cancel across
 * blocks) at the cost of f32 rather than f64 arithmetic per element.
 */
#define BLOCK 8

/**
 * |v| as v & 0x7fffffff, read from memory so that clang cannot turn it back into f32x4.abs, which
 * V8 expands to three instructions (it builds the mask each time).
 */
static volatile int ABS_MASK = 0x7fffffff;

static inline unsigned bits_of(float f) { return __builtin_bit_cast(unsigned, f); }

static inline unsigned lanes_sum(v128_t v) {
  return (unsigned)wasm_i32x4_extract_lane(v, 0) + (unsigned)wasm_i32x4_extract_lane(v, 1) + (unsigned)wasm_i32x4_extract_lane(v, 2) + (unsigned)wasm_i32x4_extract_lane(v, 3);
}

// ---- pass 1: range and counts ---------------------------------------------------------------

/**
 * lo, hi = min and max of x (NaN may or may not show; it poisons the sums anyway), cnt[0..2] =
 * zeros, nonzero |v| < minNormal, nonzero |v| < minSub. When both limits are powers of two (or
 * any float whose low 16 bits are 0, as float16's limits are), |v| < limit compares the high 16
 * bits of |v|'s bits, 8 values per i16 compare; masks are counted in i8 lanes for up to 255
 * iterations.
 */
static void range_counts(const float* x, int n, float minNormal, float minSub, float* plo, float* phi, int* cnt) {
  const unsigned bn = bits_of(minNormal), bs = bits_of(minSub);
  const v128_t am = wasm_i32x4_splat(ABS_MASK);
  v128_t mn = wasm_f32x4_splat(__builtin_inff()), mx = wasm_f32x4_splat(-__builtin_inff());
  v128_t zc = wasm_i32x4_splat(0), bc = zc, sc = zc;
  int i = 0;
  if ((bn & 0xffff) == 0 && (bs & 0xffff) == 0 && bn <= 0x7f800000 && bs <= 0x7f800000) {
    const v128_t zero = wasm_i32x4_splat(0), ln = wasm_i16x8_splat((short)(bn >> 16)), ls = wasm_i16x8_splat((short)(bs >> 16));
    while (i + 16 <= n) {
      v128_t z8 = zero, b8 = zero, s8 = zero;
      const int end = n - i > 16 * 255 ? i + 16 * 255 : n;
      for (; i + 16 <= end; i += 16) {
        v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4), v2 = wasm_v128_load(x + i + 8), v3 = wasm_v128_load(x + i + 12);
        mn = wasm_f32x4_pmin(wasm_f32x4_pmin(wasm_f32x4_pmin(v0, v1), wasm_f32x4_pmin(v2, v3)), mn);
        mx = wasm_f32x4_pmax(wasm_f32x4_pmax(wasm_f32x4_pmax(v0, v1), wasm_f32x4_pmax(v2, v3)), mx);
        v128_t a0 = wasm_v128_and(v0, am), a1 = wasm_v128_and(v1, am), a2 = wasm_v128_and(v2, am), a3 = wasm_v128_and(v3, am);
        // High halves of |v| (sign cleared: 0 … 0x7fff), and |v| saturated to 16 bits (0 only for ±0).
        v128_t h0 = wasm_u16x8_narrow_i32x4(wasm_u32x4_shr(a0, 16), wasm_u32x4_shr(a1, 16));
        v128_t h1 = wasm_u16x8_narrow_i32x4(wasm_u32x4_shr(a2, 16), wasm_u32x4_shr(a3, 16));
        v128_t l0 = wasm_u16x8_narrow_i32x4(a0, a1), l1 = wasm_u16x8_narrow_i32x4(a2, a3);
        // Masks are -1 where true: subtracting counts them.
        z8 = wasm_i8x16_sub(z8, wasm_i8x16_narrow_i16x8(wasm_i16x8_eq(l0, zero), wasm_i16x8_eq(l1, zero)));
        b8 = wasm_i8x16_sub(b8, wasm_i8x16_narrow_i16x8(wasm_i16x8_lt(h0, ln), wasm_i16x8_lt(h1, ln)));
        s8 = wasm_i8x16_sub(s8, wasm_i8x16_narrow_i16x8(wasm_i16x8_lt(h0, ls), wasm_i16x8_lt(h1, ls)));
      }
      zc = wasm_i32x4_add(zc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(z8)));
      bc = wasm_i32x4_add(bc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(b8)));
      sc = wasm_i32x4_add(sc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(s8)));
    }
  } else {
    // Other limits: float compares, counted in i16 lanes for up to 4096 iterations.
    const v128_t zero = wasm_f32x4_splat(0.0f), lim = wasm_f32x4_splat(minNormal), limSub = wasm_f32x4_splat(minSub);
    while (i + 8 <= n) {
      v128_t z16 = wasm_i32x4_splat(0), b16 = z16, t16 = z16;
      const int end = n - i > 8 * 4096 ? i + 8 * 4096 : n;
      for (; i + 8 <= end; i += 8) {
        v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4);
        v128_t av = wasm_v128_and(v, am), aw = wasm_v128_and(w, am);
        mn = wasm_f32x4_pmin(wasm_f32x4_pmin(v, w), mn);
        mx = wasm_f32x4_pmax(wasm_f32x4_pmax(v, w), mx);
        z16 = wasm_i16x8_sub(z16, wasm_i16x8_narrow_i32x4(wasm_f32x4_eq(v, zero), wasm_f32x4_eq(w, zero)));
        b16 = wasm_i16x8_sub(b16, wasm_i16x8_narrow_i32x4(wasm_f32x4_lt(av, lim), wasm_f32x4_lt(aw, lim)));
        t16 = wasm_i16x8_sub(t16, wasm_i16x8_narrow_i32x4(wasm_f32x4_lt(av, limSub), wasm_f32x4_lt(aw, limSub)));
      }
      zc = wasm_i32x4_add(zc, wasm_i32x4_extadd_pairwise_i16x8(z16));
      bc = wasm_i32x4_add(bc, wasm_i32x4_extadd_pairwise_i16x8(b16));
      sc = wasm_i32x4_add(sc, wasm_i32x4_extadd_pairwise_i16x8(t16));
    }
  }
  float lo = __builtin_inff(), hi = -__builtin_inff();
  for (int l = 0; l < 4; l++) {
    float m0 = ((float*)&mn)[l], m1 = ((float*)&mx)[l];
    lo = m0 < lo ? m0 : lo;
    hi = m1 > hi ? m1 : hi;
  }
  // Zeros are below both limits too: taken off the two counts.
  int z = (int)lanes_sum(zc), b = (int)lanes_sum(bc) - z, s = (int)lanes_sum(sc) - z;
  for (; i < n; i++) {
    float v = x[i];
    float a = v < 0 ? -v : v;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    if (v == 0.0f) z++;
    else if (a < minNormal) { b++; if (a < minSub) s++; }
  }
  *plo = lo; *phi = hi;
  cnt[0] = z; cnt[1] = b; cnt[2] = s;
}

/** out[3], out[4] = min, max; cnt[0..2] = zeros, below normal, below subnormal (see range_counts). */
EXPORT("stats_range") void stats_range(const float* x, int n, float minNormal, float minSub, double* out, int* cnt) {
  float lo, hi;
  range_counts(x, n, minNormal, minSub, &lo, &hi, cnt);
  out[3] = lo; out[4] = hi;
}

// ---- pass 2: sums -----------------------------------------------------------------------------

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
 * The shift c of the sums: the mean of the first values, near the data's mean for most tensors
 * (a lone value as shift can sit several spreads out, which costs a digit in the reconstruction).
 *
 * The sums run in f32 blocks over d = v - c, so that the caller's variance Σv²/n - mean² does not
 * cancel away the f32 rounding for data far from zero (weights near 1 with a spread of 1e-3 lost
 * 1% of their std unshifted; shifted, a few 1e-8): Σv = Σd + nc, Σv² = Σd² + 2cΣd + nc² in double.
 */
static float shift_of(const float* x, int n) {
  double c0 = 0;
  int m = n < 64 ? n : 64;
  for (int j = 0; j < m; j++) c0 += x[j];
  return m > 0 ? (float)(c0 / m) : 0.0f;
}

/** Adds d = v - c, d², |v| of four vectors to the f32 block accumulators s, q, a. */
#define SUMS4(v0, v1, v2, v3)                                                                                          \
  do {                                                                                                                 \
    v128_t d0 = wasm_f32x4_sub(v0, cv), d1 = wasm_f32x4_sub(v1, cv), d2 = wasm_f32x4_sub(v2, cv), d3 = wasm_f32x4_sub(v3, cv); \
    s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(d0, d1), wasm_f32x4_add(d2, d3)));                            \
    q = wasm_f32x4_add(q, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(d0, d0), wasm_f32x4_mul(d1, d1)),              \
                                         wasm_f32x4_add(wasm_f32x4_mul(d2, d2), wasm_f32x4_mul(d3, d3))));            \
    a = wasm_f32x4_add(a, wasm_f32x4_add(wasm_f32x4_add(wasm_v128_and(v0, am), wasm_v128_and(v1, am)),                \
                                         wasm_f32x4_add(wasm_v128_and(v2, am), wasm_v128_and(v3, am))));              \
  } while (0)

/**
 * out[0..2] = Σv, Σv², Σ|v| from the shifted sums sd, sq, sa of the first `done` values (the rest
 * added here one by one). Where f32 squares could underflow or overflow (largest |v| below 2^-44
 * or from 2^56 up) the sums are redone in double, so the results stay within about 1e-7 of the
 * double loop for any finite data, and non-finite sums still mean non-finite data.
 */
static void finish_sums(const float* x, int n, int done, float c, double sd, double sq, double sa, float lo, float hi, double* out) {
  for (int i = done; i < n; i++) {
    float v = x[i];
    double d = (double)v - c;
    sd += d;
    sq += d * d;
    sa += v < 0 ? -v : v;
  }
  double dc = c;
  double sum = sd + n * dc, sumSq = sq + 2 * dc * sd + n * dc * dc;
  // Finite range (NaN is invisible to min/max, but it has poisoned the sums already).
  float maxAbs = -lo > hi ? -lo : hi;
  if (maxAbs < __builtin_inff() && (maxAbs >= 0x1p56f || (maxAbs > 0 && maxAbs < 0x1p-44f))) sums_f64(x, n, &sum, &sumSq, &sa);
  out[0] = sum; out[1] = sumSq; out[2] = sa;
}

/** out[0..4] = Σv, Σv², Σ|v|, min, max (doubles); cnt[0..2] = zeros, below normal, below subnormal. */
/**
 * The sums of x shifted by c over whole runs of 16 values (f32 blocks of BLOCK runs promoted into
 * double), then finish_sums for the tail and the results: the sums pass of stats_sums, and of
 * stats_sums_histogram past 64 bins (where the histogram takes its own pass).
 */
static inline void shifted_sums(const float* x, int n, float c, float lo, float hi, double* out) {
  const v128_t cv = wasm_f32x4_splat(c), am = wasm_i32x4_splat(ABS_MASK), zero = wasm_f32x4_splat(0.0f);
  v128_t S0 = wasm_f64x2_splat(0), S1 = S0, Q0 = S0, Q1 = S0, A0 = S0, A1 = S0;
  int i = 0;
  while (i + 16 <= n) {
    v128_t s = zero, q = zero, a = zero;
    const int end = n - i > 16 * BLOCK ? i + 16 * BLOCK : n;
    for (; i + 16 <= end; i += 16) {
      v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4), v2 = wasm_v128_load(x + i + 8), v3 = wasm_v128_load(x + i + 12);
      SUMS4(v0, v1, v2, v3);
    }
    promote_add(&S0, &S1, s);
    promote_add(&Q0, &Q1, q);
    promote_add(&A0, &A1, a);
  }
  finish_sums(x, n, i, c, hsum(S0, S1), hsum(Q0, Q1), hsum(A0, A1), lo, hi, out);
}

EXPORT("stats_sums") void stats_sums(const float* x, int n, float minNormal, float minSub, double* out, int* cnt) {
  float lo, hi;
  range_counts(x, n, minNormal, minSub, &lo, &hi, cnt);
  shifted_sums(x, n, shift_of(x, n), lo, hi, out);
  out[3] = lo; out[4] = hi;
}

// ---- histograms -------------------------------------------------------------------------------

/**
 * Up to 64 bins, values are counted in pairs: the bins a, b of two values raise one counter of a
 * 64 × 64 table (half the increments; bin r's count is then row r's sum plus column r's), in two
 * tables taking alternate halves of each 16 values, so that runs of one bin (zero rows) wait less
 * on the previous increment of the same counter. Each call clears the tables (32 KiB, static).
 *
 * The byte offset 256a + 4b comes from the float bits: trunc(t) + 1.5·2^15 steps 256 bits per unit
 * (ulp 2^-8) and trunc(t) + 1.5·2^21 steps 4 (ulp 1/4); the two magic numbers' bits add up to a
 * multiple of 2^14, so (bits + bits) & 0x3ffc is the offset, and no input whatever (NaN, a wrong
 * range) can address outside the table.
 */
#define PAIR_BINS 64
static unsigned PAIR_TABLES[2][PAIR_BINS * PAIR_BINS] __attribute__((aligned(16384)));
#define MAGIC_ROW 0x1.8p15f
#define MAGIC_COL 0x1.8p21f
#define PAIR_MASK 0x3ffc
/**
 * Shorter data goes to lane_histogram: clearing and summing the pair tables (2 × 16 KiB) costs
 * a few microseconds, more than the pairs save on fewer values (measured: PAIR_MIN_N).
 */
#ifndef PAIR_MIN_N
#define PAIR_MIN_N 4096
#endif

/** The bin of one value: clamp(trunc(t), 0, last), NaN to 0 (the tails, and where zeros fell). */
static inline int bin_of(float v, float pre, float off, float scale, int last) {
  float t = (v * pre - off) * scale;
  return t >= (float)last ? last : t > 0.0f ? (int)t : 0;
}

/** ++ the counter at byte offset o of pair table k. */
#define INC(k, o) (++*(unsigned*)((char*)PAIR_TABLES[k] + (o)))
#define INC8(p, r)                                                                                                   \
  do {                                                                                                               \
    INC(0, wasm_i32x4_extract_lane(p, 0)); INC(0, wasm_i32x4_extract_lane(p, 1));                                    \
    INC(0, wasm_i32x4_extract_lane(p, 2)); INC(0, wasm_i32x4_extract_lane(p, 3));                                    \
    INC(1, wasm_i32x4_extract_lane(r, 0)); INC(1, wasm_i32x4_extract_lane(r, 1));                                    \
    INC(1, wasm_i32x4_extract_lane(r, 2)); INC(1, wasm_i32x4_extract_lane(r, 3));                                    \
  } while (0)

/**
 * t of four values (v · pre spelled out only where pre is not 1: the loops come in both kinds),
 * truncated: clamped to last (values within the range), or to [0, last].
 */
#define PRE_ONE(v) (v)
#define PRE_MUL(v) wasm_f32x4_mul(v, pv)
#define T4(P, v) wasm_f32x4_mul(wasm_f32x4_sub(P(v), ov), sv)
#define TRUNC_TOP(P, v) wasm_f32x4_trunc(wasm_f32x4_pmin(lastv, T4(P, v)))
#define TRUNC_CLAMPED(P, v) wasm_f32x4_trunc(wasm_f32x4_pmin(lastv, wasm_f32x4_pmax(zerov, T4(P, v))))
#define PAIR(TR, P, v, w) wasm_v128_and(wasm_i32x4_add(wasm_f32x4_add(TR(P, v), mrow), wasm_f32x4_add(TR(P, w), mcol)), pmask)

#define PAIR_SETUP                                                                                                   \
  const v128_t pv = wasm_f32x4_splat(pre), ov = wasm_f32x4_splat(off), sv = wasm_f32x4_splat(scale);              \
  const v128_t mrow = wasm_f32x4_splat(MAGIC_ROW), mcol = wasm_f32x4_splat(MAGIC_COL), pmask = wasm_i32x4_splat(PAIR_MASK)

/** counts[0..bins) from the pair tables (rows and columns from bins on are 0). */
static void pair_counts(int bins, unsigned* counts) {
  for (int r = 0; r < bins; r++) counts[r] = 0;
  // Columns in two halves of 32 (8 vectors of column sums fit the registers), rows summed on the way.
  for (int half = 0; half < 2; half++) {
    v128_t c0 = wasm_i32x4_splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    for (int r = 0; r < bins; r++) {
      const unsigned* t = PAIR_TABLES[0] + r * PAIR_BINS + 32 * half;
      const unsigned* u = PAIR_TABLES[1] + r * PAIR_BINS + 32 * half;
      v128_t a0 = wasm_i32x4_add(wasm_v128_load(t), wasm_v128_load(u)), a1 = wasm_i32x4_add(wasm_v128_load(t + 4), wasm_v128_load(u + 4));
      v128_t a2 = wasm_i32x4_add(wasm_v128_load(t + 8), wasm_v128_load(u + 8)), a3 = wasm_i32x4_add(wasm_v128_load(t + 12), wasm_v128_load(u + 12));
      v128_t a4 = wasm_i32x4_add(wasm_v128_load(t + 16), wasm_v128_load(u + 16)), a5 = wasm_i32x4_add(wasm_v128_load(t + 20), wasm_v128_load(u + 20));
      v128_t a6 = wasm_i32x4_add(wasm_v128_load(t + 24), wasm_v128_load(u + 24)), a7 = wasm_i32x4_add(wasm_v128_load(t + 28), wasm_v128_load(u + 28));
      c0 = wasm_i32x4_add(c0, a0); c1 = wasm_i32x4_add(c1, a1); c2 = wasm_i32x4_add(c2, a2); c3 = wasm_i32x4_add(c3, a3);
      c4 = wasm_i32x4_add(c4, a4); c5 = wasm_i32x4_add(c5, a5); c6 = wasm_i32x4_add(c6, a6); c7 = wasm_i32x4_add(c7, a7);
      counts[r] += lanes_sum(wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_add(a0, a1), wasm_i32x4_add(a2, a3)), wasm_i32x4_add(wasm_i32x4_add(a4, a5), wasm_i32x4_add(a6, a7))));
    }
    unsigned cs[32] __attribute__((aligned(16)));
    wasm_v128_store(cs, c0); wasm_v128_store(cs + 4, c1); wasm_v128_store(cs + 8, c2); wasm_v128_store(cs + 12, c3);
    wasm_v128_store(cs + 16, c4); wasm_v128_store(cs + 20, c5); wasm_v128_store(cs + 24, c6); wasm_v128_store(cs + 28, c7);
    for (int j = 0; j < 32 && 32 * half + j < bins; j++) counts[32 * half + j] += cs[j];
  }
}

/**
 * More than 64 bins, or short data: one value per increment, into 8 tables of `bins` counters at `tables` (one per
 * lane of two vectors); t clamped, the byte offset 4·bin from trunc(t) + 1.5·2^21's bits.
 */
static void lane_histogram(const float* x, int n, int bins, float pre, float off, float scale, unsigned* tables, unsigned* counts) {
  const int last = bins - 1;
  for (int j = 0; j < 8 * bins; j++) tables[j] = 0;
  const v128_t pv = wasm_f32x4_splat(pre), ov = wasm_f32x4_splat(off), sv = wasm_f32x4_splat(scale);
  const v128_t zerov = wasm_f32x4_splat(0.0f), lastv = wasm_f32x4_splat((float)last), mcol = wasm_f32x4_splat(MAGIC_COL);
  // Lane l's counter for bin b is at tables + l·bins + b: bytes bits(trunc(t) + magic) + base_l.
  const unsigned tb = (unsigned)tables - bits_of(MAGIC_COL), sb = 4u * (unsigned)bins;
  const v128_t lbv = wasm_u32x4_make(tb, tb + sb, tb + 2 * sb, tb + 3 * sb), lbw = wasm_i32x4_add(lbv, wasm_i32x4_splat((int)(4 * sb)));
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4);
    v128_t p = wasm_i32x4_add(wasm_f32x4_add(TRUNC_CLAMPED(PRE_MUL, v), mcol), lbv);
    v128_t q = wasm_i32x4_add(wasm_f32x4_add(TRUNC_CLAMPED(PRE_MUL, w), mcol), lbw);
    ++*(unsigned*)wasm_i32x4_extract_lane(p, 0); ++*(unsigned*)wasm_i32x4_extract_lane(p, 1);
    ++*(unsigned*)wasm_i32x4_extract_lane(p, 2); ++*(unsigned*)wasm_i32x4_extract_lane(p, 3);
    ++*(unsigned*)wasm_i32x4_extract_lane(q, 0); ++*(unsigned*)wasm_i32x4_extract_lane(q, 1);
    ++*(unsigned*)wasm_i32x4_extract_lane(q, 2); ++*(unsigned*)wasm_i32x4_extract_lane(q, 3);
  }
  for (int j = 0; j < bins; j++) {
    unsigned c = 0;
    for (int l = 0; l < 8; l++) c += tables[l * bins + j];
    counts[j] = c;
  }
  for (; i < n; i++) counts[bin_of(x[i], pre, off, scale, last)]++;
}

/**
 * The data's statistics and histogram, after stats_range(x, n, …, out, cnt) on the same out and cnt:
 * completes out[0..2] with Σv, Σv², Σ|v| (as stats_sums), and counts[0..bins) with the histogram of
 * the finite nonzero values over [out[3], out[4]] (pre, off, scale from binParams over that range;
 * the cnt[0] zeros are taken off their bin; bins <= 0: the sums only). Up to 64 bins, the sums and
 * the pair histogram share one loop, with t clamped at the top only: over the data's own range it
 * is never negative. For data holding NaN or ±Inf the counts are meaningless (the sums say so).
 */
EXPORT("stats_sums_histogram") void stats_sums_histogram(const float* x, int n, int bins, float pre, float off, float scale, double* out, const int* cnt, unsigned* tables, unsigned* counts) {
  const float lo = (float)out[3], hi = (float)out[4], c = shift_of(x, n);
  const int last = bins - 1;
  if (bins > 0 && bins <= PAIR_BINS && n >= PAIR_MIN_N) {
    const v128_t cv = wasm_f32x4_splat(c), am = wasm_i32x4_splat(ABS_MASK), zero = wasm_f32x4_splat(0.0f);
    v128_t S0 = wasm_f64x2_splat(0), S1 = S0, Q0 = S0, Q1 = S0, A0 = S0, A1 = S0;
    int i = 0;
    __builtin_memset(PAIR_TABLES, 0, sizeof PAIR_TABLES);
    PAIR_SETUP;
    const v128_t lastv = wasm_f32x4_splat((float)last);
#define SUMS_PAIRS_LOOP(P)                                                                                           \
    while (i + 16 <= n) {                                                                                            \
      v128_t s = zero, q = zero, a = zero;                                                                           \
      const int end = n - i > 16 * BLOCK ? i + 16 * BLOCK : n;                                                       \
      for (; i + 16 <= end; i += 16) {                                                                               \
        v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4), v2 = wasm_v128_load(x + i + 8), v3 = wasm_v128_load(x + i + 12); \
        v128_t p = PAIR(TRUNC_TOP, P, v0, v1), r = PAIR(TRUNC_TOP, P, v2, v3);                                       \
        SUMS4(v0, v1, v2, v3);                                                                                       \
        INC8(p, r);                                                                                                  \
      }                                                                                                              \
      promote_add(&S0, &S1, s);                                                                                      \
      promote_add(&Q0, &Q1, q);                                                                                      \
      promote_add(&A0, &A1, a);                                                                                      \
    }
    if (pre == 1.0f) SUMS_PAIRS_LOOP(PRE_ONE) else SUMS_PAIRS_LOOP(PRE_MUL)
#undef SUMS_PAIRS_LOOP
    pair_counts(bins, counts);
    for (int j = i; j < n; j++) counts[bin_of(x[j], pre, off, scale, last)]++;
    finish_sums(x, n, i, c, hsum(S0, S1), hsum(Q0, Q1), hsum(A0, A1), lo, hi, out);
  } else {
    shifted_sums(x, n, c, lo, hi, out);
    if (bins > 0) lane_histogram(x, n, bins, pre, off, scale, tables, counts);
  }
  if (bins > 0) counts[bin_of(0.0f, pre, off, scale, last)] -= (unsigned)cnt[0];
}

/**
 * The bin parameters of `binParams(bins, lo, hi)` in core/kernels/stats.ts, with the same double
 * arithmetic (each conversion to float is Math.fround's rounding), so the counts stay bit-identical.
 */
static void bin_params(int bins, double lo, double hi, float* pre, float* off, float* scale) {
  if (!(hi > lo)) {
    *pre = 0.0f; *off = 0.0f; *scale = 0.0f;
    return;
  }
  const double r = hi - lo;
  const double p = r >= 0x1p127 ? 0x1p-2 : r < 0x1p-64 ? 0x1p64 : 1.0;
  *pre = (float)p;
  *off = (float)(lo * p);
  *scale = (float)((bins / r) / p);
}

/**
 * stats_range, then stats_sums_histogram over the data's own range [min, max] in one call (one
 * crossing from JS, and what a thread without the JS helpers can run): out and cnt as there, and
 * cnt[3] = 1 when counts[0..bins) hold the histogram, 0 when not (bins <= 0, or ±Inf in the range:
 * the sums then say the data is not finite; NaN shows in the sums only).
 */
EXPORT("stats_histogram") void stats_histogram(const float* x, int n, int bins, float minNormal, float minSub, double* out, int* cnt, unsigned* tables, unsigned* counts) {
  stats_range(x, n, minNormal, minSub, out, cnt);
  const double lo = out[3], hi = out[4];
  const int hist = bins > 0 && __builtin_isfinite(lo) && __builtin_isfinite(hi);
  float pre = 0.0f, off = 0.0f, scale = 0.0f;
  if (hist) bin_params(bins, lo, hi, &pre, &off, &scale);
  stats_sums_histogram(x, n, hist ? bins : 0, pre, off, scale, out, cnt, tables, counts);
  cnt[3] = hist;
}

/**
 * counts[0..bins) = the histogram of x's nonzero values with t clamped (values below the range in
 * bin 0, above it in the last), for finite x with `zeros` zeros (taken off their bin; ±Inf would
 * count in the end bins, NaN in bin 0).
 */
EXPORT("histogram") void histogram(const float* x, int n, int bins, float pre, float off, float scale, int zeros, unsigned* tables, unsigned* counts) {
  if (bins <= 0) return;
  const int last = bins - 1;
  if (bins > PAIR_BINS || n < PAIR_MIN_N) {
    lane_histogram(x, n, bins, pre, off, scale, tables, counts);
  } else {
    __builtin_memset(PAIR_TABLES, 0, sizeof PAIR_TABLES);
    PAIR_SETUP;
    const v128_t zerov = wasm_f32x4_splat(0.0f), lastv = wasm_f32x4_splat((float)last);
    int i = 0;
#define PAIRS_LOOP(P)                                                                                                \
    for (; i + 16 <= n; i += 16) {                                                                                   \
      v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4), v2 = wasm_v128_load(x + i + 8), v3 = wasm_v128_load(x + i + 12); \
      v128_t p = PAIR(TRUNC_CLAMPED, P, v0, v1), r = PAIR(TRUNC_CLAMPED, P, v2, v3);                                 \
      INC8(p, r);                                                                                                    \
    }
    if (pre == 1.0f) PAIRS_LOOP(PRE_ONE) else PAIRS_LOOP(PRE_MUL)
#undef PAIRS_LOOP
    pair_counts(bins, counts);
    for (; i < n; i++) counts[bin_of(x[i], pre, off, scale, last)]++;
  }
  counts[bin_of(0.0f, pre, off, scale, last)] -= (unsigned)zeros;
}

/**
 * For histograms over the nonzero values: cnt[0] = zeros, cnt[1] = NaN and ±Inf values; when there
 * are none of the latter, out[0], out[1] = min and max of the nonzero values (+Inf, -Inf if none).
 */
EXPORT("nonzero_range") void nonzero_range(const float* x, int n, float* out, int* cnt) {
  const v128_t am = wasm_i32x4_splat(ABS_MASK), inf = wasm_f32x4_splat(__builtin_inff()), maxf = wasm_i32x4_splat(0x7f7fffff);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t mn = inf, mx = wasm_f32x4_splat(-__builtin_inff()), zc = wasm_i32x4_splat(0), nc = zc;
  int i = 0;
#define NZ(v)                                                                                                        \
  do {                                                                                                               \
    v128_t z_ = wasm_f32x4_eq(v, zero), zi_ = wasm_v128_and(z_, inf);                                               \
    /* Zeros out of the way: +Inf for the min, -Inf for the max (NaN is counted below). */                          \
    mn = wasm_f32x4_pmin(mn, wasm_f32x4_add(v, zi_));                                                                \
    mx = wasm_f32x4_pmax(mx, wasm_f32x4_sub(v, zi_));                                                                \
    zc = wasm_i32x4_sub(zc, z_);                                                                                     \
    nc = wasm_i32x4_sub(nc, wasm_i32x4_gt(wasm_v128_and(v, am), maxf));                                             \
  } while (0)
  for (; i + 8 <= n; i += 8) {
    v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4);
    NZ(v);
    NZ(w);
  }
#undef NZ
  float lo = __builtin_inff(), hi = -__builtin_inff();
  for (int l = 0; l < 4; l++) {
    float m0 = ((float*)&mn)[l], m1 = ((float*)&mx)[l];
    lo = m0 < lo ? m0 : lo;
    hi = m1 > hi ? m1 : hi;
  }
  int z = (int)lanes_sum(zc), nf = (int)lanes_sum(nc);
  for (; i < n; i++) {
    float v = x[i];
    if (v == 0.0f) z++;
    else if (v - v != 0.0f) nf++;
    else { lo = v < lo ? v : lo; hi = v > hi ? v : hi; }
  }
  out[0] = lo; out[1] = hi;
  cnt[0] = z; cnt[1] = nf;
}

/**
 * nonzero_range, then the histogram of the finite nonzero values over their own range, in one call
 * (as `nonzeroHistogram()` in core/kernels/stats.ts: one crossing from JS, and what the stats
 * thread runs): cnt[0] = zeros, cnt[1] = NaN and ±Inf values (then no histogram: cnt[3] = 0);
 * else cnt[3] = 1, out[0], out[1] = lo, hi (0, 0 and empty counts when every value is zero) and
 * counts[0..bins) the histogram.
 */
EXPORT("nonzero_histogram") void nonzero_histogram(const float* x, int n, int bins, float* out, int* cnt, unsigned* tables, unsigned* counts) {
  nonzero_range(x, n, out, cnt);
  cnt[3] = 0;
  if (cnt[1] > 0 || bins <= 0) return;
  const float lo = out[0], hi = out[1];
  cnt[3] = 1;
  if (!(lo <= hi)) {
    out[0] = 0.0f; out[1] = 0.0f;
    for (int j = 0; j < bins; j++) counts[j] = 0;
    return;
  }
  float pre, off, scale;
  bin_params(bins, lo, hi, &pre, &off, &scale);
  histogram(x, n, bins, pre, off, scale, cnt[0], tables, counts);
}
