// Broadcasting kernels. The inner loop runs over the last dimension with per-operand strides
// (0 for a broadcast operand, 1 otherwise); the outer dimensions advance like an odometer. Ops
// pass a row function, so the per-element work has no closure call.

import { Tensor } from '../tensor';
import { broadcastShapes, broadcastStrides, numel, sameShape, type Shape } from '../shape';

/** Computes O[po+i] = f(A[pa+i*sa], B[pb+i*sb]) for i < n. */
export type RowFn = (
  A: Float32Array, pa: number, sa: number,
  B: Float32Array, pb: number, sb: number,
  O: Float32Array, po: number, n: number,
) => void;

/** Visits the rows of `outShape` with the matching offsets of two operands read through strides. */
export function forEachRow(
  outShape: Shape,
  stA: readonly number[],
  stB: readonly number[],
  visit: (pa: number, pb: number, po: number, n: number, sa: number, sb: number) => void,
): void {
  const nd = outShape.length;
  if (nd === 0) {
    visit(0, 0, 0, 1, 0, 0);
    return;
  }
  const n = outShape[nd - 1]!;
  const total = numel(outShape);
  if (total === 0) return;
  const rows = total / n;
  const sa = stA[nd - 1]!;
  const sb = stB[nd - 1]!;
  const idx = new Array<number>(nd - 1).fill(0);
  let pa = 0;
  let pb = 0;
  for (let r = 0, po = 0; r < rows; r++, po += n) {
    visit(pa, pb, po, n, sa, sb);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      pa += stA[d]!;
      pb += stB[d]!;
      if (idx[d]! < outShape[d]!) break;
      pa -= stA[d]! * outShape[d]!;
      pb -= stB[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Elementwise binary op with NumPy broadcasting; fast paths for equal shapes and scalars. */
export function broadcastBinary(a: Tensor, b: Tensor, op: string, row: RowFn): Tensor {
  const A = a.data;
  const B = b.data;
  if (sameShape(a.shape, b.shape)) {
    const O = new Float32Array(A.length);
    row(A, 0, 1, B, 0, 1, O, 0, A.length);
    return Tensor._make(O, a.shape);
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const O = new Float32Array(numel(shape));
  if (B.length === 1 && O.length === A.length) row(A, 0, 1, B, 0, 0, O, 0, O.length);
  else if (A.length === 1 && O.length === B.length) row(A, 0, 0, B, 0, 1, O, 0, O.length);
  else {
    forEachRow(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape), (pa, pb, po, n, sa, sb) =>
      row(A, pa, sa, B, pb, sb, O, po, n),
    );
  }
  return Tensor._make(O, shape);
}

/** A copy of `x` broadcast to `shape` (which must be a valid broadcast target). */
export function expandData(x: Tensor, shape: Shape): Float32Array {
  const X = x.data;
  const O = new Float32Array(numel(shape));
  if (X.length === O.length) {
    O.set(X);
    return O;
  }
  if (X.length === 1) {
    O.fill(X[0]!);
    return O;
  }
  const st = broadcastStrides(x.shape, shape);
  forEachRow(shape, st, st, (pa, _pb, po, n, sa) => {
    if (sa === 1) O.set(X.subarray(pa, pa + n), po);
    else O.fill(X[pa]!, po, po + n);
  });
  return O;
}
