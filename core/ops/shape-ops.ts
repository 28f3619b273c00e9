// Shape ops: reshape shares storage (tensors are always contiguous); permute, narrow, cat,
// expand and gather copy. Backward of each undoes its forward.

import { Tensor } from '../tensor';
import { OpError, normDim, numel, shapeStr, stridesOf, type Shape } from '../shape';
import { apply, defineOp } from './op';
import { expandData, forEachRow } from './broadcast';
import { sumTo } from './reduce';

function checkTensor(x: unknown, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new OpError(op, `expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

// ---- reshape ----------------------------------------------------------------------------------

/** Resolves a target shape (one -1 allowed) against the input's size. */
function resolveShape(x: Tensor, shape: readonly number[], op: string): number[] {
  if (!Array.isArray(shape)) throw new OpError(op, `shape must be an array of integers, got ${String(shape)}`);
  let infer = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new OpError(op, `only one dimension can be -1, got ${shapeStr(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new OpError(op, `invalid dimension ${d} in shape ${shapeStr(shape)}`);
    } else known *= d;
  });
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || x.data.length % known !== 0) throw new OpError(op, `shape ${shapeStr(shape)} is invalid for input of size ${x.data.length} (shape ${shapeStr(x.shape)})`);
    out[infer] = x.data.length / known;
  } else if (known !== x.data.length) {
    throw new OpError(op, `shape ${shapeStr(shape)} is invalid for input of size ${x.data.length} (shape ${shapeStr(x.shape)})`);
  }
  return out;
}

