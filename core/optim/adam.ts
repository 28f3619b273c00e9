// Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay: p ← p·(1 − lr·wd)
// first), as PyTorch 1.13's single-tensor implementations, in the same order of operations:
//   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,
//   denom = √v / √(1 − β2^t) + eps,  p ← p − lr/(1 − β1^t) · m/denom.

import type { Tensor } from '../tensor';
import { Optimizer, checkBetas, checkBool, checkNonNegative, f32, zerosLikeParam, type ParamGroup, type ParamsArg } from './optimizer';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Normalize by the running maximum of v (AMSGrad). */
  amsgrad: boolean;
  maximize: boolean;
}

export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  /** Only with amsgrad. */
  maxExpAvgSq: Tensor | null;
}

abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  protected abstract readonly decoupled: boolean;

  protected validate(o: AdamOptions): void {
    const name = this.optimizerName;
    checkNonNegative(name, 'lr', o.lr);
    checkNonNegative(name, 'eps', o.eps);
    checkBetas(name, o.betas);
    checkNonNegative(name, 'weightDecay', o.weightDecay);
    checkBool(name, 'amsgrad', o.amsgrad);
    checkBool(name, 'maximize', o.maximize);
  }

  protected initState(p: Tensor, g: ParamGroup<AdamOptions>): AdamState {
    return { step: 0, expAvg: zerosLikeParam(p), expAvgSq: zerosLikeParam(p), maxExpAvgSq: g.amsgrad ? zerosLikeParam(p) : null };
  }

  /** Returns Σg² of the gradient (read anyway: the instrumentation's gradient norm for free). */
  protected update(p: Tensor, grad: Float32Array, s: AdamState, g: ParamGroup<AdamOptions>): number {
    const [beta1, beta2] = g.betas;
    s.step += 1;
    const bc1 = 1 - beta1 ** s.step;
    const bc2Sqrt = f32(Math.sqrt(1 - beta2 ** s.step));
    const negStep = f32(-(g.lr / bc1));
    const b1 = f32(beta1);
    const b2 = f32(beta2);
    const omb1 = f32(1 - beta1);
    const omb2 = f32(1 - beta2);
    const eps = f32(g.eps);
    // Adam's L2 term joins the gradient; AdamW's decay scales the parameter before the update.
    const l2 = this.decoupled ? 0 : f32(g.weightDecay);
    const decay = this.decoupled ? f32(1 - g.lr * g.weightDecay) : 1;
    const sign = g.maximize ? -1 : 1;
    const P = p.data;
    const M = s.expAvg.data;
    const V = s.expAvgSq.data;
    const VM = s.maxExpAvgSq?.data ?? null;
    let sumSq = 0;
    for (let i = 0; i < P.length; i++) {
      sumSq += grad[i]! * grad[i]!;
      let gi = sign * grad[i]!;
      if (l2 !== 0) gi = f32(gi + f32(l2 * P[i]!));
      if (decay !== 1) P[i] = P[i]! * decay;
      const m = f32(f32(M[i]! * b1) + f32(omb1 * gi));
      const v = f32(f32(V[i]! * b2) + f32(f32(omb2 * gi) * gi));
      M[i] = m;
      V[i] = v;
      let vHat = v;
      if (VM !== null) { if (v > VM[i]! || v !== v) VM[i] = v; vHat = VM[i]!; }
      const denom = f32(f32(f32(Math.sqrt(vHat)) / bc2Sqrt) + eps);
      P[i] = P[i]! + f32(f32(negStep * m) / denom);
    }
    return sumSq;
  }
}

/**
 * Adam: moving averages of the gradient and its square, bias-corrected; weight decay as L2 added to
 * the gradient. Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, amsgrad false.
 * PyTorch: `torch.optim.Adam`.
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }
}

/**
 * AdamW: Adam with decoupled weight decay p ← p·(1 − lr·weightDecay). Defaults: lr 1e-3, betas
 * [0.9, 0.999], eps 1e-8, weightDecay 1e-2. PyTorch: `torch.optim.AdamW`.
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
  }
}
