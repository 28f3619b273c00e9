import { Tensor } from '../tensor';
import { OpError } from '../shape';
import { empty } from './params';
import { Module, Parameter } from './module';
import { defaultLayerInit } from './init';
import { linear } from '../ops/linear';

export interface LinearOptions {
  bias?: boolean;
}

/**
 * Fully connected layer: y = x·Wᵀ + b over the last dim, input […, inFeatures] → output
 * […, outFeatures]. weight [outFeatures, inFeatures] and bias [outFeatures] start kaiming-uniform
 * (a = √5) as in PyTorch. PyTorch: `torch.nn.Linear(in_features, out_features, bias=True)`.
 */
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
