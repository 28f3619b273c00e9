// The plain SGD step in WebAssembly is bit-identical to the JS loop (and so to PyTorch's float32
// update): float32 multiply then float32 add, including subnormal and huge values.
import { describe, expect, it } from 'vitest';
import { sgdPlainStep } from '../../../core/kernels/elementwise';
import { nn, optim, manualSeed, randn } from '../../../core';
import { setKernelMode } from '../../../core/kernels/wasm';

describe('SGD plain step in wasm', () => {
  it('matches the JS loop bit for bit', () => {
    const n = 10007;
    const P = new Float32Array(n);
    const G = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      P[i] = Math.sin(i) * 10 ** ((i % 13) - 6);
      G[i] = Math.cos(i * 1.7) * 10 ** ((i % 11) - 5);
    }
    P[0] = 1e-40;
    G[1] = 3e38;
    const negLr = Math.fround(-0.0123);
    const ref = P.slice();
    for (let i = 0; i < n; i++) ref[i] = ref[i]! + Math.fround(negLr * G[i]!);
    expect(sgdPlainStep(P, G, negLr)).toBe(true);
    expect(Array.from(P)).toEqual(Array.from(ref));
  });

  it('optim.SGD takes the same step on both paths', () => {
    const step = (mode: 'js' | 'auto'): number[] => {
      setKernelMode(mode);
      manualSeed(0);
      const p = nn.Parameter(randn([90, 70]));
      p.grad = randn([90, 70]);
      new optim.SGD([p], { lr: 0.37 }).step();
      setKernelMode('auto');
      return Array.from(p.data);
    };
    expect(step('auto')).toEqual(step('js'));
  });
});
