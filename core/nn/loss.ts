// Loss modules: `new nn.CrossEntropyLoss({ reduction: 'sum' }).forward(logits, target)`.
// Class targets are class indices stored as float values (tensors are float32 here).
// Everything composes existing ops except binary cross-entropy (see ops/loss.ts).

import { Tensor } from '../tensor';
import { OpError, broadcastShapes, numel, sameShape, shapeStr } from '../shape';
import { tensor } from '../creation';
import { Module } from './module';
import { abs, add, div, mul, pow, sub } from '../ops/elementwise';
import { sum, mean } from '../ops/reduce';
import { gather, reshape } from '../ops/shape-ops';
import { logSoftmax } from '../ops/softmax';
import { expandData } from '../ops/broadcast';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from '../ops/loss';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** 'mean' (default) averages the per-element losses, 'sum' adds them, 'none' returns them all. */
  reduction?: Reduction;
}

/** A per-class or per-element weight given as a tensor or plain numbers. */
export type WeightLike = Tensor | readonly number[];

function toWeight(w: WeightLike | null | undefined, loss: string, what: string): Tensor | null {
  if (w === undefined || w === null) return null;
  if (w instanceof Tensor) return w.detach();
  if (Array.isArray(w)) return tensor(w as number[]);
  throw new OpError(loss, `${what} must be a Tensor or an array of numbers`);
}

function checkTensors(loss: string, input: unknown, target: unknown): void {
  if (!(input instanceof Tensor)) throw new OpError(loss, `input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
  if (!(target instanceof Tensor)) throw new OpError(loss, `target must be a Tensor, got ${target === null ? 'null' : typeof target}`);
}

function checkSameShape(loss: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new OpError(loss, `input of shape ${shapeStr(input.shape)} and target of shape ${shapeStr(target.shape)} must have the same shape`);
  }
}

/** Shared option handling and reduction for every loss. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: LossOptions = {}) {
    super();
    const r = options.reduction ?? 'mean';
    if (r !== 'mean' && r !== 'sum' && r !== 'none') {
      throw new OpError(new.target.name, `reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
    }
    this.reduction = r;
  }

  protected reduce(losses: Tensor): Tensor {
    if (this.reduction === 'none') return losses;
    return this.reduction === 'sum' ? sum(losses) : mean(losses);
  }
}

/**
 * Mean squared error: mean((input − target)²) (reduction 'mean' | 'sum' | 'none'); same shapes.
 * PyTorch: `torch.nn.MSELoss`.
 */
export class MSELoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    checkTensors('MSELoss', input, target);
    checkSameShape('MSELoss', input, target);
    return this.reduce(pow(sub(input, target), 2));
  }
}

/**
 * Mean absolute error: mean(|input − target|) (reduction 'mean' | 'sum' | 'none'); same shapes.
 * PyTorch: `torch.nn.L1Loss`.
 */
export class L1Loss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    checkTensors('L1Loss', input, target);
    checkSameShape('L1Loss', input, target);
    return this.reduce(abs(sub(input, target)));
  }
}

// ---- class-index losses -------------------------------------------------------------------------

export interface NLLLossOptions extends LossOptions {
  /** Per-class weights, shape [C]; 'mean' then divides by the summed weights of the targets (as PyTorch). */
  weight?: WeightLike | null;
  /** Targets equal to this contribute nothing (and are left out of the mean). */
  ignoreIndex?: number;
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mixes the one-hot target with the uniform distribution: (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
}

/** Targets resolved against [N, C, d…] scores: gather indices, per-element weights and their total. */
interface ClassTargets {
  index: Tensor;
  /** w[target] (1 without class weights), 0 where the target is ignored. */
  weights: Float32Array;
  totalWeight: number;
}

/** Views unbatched scores [C] with target [] as a batch of one. */
function batched(input: Tensor, target: Tensor): [Tensor, Tensor, boolean] {
  if (input.ndim === 1 && target.ndim === 0) return [reshape(input, [1, input.shape[0]!]), reshape(target, [1]), true];
  return [input, target, false];
}

function classTargets(loss: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): ClassTargets {
  if (input.ndim < 2) {
    throw new OpError(loss, `input must have shape [N, C] or [N, C, d1, …] (or [C] with a 0-d target), got ${shapeStr(input.shape)}`);
  }
  const C = input.shape[1]!;
  const want = [input.shape[0]!, ...input.shape.slice(2)];
  if (!sameShape(target.shape, want)) {
    throw new OpError(loss, `target of shape ${shapeStr(target.shape)} does not match input of shape ${shapeStr(input.shape)}: expected class indices of shape ${shapeStr(want)}`);
  }
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new OpError(loss, `weight of shape ${shapeStr(weight.shape)} must have one entry per class, i.e. shape [${C}]`);
  }
  const T = target.data;
  const W = weight?.data;
  const inner = numel(input.shape.slice(2));
  // gather's index has the class dim kept as size 1: [N, 1, d…]
  const idx = new Float32Array(T.length);
  const weights = new Float32Array(T.length);
  let totalWeight = 0;
  for (let i = 0; i < T.length; i++) {
    const t = T[i]!;
    if (t === ignoreIndex) continue;
    if (!Number.isInteger(t) || t < 0 || t >= C) {
      const n = Math.floor(i / inner);
      const where = inner === 1 ? `target[${n}]` : `target element ${i}`;
      throw new OpError(loss, `${where} = ${t} is not a valid class index for input of shape ${shapeStr(input.shape)} (expected an integer in [0, ${C - 1}], or ignoreIndex ${ignoreIndex})`);
    }
    idx[i] = t;
    weights[i] = W === undefined ? 1 : W[t]!;
    totalWeight += weights[i]!;
  }
  return { index: Tensor._make(idx, [input.shape[0]!, 1, ...input.shape.slice(2)]), weights, totalWeight };
}

