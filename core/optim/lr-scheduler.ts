// Learning-rate schedulers (torch.optim.lr_scheduler). Like PyTorch 1.13's chainable form, each
// step() updates every group's current lr from its previous value (not from a closed form), so
// the sequences match PyTorch's exactly and schedulers compose when chained on one optimizer.
// Construction performs the initial step (lastEpoch −1 → 0), as in PyTorch.

import { OpError } from '../shape';
import type { Optimizer } from './optimizer';
import { checkNumber } from './optimizer';

type AnyOptimizer = Optimizer<any, any>;

function checkOptimizer(name: string, opt: unknown): AnyOptimizer {
  if (opt === null || typeof opt !== 'object' || !Array.isArray((opt as AnyOptimizer).paramGroups)) {
    throw new OpError(name, 'the first argument must be an optimizer (e.g. new optim.SGD(...))');
  }
  return opt as AnyOptimizer;
}

function checkPositiveInt(name: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new OpError(name, `${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** The initial lr of each group. */
  readonly baseLrs: number[];
  /** Number of step() calls so far (0 right after construction). */
  lastEpoch = -1;
  #lastLr: number[] = [];

  constructor(name: string, optimizer: unknown) {
    this.optimizer = checkOptimizer(name, optimizer);
    for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** Subclasses call this at the end of their constructor (PyTorch's `_initial_step`). */
  protected initialStep(): void {
    this.step();
  }

  /** The new lr of each group for the current `lastEpoch`, from the groups' current lrs. */
  protected abstract computeLr(): number[];

  /** Advances one epoch (call after optimizer.step()). */
  step(): void {
    this.lastEpoch += 1;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]!; });
    this.#lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  /** The lrs set by the last step (one per parameter group). */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }
}

export interface StepLROptions {
  stepSize: number;
  gamma?: number;
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    this.stepSize = checkPositiveInt('StepLR', 'stepSize', options?.stepSize);
    this.gamma = options.gamma ?? 0.1;
    checkNumber('StepLR', 'gamma', this.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay (a repeated milestone decays once per repetition). */
  milestones: readonly number[];
  gamma?: number;
}

/** Multiplies the lr by gamma at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: Map<number, number>;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    if (!Array.isArray(options?.milestones)) throw new OpError('MultiStepLR', `milestones must be an array of epochs, got ${JSON.stringify(options?.milestones)}`);
    this.milestones = new Map();
    for (const m of options.milestones) {
      checkNumber('MultiStepLR', 'milestone', m);
      this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    }
    this.gamma = options.gamma ?? 0.1;
    checkNumber('MultiStepLR', 'gamma', this.gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    const lrs = this.currentLrs();
    return count === undefined ? lrs : lrs.map((lr) => lr * this.gamma ** count);
  }
}

export interface ExponentialLROptions {
  gamma: number;
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    checkNumber('ExponentialLR', 'gamma', options?.gamma);
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

export interface CosineAnnealingLROptions {
  /** Half-period in epochs: the lr reaches etaMin at tMax, then rises again (no restart). */
  tMax: number;
  etaMin?: number;
}

/** Cosine annealing from the base lr to etaMin over tMax epochs (PyTorch's recursive form, also past tMax). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    this.tMax = checkPositiveInt('CosineAnnealingLR', 'tMax', options?.tMax);
    this.etaMin = options.etaMin ?? 0;
    checkNumber('CosineAnnealingLR', 'etaMin', this.etaMin);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    if ((e - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }
}

export interface LinearLROptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

/** Scales the lr linearly from startFactor·lr to endFactor·lr over totalIters epochs. */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = checkPositiveInt('LinearLR', 'totalIters', options.totalIters ?? 5);
    for (const [k, v] of [['startFactor', this.startFactor], ['endFactor', this.endFactor]] as const) {
      checkNumber('LinearLR', k, v);
      if (v < 0 || v > 1) throw new OpError('LinearLR', `${k} must be in [0, 1], got ${v}`);
    }
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    const lrs = this.currentLrs();
    if (e === 0) return lrs.map((lr) => lr * s);
    if (e > n) return lrs;
    return lrs.map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': a lower metric is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

/** Multiplies the lr by factor once the metric passed to step(metric) stops improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  #lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(name, optimizer);
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max') throw new OpError(name, `mode must be 'min' or 'max', got ${JSON.stringify(this.mode)}`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new OpError(name, `thresholdMode must be 'rel' or 'abs', got ${JSON.stringify(this.thresholdMode)}`);
    this.factor = options.factor ?? 0.1;
    checkNumber(name, 'factor', this.factor);
    if (this.factor >= 1) throw new OpError(name, `factor must be < 1, got ${this.factor}`);
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    const groups = this.optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) throw new OpError(name, `expected ${groups} minLr values (one per parameter group), got ${minLr.length}`);
      this.minLrs = [...minLr];
    } else {
      this.minLrs = new Array<number>(groups).fill(minLr as number);
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.#lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  /** Records this epoch's metric (e.g. the validation loss) and reduces the lr if it has plateaued. */
  step(metric: number | { item(): number }): void {
    const current = typeof metric === 'number' ? metric : metric.item();
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  private isBetter(a: number): boolean {
    const b = this.best;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < b * (1 - this.threshold) : a < b - this.threshold;
    return this.thresholdMode === 'rel' ? a > b * (this.threshold + 1) : a > b + this.threshold;
  }
}
