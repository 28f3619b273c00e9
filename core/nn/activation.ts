// Stateless layers wrapping elementwise ops, so they appear as modules (and get module paths).

import type { Tensor } from '../tensor';
import { Module } from './module';
import { flatten } from '../ops/shape-ops';

export class ReLU extends Module {
  override forward(x: Tensor): Tensor { return x.relu(); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  override forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

export class GELU extends Module {
  override forward(x: Tensor): Tensor { return x.gelu(); }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor { return x.tanh(); }
}

export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class Identity extends Module {
  override forward(x: Tensor): Tensor { return x; }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  override forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
  override extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}
