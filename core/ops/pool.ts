// 2-D max and average pooling over every [H, W] plane of a [N,C,H,W] or [C,H,W] input, with
// PyTorch's window rules (padding, dilation for max, ceil mode, count_include_pad). Window bounds
// are computed once per axis and shared by forward and backward.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { apply, defineOp, withSaved } from './op';
import { checkImageInput, pair, slidingOutSize, type Pair } from './window';
import { maxPoolWasm } from '../kernels/pool';

/** The windows along one axis: taps at lo, lo+d, … < hi inside the input; `padded` = window length counting padding. */
export interface AxisWindows {
  lo: Int32Array;
  hi: Int32Array;
  padded: Int32Array;
}

/** Window bounds along one axis, clipped the way PyTorch's CPU pooling kernels clip them. */
export function axisWindows(size: number, k: number, s: number, p: number, d: number, out: number): AxisWindows {
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  const padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * s - p;
    // The first tap inside the input (dilated taps step over the left padding).
    lo[o] = start < 0 ? start + Math.ceil(-start / d) * d : start;
    hi[o] = Math.min(start + (k - 1) * d + 1, size);
    // A ceil-mode window may run past the right padding; only the padded part counts.
    padded[o] = Math.min(start + (k - 1) * d + 1, size + p) - start;
  }
  return { lo, hi, padded };
}

interface PoolAttrs {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  out: [number, number];
}

interface AvgPoolAttrs extends PoolAttrs {
  countIncludePad: boolean;
  divisorOverride: number | null;
}

function windows(x: Tensor, a: PoolAttrs): { planes: number; H: number; W: number; rows: AxisWindows; cols: AxisWindows } {
  const [H, W] = x.shape.slice(-2) as [number, number];
  return {
    planes: x.data.length / (H * W),
    H, W,
    rows: axisWindows(H, a.kernel[0], a.stride[0], a.padding[0], a.dilation[0], a.out[0]),
    cols: axisWindows(W, a.kernel[1], a.stride[1], a.padding[1], a.dilation[1], a.out[1]),
  };
}

const outShape = (x: Tensor, a: PoolAttrs): number[] => [...x.shape.slice(0, -2), a.out[0], a.out[1]];

/**
 * Max of every window of every plane of X into Y, with the flat index of the winner in X
 * (-1 for a window with no input element). NOTE: ties keep the first maximum in row-major order
 * and a NaN wins (the last NaN, as PyTorch's CPU kernel), so the gradient goes where PyTorch sends it.
 */
export function maxPoolPlanes(
  X: Float32Array, planes: number, H: number, W: number, dH: number, dW: number,
  rows: AxisWindows, cols: AxisWindows, Y: Float32Array, idx: Int32Array,
): void {
  const OH = rows.lo.length;
  const OW = cols.lo.length;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = rows.lo[oh]!;
      const h1 = rows.hi[oh]!;
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = cols.lo[ow]!;
        const w1 = cols.hi[ow]!;
        let best = -Infinity;
        let at = h0 < h1 && w0 < w1 ? base + h0 * W + w0 : -1;
        for (let h = h0; h < h1; h += dH) {
          const row = base + h * W;
          for (let w = w0; w < w1; w += dW) {
            const v = X[row + w]!;
            if (v > best || v !== v) {
              best = v;
              at = row + w;
            }
          }
        }
        Y[o] = best;
        idx[o] = at;
      }
    }
  }
}

export const MaxPool2dOp = defineOp<PoolAttrs, Int32Array>({
  name: 'MaxPool2d',
  forward: ([x], a) => {
    const { planes, H, W, rows, cols } = windows(x!, a);
    const n = planes * a.out[0] * a.out[1];
    const Y = new Float32Array(n);
    const idx = new Int32Array(n);
    if (!maxPoolWasm(x!.data, planes, H, W, a.dilation[0], a.dilation[1], rows, cols, Y, idx)) {
      maxPoolPlanes(x!.data, planes, H, W, a.dilation[0], a.dilation[1], rows, cols, Y, idx);
    }
    return withSaved(Tensor._make(Y, outShape(x!, a)), idx);
  },
  backward: (g, { inputs: [x], saved: idx }) => {
    const GX = new Float32Array(x!.data.length);
    const G = g.data;
    for (let o = 0; o < idx.length; o++) if (idx[o]! >= 0) GX[idx[o]!]! += G[o]!;
    return [Tensor._make(GX, x!.shape)];
  },
});

