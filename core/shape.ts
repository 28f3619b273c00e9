// Shape arithmetic shared by every op. Tensors are always contiguous and row-major, so a shape
// fully determines the memory layout; strides are derived, never stored.

export type Shape = readonly number[];

/** Number of elements of a shape ([] is a scalar: 1 element). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Error thrown for bad arguments to an op; the message always starts with the op's name. */
export class OpError extends Error {
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
    this.name = 'OpError';
  }
}

/** Resolves a possibly negative dim against `ndim`, or throws naming the op. */
export function normDim(dim: number, ndim: number, op: string): number {
  // A scalar behaves like a 1-element 1-D tensor for dim purposes (as in PyTorch).
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new OpError(op, `dim ${dim} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? '' : 's'} (expected an integer in [${-n}, ${n - 1}])`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Resolves a list of dims (duplicates rejected), sorted ascending. */
export function normDims(dims: readonly number[], ndim: number, op: string): number[] {
  const out = dims.map((d) => normDim(d, ndim, op));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new OpError(op, `dim ${sorted[i]} appears more than once in [${dims.join(', ')}]`);
  }
  return sorted;
}

/** NumPy broadcasting of two shapes, or an error naming the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new OpError(op, `shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast: dimension ${i - n} is ${da} vs ${db}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of shape `from` as if it had the (broadcast) shape `to`:
 * broadcast dimensions get stride 0.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const s = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[i + off] = from[i] === 1 && to[i + off] !== 1 ? 0 : s[i]!;
  return out;
}

export function checkShape(shape: unknown, op: string): number[] {
  if (!Array.isArray(shape)) throw new OpError(op, `shape must be an array of non-negative integers, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new OpError(op, `shape must be an array of non-negative integers, got [${shape.join(', ')}]`);
    }
  }
  return [...shape] as number[];
}
