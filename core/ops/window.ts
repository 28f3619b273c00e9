// Argument parsing and output-size arithmetic shared by the sliding-window ops (conv, pooling).
// PyTorch accepts an int or an (h, w) pair for every window parameter.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';

export type Pair = number | readonly [number, number];

/** An int or [h, w] as [h, w], each an integer >= min; errors name the op and the argument. */
export function pair(v: Pair, name: string, op: string, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null;
  if (p === null || !p.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= min)) {
    const shown = Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
    throw new OpError(op, `${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a pair of them, got ${shown}`);
  }
  return p as [number, number];
}

/** Requires a 3-D [C,H,W] or 4-D [N,C,H,W] tensor (unbatched inputs are accepted, as in PyTorch). */
export function checkImageInput(x: unknown, op: string): void {
  if (!(x instanceof Tensor)) throw new OpError(op, `input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new OpError(op, `expected a 3-D [C,H,W] or 4-D [N,C,H,W] input, got shape ${shapeStr(x.shape)}`);
  }
}

/**
 * Output length of a window sliding over `size` padded by padBefore + padAfter, or an error when
 * the (dilated) kernel does not fit. Ceil mode keeps a partial last window only if it starts inside
 * the input or the left padding (PyTorch's pooling_output_shape).
 */
export function slidingOutSize(
  size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation: number,
  ceilMode: boolean,
): number {
  const span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
  // Floor division, as PyTorch's div_rtn: span may be negative when the kernel does not fit.
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padBefore) out--;
  return out;
}
