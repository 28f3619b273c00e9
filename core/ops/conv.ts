// 2-D convolution (PyTorch's cross-correlation) as one primitive. Each sample and group is an
// im2col unfold followed by one GEMM from matmul.ts; backward reuses the same unfold for the
// weight gradient and folds the column gradient back (col2im) for the input gradient. Above a
// size threshold the same steps run in WebAssembly (core/kernels/conv.ts); the JS loops here are
// the reference path.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { apply, defineOp } from './op';
import { mmNN, mmNT, mmTN } from './matmul';
import { checkImageInput, pair, slidingOutSize, type Pair } from './window';
import { conv2dBackwardWasm, conv2dForwardWasm } from '../kernels/conv';

/** Where one group's kernel visits one image: everything im2col/col2im need, all plain numbers. */
export interface ConvGeometry {
  /** Channels per group (rows of the unfold are channel × kH × kW). */
  C: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  /** Top and left padding; bottom/right only shape OH/OW (they differ for 'same' with even kernels). */
  pT: number;
  pL: number;
  dH: number;
  dW: number;
  OH: number;
  OW: number;
}

// Output columns whose tap at kernel offset `off` lands inside [0, W):
// ow·s − pL + off ∈ [0, W)  ⇔  ow ∈ [ceil((pL − off)/s), ceil((W + pL − off)/s)), clipped to [0, OW].
const firstValid = (off: number, pL: number, s: number, OW: number): number => Math.min(OW, Math.max(0, Math.ceil((pL - off) / s)));
const endValid = (off: number, pL: number, s: number, W: number, OW: number, lo: number): number => Math.min(OW, Math.max(lo, Math.ceil((W + pL - off) / s)));

/**
 * Unfolds C channels of one image at X[xo..] into col [C·kH·kW, OH·OW] (row r = (c·kH + i)·kW + j);
 * taps that fall in the padding are 0.
 */
export function im2col(X: Float32Array, xo: number, g: ConvGeometry, col: Float32Array): void {
  const { C, H, W, kH, kW, sH, sW, pT, pL, dH, dW, OH, OW } = g;
  const L = OH * OW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++, r++) {
        const lo = firstValid(j * dW, pL, sW, OW);
        const hi = endValid(j * dW, pL, sW, W, OW, lo);
        const shift = j * dW - pL;
        for (let oh = 0; oh < OH; oh++) {
          const dst = r * L + oh * OW;
          const h = oh * sH - pT + i * dH;
          if (h < 0 || h >= H) {
            col.fill(0, dst, dst + OW);
            continue;
          }
          const src = plane + h * W + shift;
          col.fill(0, dst, dst + lo);
          for (let ow = lo; ow < hi; ow++) col[dst + ow] = X[src + ow * sW]!;
          col.fill(0, dst + hi, dst + OW);
        }
      }
    }
  }
}

/** The adjoint of im2col: adds each column entry back onto the input position it was read from. */
export function col2im(col: Float32Array, g: ConvGeometry, GX: Float32Array, xo: number): void {
  const { C, H, W, kH, kW, sH, sW, pT, pL, dH, dW, OH, OW } = g;
  const L = OH * OW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = xo + c * H * W;
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++, r++) {
        const lo = firstValid(j * dW, pL, sW, OW);
        const hi = endValid(j * dW, pL, sW, W, OW, lo);
        const shift = j * dW - pL;
        for (let oh = 0; oh < OH; oh++) {
          const h = oh * sH - pT + i * dH;
          if (h < 0 || h >= H) continue;
          const src = r * L + oh * OW;
          const dst = plane + h * W + shift;
          for (let ow = lo; ow < hi; ow++) GX[dst + ow * sW]! += col[src + ow]!;
        }
      }
    }
  }
}

export interface Conv2dAttrs {
  stride: [number, number];
  /** [top, bottom, left, right]. */
  pad: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}

/** Sizes of one Conv2d call, derived from the input and weight shapes and the attrs. */
interface ConvPlan {
  N: number;
  groups: number;
  /** Output channels per group. */
  Og: number;
  /** GEMM inner size: Cg·kH·kW. */
  K: number;
  /** Output pixels per channel: OH·OW. */
  L: number;
  geom: ConvGeometry;
  /** 1×1, stride 1, no padding: the unfold is the input itself, so im2col is skipped. */
  direct: boolean;
  outShape: number[];
}