export const Reshape = defineOp<number[]>({
  name: 'Reshape',
  forward: ([x], shape) => Tensor._make(x!.data, shape),
  backward: (g, { inputs: [x] }) => [Tensor._make(g.data, x!.shape)],
});

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return apply(Reshape, [checkTensor(x, 'reshape')], resolveShape(x, shape, 'reshape'));
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.ndim, 'flatten');
  const e = normDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new OpError('flatten', `startDim ${startDim} comes after endDim ${endDim} for shape ${shapeStr(x.shape)}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Removes size-1 dims: all of them, or only `dim` (a no-op if that dim is not 1, as in PyTorch). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normDim(dim, x.ndim, 'squeeze');
  if (x.ndim === 0 || x.shape[d] !== 1) return reshape(x, x.shape);
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

// ---- permute / transpose ----------------------------------------------------------------------

function permuteData(x: Tensor, dims: readonly number[]): Tensor {
  const outShape = dims.map((d) => x.shape[d]!);
  const inStrides = stridesOf(x.shape);
  const st = dims.map((d) => inStrides[d]!);
  const X = x.data;
  const O = new Float32Array(X.length);
  forEachRow(outShape, st, st, (pa, _pb, po, n, sa) => {
    for (let j = 0; j < n; j++) O[po + j] = X[pa + j * sa]!;
  });
  return Tensor._make(O, outShape);
}

export const Permute = defineOp<number[]>({
  name: 'Permute',
  forward: ([x], dims) => permuteData(x!, dims),
  backward: (g, { attrs: dims }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [permuteData(g, inverse)];
  },
});

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor(x, 'permute');
  if (!Array.isArray(dims) || dims.length !== x.ndim) {
    throw new OpError('permute', `expected ${x.ndim} dims for shape ${shapeStr(x.shape)}, got [${Array.isArray(dims) ? dims.join(', ') : String(dims)}]`);
  }
  const resolved = dims.map((d) => normDim(d, x.ndim, 'permute'));
  if (new Set(resolved).size !== resolved.length) throw new OpError('permute', `dims [${dims.join(', ')}] repeat a dimension`);
  return apply(Permute, [x], resolved);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(x, 'transpose');
  const a = normDim(dim0, x.ndim, 'transpose');
  const b = normDim(dim1, x.ndim, 'transpose');
  if (x.ndim < 2) return x.ndim === 0 ? x : reshape(x, x.shape);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return apply(Permute, [x], dims);
}

// ---- narrow / select --------------------------------------------------------------------------

interface NarrowAttrs { dim: number; start: number; length: number }

/** [outer, D, inner] around dim d. */
function around(shape: Shape, d: number): [number, number, number] {
  return [numel(shape.slice(0, d)), shape[d]!, numel(shape.slice(d + 1))];
}

export const Narrow = defineOp<NarrowAttrs>({
  name: 'Narrow',
  forward: ([x], { dim, start, length }) => {
    const [outer, D, inner] = around(x!.shape, dim);
    const O = new Float32Array(outer * length * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * D + start) * inner;
      O.set(x!.data.subarray(from, from + length * inner), o * length * inner);
    }
    const shape = [...x!.shape];
    shape[dim] = length;
    return Tensor._make(O, shape);
  },
  backward: (g, { inputs: [x], attrs: { dim, start, length } }) => {
    const [outer, D, inner] = around(x!.shape, dim);
    const G = new Float32Array(x!.data.length);
    for (let o = 0; o < outer; o++) G.set(g.data.subarray(o * length * inner, (o + 1) * length * inner), (o * D + start) * inner);
    return [Tensor._make(G, x!.shape)];
  },
});

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor(x, 'narrow');
  if (x.ndim === 0) throw new OpError('narrow', 'cannot narrow a 0-d tensor');
  const d = normDim(dim, x.ndim, 'narrow');
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new OpError('narrow', `start ${start} and length ${length} are out of range for dim ${d} of size ${size} (shape ${shapeStr(x.shape)})`);
  }
  return apply(Narrow, [x], { dim: d, start: s, length });
}

/** The slice at `index` along `dim`, with that dim removed (PyTorch's `select`, `x[:, i]`). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor(x, 'select');
  if (x.ndim === 0) throw new OpError('select', 'cannot select from a 0-d tensor');
  const d = normDim(dim, x.ndim, 'select');
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new OpError('select', `index ${index} is out of range for dim ${d} of size ${size} (shape ${shapeStr(x.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  return reshape(apply(Narrow, [x], { dim: d, start: i, length: 1 }), x.shape.filter((_, k) => k !== d));
}

// ---- cat / stack ------------------------------------------------------------------------------

export const Cat = defineOp<number>({
  name: 'Cat',
  forward: (xs, dim) => {
    const shape = [...xs[0]!.shape];
    shape[dim] = xs.reduce((s, t) => s + t.shape[dim]!, 0);
    const [outer, D, inner] = around(shape, dim);
    const O = new Float32Array(numel(shape));
    let offset = 0;
    for (const t of xs) {
      const d = t.shape[dim]!;
      for (let o = 0; o < outer; o++) O.set(t.data.subarray(o * d * inner, (o + 1) * d * inner), (o * D + offset) * inner);
      offset += d;
    }
    return Tensor._make(O, shape);
  },
  backward: (g, { inputs, attrs: dim }) => {
    let offset = 0;
    return inputs.map((t) => {
      const length = t.shape[dim]!;
      const part = t.requiresGrad ? apply(Narrow, [g], { dim, start: offset, length }) : null;
      offset += length;
      return part;
    });
  },
});

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new OpError('cat', 'expected a non-empty array of tensors');
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new OpError('cat', `element ${i} is not a Tensor`);
  });
  const first = tensors[0]!;
  if (first.ndim === 0) throw new OpError('cat', 'zero-dimensional tensors cannot be concatenated; use stack');
  const d = normDim(dim, first.ndim, 'cat');
  tensors.forEach((t, i) => {
    const ok = t.ndim === first.ndim && t.shape.every((s: number, k: number) => k === d || s === first.shape[k]);
    if (!ok) throw new OpError('cat', `tensor ${i} has shape ${shapeStr(t.shape)}, which does not match ${shapeStr(first.shape)} outside dim ${d}`);
  });
  return apply(Cat, tensors, d);
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new OpError('stack', 'expected a non-empty array of tensors');
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new OpError('stack', `element ${i} is not a Tensor`);
    if (t.shape.length !== first.shape.length || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new OpError('stack', `all tensors must have the same shape: tensor 0 is ${shapeStr(first.shape)}, tensor ${i} is ${shapeStr(t.shape)}`);
    }
  });
  const d = normDim(dim, first.ndim + 1, 'stack');
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

// ---- expand / clone ---------------------------------------------------------------------------

export const Expand = defineOp<number[]>({
  name: 'Expand',
  forward: ([x], shape) => Tensor._make(expandData(x!, shape), shape),
  backward: (g, { inputs: [x] }) => [sumTo(g, x!.shape)],
});

