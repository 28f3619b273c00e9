// Max pooling over every [H, W] plane, the same window rules as core/ops/pool.ts (which keeps the
// JS reference): windows come as per-axis [lo, hi) bounds with dilation steps. The "new
// maximum?" test mispredicts on activations when it is a branch (JS, and V8's scalar f32 select
// measured 30 ns/window), so the common 2×2 stride-2 case runs as SIMD compare + bitselect.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

// True when every window along the axis is exactly [2o, 2o+2): kernel 2, stride 2, no padding.
static int pairs(const int* lo, const int* hi, int n) {
  for (int o = 0; o < n; o++) if (lo[o] != 2 * o || hi[o] != 2 * o + 2) return 0;
  return 1;
}

// Candidate c (flat indices ci) replaces the running max where c > best or c is NaN: the first
// maximum wins ties and the last NaN wins, as the scalar loop.
static inline void take(v128_t c, v128_t ci, v128_t* best, v128_t* at) {
  v128_t m = wasm_v128_or(wasm_f32x4_gt(c, *best), wasm_f32x4_ne(c, c));
  *best = wasm_v128_bitselect(c, *best, m);
  *at = wasm_v128_bitselect(ci, *at, m);
}

static void maxpool_2x2(const float* X, int planes, int H, int W, int OH, int OW, float* Y, int* idx) {
  v128_t step = wasm_i32x4_make(0, 2, 4, 6);
  for (int p = 0; p < planes; p++) {
    for (int oh = 0; oh < OH; oh++) {
      int r0 = p * H * W + 2 * oh * W;
      int r1 = r0 + W;
      float* y = Y + (p * OH + oh) * OW;
      int* ix = idx + (p * OH + oh) * OW;
      int ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        int c0 = 2 * ow;
        v128_t a0 = wasm_v128_load(X + r0 + c0), a1 = wasm_v128_load(X + r0 + c0 + 4);
        v128_t b0 = wasm_v128_load(X + r1 + c0), b1 = wasm_v128_load(X + r1 + c0 + 4);
        v128_t i00 = wasm_i32x4_add(wasm_i32x4_splat(r0 + c0), step);
        v128_t i10 = wasm_i32x4_add(wasm_i32x4_splat(r1 + c0), step);
        v128_t one = wasm_i32x4_splat(1);
        v128_t best = wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6);
        v128_t at = i00;
        take(wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7), wasm_i32x4_add(i00, one), &best, &at);
        take(wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), i10, &best, &at);
        take(wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7), wasm_i32x4_add(i10, one), &best, &at);
        wasm_v128_store(y + ow, best);
        wasm_v128_store(ix + ow, at);
      }
      for (; ow < OW; ow++) {
        int c0 = 2 * ow;
        const int cand[4] = {r0 + c0, r0 + c0 + 1, r1 + c0, r1 + c0 + 1};
        float best = X[cand[0]];
        int at = cand[0];
        for (int t = 1; t < 4; t++) {
          float v = X[cand[t]];
          if (v > best || v != v) { best = v; at = cand[t]; }
        }
        y[ow] = best;
        ix[ow] = at;
      }
    }
  }
}

/** Y = max of each window; idx = flat index of the winner in X (-1 for an empty window). */
EXPORT("maxpool_fwd") void maxpool_fwd(const float* X, int planes, int H, int W, int dH, int dW,
                                       const int* rlo, const int* rhi, int OH,
                                       const int* clo, const int* chi, int OW, float* Y, int* idx) {
  // 2·OW <= W keeps the 8-float loads of four windows inside their row.
  if (dH == 1 && dW == 1 && pairs(rlo, rhi, OH) && pairs(clo, chi, OW) && 2 * OW <= W && 2 * OH <= H) {
    maxpool_2x2(X, planes, H, W, OH, OW, Y, idx);
    return;
  }
  int o = 0;
  for (int p = 0; p < planes; p++) {
    int base = p * H * W;
    for (int oh = 0; oh < OH; oh++) {
      int h0 = rlo[oh], h1 = rhi[oh];
      for (int ow = 0; ow < OW; ow++, o++) {
        int w0 = clo[ow], w1 = chi[ow];
        float best = -__builtin_inff();
        int at = h0 < h1 && w0 < w1 ? base + h0 * W + w0 : -1;
        for (int h = h0; h < h1; h += dH) {
          int row = base + h * W;
          for (int w = w0; w < w1; w += dW) {
            float v = X[row + w];
            // NOTE: ties keep the first maximum, a NaN wins (the last NaN), as the JS reference.
            int take = (v > best) | (v != v);
            best = take ? v : best;
            at = take ? row + w : at;
          }
        }
        Y[o] = best;
        idx[o] = at;
      }
    }
  }
}
