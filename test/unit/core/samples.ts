// Seeded test inputs shared by the op tests: each file passes its own Generator, so cases do not
// depend on one another.
import { expect } from 'vitest';
import { Tensor } from '../../../core';
import type { Generator } from '../../../core/random';

/** A tensor whose element i is f(i): reproducible here and in PyTorch snippets. */
export function pat(shape: number[], f: (i: number) => number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, (_, i) => f(i)), shape, requiresGrad);
}

/** Uniform in [lo, hi). */
export function uniformTensor(gen: Generator, shape: number[], lo = -2, hi = 2, requiresGrad = true): Tensor {
  return pat(shape, () => lo + (hi - lo) * gen.uniform(), requiresGrad);
}

/** A shuffled grid of values 0.1 apart: no ties, so max/min and pooling windows stay put under perturbation. */
export function distinct(gen: Generator, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1 + 0.01);
  for (let i = n - 1; i > 0; i--) {
    const j = gen.int(0, i + 1);
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return new Tensor(Float32Array.from(v), shape, true);
}

/** Elementwise |got − want| ≤ tol·(1 + |want|), naming the first bad element. */
export function expectAllClose(got: ArrayLike<number>, want: readonly number[], tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i]! - want[i]!), `element ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!)));
  }
}
