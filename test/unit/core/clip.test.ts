// Gradient clipping against PyTorch 1.13's clip_grad_norm_ / clip_grad_value_ (values pasted from
// /usr/bin/python3 runs), including its behaviour for NaN and infinite gradients.

import { describe, expect, it } from 'vitest';
import { nn, Tensor, tensor } from '../../../core';

const { clipGradNorm, clipGradValue } = nn.utils;

/** Parameters whose .grad is exactly `grads`. */
function withGrads(grads: number[][]): Tensor[] {
  return grads.map((g) => {
    const p = tensor(new Array<number>(g.length).fill(0), { requiresGrad: true });
    p.grad = tensor(g);
    return p;
  });
}

const G = [[3, -4], [1, 2, -2]];
const gradsOf = (ps: Tensor[]) => ps.map((p) => Array.from(p.grad!.data));

function expectGrads(got: number[][], want: number[][]): void {
  want.forEach((row, i) => row.forEach((w, j) => {
    const g = got[i]![j]!;
    if (Number.isNaN(w)) expect(g, `grad ${i}[${j}]`).toBeNaN();
    else expect(Math.abs(g - w), `grad ${i}[${j}]: got ${g}, want ${w}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w)));
  }));
}

describe('clipGradNorm', () => {
  const cases: [number | 'inf', number, number[][]][] = [
    [2, 5.830951690673828, [[1.028991460800171, -1.3719885349273682], [0.34299713373184204, 0.6859942674636841, -0.6859942674636841]]],
    [1, 12, [[0.4999999701976776, -0.6666666269302368], [0.1666666567325592, 0.3333333134651184, -0.3333333134651184]]],
    ['inf', 4, [[1.4999996423721313, -1.9999995231628418], [0.49999988079071045, 0.9999997615814209, -0.9999997615814209]]],
    [Infinity, 4, [[1.4999996423721313, -1.9999995231628418], [0.49999988079071045, 0.9999997615814209, -0.9999997615814209]]],
    [3, 4.762203216552734, [[1.2599207162857056, -1.6798943281173706], [0.41997358202934265, 0.8399471640586853, -0.8399471640586853]]],
  ];
  for (const [normType, norm, clipped] of cases) {
    it(`norm type ${normType}: returns the total norm before clipping and scales by maxNorm/(norm + 1e-6)`, () => {
      const ps = withGrads(G);
      expect(clipGradNorm(ps, 2, normType)).toBeCloseTo(norm, 5);
      expectGrads(gradsOf(ps), clipped);
    });
  }

  it('leaves gradients untouched when the norm is below maxNorm', () => {
    const ps = withGrads(G);
    expect(clipGradNorm(ps, 100)).toBeCloseTo(5.830951690673828, 5);
    expect(gradsOf(ps)).toEqual(G);
  });

  it('skips parameters without a grad, accepts any iterable or a single tensor, returns 0 for none', () => {
    const ps = withGrads(G);
    const bare = tensor([1, 1], { requiresGrad: true });
    expect(clipGradNorm(new Set([bare, ...ps]), 2)).toBeCloseTo(5.830951690673828, 5);
    expect(bare.grad).toBeNull();
    const [one] = withGrads([[3, 4]]);
    expect(clipGradNorm(one!, 1)).toBe(5);
    expectGrads(gradsOf([one!]), [[0.6, 0.8]]);
    expect(clipGradNorm([bare], 1)).toBe(0);
  });

  it('NaN and infinite totals behave as in PyTorch 1.13 (scaled by the non-finite coefficient)', () => {
    const nan = withGrads([[NaN, 1], [2]]);
    expect(clipGradNorm(nan, 1)).toBeNaN();
    expectGrads(gradsOf(nan), [[NaN, NaN], [NaN]]);
    const inf = withGrads([[Infinity, 1], [2]]);
    expect(clipGradNorm(inf, 1)).toBe(Infinity);
    expectGrads(gradsOf(inf), [[NaN, 0], [0]]);
  });

  it('errorIfNonfinite throws instead, leaving the gradients alone', () => {
    const ps = withGrads([[Infinity, 1]]);
    expect(() => clipGradNorm(ps, 1, 2, { errorIfNonfinite: true })).toThrow('clipGradNorm: the total norm of order 2 of the gradients is Infinity, so they cannot be clipped');
    expect(gradsOf(ps)).toEqual([[Infinity, 1]]);
  });

  it('works on a trained module and rejects bad arguments', () => {
    const lin = new nn.Linear(3, 2);
    lin.forward(tensor([[10, -20, 30]])).sum().backward();
    const total = clipGradNorm(lin.parameters(), 0.5);
    expect(total).toBeGreaterThan(0.5);
    let sq = 0;
    for (const p of lin.parameters()) for (const v of p.grad!.data) sq += v * v;
    expect(Math.sqrt(sq)).toBeCloseTo(0.5, 5);
    expect(() => clipGradNorm(lin.parameters(), 1, -1)).toThrow("clipGradNorm: normType must be a positive number or 'inf', got -1");
    expect(() => clipGradNorm(42 as never, 1)).toThrow('clipGradNorm: params must be a Tensor or an iterable of Tensors');
  });
});

describe('clipGradValue', () => {
  it('clamps each entry to [-clip, clip] in place', () => {
    const ps = withGrads([[3, -4, NaN], [1, 2, -2]]);
    clipGradValue(ps, 2.5);
    expectGrads(gradsOf(ps), [[2.5, -2.5, NaN], [1, 2, -2]]);
    expect(() => clipGradValue(ps, -1)).toThrow('clipGradValue: clipValue must be a non-negative number, got -1');
  });
});
