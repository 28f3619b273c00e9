// Max pooling on the WebAssembly path against the JS reference (GRADSCOPE_KERNELS=js): values,
// and where the gradient goes (ties → first maximum, NaN wins), with padding, dilation, ceil mode.
import { afterEach, describe, expect, it } from 'vitest';
import { manualSeed, maxPool2d, randn, type MaxPool2dOptions } from '../../../core';
import { setKernelMode } from '../../../core/kernels/wasm';

function run(shape: number[], k: number, opts: MaxPool2dOptions, mode: 'js' | 'auto') {
  setKernelMode(mode);
  manualSeed(3);
  const x = randn(shape);
  // Ties (rounded values), NaNs and -Infinity where they stress the rules.
  for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round(x.data[i]! * 2) / 2;
  x.data[5] = NaN;
  x.data[40] = NaN;
  x.data[41] = NaN;
  x.data[100] = -Infinity;
  x.requiresGrad_();
  const y = maxPool2d(x, k, opts);
  const gy = randn(y.shape as number[]);
  y.backward(gy);
  return { y: Array.from(y.data), gx: Array.from(x.grad!.data) };
}

describe('MaxPool2d on the wasm path matches the JS reference', () => {
  afterEach(() => setKernelMode('auto'));
  // Every input has at least 4096 elements, the wasm kernel's threshold.
  const cases: [string, number[], number, MaxPool2dOptions][] = [
    ['2×2 (SIMD path, 4-wide blocks and a tail)', [4, 8, 14, 14], 2, {}],
    ['2×2 on odd sizes (last row and column dropped)', [4, 8, 15, 13], 2, {}],
    ['3×3 stride 2 pad 1', [4, 6, 17, 15], 3, { stride: 2, padding: 1 }],
    ['dilation 2, ceil mode', [3, 5, 20, 19], 3, { stride: 2, dilation: 2, ceilMode: true }],
    ['unbatched', [16, 30, 30], 2, { stride: 1 }],
  ];
  for (const [name, shape, k, opts] of cases) {
    it(name, () => {
      const ref = run(shape, k, opts, 'js');
      const got = run(shape, k, opts, 'auto');
      expect(got.y).toEqual(ref.y);
      expect(got.gx).toEqual(ref.gx);
    });
  }
});