function plan(x: Tensor, w: Tensor, a: Conv2dAttrs): ConvPlan {
  const batched = x.ndim === 4;
  const N = batched ? x.shape[0]! : 1;
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  const [O, , kH, kW] = w.shape as [number, number, number, number];
  const [sH, sW] = a.stride;
  const [pT, pB, pL, pR] = a.pad;
  const [dH, dW] = a.dilation;
  const OH = slidingOutSize(H, kH, sH, pT, pB, dH, false);
  const OW = slidingOutSize(W, kW, sW, pL, pR, dW, false);
  const Cg = C / a.groups;
  const geom: ConvGeometry = { C: Cg, H, W, kH, kW, sH, sW, pT, pL, dH, dW, OH, OW };
  const direct = kH === 1 && kW === 1 && sH === 1 && sW === 1 && pT === 0 && pB === 0 && pL === 0 && pR === 0;
  return {
    N, groups: a.groups, Og: O / a.groups, K: Cg * kH * kW, L: OH * OW, geom, direct,
    outShape: batched ? [N, O, OH, OW] : [O, OH, OW],
  };
}

export const Conv2dOp = defineOp<Conv2dAttrs>({
  name: 'Conv2d',
  forward: ([x, w, b], attrs) => {
    const { N, groups, Og, K, L, geom, direct, outShape } = plan(x!, w!, attrs);
    const X = x!.data;
    const Wt = w!.data;
    const inPlane = geom.C * geom.H * geom.W;
    const Y = new Float32Array(N * groups * Og * L);
    if (conv2dForwardWasm({ N, groups, Og, K, L, geom, direct }, X, Wt, b === undefined ? null : b.data, Y)) return Tensor._make(Y, outShape);
    if (b !== undefined) {
      for (let n = 0; n < N; n++) {
        for (let o = 0; o < groups * Og; o++) Y.fill(b.data[o]!, (n * groups * Og + o) * L, (n * groups * Og + o + 1) * L);
      }
    }
    const col = direct ? X : new Float32Array(K * L);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        const xo = (n * groups + g) * inPlane;
        if (!direct) im2col(X, xo, geom, col);
        mmNN(Wt, g * Og * K, col, direct ? xo : 0, Y, (n * groups + g) * Og * L, Og, K, L);
      }
    }
    return Tensor._make(Y, outShape);
  },
  backward: (gy, { inputs: [x, w, b], attrs }) => {
    const { N, groups, Og, K, L, geom, direct } = plan(x!, w!, attrs);
    const X = x!.data;
    const Wt = w!.data;
    const G = gy.data;
    const inPlane = geom.C * geom.H * geom.W;
    const needX = x!.requiresGrad;
    const needW = w!.requiresGrad;
    const GX = needX ? new Float32Array(X.length) : null;
    const GW = needW ? new Float32Array(Wt.length) : null;
    const wasm = conv2dBackwardWasm({ N, groups, Og, K, L, geom, direct }, X, Wt, G, GX, GW);
    // Scratch reused across samples and groups: the unfolded input (for dW) and its gradient (for dX).
    const col = needW && !direct && !wasm ? new Float32Array(K * L) : X;
    const gcol = needX && !direct && !wasm ? new Float32Array(K * L) : null;
    for (let n = 0; n < N && !wasm; n++) {
      for (let g = 0; g < groups; g++) {
        const xo = (n * groups + g) * inPlane;
        const yo = (n * groups + g) * Og * L;
        if (GW !== null) {
          if (!direct) im2col(X, xo, geom, col);
          // dW_g[Og, K] += dY_g[Og, L] · colᵀ
          mmNT(G, yo, col, direct ? xo : 0, GW, g * Og * K, Og, L, K);
        }
        if (GX !== null) {
          // dcol[K, L] = W_gᵀ · dY_g; a 1×1 stride-1 conv writes it straight into dX.
          if (gcol === null) mmTN(Wt, g * Og * K, G, yo, GX, xo, K, Og, L);
          else {
            gcol.fill(0);
            mmTN(Wt, g * Og * K, G, yo, gcol, 0, K, Og, L);
            col2im(gcol, geom, GX, xo);
          }
        }
      }
    }
    let gb: Tensor | null = null;
    if (b !== undefined && b.requiresGrad) {
      const O = groups * Og;
      const GB = new Float32Array(O);
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let n = 0; n < N; n++) {
          const base = (n * O + o) * L;
          for (let l = 0; l < L; l++) s += G[base + l]!;
        }
        GB[o] = s;
      }
      gb = Tensor._make(GB, b.shape);
    }
    const gx = GX && Tensor._make(GX, x!.shape);
    const gw = GW && Tensor._make(GW, w!.shape);
    return b === undefined ? [gx, gw] : [gx, gw, gb];
  },
});

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding per side, or 'valid' (none) / 'same' (output size = input size; stride 1 only). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

