// The PyTorch-parity (golden) and gradient-check suites again, with every matrix product, however
// small, sent through the WebAssembly GEMM: the default threshold keeps the suites' tiny shapes in
// the JS loops, so without this file they would check only the reference path.
import { beforeAll, expect, it } from 'vitest';
import { GEMM_MIN_MACS, setGemmMinMacs } from '../../../core/kernels/gemm';
import { wasmKernels } from '../../../core/kernels/wasm';
import '../golden/ops.test';
import '../golden/layers.test';
import '../golden/rnn.test';
import '../golden/optim.test';
import '../core/gradcheck.test';
import '../core/ops.gradcheck.test';
import '../core/conv.test';

beforeAll(() => setGemmMinMacs(1));

it('runs these suites on the wasm GEMM', () => {
  expect(wasmKernels()).not.toBeNull();
  expect(GEMM_MIN_MACS).toBe(1);
});
