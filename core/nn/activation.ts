// Stateless layers wrapping elementwise ops, so they appear as modules (and get module paths).

import type { Tensor } from '../tensor';
import { Module } from './module';
import { flatten } from '../ops/shape-ops';

/** max(0, x) elementwise, any shape. PyTorch: `torch.nn.ReLU`. */
export class ReLU extends Module {
  override forward(x: Tensor): Tensor { return x.relu(); }
}

/** x for x > 0, negativeSlope·x otherwise (default 0.01), any shape. PyTorch: `torch.nn.LeakyReLU`. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  override forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

/** x·Φ(x), Φ the standard normal CDF (exact erf form), any shape. PyTorch: `torch.nn.GELU`. */
export class GELU extends Module {
  override forward(x: Tensor): Tensor { return x.gelu(); }
}

/** 1 / (1 + e^(−x)) elementwise, any shape. PyTorch: `torch.nn.Sigmoid`. */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor { return x.sigmoid(); }
}

/** tanh(x) elementwise, any shape. PyTorch: `torch.nn.Tanh`. */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor { return x.tanh(); }
}

/** exp(x) / Σ exp(x) along `dim` (shape unchanged; each slice sums to 1). PyTorch: `torch.nn.Softmax`. */
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** log(softmax(x)) along `dim`, computed stably as x − logΣexp(x). PyTorch: `torch.nn.LogSoftmax`. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** Returns its input unchanged (a placeholder layer). PyTorch: `torch.nn.Identity`. */
export class Identity extends Module {
  override forward(x: Tensor): Tensor { return x; }
}

/**
 * Flattens dims startDim..endDim into one (default: all but the batch dim: [N, C, H, W] → [N, C·H·W]).
 * PyTorch: `torch.nn.Flatten`.
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  override forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
  override extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}
