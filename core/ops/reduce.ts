// Reductions. A reduction over several dims runs one dim at a time, viewing the data as
// [outer, D, inner]; sums accumulate in float64 so long reductions keep float32 accuracy.

import { Tensor } from '../tensor';
import { OpError, normDim, normDims, sameShape, type Shape } from '../shape';
import { apply, defineOp, withSaved } from './op';
import { expandData } from './broadcast';
import { div, mul, sub } from './elementwise';

type Dims = number | readonly number[] | null | undefined;

/** Sorted, resolved dims to reduce; all dims when none are given. */
function resolveDims(x: Tensor, dim: Dims, op: string): number[] {
  if (dim === undefined || dim === null) return x.shape.map((_, i) => i);
  if (typeof dim === 'number') return x.ndim === 0 ? [] : [normDim(dim, x.ndim, op)];
  if (!Array.isArray(dim)) throw new OpError(op, `dim must be a number or an array of numbers, got ${String(dim)}`);
  return dim.length === 0 ? x.shape.map((_, i) => i) : normDims(dim, x.ndim, op);
}

function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!dims.includes(i)) out.push(shape[i]!);
    else if (keepdim) out.push(1);
  }
  return out;
}

/** [outer, D, inner] sizes of `shape` around dim d. */
function around(shape: Shape, d: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i]!;
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[d]!, inner];
}

function sumAxis(X: Float32Array, outer: number, D: number, inner: number): Float32Array {
  const O = new Float32Array(outer * inner);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      for (let k = 0, p = o * D; k < D; k++) s += X[p + k]!;
      O[o] = s;
    }
    return O;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let k = 0; k < D; k++) {
      const base = (o * D + k) * inner;
      for (let j = 0; j < inner; j++) acc[j]! += X[base + j]!;
    }
    for (let j = 0; j < inner; j++) O[o * inner + j] = acc[j]!;
  }
  return O;
}

/** Sum of x over sorted dims, keeping them as size 1. */
function sumData(x: Tensor, dims: readonly number[]): Float32Array {
  if (dims.length === x.ndim) {
    let s = 0;
    const X = x.data;
    for (let i = 0; i < X.length; i++) s += X[i]!;
    return new Float32Array([s]);
  }
  let data = x.data;
  const shape = [...x.shape];
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = dims[i]!;
    const [outer, D, inner] = around(shape, d);
    data = sumAxis(data, outer, D, inner);
    shape[d] = 1;
  }
  return data === x.data ? data.slice() : data;
}

interface ReduceAttrs { dims: number[]; keepdim: boolean }

export const Sum = defineOp<ReduceAttrs>({
  name: 'Sum',
  forward: ([x], { dims, keepdim }) => Tensor._make(sumData(x!, dims), reducedShape(x!.shape, dims, keepdim)),
  backward: (g, { inputs: [x], attrs: { dims } }) => [
    Tensor._make(expandData(Tensor._make(g.data, reducedShape(x!.shape, dims, true)), x!.shape), x!.shape),
  ],
});

export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply(Sum, [x], { dims: resolveDims(x, dim, 'sum'), keepdim });
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = resolveDims(x, dim, 'mean');
  let count = 1;
  for (const d of dims) count *= x.shape[d]!;
  return div(apply(Sum, [x], { dims, keepdim }), count);
}

/** Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const off = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < off || (shape[i - off] === 1 && g.shape[i] !== 1)) dims.push(i);
  return Tensor._make(sumData(g, dims), shape);
}

export interface VarOptions {
  /** Divide by N − 1 (Bessel's correction) rather than N; default true, as in PyTorch. */
  unbiased?: boolean;
  keepdim?: boolean;
}

export function variance(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  const dims = resolveDims(x, dim, 'var');
  const { unbiased = true, keepdim = false } = options;
  let n = 1;
  for (const d of dims) n *= x.shape[d]!;
  const d = sub(x, mean(x, dims, true));
  return div(sum(mul(d, d), dims, keepdim), unbiased ? n - 1 : n);
}

export function std(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return variance(x, dim, options).sqrt();
}

// ---- max / min and their indices ----------------------------------------------------------------

/** Index of the max (or min) along [outer, D, inner]; NaN wins (it propagates, as in PyTorch); ties keep the first. */
function argExtremeAxis(X: Float32Array, outer: number, D: number, inner: number, isMax: boolean): Int32Array {
  const I = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * D * inner + j;
      let best = X[base]!;
      let bi = 0;
      if (best === best) {
        for (let k = 1; k < D; k++) {
          const v = X[base + k * inner]!;
          if (v !== v) { bi = k; break; }
          if (isMax ? v > best : v < best) { best = v; bi = k; }
        }
      }
      I[o * inner + j] = bi;
    }
  }
  return I;
}