/** Resolves the options against a kernel size into the op's attrs (validated; errors name `op`). */
export function conv2dAttrs(kernel: [number, number], options: Conv2dOptions, op: string): Conv2dAttrs {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
  const s = pair(stride, 'stride', op, 1);
  const d = pair(dilation, 'dilation', op, 1);
  if (!Number.isInteger(groups) || groups < 1) throw new OpError(op, `groups must be a positive integer, got ${groups}`);
  let pad: [number, number, number, number];
  if (padding === 'valid') pad = [0, 0, 0, 0];
  else if (padding === 'same') {
    if (s[0] !== 1 || s[1] !== 1) throw new OpError(op, `padding='same' is not supported for strided convolutions (stride [${s.join(', ')}])`);
    // An even dilated kernel needs an odd total: PyTorch puts the extra row/column at the bottom/right.
    const [tH, tW] = [d[0] * (kernel[0] - 1), d[1] * (kernel[1] - 1)];
    pad = [tH >> 1, tH - (tH >> 1), tW >> 1, tW - (tW >> 1)];
  } else if (typeof padding === 'string') {
    throw new OpError(op, `padding must be 'valid', 'same', a non-negative integer or a pair of them, got '${padding}'`);
  } else {
    const p = pair(padding, 'padding', op, 0);
    pad = [p[0], p[0], p[1], p[1]];
  }
  return { stride: s, pad, dilation: d, groups };
}

/**
 * PyTorch's F.conv2d: x [N,C,H,W] or [C,H,W], weight [O, C/groups, kH, kW], bias [O] or null.
 * `op` names the caller in errors (the nn.Conv2d layer passes 'Conv2d').
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}, op = 'conv2d'): Tensor {
  checkImageInput(x, op);
  if (!(weight instanceof Tensor) || weight.ndim !== 4) {
    throw new OpError(op, `weight must be a 4-D [outChannels, inChannels/groups, kH, kW] tensor, got ${weight instanceof Tensor ? shapeStr(weight.shape) : String(weight)}`);
  }
  const [O, Cg, kH, kW] = weight.shape as [number, number, number, number];
  const attrs = conv2dAttrs([kH, kW], options, op);
  const { groups } = attrs;
  if (O % groups !== 0) throw new OpError(op, `weight ${shapeStr(weight.shape)} has ${O} output channels, not divisible by groups=${groups}`);
  const C = x.shape[x.ndim - 3]!;
  if (C !== Cg * groups) {
    throw new OpError(op, `input of shape ${shapeStr(x.shape)} has ${C} channels but the layer expects ${Cg * groups} (weight ${shapeStr(weight.shape)}, groups=${groups})`);
  }
  if (bias !== null && (!(bias instanceof Tensor) || bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new OpError(op, `bias must have shape [${O}] to match weight ${shapeStr(weight.shape)}, got ${bias instanceof Tensor ? shapeStr(bias.shape) : String(bias)}`);
  }
  const [H, W] = x.shape.slice(-2) as [number, number];
  const [pT, pB, pL, pR] = attrs.pad;
  const OH = slidingOutSize(H, kH, attrs.stride[0], pT, pB, attrs.dilation[0], false);
  const OW = slidingOutSize(W, kW, attrs.stride[1], pL, pR, attrs.dilation[1], false);
  if (OH <= 0 || OW <= 0) {
    const eff = [attrs.dilation[0] * (kH - 1) + 1, attrs.dilation[1] * (kW - 1) + 1];
    throw new OpError(op, `kernel ${shapeStr([kH, kW])}${attrs.dilation[0] > 1 || attrs.dilation[1] > 1 ? ` (dilated to ${shapeStr(eff)})` : ''} is larger than the padded input ${shapeStr([H + pT + pB, W + pL + pR])} of input ${shapeStr(x.shape)}`);
  }
  return apply(Conv2dOp, bias === null ? [x, weight] : [x, weight, bias], attrs);
}