/** −w[t]·logp[t] per element (0 where ignored), reduced as PyTorch's nll_loss. */
function nll(logp: Tensor, target: Tensor, ct: ClassTargets, reduction: Reduction): Tensor {
  const picked = reshape(gather(logp, 1, ct.index), target.shape);
  const negW = new Float32Array(ct.weights.length);
  for (let i = 0; i < negW.length; i++) negW[i] = -ct.weights[i]!;
  const losses = mul(picked, Tensor._make(negW, target.shape));
  if (reduction === 'none') return losses;
  // 'mean' divides by the total weight of the non-ignored targets (NaN when all are ignored, as PyTorch).
  return reduction === 'sum' ? sum(losses) : div(sum(losses), ct.totalWeight);
}

function checkIgnoreIndex(loss: string, ignoreIndex: unknown): number {
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) throw new OpError(loss, `ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  return ignoreIndex;
}

/**
 * Negative log-likelihood of class indices [N, d…] given log-probabilities [N, C, d…] (e.g. from
 * LogSoftmax(1)); options weight, ignoreIndex, reduction. PyTorch: `torch.nn.NLLLoss`.
 */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  declare weight: Tensor | null;

  constructor(options: NLLLossOptions = {}) {
    super(options);
    this.registerBuffer('weight', toWeight(options.weight, 'NLLLoss', 'weight'));
    this.ignoreIndex = checkIgnoreIndex('NLLLoss', options.ignoreIndex ?? -100);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    checkTensors('NLLLoss', input, target);
    const [x, t, unbatched] = batched(input, target);
    const out = nll(x, t, classTargets('NLLLoss', x, t, this.weight, this.ignoreIndex), this.reduction);
    return unbatched && this.reduction === 'none' ? reshape(out, []) : out;
  }
}

/**
 * Cross-entropy of raw logits [N, C, d…] against class indices [N, d…] (or class probabilities of
 * the input's shape), via logSoftmax so huge logits stay finite; options weight, ignoreIndex,
 * labelSmoothing, reduction. PyTorch: `torch.nn.CrossEntropyLoss`.
 */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  declare weight: Tensor | null;

  constructor(options: CrossEntropyLossOptions = {}) {
    super(options);
    this.registerBuffer('weight', toWeight(options.weight, 'CrossEntropyLoss', 'weight'));
    this.ignoreIndex = checkIgnoreIndex('CrossEntropyLoss', options.ignoreIndex ?? -100);
    const ls = options.labelSmoothing ?? 0;
    if (typeof ls !== 'number' || !(ls >= 0 && ls <= 1)) throw new OpError('CrossEntropyLoss', `labelSmoothing must be in [0, 1], got ${String(ls)}`);
    this.labelSmoothing = ls;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    checkTensors('CrossEntropyLoss', input, target);
    if (input.ndim >= 1 && sameShape(input.shape, target.shape)) return this.probabilityTargets(input, target);
    const [x, t, unbatched] = batched(input, target);
    const ct = classTargets('CrossEntropyLoss', x, t, this.weight, this.ignoreIndex);
    const logp = logSoftmax(x, 1);
    let out = nll(logp, t, ct, this.reduction);
    const eps = this.labelSmoothing;
    if (eps > 0) {
      // PyTorch: (1 − ε)·nll + ε/C·Σ_c −w_c·logp_c, ignored elements zeroed, 'mean' over the same total weight.
      const C = x.shape[1]!;
      const perClass = this.weight === null ? logp : mul(logp, this.classWeightView(x.ndim));
      const mask = new Float32Array(ct.weights.length);
      for (let i = 0; i < mask.length; i++) mask[i] = t.data[i] === this.ignoreIndex ? 0 : -1;
      let smooth = mul(sum(perClass, 1), Tensor._make(mask, t.shape));
      if (this.reduction === 'sum') smooth = sum(smooth);
      else if (this.reduction === 'mean') smooth = div(sum(smooth), ct.totalWeight);
      out = add(mul(out, 1 - eps), mul(smooth, eps / C));
    }
    return unbatched && this.reduction === 'none' ? reshape(out, []) : out;
  }

  /** The class weights shaped [1, C, 1, …] to broadcast against [N, C, d…]. */
  private classWeightView(ndim: number): Tensor {
    const shape = new Array<number>(ndim).fill(1);
    shape[1] = this.weight!.shape[0]!;
    return reshape(this.weight!, shape);
  }

  /** Soft targets: −Σ_c w_c·y_c·logp_c per element; 'mean' divides by the number of elements N·d… (not by weights). */
  private probabilityTargets(input: Tensor, target: Tensor): Tensor {
    const classDim = input.ndim === 1 ? 0 : 1;
    const C = input.shape[classDim]!;
    if (this.weight !== null && (this.weight.ndim !== 1 || this.weight.shape[0] !== C)) {
      throw new OpError('CrossEntropyLoss', `weight of shape ${shapeStr(this.weight.shape)} must have one entry per class, i.e. shape [${C}]`);
    }
    const eps = this.labelSmoothing;
    const y = eps > 0 ? add(mul(target, 1 - eps), eps / C) : target;
    let terms = mul(logSoftmax(input, classDim), y);
    if (this.weight !== null) terms = mul(terms, classDim === 0 ? this.weight : this.classWeightView(input.ndim));
    const losses = mul(sum(terms, classDim), -1);
    if (this.reduction === 'none') return losses;
    return this.reduction === 'sum' ? sum(losses) : mean(losses);
  }
}

// ---- binary cross-entropy -----------------------------------------------------------------------

export interface BCELossOptions extends LossOptions {
  /** Rescales each element's loss; broadcast against the input. */
  weight?: WeightLike | null;
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of the positive term per class (broadcast against the input, usually shape [C]). */
  posWeight?: WeightLike | null;
}

function checkBroadcastsTo(loss: string, what: string, w: Tensor | null, input: Tensor): void {
  if (w === null) return;
  const ok = (() => {
    try { return sameShape(broadcastShapes(w.shape, input.shape, loss), input.shape); } catch { return false; }
  })();
  if (!ok) throw new OpError(loss, `${what} of shape ${shapeStr(w.shape)} cannot be broadcast to the input's shape ${shapeStr(input.shape)}`);
}

