// Batch and layer normalisation as primitives.
//
// NOTE: each is one op with the closed-form backward rather than a composition of mean, sub,
// pow, add, sqrt, div, mul, add (~10 ops and as many temporaries): the closed form reads x and g
// twice per gradient, keeps the per-group sums in float64 (the composed version rounds the mean
// and variance, and their gradients, to float32 at every step), and never materialises the
// broadcast intermediates, so it is steadier and about 3× faster (forward + backward of a
// [32,16,32,32] conv activation).
//
// Both ops take [x] plus optional weight and bias (flags in attrs say which are present), and
// normalise with a per-group mean and 1/√(var + eps) computed in float64.

import { Tensor } from '../tensor';
import { numel, OpError, shapeStr } from '../shape';
import { apply, defineOp, withSaved } from './op';

interface Affine {
  hasWeight: boolean;
  hasBias: boolean;
}

/** Inputs list [x, weight?, bias?] and the flags that tell the op which are there. */
function affineInputs(x: Tensor, weight: Tensor | null, bias: Tensor | null): [Tensor[], Affine] {
  const inputs = [x];
  if (weight !== null) inputs.push(weight);
  if (bias !== null) inputs.push(bias);
  return [inputs, { hasWeight: weight !== null, hasBias: bias !== null }];
}

function affineParams(inputs: readonly Tensor[], { hasWeight, hasBias }: Affine): [Tensor | null, Tensor | null] {
  return [hasWeight ? inputs[1]! : null, hasBias ? inputs[hasWeight ? 2 : 1]! : null];
}

/** Gradients in input order, [gx, gw?, gb?]. */
function affineGrads(gx: Tensor | null, gw: Tensor | null, gb: Tensor | null, { hasWeight, hasBias }: Affine): (Tensor | null)[] {
  const out = [gx];
  if (hasWeight) out.push(gw);
  if (hasBias) out.push(gb);
  return out;
}

function checkParam(p: Tensor | null, size: number, what: string, op: string): void {
  if (p === null) return;
  if (!(p instanceof Tensor)) throw new OpError(op, `${what} must be a Tensor or null`);
  if (p.data.length !== size) throw new OpError(op, `${what} of shape ${shapeStr(p.shape)} has ${p.data.length} elements; expected ${size}`);
}

// ---- batch norm ---------------------------------------------------------------------------------

interface BatchNormAttrs extends Affine {
  /** Channels (dim 1) and elements per channel per sample (product of dims 2+). */
  C: number;
  L: number;
  /** Per-channel statistics used to normalise: the batch's, or the running ones in eval. */
  mean: Float64Array;
  invstd: Float64Array;
  /** True when mean/invstd came from this batch, so they depend on x (training). */
  batchStats: boolean;
}

