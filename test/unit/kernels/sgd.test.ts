// The plain SGD step in WebAssembly is bit-identical to the JS loop (and so to PyTorch's float32
// update): float32 multiply then float32 add, including subnormal and huge values. It also returns
// Σg² of the gradient (the instrumentation's gradient norm for free).
import { afterEach, describe, expect, it } from 'vitest';
import { sgdPlainStep } from '../../../core/kernels/elementwise';
import { nn, optim, manualSeed, randn } from '../../../core';
import { setKernelMode } from '../../../core/kernels/wasm';

afterEach(() => setKernelMode('auto'));

const sumSq = (g: Float32Array): number => g.reduce((a, v) => a + v * v, 0);

function gradient(n: number, scale: number): Float32Array {
  const G = new Float32Array(n);
  for (let i = 0; i < n; i++) G[i] = scale * Math.cos(i * 1.7) * (1 + (i % 5));
  return G;
}

describe('SGD plain step in wasm', () => {
  it('matches the JS loop bit for bit, and returns Σg²', () => {
    const n = 10007;
    const P = new Float32Array(n);
    const G = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      P[i] = Math.sin(i) * 10 ** ((i % 13) - 6);
      G[i] = Math.cos(i * 1.7) * 10 ** ((i % 11) - 5);
    }
    P[0] = 1e-40;
    G[1] = 3e38; // its square overflows float32: the sum is redone in double
    const negLr = Math.fround(-0.0123);
    const ref = P.slice();
    for (let i = 0; i < n; i++) ref[i] = ref[i]! + Math.fround(negLr * G[i]!);
    const s = sgdPlainStep(P, G, negLr);
    expect(Array.from(P)).toEqual(Array.from(ref));
    expect(Math.abs(s! / sumSq(G) - 1)).toBeLessThan(1e-12);
  });

  it('Σg² is within 1e-7 of the double loop (f32 blocks promoted to double), tiny gradients included', () => {
    // f32 squares of 1e-25 underflow to 0: below 2^-80 the sum is redone in double.
    for (const [n, scale] of [[2048, 1e-3], [235_146, 1e-4], [4099, 1], [3001, 1e-25]] as const) {
      const G = gradient(n, scale);
      const s = sgdPlainStep(new Float32Array(n), G, -0.1)!;
      expect(Math.abs(s / sumSq(G) - 1), `n ${n} scale ${scale}`).toBeLessThan(1e-7);
    }
  });

  it('Σg² is NaN or +Inf when the gradient holds NaN or ±Inf; null when the wasm path does not run', () => {
    const G = gradient(4096, 1e-3);
    G[4095] = NaN;
    expect(sgdPlainStep(new Float32Array(4096), G, -0.1)).toBeNaN();
    G[4095] = 1;
    G[17] = -Infinity;
    expect(sgdPlainStep(new Float32Array(4096), G, -0.1)).toBe(Infinity);
    expect(sgdPlainStep(new Float32Array(100), new Float32Array(100), -0.1)).toBeNull();
    setKernelMode('js');
    const P = new Float32Array(4096);
    expect(sgdPlainStep(P, gradient(4096, 1), -0.1)).toBeNull();
    expect(P.every((v) => v === 0)).toBe(true);
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
