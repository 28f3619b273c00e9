import { Tensor } from '../tensor';
import { numel } from '../shape';

/** An uninitialised (zero) tensor for a layer to fill with its init. */
export function empty(shape: number[]): Tensor {
  return new Tensor(new Float32Array(numel(shape)), shape);
}
