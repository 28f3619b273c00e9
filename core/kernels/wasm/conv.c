// im2col / col2im for one image and one group, the same index rules as core/ops/conv.ts (which
// keeps the JS reference): row r = (c·kH + i)·kW + j of the unfold holds kernel tap (i, j) of
// channel c at every output pixel; taps in the padding read 0.

#define EXPORT(name) __attribute__((export_name(name)))

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }
// ceil(a / b) for b > 0 and any sign of a.
static inline int ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Output columns ow whose tap at offset `off` lands inside [0, W): [lo, hi).
static inline int first_valid(int off, int pL, int s, int OW) { return imin(OW, imax(0, ceil_div(pL - off, s))); }
static inline int end_valid(int off, int pL, int s, int W, int OW, int lo) { return imin(OW, imax(lo, ceil_div(W + pL - off, s))); }

EXPORT("im2col") void im2col(const float* X, int C, int H, int W, int kH, int kW, int sH, int sW,
                             int pT, int pL, int dH, int dW, int OH, int OW, float* col) {
  int L = OH * OW;
  float* dst = col;
  for (int c = 0; c < C; c++) {
    const float* plane = X + c * H * W;
    for (int i = 0; i < kH; i++) {
      for (int j = 0; j < kW; j++, dst += L) {
        int lo = first_valid(j * dW, pL, sW, OW);
        int hi = end_valid(j * dW, pL, sW, W, OW, lo);
        int shift = j * dW - pL;
        for (int oh = 0; oh < OH; oh++) {
          float* d = dst + oh * OW;
          int h = oh * sH - pT + i * dH;
          if (h < 0 || h >= H) {
            for (int ow = 0; ow < OW; ow++) d[ow] = 0.0f;
            continue;
          }
          const float* src = plane + h * W + shift;
          for (int ow = 0; ow < lo; ow++) d[ow] = 0.0f;
          if (sW == 1) for (int ow = lo; ow < hi; ow++) d[ow] = src[ow];
          else for (int ow = lo; ow < hi; ow++) d[ow] = src[ow * sW];
          for (int ow = hi; ow < OW; ow++) d[ow] = 0.0f;
        }
      }
    }
  }
}

/** The adjoint of im2col: adds each column entry onto the input position it was read from. */
EXPORT("col2im") void col2im(const float* col, int C, int H, int W, int kH, int kW, int sH, int sW,
                             int pT, int pL, int dH, int dW, int OH, int OW, float* GX) {
  int L = OH * OW;
  const float* src = col;
  for (int c = 0; c < C; c++) {
    float* plane = GX + c * H * W;
    for (int i = 0; i < kH; i++) {
      for (int j = 0; j < kW; j++, src += L) {
        int lo = first_valid(j * dW, pL, sW, OW);
        int hi = end_valid(j * dW, pL, sW, W, OW, lo);
        int shift = j * dW - pL;
        for (int oh = 0; oh < OH; oh++) {
          int h = oh * sH - pT + i * dH;
          if (h < 0 || h >= H) continue;
          const float* s = src + oh * OW;
          float* d = plane + h * W + shift;
          if (sW == 1) for (int ow = lo; ow < hi; ow++) d[ow] += s[ow];
          else for (int ow = lo; ow < hi; ow++) d[ow * sW] += s[ow];
        }
      }
    }
  }
}
