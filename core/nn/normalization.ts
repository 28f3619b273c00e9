// Normalisation layers: BatchNorm1d/2d (per channel, over the batch) and LayerNorm (per sample,
// over the trailing dims). The math and gradients live in ops/norm.ts.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { empty } from './params';
import { Module, Parameter } from './module';
import { ones, zeros } from './init';
import { batchNorm, layerNorm } from '../ops/norm';

export interface BatchNormLayerOptions {
  eps?: number;
  /** Weight of each new batch in the running averages; null for a cumulative (equal-weight) average. */
  momentum?: number | null;
  /** Learnable per-channel scale and shift (weight, bias). */
  affine?: boolean;
  /** Keep running statistics for eval; when false, batch statistics are used in eval too. */
  trackRunningStats?: boolean;
}

/** Shared by BatchNorm1d and BatchNorm2d, which differ only in the input ranks they accept. */
export abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Tensor | null;
  bias: Tensor | null;
  // snake_case: these are PyTorch's state_dict keys.
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(readonly numFeatures: number, { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true }: BatchNormLayerOptions = {}) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new OpError(name, `numFeatures must be a positive integer, got ${numFeatures}`);
    if (typeof eps !== 'number' || !(eps >= 0)) throw new OpError(name, `eps must be a non-negative number, got ${eps}`);
    if (momentum !== null && (typeof momentum !== 'number' || !Number.isFinite(momentum))) {
      throw new OpError(name, `momentum must be a number or null, got ${momentum}`);
    }
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? Parameter(ones(empty([numFeatures]))) : null;
    this.bias = affine ? Parameter(empty([numFeatures])) : null;
    if (trackRunningStats) {
      this.registerBuffer('running_mean', empty([numFeatures]));
      this.registerBuffer('running_var', ones(empty([numFeatures])));
      this.registerBuffer('num_batches_tracked', empty([]));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Input ranks this layer accepts, for the error message. */
  protected abstract readonly ranks: readonly number[];
  protected abstract readonly rankWords: string;

  resetRunningStats(): void {
    if (this.running_mean === null) return;
    zeros(this.running_mean);
    ones(this.running_var!);
    zeros(this.num_batches_tracked!);
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) ones(this.weight);
    if (this.bias !== null) zeros(this.bias);
  }

  override forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!(x instanceof Tensor)) throw new OpError(name, `input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
    if (!this.ranks.includes(x.ndim)) {
      throw new OpError(name, `expected ${this.rankWords} input, got shape ${shapeStr(x.shape)} (${x.ndim}-D)`);
    }
    if (x.shape[1] !== this.numFeatures) {
      throw new OpError(name, `input of shape ${shapeStr(x.shape)} has ${x.shape[1]} channels but the layer expects ${this.numFeatures}`);
    }
    const counter = this.training ? this.num_batches_tracked : null;
    const count = counter === null ? 0 : counter.data[0]! + 1;
    const factor = this.momentum ?? (count > 0 ? 1 / count : 0);
    // Eval without running statistics normalises with the batch's, as PyTorch does.
    const y = batchNorm(
      x,
      this.running_mean,
      this.running_var,
      { weight: this.weight, bias: this.bias, training: this.training || this.running_mean === null, momentum: factor, eps: this.eps },
      name,
    );
    if (counter !== null) counter.data[0] = count;
    return y;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch norm over the channels of [N, C] or [N, C, L]: (x − mean)/√(var + eps)·weight + bias with
 * batch statistics in training, running ones in eval. PyTorch: `torch.nn.BatchNorm1d`.
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
  protected readonly rankWords = '2-D [N, C] or 3-D [N, C, L]';
}

/**
 * Batch norm over the channels of [N, C, H, W]: (x − mean)/√(var + eps)·weight + bias with batch
 * statistics in training, running ones in eval. PyTorch: `torch.nn.BatchNorm2d`.
 */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
  protected readonly rankWords = '4-D [N, C, H, W]';
}

export interface LayerNormLayerOptions {
  eps?: number;
  /** Learnable elementwise scale and shift (weight, bias) of the normalized shape. */
  elementwiseAffine?: boolean;
}

/**
 * Normalises each sample over its trailing dims, which must equal normalizedShape:
 * (x − mean)/√(var + eps)·weight + bias. PyTorch: `torch.nn.LayerNorm`.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Tensor | null;
  bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], { eps = 1e-5, elementwiseAffine = true }: LayerNormLayerOptions = {}) {
    super();
    const ns = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : null;
    if (ns === null || ns.length === 0 || ns.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
      throw new OpError('LayerNorm', `normalizedShape must be a positive integer or a non-empty array of them, got ${JSON.stringify(normalizedShape)}`);
    }
    if (typeof eps !== 'number' || !(eps >= 0)) throw new OpError('LayerNorm', `eps must be a non-negative number, got ${eps}`);
    this.normalizedShape = Object.freeze(ns);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? Parameter(ones(empty(ns))) : null;
    this.bias = elementwiseAffine ? Parameter(empty(ns)) : null;
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps }, 'LayerNorm');
  }

  override extraRepr(): string {
    return `${shapeStr(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
