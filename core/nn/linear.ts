import { Tensor } from '../tensor';
import { OpError } from '../shape';
import { empty } from './params';
import { Module, Parameter } from './module';
import { defaultLayerInit } from './init';
import { linear } from '../ops/linear';

export interface LinearOptions {
  bias?: boolean;
}

/** y = x·Wᵀ + b over the last dim; weight [outFeatures, inFeatures], bias [outFeatures]. */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, { bias = true }: LinearOptions = {}) {
    super();
    for (const [n, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OpError('Linear', `${n} must be a positive integer, got ${v}`);
    }
    this.weight = Parameter(empty([outFeatures, inFeatures]));
    this.bias = bias ? Parameter(empty([outFeatures])) : null;
    defaultLayerInit(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, 'Linear');
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
