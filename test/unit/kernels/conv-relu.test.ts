// Conv2d (forward, dX, dW, db) and ReLU (forward, backward) on the WebAssembly path against the
// JS reference path (GRADSCOPE_KERNELS=js), at sizes above the kernels' thresholds, with strides,
// dilation, groups, asymmetric 'same' padding and 1×1 convolutions; ReLU with NaN, ±0 and ties.
import { afterEach, describe, expect, it } from 'vitest';
import { conv2d, manualSeed, randn, relu, type Tensor } from '../../../core';
import type { Conv2dOptions } from '../../../core/ops/conv';
import { setKernelMode } from '../../../core/kernels/wasm';
import { reluBackward, reluForward } from '../../../core/kernels/elementwise';

function close(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) - tol * (1 + Math.abs(b[i]!)));
  expect(worst, what).toBeLessThanOrEqual(0);
}

function convRun(xs: number[], ws: number[], opts: Conv2dOptions, bias: boolean, mode: 'js' | 'auto') {
  setKernelMode(mode);
  manualSeed(7);
  const x = randn(xs).requiresGrad_();
  const w = randn(ws).requiresGrad_();
  const b = bias ? randn([ws[0]!]).requiresGrad_() : null;
  const y = conv2d(x, w, b, opts);
  const gy = randn(y.shape as number[]);
  y.backward(gy);
  return { y: y.data, gx: x.grad!.data, gw: w.grad!.data, gb: b?.grad?.data };
}

describe('Conv2d on the wasm path matches the JS reference', () => {
  afterEach(() => setKernelMode('auto'));
  const cases: [string, number[], number[], Conv2dOptions, boolean][] = [
    ['3×3 same', [4, 3, 17, 15], [8, 3, 3, 3], { padding: 'same' }, true],
    ['stride 2, pad 1', [3, 4, 19, 20], [6, 4, 3, 3], { stride: 2, padding: 1 }, true],
    ['dilation 2, even kernel same', [2, 3, 16, 16], [5, 3, 4, 2], { padding: 'same', dilation: 2 }, false],
    ['groups 2, stride (1,3)', [3, 6, 12, 25], [8, 3, 3, 5], { groups: 2, stride: [1, 3], padding: [0, 2] }, true],
    ['1×1 direct', [4, 16, 9, 9], [12, 16, 1, 1], {}, true],
    ['unbatched', [8, 20, 20], [16, 8, 3, 3], { padding: 1 }, true],
  ];
  for (const [name, xs, ws, opts, bias] of cases) {
    it(name, () => {
      const ref = convRun(xs, ws, opts, bias, 'js');
      const got = convRun(xs, ws, opts, bias, 'auto');
      close(got.y, ref.y, 1e-5, 'output');
      close(got.gx, ref.gx, 1e-5, 'dX');
      close(got.gw, ref.gw, 1e-4, 'dW');
      if (bias) close(got.gb!, ref.gb!, 1e-5, 'db');
    });
  }
});

describe('ReLU kernels', () => {
  afterEach(() => setKernelMode('auto'));
  const n = 5003; // above the wasm threshold, with a scalar tail
  const X = new Float32Array(n);
  for (let i = 0; i < n; i++) X[i] = Math.sin(i * 12.9898) * 3;
  X[0] = NaN;
  X[1] = -0;
  X[2] = 0;
  X[n - 1] = NaN;
  X[n - 2] = -2;
  const G = new Float32Array(n).map((_, i) => (i % 7) - 3);
  G[3] = NaN;

  function reference(): [Float32Array, Float32Array] {
    setKernelMode('js');
    const y = reluForward(X);
    const g = reluBackward(y, G);
    setKernelMode('auto');
    return [y, g];
  }

  it('forward and backward agree bit for bit with the JS loops', () => {
    const [ry, rg] = reference();
    const y = reluForward(X);
    const g = reluBackward(y, G);
    expect(Array.from(y)).toEqual(Array.from(ry));
    expect(Array.from(g)).toEqual(Array.from(rg));
    expect(Number.isNaN(y[0])).toBe(true);
    expect(Object.is(y[1], 0)).toBe(true); // relu(-0) = +0, as PyTorch
    expect(g[0]).toBe(G[0]); // a NaN output passes the gradient
    expect(g[2]).toBe(0); // relu'(0) = 0
  });

  it('a NaN gradient at a dead unit gives 0 (PyTorch threshold_backward)', () => {
    const x = randn([3000]);
    x.data[5] = -1;
    x.requiresGrad_();
    const y = relu(x);
    const gy = new Float32Array(3000).fill(1);
    gy[5] = NaN;
    y.backward(new (y.constructor as typeof Tensor)(gy, [3000]));
    expect(x.grad!.data[5]).toBe(0);
  });
});