/** Divisor of each window: PyTorch's divisor_override, else the padded or the in-input window size. */
function divisor(a: AvgPoolAttrs, rows: AxisWindows, cols: AxisWindows, oh: number, ow: number): number {
  if (a.divisorOverride !== null) return a.divisorOverride;
  if (a.countIncludePad) return rows.padded[oh]! * cols.padded[ow]!;
  return (rows.hi[oh]! - rows.lo[oh]!) * (cols.hi[ow]! - cols.lo[ow]!);
}

export const AvgPool2dOp = defineOp<AvgPoolAttrs>({
  name: 'AvgPool2d',
  forward: ([x], a) => {
    const { planes, H, W, rows, cols } = windows(x!, a);
    const [OH, OW] = a.out;
    const X = x!.data;
    const Y = new Float32Array(planes * OH * OW);
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * H * W;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o++) {
          let s = 0;
          for (let h = rows.lo[oh]!; h < rows.hi[oh]!; h++) {
            const row = base + h * W;
            for (let w = cols.lo[ow]!; w < cols.hi[ow]!; w++) s += X[row + w]!;
          }
          Y[o] = s / divisor(a, rows, cols, oh, ow);
        }
      }
    }
    return Tensor._make(Y, outShape(x!, a));
  },
  backward: (g, { inputs: [x], attrs: a }) => {
    const { planes, H, W, rows, cols } = windows(x!, a);
    const [OH, OW] = a.out;
    const G = g.data;
    const GX = new Float32Array(x!.data.length);
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * H * W;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o++) {
          const share = G[o]! / divisor(a, rows, cols, oh, ow);
          for (let h = rows.lo[oh]!; h < rows.hi[oh]!; h++) {
            const row = base + h * W;
            for (let w = cols.lo[ow]!; w < cols.hi[ow]!; w++) GX[row + w]! += share;
          }
        }
      }
    }
    return [Tensor._make(GX, x!.shape)];
  },
});

export interface MaxPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Pair | null;
  /** Implicit -inf padding per side, at most half the kernel. */
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Pair | null;
  /** Implicit zero padding per side, at most half the kernel. */
  padding?: Pair;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (PyTorch's default). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Validates the window arguments against x and resolves them into attrs (errors name `op`). */
function poolAttrs(
  x: Tensor, kernelSize: Pair, stride: Pair | null | undefined, padding: Pair, dilation: Pair, ceilMode: boolean, op: string,
): PoolAttrs {
  checkImageInput(x, op);
  const kernel = pair(kernelSize, 'kernelSize', op, 1);
  const s = stride === undefined || stride === null ? kernel : pair(stride, 'stride', op, 1);
  const p = pair(padding, 'padding', op, 0);
  const d = pair(dilation, 'dilation', op, 1);
  if (typeof ceilMode !== 'boolean') throw new OpError(op, `ceilMode must be a boolean, got ${String(ceilMode)}`);
  if (p[0] > kernel[0] >> 1 || p[1] > kernel[1] >> 1) {
    throw new OpError(op, `padding [${p.join(', ')}] must be at most half of kernelSize [${kernel.join(', ')}]`);
  }
  const [H, W] = x.shape.slice(-2) as [number, number];
  const out: [number, number] = [
    slidingOutSize(H, kernel[0], s[0], p[0], p[0], d[0], ceilMode),
    slidingOutSize(W, kernel[1], s[1], p[1], p[1], d[1], ceilMode),
  ];
  if (out[0] <= 0 || out[1] <= 0) {
    throw new OpError(op, `input of shape ${shapeStr(x.shape)} is too small for kernelSize [${kernel.join(', ')}] (padding [${p.join(', ')}], dilation [${d.join(', ')}]): the output would be ${shapeStr(out)}`);
  }
  return { kernel, stride: s, padding: p, dilation: d, out };
}

/** PyTorch's F.max_pool2d over the last two dims of a [N,C,H,W] or [C,H,W] input. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}, op = 'maxPool2d'): Tensor {
  const { stride, padding = 0, dilation = 1, ceilMode = false } = options;
  return apply(MaxPool2dOp, [x], poolAttrs(x, kernelSize, stride, padding, dilation, ceilMode, op));
}

/** PyTorch's F.avg_pool2d over the last two dims of a [N,C,H,W] or [C,H,W] input. */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}, op = 'avgPool2d'): Tensor {
  const { stride, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = options;
  if (divisorOverride !== null && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) {
    throw new OpError(op, `divisorOverride must be a non-zero integer, got ${divisorOverride}`);
  }
  const attrs = poolAttrs(x, kernelSize, stride, padding, 1, ceilMode, op);
  return apply(AvgPool2dOp, [x], { ...attrs, countIncludePad: Boolean(countIncludePad), divisorOverride });
}
