import type { Tensor } from '../tensor';
import { OpError } from '../shape';
import { Module } from './module';
import { dropout } from '../ops/dropout';

/**
 * Zeroes each element with probability p (default 0.5) in training, scaling the rest by 1/(1 − p);
 * the identity in eval(). PyTorch: `torch.nn.Dropout`.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new OpError('Dropout', `p must be a probability in [0, 1], got ${p}`);
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
