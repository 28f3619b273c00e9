// softmax and logSoftmax along a dim, as primitives: the max-shift keeps them finite for any
// finite input, and their backward formulas are cheaper than differentiating the composition.

import { Tensor } from '../tensor';
import { OpError, normDim, numel } from '../shape';
import { apply, defineOp } from './op';

/** Calls `lane(base, stride, D)` for every 1-D lane along `dim` of a tensor of this shape. */
function forEachLane(shape: readonly number[], dim: number, lane: (base: number, stride: number, D: number) => void): void {
  const outer = numel(shape.slice(0, dim));
  const D = shape[dim] ?? 1;
  const inner = numel(shape.slice(dim + 1));
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) lane(o * D * inner + j, inner, D);
}

function softmaxData(x: Tensor, dim: number, asLog: boolean): Float32Array {
  const X = x.data;
  const O = new Float32Array(X.length);
  forEachLane(x.shape, dim, (base, st, D) => {
    let m = -Infinity;
    for (let k = 0; k < D; k++) { const v = X[base + k * st]!; if (v > m || v !== v) m = v; }
    if (m === -Infinity) m = 0; // all -inf: exp gives 0s and the result is NaN, as in PyTorch
    let s = 0;
    for (let k = 0; k < D; k++) s += Math.exp(X[base + k * st]! - m);
    if (asLog) {
      const lse = m + Math.log(s);
      for (let k = 0; k < D; k++) O[base + k * st] = X[base + k * st]! - lse;
    } else {
      for (let k = 0; k < D; k++) O[base + k * st] = Math.exp(X[base + k * st]! - m) / s;
    }
  });
  return O;
}

export const Softmax = defineOp<number>({
  name: 'Softmax',
  forward: ([x], dim) => Tensor._make(softmaxData(x!, dim, false), x!.shape),
  // dx = y ⊙ (g − Σ g⊙y)
  backward: (g, { output: y, attrs: dim }) => {
    const G = new Float32Array(g.data.length);
    forEachLane(y.shape, dim, (base, st, D) => {
      let dot = 0;
      for (let k = 0; k < D; k++) dot += g.data[base + k * st]! * y.data[base + k * st]!;
      for (let k = 0; k < D; k++) G[base + k * st] = y.data[base + k * st]! * (g.data[base + k * st]! - dot);
    });
    return [Tensor._make(G, y.shape)];
  },
});

export const LogSoftmax = defineOp<number>({
  name: 'LogSoftmax',
  forward: ([x], dim) => Tensor._make(softmaxData(x!, dim, true), x!.shape),
  // dx = g − softmax ⊙ Σ g
  backward: (g, { output: y, attrs: dim }) => {
    const G = new Float32Array(g.data.length);
    forEachLane(y.shape, dim, (base, st, D) => {
      let s = 0;
      for (let k = 0; k < D; k++) s += g.data[base + k * st]!;
      for (let k = 0; k < D; k++) G[base + k * st] = g.data[base + k * st]! - Math.exp(y.data[base + k * st]!) * s;
    });
    return [Tensor._make(G, y.shape)];
  },
});

function resolve(x: Tensor, dim: number | undefined, op: string): number {
  if (!(x instanceof Tensor)) throw new OpError(op, 'expected a Tensor');
  if (dim === undefined) throw new OpError(op, 'dim is required (e.g. softmax(-1) for the last dimension)');
  return x.ndim === 0 ? 0 : normDim(dim, x.ndim, op);
}

export function softmax(x: Tensor, dim: number): Tensor {
  return apply(Softmax, [x], resolve(x, dim, 'softmax'));
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return apply(LogSoftmax, [x], resolve(x, dim, 'logSoftmax'));
}
