import { Tensor } from '../tensor';
import { OpError } from '../shape';
import { defaultGenerator } from '../random';
import { mul } from './elementwise';

/** Inverted dropout: a constant mask of 0 or 1/(1-p) multiplies x (so its gradient is masked the same way). */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new OpError('dropout', `p must be a probability in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 - p;
  const scale = keep === 0 ? 0 : 1 / keep;
  const mask = new Float32Array(x.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = defaultGenerator.uniform() < keep ? scale : 0;
  return mul(x, Tensor._make(mask, x.shape));
}