interface ExtremeAttrs { dim: number | null; keepdim: boolean; isMax: boolean }

/** The extreme's indices: along `dim`, or into the flattened tensor when dim is null. */
function extremeIndices(x: Tensor, dim: number | null, isMax: boolean): Int32Array {
  return dim === null ? argExtremeAxis(x.data, 1, x.data.length, 1, isMax) : argExtremeAxis(x.data, ...around(x.shape, dim), isMax);
}

function extremeShape(x: Tensor, dim: number | null, keepdim: boolean): number[] {
  if (dim === null) return keepdim ? x.shape.map(() => 1) : [];
  return reducedShape(x.shape, [dim], keepdim);
}

const defineExtreme = (name: string) => defineOp<ExtremeAttrs, Int32Array>({
  name,
  forward: ([x], { dim, keepdim, isMax }) => {
    const I = extremeIndices(x!, dim, isMax);
    const O = new Float32Array(I.length);
    if (dim === null) O[0] = x!.data[I[0]!]!;
    else {
      const [, D, inner] = around(x!.shape, dim);
      for (let r = 0; r < I.length; r++) {
        const o = Math.floor(r / inner);
        const j = r - o * inner;
        O[r] = x!.data[o * D * inner + I[r]! * inner + j]!;
      }
    }
    return withSaved(Tensor._make(O, extremeShape(x!, dim, keepdim)), I);
  },
  backward: (g, { inputs: [x], attrs: { dim }, saved: I, output }) => {
    const G = new Float32Array(x!.data.length);
    if (dim === null) {
      // NOTE: a full max/min spreads the gradient evenly over tied extremes (PyTorch's rule);
      // max/min along a dim sends it to the chosen index.
      const m = output.data[0]!;
      let count = 0;
      for (let i = 0; i < G.length; i++) if (x!.data[i] === m) count++;
      const share = g.data[0]! / Math.max(count, 1);
      for (let i = 0; i < G.length; i++) if (x!.data[i] === m) G[i] = share;
      if (count === 0) G[I[0]!] = g.data[0]!; // NaN extreme: it was picked by index
    } else {
      const [, D, inner] = around(x!.shape, dim);
      for (let r = 0; r < I.length; r++) {
        const o = Math.floor(r / inner);
        const j = r - o * inner;
        G[o * D * inner + I[r]! * inner + j] = g.data[r]!;
      }
    }
    return [Tensor._make(G, x!.shape)];
  },
});

export const Max = defineExtreme('Max');
export const Min = defineExtreme('Min');

/** The dim to reduce (null: all), rejecting an empty reduction; other empty dims are fine, as in PyTorch. */
function extremeDim(x: Tensor, dim: number | null | undefined, op: string): number | null {
  const d = dim === undefined || dim === null ? null : normDim(dim, x.ndim, op);
  if (d === null && x.data.length === 0) throw new OpError(op, 'cannot reduce an empty tensor');
  if (d !== null && x.ndim > 0 && x.shape[d] === 0) throw new OpError(op, `cannot reduce over dim ${d} of size 0`);
  return d;
}

function extreme(x: Tensor, dim: number | null | undefined, keepdim: boolean, isMax: boolean): Tensor {
  const d = extremeDim(x, dim, isMax ? 'max' : 'min');
  return apply(isMax ? Max : Min, [x], { dim: x.ndim === 0 ? null : d, keepdim, isMax });
}

export const max = (x: Tensor, dim?: number | null, keepdim = false): Tensor => extreme(x, dim, keepdim, true);
export const min = (x: Tensor, dim?: number | null, keepdim = false): Tensor => extreme(x, dim, keepdim, false);

interface ArgAttrs { dim: number | null; keepdim: boolean; isMax: boolean }
export const ArgExtreme = defineOp<ArgAttrs>({
  name: 'ArgExtreme',
  forward: ([x], { dim, keepdim, isMax }) => Tensor._make(Float32Array.from(extremeIndices(x!, dim, isMax)), extremeShape(x!, dim, keepdim)),
});

function argExtreme(x: Tensor, dim: number | null | undefined, keepdim: boolean, isMax: boolean): Tensor {
  const d = extremeDim(x, dim, isMax ? 'argmax' : 'argmin');
  return apply(ArgExtreme, [x], { dim: x.ndim === 0 ? null : d, keepdim, isMax });
}

/** Indices (as float values) of the maximum: of the flattened tensor, or along `dim`. Ties: the first. */
export const argmax = (x: Tensor, dim?: number | null, keepdim = false): Tensor => argExtreme(x, dim, keepdim, true);
export const argmin = (x: Tensor, dim?: number | null, keepdim = false): Tensor => argExtreme(x, dim, keepdim, false);

