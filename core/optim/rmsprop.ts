// RMSprop as PyTorch 1.13's single-tensor implementation:
//   v ← α·v + (1 − α)·g²,  avg = √(v − ḡ²) (centered) or √v, plus eps;
//   with momentum: b ← μ·b + g/avg, p ← p − lr·b; otherwise p ← p − lr·g/avg.

import type { Tensor } from '../tensor';
import { Optimizer, checkBool, checkNonNegative, f32, zerosLikeParam, type ParamGroup, type ParamsArg } from './optimizer';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalize by the estimated variance of the gradient instead of its raw second moment. */
  centered: boolean;
  maximize: boolean;
}

export interface RMSpropState {
  step: number;
  squareAvg: Tensor;
  /** Only with momentum > 0. */
  momentumBuffer: Tensor | null;
  /** Only when centered. */
  gradAvg: Tensor | null;
}

const DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };

/**
 * RMSprop: divides the gradient by √ of a moving average (alpha) of its square. Defaults: lr 1e-2,
 * alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false. PyTorch: `torch.optim.RMSprop`.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: ParamsArg<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, DEFAULTS, options);
  }

  protected validate(o: RMSpropOptions): void {
    checkNonNegative('RMSprop', 'lr', o.lr);
    checkNonNegative('RMSprop', 'eps', o.eps);
    checkNonNegative('RMSprop', 'momentum', o.momentum);
    checkNonNegative('RMSprop', 'weightDecay', o.weightDecay);
    checkNonNegative('RMSprop', 'alpha', o.alpha);
    checkBool('RMSprop', 'centered', o.centered);
    checkBool('RMSprop', 'maximize', o.maximize);
  }

  protected initState(p: Tensor, g: ParamGroup<RMSpropOptions>): RMSpropState {
    return {
      step: 0,
      squareAvg: zerosLikeParam(p),
      momentumBuffer: g.momentum > 0 ? zerosLikeParam(p) : null,
      gradAvg: g.centered ? zerosLikeParam(p) : null,
    };
  }

  /** Returns Σg² of the gradient (read anyway: the instrumentation's gradient norm for free). */
  protected update(p: Tensor, grad: Float32Array, s: RMSpropState, g: ParamGroup<RMSpropOptions>): number {
    s.step += 1;
    const alpha = f32(g.alpha);
    const oma = f32(1 - g.alpha);
    const eps = f32(g.eps);
    const wd = f32(g.weightDecay);
    const mom = f32(g.momentum);
    const negLr = f32(-g.lr);
    const sign = g.maximize ? -1 : 1;
    const P = p.data;
    const V = s.squareAvg.data;
    // State made before momentum/centered were switched on for this group gets its buffers now.
    if (g.momentum > 0 && s.momentumBuffer === null) s.momentumBuffer = zerosLikeParam(p);
    if (g.centered && s.gradAvg === null) s.gradAvg = zerosLikeParam(p);
    const B = g.momentum > 0 ? s.momentumBuffer!.data : null;
    const GA = g.centered ? s.gradAvg!.data : null;
    let sumSq = 0;
    for (let i = 0; i < P.length; i++) {
      sumSq += grad[i]! * grad[i]!;
      let gi = sign * grad[i]!;
      if (wd !== 0) gi = f32(gi + f32(wd * P[i]!));
      const v = f32(f32(V[i]! * alpha) + f32(f32(oma * gi) * gi));
      V[i] = v;
      let avg: number;
      if (GA !== null) {
        const ga = f32(f32(GA[i]! * alpha) + f32(oma * gi));
        GA[i] = ga;
        avg = f32(Math.sqrt(f32(v - f32(ga * ga))));
      } else {
        avg = f32(Math.sqrt(v));
      }
      avg = f32(avg + eps);
      if (B !== null) {
        const b = f32(f32(B[i]! * mom) + f32(gi / avg));
        B[i] = b;
        P[i] = P[i]! + f32(negLr * b);
      } else {
        P[i] = P[i]! + f32(f32(negLr * gi) / avg);
      }
    }
    return sumSq;
  }
}