/**
 * Binary cross-entropy of probabilities in [0, 1] against targets of the same shape; logs clamped to
 * ≥ −100 as in PyTorch. PyTorch: `torch.nn.BCELoss`.
 */
export class BCELoss extends Loss {
  declare weight: Tensor | null;

  constructor(options: BCELossOptions = {}) {
    super(options);
    this.registerBuffer('weight', toWeight(options.weight, 'BCELoss', 'weight'));
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    checkTensors('BCELoss', input, target);
    checkSameShape('BCELoss', input, target);
    checkBroadcastsTo('BCELoss', 'weight', this.weight, input);
    const X = input.data;
    for (let i = 0; i < X.length; i++) {
      const v = X[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new OpError('BCELoss', `all elements of input should be between 0 and 1, but element ${i} of the input (shape ${shapeStr(input.shape)}) is ${v}; apply sigmoid first, or use BCEWithLogitsLoss on raw logits`);
      }
    }
    const losses = binaryCrossEntropy(input, target);
    return this.reduce(this.weight === null ? losses : mul(losses, this.weight));
  }
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable step, for raw logits (same shape as the
 * targets). PyTorch: `torch.nn.BCEWithLogitsLoss`.
 */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;

  constructor(options: BCEWithLogitsLossOptions = {}) {
    super(options);
    this.registerBuffer('weight', toWeight(options.weight, 'BCEWithLogitsLoss', 'weight'));
    this.registerBuffer('pos_weight', toWeight(options.posWeight, 'BCEWithLogitsLoss', 'posWeight'));
  }

  get posWeight(): Tensor | null {
    return this.pos_weight;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    checkTensors('BCEWithLogitsLoss', input, target);
    checkSameShape('BCEWithLogitsLoss', input, target);
    checkBroadcastsTo('BCEWithLogitsLoss', 'weight', this.weight, input);
    checkBroadcastsTo('BCEWithLogitsLoss', 'posWeight', this.pos_weight, input);
    const pw = this.pos_weight === null ? null : expandData(this.pos_weight, input.shape);
    const losses = binaryCrossEntropyWithLogits(input, target, pw);
    return this.reduce(this.weight === null ? losses : mul(losses, this.weight));
  }
}
