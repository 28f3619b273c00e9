// Creating tensors: from data, constant fills, ranges and random draws.

import { Tensor } from './tensor';
import { OpError, checkShape, numel, shapeStr } from './shape';
import { defaultGenerator } from './random';

export interface TensorOptions {
  /** Shape for flat data (a Float32Array or number[]); checked against nested data. */
  shape?: readonly number[];
  requiresGrad?: boolean;
}

export type NestedNumbers = number | readonly NestedNumbers[];

/** Shape of a nested array, checking it is rectangular and holds only numbers. */
function inferShape(data: NestedNumbers, path: number[] = []): number[] {
  if (typeof data === 'number') return [];
  if (!Array.isArray(data)) {
    const at = path.length ? ` at [${path.join('][')}]` : '';
    throw new OpError('tensor', `expected a number or an array${at}, got ${data === null ? 'null' : typeof data}`);
  }
  if (data.length === 0) return [0];
  const inner = inferShape(data[0]!, [...path, 0]);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i]!, [...path, i]);
    if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) {
      throw new OpError('tensor', `ragged nested array: element [${[...path, i].join('][')}] has shape ${shapeStr(s)}, but element [${[...path, 0].join('][')}] has ${shapeStr(inner)}`);
    }
  }
  return [data.length, ...inner];
}

function flattenInto(data: NestedNumbers, out: Float32Array, pos: { i: number }): void {
  if (typeof data === 'number') out[pos.i++] = data;
  else for (const d of data) flattenInto(d, out, pos);
}

/**
 * A new tensor from a number, nested arrays, or flat data (Float32Array or number[]) with
 * `options.shape`. Data is copied. `tensor([[1, 2], [3, 4]], { requiresGrad: true })`. PyTorch: `torch.tensor`.
 */
export function tensor(data: NestedNumbers | Float32Array | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  let values: Float32Array;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    values = Float32Array.from(data as ArrayLike<number>);
    shape = [values.length];
  } else {
    shape = inferShape(data as NestedNumbers);
    values = new Float32Array(numel(shape));
    flattenInto(data as NestedNumbers, values, { i: 0 });
  }
  if (options.shape !== undefined) {
    const want = checkShape(options.shape, 'tensor');
    if (numel(want) !== values.length) {
      throw new OpError('tensor', `data has ${values.length} element${values.length === 1 ? '' : 's'} but shape ${shapeStr(want)} needs ${numel(want)}`);
    }
    shape = want;
  }
  return new Tensor(values, shape, options.requiresGrad ?? false);
}

export interface CreateOptions {
  requiresGrad?: boolean;
}

function filled(shape: readonly number[], value: number, op: string, options: CreateOptions): Tensor {
  const s = checkShape(shape, op);
  const data = new Float32Array(numel(s));
  if (value !== 0) data.fill(value);
  return new Tensor(data, s, options.requiresGrad ?? false);
}

/** A tensor of `shape` filled with 0. PyTorch: `torch.zeros`. */
export const zeros = (shape: readonly number[], options: CreateOptions = {}): Tensor => filled(shape, 0, 'zeros', options);
/** A tensor of `shape` filled with 1. PyTorch: `torch.ones`. */
export const ones = (shape: readonly number[], options: CreateOptions = {}): Tensor => filled(shape, 1, 'ones', options);
/** A tensor of `shape` filled with `value`. PyTorch: `torch.full`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  if (typeof value !== 'number') throw new OpError('full', `value must be a number, got ${typeof value}`);
  return filled(shape, value, 'full', options);
}
/** Zeros of `t`'s shape. PyTorch: `torch.zeros_like`. */
export const zerosLike = (t: Tensor, options: CreateOptions = {}): Tensor => filled(t.shape, 0, 'zerosLike', options);
/** Ones of `t`'s shape. PyTorch: `torch.ones_like`. */
export const onesLike = (t: Tensor, options: CreateOptions = {}): Tensor => filled(t.shape, 1, 'onesLike', options);

/**
 * 1-D values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0..n−1. PyTorch: `torch.arange`.
 */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new OpError('arange', `step must be a nonzero finite number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new OpError('arange', `start and end must be finite, got ${start} and ${end}`);
  if ((end - start) / step < 0) throw new OpError('arange', `the range from ${start} to ${end} never ends with step ${step}`);
  const n = Math.ceil((end - start) / step);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], options.requiresGrad ?? false);
}

function random(shape: readonly number[], op: string, draw: () => number, options: CreateOptions): Tensor {
  const s = checkShape(shape, op);
  const data = new Float32Array(numel(s));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return new Tensor(data, s, options.requiresGrad ?? false);
}

/** Uniform samples in [0, 1) of `shape` (seed with manualSeed). PyTorch: `torch.rand`. */
export const rand = (shape: readonly number[], options: CreateOptions = {}): Tensor =>
  random(shape, 'rand', () => defaultGenerator.uniform(), options);

/** Standard normal samples of `shape` (seed with manualSeed). PyTorch: `torch.randn`. */
export const randn = (shape: readonly number[], options: CreateOptions = {}): Tensor =>
  random(shape, 'randn', () => defaultGenerator.normal(), options);

/**
 * Integers uniform in [low, high) (as float values): `randint(low, high, shape)` or
 * `randint(high, shape)`. PyTorch: `torch.randint`.
 */
export function randint(low: number, high: number | readonly number[], shape?: readonly number[]): Tensor {
  if (Array.isArray(high)) [low, high, shape] = [0, low, high as readonly number[]];
  const lo = low;
  const hi = high as number;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) {
    throw new OpError('randint', `need integers low < high, got low ${lo} and high ${hi}`);
  }
  if (shape === undefined) throw new OpError('randint', 'shape is required, e.g. randint(0, 10, [64])');
  return random(shape, 'randint', () => defaultGenerator.int(lo, hi), {});
}