/** Broadcasts x to `shape` (-1 keeps a dim), copying. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, 'expand');
  if (shape.length < x.ndim) throw new OpError('expand', `target shape ${shapeStr(shape)} has fewer dims than ${shapeStr(x.shape)}`);
  const off = shape.length - x.ndim;
  const out = shape.map((s, i) => {
    const src = i >= off ? x.shape[i - off]! : 1;
    const t = s === -1 && i >= off ? src : s;
    if (!Number.isInteger(t) || t < 0 || (src !== 1 && src !== t)) {
      throw new OpError('expand', `cannot expand shape ${shapeStr(x.shape)} to ${shapeStr(shape)}: dim ${i} is ${src}, wanted ${s}`);
    }
    return t;
  });
  return apply(Expand, [x], out);
}

export const Clone = defineOp({
  name: 'Clone',
  forward: ([x]) => Tensor._make(x!.data.slice(), x!.shape),
  backward: (g) => [g],
});

export function clone(x: Tensor): Tensor {
  return apply(Clone, [checkTensor(x, 'clone')], undefined);
}

// ---- gather / indexSelect ---------------------------------------------------------------------

/** Checks that index values are integers in [0, size); returns them as ints. */
function toIndices(index: Tensor, size: number, op: string, dim: number): Int32Array {
  const I = new Int32Array(index.data.length);
  for (let i = 0; i < I.length; i++) {
    const v = index.data[i]!;
    if (!Number.isInteger(v) || v < -size || v >= size) {
      throw new OpError(op, `index ${v} at position ${i} is out of range for dim ${dim} of size ${size}`);
    }
    I[i] = v < 0 ? v + size : v;
  }
  return I;
}

interface GatherAttrs { dim: number; idx: Int32Array }

/** Offsets into x for each element of the index tensor (row-major over index.shape). */
function gatherOffsets(xShape: Shape, iShape: Shape, dim: number, idx: Int32Array): Int32Array {
  const xs = stridesOf(xShape);
  const off = new Int32Array(idx.length);
  const coord = new Array<number>(iShape.length).fill(0);
  for (let i = 0; i < idx.length; i++) {
    let p = 0;
    for (let k = 0; k < coord.length; k++) p += (k === dim ? idx[i]! : coord[k]!) * xs[k]!;
    off[i] = p;
    for (let k = coord.length - 1; k >= 0; k--) {
      if (++coord[k]! < iShape[k]!) break;
      coord[k] = 0;
    }
  }
  return off;
}

export const Gather = defineOp<GatherAttrs, Int32Array>({
  name: 'Gather',
  forward: ([x, index], { dim, idx }) => {
    const off = gatherOffsets(x!.shape, index!.shape, dim, idx);
    const O = new Float32Array(off.length);
    for (let i = 0; i < off.length; i++) O[i] = x!.data[off[i]!]!;
    return Tensor._make(O, index!.shape);
  },
  backward: (g, { inputs: [x, index], attrs: { dim, idx } }) => {
    const off = gatherOffsets(x!.shape, index!.shape, dim, idx);
    const G = new Float32Array(x!.data.length);
    for (let i = 0; i < off.length; i++) G[off[i]!]! += g.data[i]!;
    return [Tensor._make(G, x!.shape), null];
  },
});

/** out[i][j] = x[i][index[i][j]] for dim 1 (PyTorch's `gather`); index holds integer values. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor(x, 'gather');
  checkTensor(index, 'gather');
  const d = normDim(dim, x.ndim, 'gather');
  if (index.ndim !== x.ndim) throw new OpError('gather', `index must have as many dims as input: input ${shapeStr(x.shape)}, index ${shapeStr(index.shape)}`);
  index.shape.forEach((s, k) => {
    if (k !== d && s > x.shape[k]!) throw new OpError('gather', `index shape ${shapeStr(index.shape)} is larger than input shape ${shapeStr(x.shape)} at dim ${k}`);
  });
  return apply(Gather, [x, index], { dim: d, idx: toIndices(index, x.shape[d]!, 'gather', d) });
}

export const IndexSelect = defineOp<Int32Array>({
  name: 'IndexSelect',
  forward: ([x, index], idx) => {
    const row = numel(x!.shape.slice(1));
    const O = new Float32Array(idx.length * row);
    for (let i = 0; i < idx.length; i++) O.set(x!.data.subarray(idx[i]! * row, (idx[i]! + 1) * row), i * row);
    return Tensor._make(O, [...index!.shape, ...x!.shape.slice(1)]);
  },
  backward: (g, { inputs: [x], attrs: idx }) => {
    const row = numel(x!.shape.slice(1));
    const G = new Float32Array(x!.data.length);
    for (let i = 0; i < idx.length; i++) {
      const base = idx[i]! * row;
      for (let j = 0; j < row; j++) G[base + j]! += g.data[i * row + j]!;
    }
    return [Tensor._make(G, x!.shape), null];
  },
});

/** Rows of x (along dim 0) picked by an index tensor of any shape: out shape [...index.shape, ...x.shape[1:]]. */
export function indexSelect0(x: Tensor, index: Tensor, op = 'indexSelect'): Tensor {
  checkTensor(x, op);
  checkTensor(index, op);
  if (x.ndim === 0) throw new OpError(op, 'cannot index a 0-d tensor');
  return apply(IndexSelect, [x, index], toIndices(index, x.shape[0]!, op, 0));
}
