// Matrix product with PyTorch's matmul semantics: 1-D operands are promoted (and the added dim
// removed), leading batch dims broadcast. Three cache-friendly loop orders cover forward and both
// gradients without materialising transposes. Above a size threshold each goes to the WebAssembly
// SIMD GEMM (core/kernels); the JS loops stay as the reference path and for tiny products.

import { Tensor } from '../tensor';
import { OpError, broadcastShapes, broadcastStrides, numel, shapeStr, type Shape } from '../shape';
import { apply, defineOp } from './op';
import { forEachRow } from './broadcast';
import { sumTo } from './reduce';
import { reshape } from './shape-ops';
import { gemm } from '../kernels/gemm';

/** C[M,N] += A[M,K] · B[K,N]; `zeroC` promises C is all zeros there (so it need not be read). */
export function mmNN(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, M: number, K: number, N: number, zeroC = false): void {
  if (!gemm(false, false, M, N, K, A, ao, B, bo, C, co, !zeroC)) mmNNjs(A, ao, B, bo, C, co, M, K, N);
}

/** The JS reference of mmNN (i-k-j order: the inner loop streams rows of B and C). */
export function mmNNjs(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const c = co + i * N;
    for (let k = 0; k < K; k++) {
      const a = A[ao + i * K + k]!;
      const b = bo + k * N;
      for (let j = 0; j < N; j++) C[c + j]! += a * B[b + j]!;
    }
  }
}

/** C[M,N] += A[M,K] · B[N,K]ᵀ. */
export function mmNT(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, M: number, K: number, N: number, zeroC = false): void {
  if (!gemm(false, true, M, N, K, A, ao, B, bo, C, co, !zeroC)) mmNTjs(A, ao, B, bo, C, co, M, K, N);
}

/** The JS reference of mmNT (dot products of contiguous rows). */
export function mmNTjs(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const a = ao + i * K;
    for (let j = 0; j < N; j++) {
      const b = bo + j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a + k]! * B[b + k]!;
      C[co + i * N + j]! += s;
    }
  }
}

/** C[M,N] += A[K,M]ᵀ · B[K,N]. */
export function mmTN(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, M: number, K: number, N: number, zeroC = false): void {
  if (!gemm(true, false, M, N, K, A, ao, B, bo, C, co, !zeroC)) mmTNjs(A, ao, B, bo, C, co, M, K, N);
}

/** The JS reference of mmTN. */
export function mmTNjs(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, M: number, K: number, N: number): void {
  for (let k = 0; k < K; k++) {
    const b = bo + k * N;
    for (let i = 0; i < M; i++) {
      const a = A[ao + k * M + i]!;
      const c = co + i * N;
      for (let j = 0; j < N; j++) C[c + j]! += a * B[b + j]!;
    }
  }
}

/** Matrix offsets (in elements) of each broadcast batch entry, for both operands. */
function batchOffsets(batch: Shape, aBatch: Shape, bBatch: Shape, aMat: number, bMat: number): [Int32Array, Int32Array] {
  const count = numel(batch);
  const oa = new Int32Array(count);
  const ob = new Int32Array(count);
  if (batch.length === 0) return [oa, ob];
  const sa = broadcastStrides(aBatch, batch);
  const sb = broadcastStrides(bBatch, batch);
  let r = 0;
  forEachRow(batch, sa, sb, (pa, pb, _po, n, ia, ib) => {
    for (let j = 0; j < n; j++, r++) {
      oa[r] = (pa + j * ia) * aMat;
      ob[r] = (pb + j * ib) * bMat;
    }
  });
  return [oa, ob];
}

interface MatmulPlan { batch: number[]; M: number; K: number; N: number }

function plan(a: Tensor, b: Tensor): MatmulPlan {
  const M = a.shape[a.ndim - 2]!;
  const K = a.shape[a.ndim - 1]!;
  const K2 = b.shape[b.ndim - 2]!;
  const N = b.shape[b.ndim - 1]!;
  if (K !== K2) throw new OpError('matmul', `${shapeStr(a.shape)} @ ${shapeStr(b.shape)}: inner dimensions ${K} and ${K2} differ`);
  let batch: number[];
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  } catch {
    throw new OpError('matmul', `${shapeStr(a.shape)} @ ${shapeStr(b.shape)}: batch dimensions ${shapeStr(a.shape.slice(0, -2))} and ${shapeStr(b.shape.slice(0, -2))} cannot be broadcast`);
  }
  return { batch, M, K, N };
}

export const MatMul = defineOp({
  name: 'MatMul',
  forward: ([a, b]) => {
    const { batch, M, K, N } = plan(a!, b!);
    const [oa, ob] = batchOffsets(batch, a!.shape.slice(0, -2), b!.shape.slice(0, -2), M * K, K * N);
    const C = new Float32Array(oa.length * M * N);
    for (let r = 0; r < oa.length; r++) mmNN(a!.data, oa[r]!, b!.data, ob[r]!, C, r * M * N, M, K, N, true);
    return Tensor._make(C, [...batch, M, N]);
  },
  backward: (g, { inputs: [a, b] }) => {
    const { batch, M, K, N } = plan(a!, b!);
    const [oa, ob] = batchOffsets(batch, a!.shape.slice(0, -2), b!.shape.slice(0, -2), M * K, K * N);
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a!.requiresGrad) {
      // dA = dC · Bᵀ, computed per broadcast batch entry, then summed over broadcast dims.
      const GA = new Float32Array(oa.length * M * K);
      for (let r = 0; r < oa.length; r++) mmNT(g.data, r * M * N, b!.data, ob[r]!, GA, r * M * K, M, N, K, true);
      ga = sumTo(Tensor._make(GA, [...batch, M, K]), a!.shape);
    }
    if (b!.requiresGrad) {
      // dB = Aᵀ · dC
      const GB = new Float32Array(ob.length * K * N);
      for (let r = 0; r < ob.length; r++) mmTN(a!.data, oa[r]!, g.data, r * M * N, GB, r * K * N, K, M, N, true);
      gb = sumTo(Tensor._make(GB, [...batch, K, N]), b!.shape);
    }
    return [ga, gb];
  },
});

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new OpError('matmul', 'both operands must be Tensors');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new OpError('matmul', `${shapeStr(a.shape)} @ ${shapeStr(b.shape)}: both operands need at least one dimension (use mul for scalars)`);
  }
  if (a.ndim >= 2 && b.ndim >= 2) return apply(MatMul, [a, b], undefined);
  // 1-D operands: promote to a matrix, multiply, then drop the added dim (PyTorch's rule).
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  if (a2.shape[a2.ndim - 1] !== b2.shape[b2.ndim - 2]) {
    throw new OpError('matmul', `${shapeStr(a.shape)} @ ${shapeStr(b.shape)}: inner dimensions ${a.shape[a.ndim - 1]} and ${b.shape[b.ndim === 1 ? 0 : b.ndim - 2]} differ`);
  }
  const out = apply(MatMul, [a2, b2], undefined);
  const shape = [...out.shape];
  if (b.ndim === 1) shape.pop();
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return reshape(out, shape);
}
