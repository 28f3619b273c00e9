// The WebAssembly GEMM against the JS reference loops: every transpose case, edge tiles (odd
// sizes, 1×N, N×1, K=1), K past one cache block, M and N past one packed panel, offsets into
// larger buffers, and accumulate vs overwrite. Float32 tolerance scales with √K.
import { afterEach, describe, expect, it } from 'vitest';
import { gemm, gemmWasm, GEMM_MIN_MACS } from '../../../core/kernels/gemm';
import { setKernelMode, wasmKernels } from '../../../core/kernels/wasm';
import { mmNNjs, mmNTjs, mmTNjs } from '../../../core/ops/matmul';

let seed = 12345;
function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    a[i] = seed / 2 ** 31 - 1;
  }
  return a;
}

type Case = [M: number, N: number, K: number];
const shapes: Case[] = [
  [1, 1, 1], [1, 37, 5], [37, 1, 5], [5, 7, 1], [4, 8, 16], [3, 9, 17], [13, 29, 31],
  [64, 256, 784], [1, 300, 513], [300, 1, 70], [130, 70, 600], [7, 2100, 9], [129, 17, 257],
];
const refs = { NN: mmNNjs, NT: mmNTjs, TN: mmTNjs };

function check(kind: 'NN' | 'NT' | 'TN', [M, N, K]: Case, accumulate: boolean): void {
  const k = wasmKernels()!;
  const ao = 3;
  const bo = 5;
  const co = 7;
  const A = rand(ao + M * K + 2);
  const B = rand(bo + K * N + 2);
  const C0 = rand(co + M * N + 2);
  const expected = accumulate ? C0.slice() : C0.map((v, i) => (i >= co && i < co + M * N ? 0 : v));
  refs[kind](A, ao, B, bo, expected, co, M, K, N);
  const got = C0.slice();
  gemmWasm(k, kind === 'TN', kind === 'NT', M, N, K, A, ao, B, bo, got, co, accumulate);
  const tol = 1e-6 * (4 + Math.sqrt(K) * 4);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) - tol * (1 + Math.abs(expected[i]!)));
  expect(worst, `${kind} M=${M} N=${N} K=${K} accumulate=${accumulate}`).toBeLessThanOrEqual(0);
  // Nothing outside C's range is touched.
  expect(got[co - 1]).toBe(C0[co - 1]);
  expect(got[co + M * N]).toBe(C0[co + M * N]);
}

describe('wasm GEMM vs JS reference', () => {
  afterEach(() => setKernelMode('auto'));

  it('loads the SIMD module in Node', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  for (const kind of ['NN', 'NT', 'TN'] as const) {
    it(`${kind}: all shapes, accumulate and overwrite`, () => {
      for (const s of shapes) {
        check(kind, s, true);
        check(kind, s, false);
      }
    });
  }

  it('random shapes', () => {
    for (let t = 0; t < 40; t++) {
      const r = rand(3).map((v) => Math.abs(v));
      const s: Case = [1 + Math.floor(r[0]! * 70), 1 + Math.floor(r[1]! * 70), 1 + Math.floor(r[2]! * 300)];
      check((['NN', 'NT', 'TN'] as const)[t % 3]!, s, t % 2 === 0);
    }
  });

  it('K = 0 overwrites C with zeros and accumulating leaves it', () => {
    const k = wasmKernels()!;
    const C = new Float32Array([1, 2, 3, 4]);
    gemmWasm(k, false, false, 2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 0, C, 0, true);
    expect([...C]).toEqual([1, 2, 3, 4]);
    gemmWasm(k, false, false, 2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 0, C, 0, false);
    expect([...C]).toEqual([0, 0, 0, 0]);
  });

  it('the dispatcher keeps tiny products and the forced JS mode in JS', () => {
    const A = rand(64 * 64);
    const C = new Float32Array(64 * 64);
    expect(gemm(false, false, 2, 2, 2, A, 0, A, 0, C, 0, true)).toBe(false);
    expect(GEMM_MIN_MACS).toBeGreaterThan(8);
    expect(gemm(false, false, 64, 64, 64, A, 0, A, 0, C, 0, true)).toBe(true);
    setKernelMode('js');
    expect(gemm(false, false, 64, 64, 64, A, 0, A, 0, C, 0, true)).toBe(false);
  });
});