export const BatchNormOp = defineOp<BatchNormAttrs>({
  name: 'BatchNorm',
  forward: (inputs, attrs) => {
    const x = inputs[0]!;
    const { C, L, mean, invstd } = attrs;
    const [w, b] = affineParams(inputs, attrs);
    const X = x.data;
    const Y = new Float32Array(X.length);
    const N = X.length / (C * L);
    for (let c = 0; c < C; c++) {
      const m = mean[c]!;
      const scale = invstd[c]! * (w === null ? 1 : w.data[c]!);
      const shift = b === null ? 0 : b.data[c]!;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * L;
        for (let l = 0; l < L; l++) Y[base + l] = (X[base + l]! - m) * scale + shift;
      }
    }
    return Tensor._make(Y, x.shape);
  },
  // With x̂ = (x − μ)·σ⁻¹ over the M = N·L values of a channel:
  //   dγ = Σ g·x̂,  dβ = Σ g,  dx = γσ⁻¹ · (g − dβ/M − x̂·dγ/M)   (batch statistics)
  //   dx = γσ⁻¹ · g                                               (running statistics: constants)
  backward: (g, { inputs, attrs }) => {
    const x = inputs[0]!;
    const { C, L, mean, invstd, batchStats } = attrs;
    const [w, b] = affineParams(inputs, attrs);
    const X = x.data;
    const G = g.data;
    const N = X.length / (C * L);
    const M = N * L;
    const GX = x.requiresGrad ? new Float32Array(X.length) : null;
    const GW = w !== null && w.requiresGrad ? new Float32Array(C) : null;
    const GB = b !== null && b.requiresGrad ? new Float32Array(C) : null;
    for (let c = 0; c < C; c++) {
      const m = mean[c]!;
      const s = invstd[c]!;
      let sumG = 0;
      let sumGX = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * L;
        for (let l = 0; l < L; l++) {
          const gv = G[base + l]!;
          sumG += gv;
          sumGX += gv * (X[base + l]! - m);
        }
      }
      sumGX *= s; // Σ g·x̂
      if (GW !== null) GW[c] = sumGX;
      if (GB !== null) GB[c] = sumG;
      if (GX === null) continue;
      const k = s * (w === null ? 1 : w.data[c]!);
      const meanG = batchStats ? sumG / M : 0;
      const meanGX = batchStats ? sumGX / M : 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * L;
        for (let l = 0; l < L; l++) {
          const xhat = (X[base + l]! - m) * s;
          GX[base + l] = k * (G[base + l]! - meanG - xhat * meanGX);
        }
      }
    }
    return affineGrads(
      GX === null ? null : Tensor._make(GX, x.shape),
      GW === null ? null : Tensor._make(GW, w!.shape),
      GB === null ? null : Tensor._make(GB, b!.shape),
      attrs,
    );
  },
});

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with this batch's statistics (and update the running ones, if given). Default false. */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over dim 1 of x [N, C, *] (PyTorch's F.batch_norm). In training the batch's
 * mean and biased variance normalise x, and runningMean/runningVar (when given) are updated in
 * place with the momentum, using the unbiased variance as PyTorch does; otherwise the running
 * statistics normalise x.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}, op = 'batchNorm'): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (!(x instanceof Tensor)) throw new OpError(op, `input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (x.ndim < 2) throw new OpError(op, `input must have shape [N, C, ...], got ${shapeStr(x.shape)}`);
  const C = x.shape[1]!;
  const L = numel(x.shape.slice(2));
  const M = x.shape[0]! * L;
  checkParam(runningMean, C, 'running_mean', op);
  checkParam(runningVar, C, 'running_var', op);
  checkParam(weight, C, 'weight', op);
  checkParam(bias, C, 'bias', op);
  if ((runningMean === null) !== (runningVar === null)) throw new OpError(op, 'running_mean and running_var must be given together');
  if (!(eps >= 0)) throw new OpError(op, `eps must be non-negative, got ${eps}`);
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  if (training) {
    if (M <= 1) throw new OpError(op, `expected more than 1 value per channel when training, got input of shape ${shapeStr(x.shape)}`);
    const X = x.data;
    const N = x.shape[0]!;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let l = 0, p = (n * C + c) * L; l < L; l++) s += X[p + l]!;
      const m = s / M;
      let ss = 0;
      for (let n = 0; n < N; n++) {
        for (let l = 0, p = (n * C + c) * L; l < L; l++) {
          const d = X[p + l]! - m;
          ss += d * d;
        }
      }
      mean[c] = m;
      invstd[c] = 1 / Math.sqrt(ss / M + eps);
      if (runningMean !== null) {
        const RM = runningMean.data;
        const RV = runningVar!.data;
        RM[c] = momentum * m + (1 - momentum) * RM[c]!;
        RV[c] = momentum * (ss / (M - 1)) + (1 - momentum) * RV[c]!;
      }
    }
  } else {
    if (runningMean === null) throw new OpError(op, 'running_mean and running_var are needed when not training');
    for (let c = 0; c < C; c++) {
      mean[c] = runningMean.data[c]!;
      invstd[c] = 1 / Math.sqrt(runningVar!.data[c]! + eps);
    }
  }
  const [inputs, affine] = affineInputs(x, weight, bias);
  return apply(BatchNormOp, inputs, { ...affine, C, L, mean, invstd, batchStats: training });
}

// ---- layer norm ---------------------------------------------------------------------------------

interface LayerNormAttrs extends Affine {
  /** Elements normalised together: the product of the normalized shape. */
  D: number;
  eps: number;
}

interface RowStats {
  mean: Float64Array;
  invstd: Float64Array;
}

export const LayerNormOp = defineOp<LayerNormAttrs, RowStats>({
  name: 'LayerNorm',
  forward: (inputs, attrs) => {
    const x = inputs[0]!;
    const { D, eps } = attrs;
    const [w, b] = affineParams(inputs, attrs);
    const X = x.data;
    const rows = X.length / D;
    const Y = new Float32Array(X.length);
    const mean = new Float64Array(rows);
    const invstd = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const base = r * D;
      let s = 0;
      for (let j = 0; j < D; j++) s += X[base + j]!;
      const m = s / D;
      let ss = 0;
      for (let j = 0; j < D; j++) {
        const d = X[base + j]! - m;
        ss += d * d;
      }
      const is = 1 / Math.sqrt(ss / D + eps);
      mean[r] = m;
      invstd[r] = is;
      for (let j = 0; j < D; j++) {
        const xhat = (X[base + j]! - m) * is;
        Y[base + j] = (w === null ? xhat : xhat * w.data[j]!) + (b === null ? 0 : b.data[j]!);
      }
    }
    return withSaved(Tensor._make(Y, x.shape), { mean, invstd });
  },
  // Per row, with x̂ = (x − μ)·σ⁻¹ and ĝ = g·γ:  dx = σ⁻¹ · (ĝ − Σĝ/D − x̂·Σ(ĝ·x̂)/D);
  // dγ = Σ_rows g·x̂, dβ = Σ_rows g.
  backward: (g, { inputs, attrs, saved: { mean, invstd } }) => {
    const x = inputs[0]!;
    const { D } = attrs;
    const [w, b] = affineParams(inputs, attrs);
    const X = x.data;
    const G = g.data;
    const rows = mean.length;
    const GX = x.requiresGrad ? new Float32Array(X.length) : null;
    const GW = w !== null && w.requiresGrad ? new Float64Array(D) : null;
    const GB = b !== null && b.requiresGrad ? new Float64Array(D) : null;
    for (let r = 0; r < rows; r++) {
      const base = r * D;
      const m = mean[r]!;
      const s = invstd[r]!;
      let sumG = 0;
      let sumGX = 0;
      for (let j = 0; j < D; j++) {
        const gv = G[base + j]!;
        const xhat = (X[base + j]! - m) * s;
        if (GW !== null) GW[j]! += gv * xhat;
        if (GB !== null) GB[j]! += gv;
        const gh = w === null ? gv : gv * w.data[j]!;
        sumG += gh;
        sumGX += gh * xhat;
      }
      if (GX === null) continue;
      const meanG = sumG / D;
      const meanGX = sumGX / D;
      for (let j = 0; j < D; j++) {
        const gh = w === null ? G[base + j]! : G[base + j]! * w.data[j]!;
        const xhat = (X[base + j]! - m) * s;
        GX[base + j] = s * (gh - meanG - xhat * meanGX);
      }
    }
    return affineGrads(
      GX === null ? null : Tensor._make(GX, x.shape),
      GW === null ? null : Tensor._make(Float32Array.from(GW), w!.shape),
      GB === null ? null : Tensor._make(Float32Array.from(GB), b!.shape),
      attrs,
    );
  },
});

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** Normalises x over its trailing dims equal to normalizedShape (PyTorch's F.layer_norm). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}, op = 'layerNorm'): Tensor {
  const { weight = null, bias = null, eps = 1e-5 } = options;
  if (!(x instanceof Tensor)) throw new OpError(op, `input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || ns.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new OpError(op, `normalized shape must be a positive integer or a non-empty list of them, got ${shapeStr(ns)}`);
  }
  const tail = x.shape.slice(x.ndim - k);
  if (x.ndim < k || tail.some((d, i) => d !== ns[i])) {
    throw new OpError(op, `input of shape ${shapeStr(x.shape)} does not end with the normalized shape ${shapeStr(ns)}`);
  }
  for (const [p, what] of [[weight, 'weight'], [bias, 'bias']] as const) {
    if (p !== null && (p.ndim !== k || p.shape.some((d, i) => d !== ns[i]))) {
      throw new OpError(op, `${what} of shape ${shapeStr(p.shape)} does not match the normalized shape ${shapeStr(ns)}`);
    }
  }
  if (!(eps >= 0)) throw new OpError(op, `eps must be non-negative, got ${eps}`);
  const [inputs, affine] = affineInputs(x, weight, bias);
  return apply(LayerNormOp, inputs, { ...affine, D: numel(ns), eps });
}
