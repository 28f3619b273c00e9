// Elementwise binary cross-entropy primitives (unreduced; the loss modules reduce).
// NOTE: both are primitives for numerical stability. Composed from log/clamp, BCE's gradient
// is NaN at x = 0 or 1 and 0 wherever the clamp bites; PyTorch's closed-form gradient
// (x − y)/max(x(1 − x), 1e-12) stays finite. Composed from relu/abs/exp, BCE-with-logits
// has kinks at x = 0 that give the wrong gradient there (−y instead of ½ − y).

import { Tensor } from '../tensor';
import { apply, defineOp } from './op';

/** log clamped to ≥ −100, as PyTorch does so that log(0) gives a finite loss of 100. */
const clampedLog = (v: number): number => Math.max(Math.log(v), -100);
const BCE_EPSILON = 1e-12;

/** ℓ = −(y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)), elementwise on same-shape x, y. */
export const BinaryCrossEntropy = defineOp({
  name: 'BinaryCrossEntropy',
  forward: ([x, y]) => {
    const X = x!.data;
    const Y = y!.data;
    const O = new Float32Array(X.length);
    for (let i = 0; i < X.length; i++) {
      const v = X[i]!;
      const t = Y[i]!;
      O[i] = (t - 1) * Math.max(Math.log1p(-v), -100) - t * clampedLog(v);
    }
    return Tensor._make(O, x!.shape);
  },
  backward: (g, { inputs: [x, y] }) => {
    const X = x!.data;
    const Y = y!.data;
    const G = g.data;
    let gx: Tensor | null = null;
    let gy: Tensor | null = null;
    if (x!.requiresGrad) {
      const O = new Float32Array(X.length);
      for (let i = 0; i < X.length; i++) { const v = X[i]!; O[i] = (G[i]! * (v - Y[i]!)) / Math.max((1 - v) * v, BCE_EPSILON); }
      gx = Tensor._make(O, x!.shape);
    }
    if (y!.requiresGrad) {
      // NOTE: unclamped, as PyTorch: ±inf at x = 0 or 1.
      const O = new Float32Array(X.length);
      for (let i = 0; i < X.length; i++) { const v = X[i]!; O[i] = G[i]! * (Math.log1p(-v) - Math.log(v)); }
      gy = Tensor._make(O, y!.shape);
    }
    return [gx, gy];
  },
});

/**
 * ℓ = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), with softplus(−x) = max(−x, 0) + log(e^(−max) + e^(−x−max))
 * (PyTorch's form: never overflows). `posWeight` p is already expanded to x's shape, or null for p = 1.
 */
export const BinaryCrossEntropyWithLogits = defineOp<Float32Array | null>({
  name: 'BinaryCrossEntropyWithLogits',
  forward: ([x, y], P) => {
    const X = x!.data;
    const Y = y!.data;
    const O = new Float32Array(X.length);
    for (let i = 0; i < X.length; i++) {
      const v = X[i]!;
      const t = Y[i]!;
      const m = Math.max(-v, 0);
      const sp = Math.log(Math.exp(-m) + Math.exp(-v - m)) + m;
      O[i] = (1 - t) * v + (P === null ? sp : (1 + (P[i]! - 1) * t) * sp);
    }
    return Tensor._make(O, x!.shape);
  },
  backward: (g, { inputs: [x, y], attrs: P }) => {
    const X = x!.data;
    const Y = y!.data;
    const G = g.data;
    let gx: Tensor | null = null;
    let gy: Tensor | null = null;
    if (x!.requiresGrad) {
      // (1 + (p − 1)·y)·σ(x) − p·y, i.e. σ(x) − y for p = 1
      const O = new Float32Array(X.length);
      for (let i = 0; i < X.length; i++) {
        const v = X[i]!;
        const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        const py = P === null ? Y[i]! : P[i]! * Y[i]!;
        O[i] = G[i]! * ((py + 1 - Y[i]!) * s - py);
      }
      gx = Tensor._make(O, x!.shape);
    }
    if (y!.requiresGrad) {
      // −x + (p − 1)·softplus(−x)
      const O = new Float32Array(X.length);
      for (let i = 0; i < X.length; i++) {
        const v = X[i]!;
        let d = -v;
        if (P !== null) { const m = Math.max(-v, 0); d += (P[i]! - 1) * (Math.log(Math.exp(-m) + Math.exp(-v - m)) + m); }
        O[i] = G[i]! * d;
      }
      gy = Tensor._make(O, y!.shape);
    }
    return [gx, gy];
  },
});

/** Elementwise BCE of probabilities x against targets y (same shape, checked by the caller). */
export function binaryCrossEntropy(x: Tensor, y: Tensor): Tensor {
  return apply(BinaryCrossEntropy, [x, y], undefined);
}

/** Elementwise BCE of logits x against targets y; `posWeight` already expanded to x's shape. */
export function binaryCrossEntropyWithLogits(x: Tensor, y: Tensor, posWeight: Float32Array | null): Tensor {
  return apply(BinaryCrossEntropyWithLogits, [x, y], posWeight);
}
