// Max pooling over every [H, W] plane, the same window rules as core/ops/pool.ts (which keeps the
// JS reference): windows come as per-axis [lo, hi) bounds with dilation steps. In JS the
// "new maximum?" branch mispredicts on activations; here it compiles to selects.

#define EXPORT(name) __attribute__((export_name(name)))

/** Y = max of each window; idx = flat index of the winner in X (-1 for an empty window). */
EXPORT("maxpool_fwd") void maxpool_fwd(const float* X, int planes, int H, int W, int dH, int dW,
                                       const int* rlo, const int* rhi, int OH,
                                       const int* clo, const int* chi, int OW, float* Y, int* idx) {
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
