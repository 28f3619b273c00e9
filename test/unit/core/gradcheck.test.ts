import { describe, expect, it } from 'vitest';
import { gradcheck, manualSeed, randn, tensor, Tensor } from '../../../core';
import { apply, type OpDef } from '../../../core/ops/op';

// Deliberately wrong ops, built without defineOp so they stay out of the op registry.
const wrongSquare: OpDef = {
  name: 'WrongSquare',
  forward: ([x]) => Tensor._make(x!.data.map((v) => v * v), x!.shape),
  backward: (g, { inputs: [x] }) => [g.mul(x!).mul(3)], // should be 2x
};
const nanGrad: OpDef = {
  name: 'NanGrad',
  forward: ([x]) => Tensor._make(x!.data.slice(), x!.shape),
  backward: (g) => [g.mul(NaN)],
};

describe('gradcheck', () => {
  it('passes correct gradients of scalar and non-scalar outputs', () => {
    manualSeed(1);
    const a = randn([3, 4], { requiresGrad: true });
    const b = randn([4, 2], { requiresGrad: true });
    expect(gradcheck((x, y) => x.matmul(y), [a, b])).toEqual({ ok: true });
    expect(gradcheck((x) => x.mul(x).sum(), [a])).toEqual({ ok: true });
    expect(gradcheck((x) => x.tanh(), [tensor(0.3, { requiresGrad: true })])).toEqual({ ok: true });
  });

  it('handles an output that is one of the inputs, and an output that depends on no checked input', () => {
    expect(gradcheck((t) => t, [tensor([1, 2], { requiresGrad: true })])).toEqual({ ok: true });
    expect(gradcheck((_t, k) => k.mul(2), [tensor([1], { requiresGrad: true }), tensor([3])])).toEqual({ ok: true });
  });

  it('fails on a wrong backward, naming input, element, both values and the worst error', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    let msg = '';
    try {
      gradcheck((t) => apply(wrongSquare, [t], undefined), [x]);
    } catch (e) {
      msg = (e as Error).message;
    }
    // The worst element is x = 4 (analytic 12·r vs numeric 8·r); 4 of 4 elements fail.
    expect(msg).toMatch(/^gradcheck: gradient mismatch for input 0, element 3 \(index \[1,1\] of shape \[2,2\]\): analytic .* vs numeric .*4 elements out of tolerance, worst \|error\| /);
  });

  it('names the right input when only the second input is wrong', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([0.5, -1, 2], { requiresGrad: true });
    expect(() => gradcheck((x, y) => x.mul(apply(wrongSquare, [y], undefined)), [a, b])).toThrow(/for input 1, element/);
  });

  it('fails on a NaN gradient', () => {
    expect(() => gradcheck((t) => apply(nanGrad, [t], undefined), [tensor([1, 2], { requiresGrad: true })])).toThrow(/analytic NaN/);
  });

  it('only checks inputs that require grad; an unused input must have zero numeric gradient', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const c = tensor([5, 6]); // constant: not checked
    const unused = tensor([7, 8], { requiresGrad: true });
    expect(gradcheck((x, k) => x.mul(k), [a, c, unused])).toEqual({ ok: true });
  });

  it('leaves the inputs\' data and .grad as they were', () => {
    const x = tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    x.grad = tensor([9, 9, 9]);
    const before = x.data.slice();
    gradcheck((t) => t.exp(), [x]);
    expect(Array.from(x.data)).toEqual(Array.from(before));
    expect(Array.from(x.grad.data)).toEqual([9, 9, 9]);
  });

  it('restores the input even when fn throws on a perturbed input', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    let calls = 0;
    const fn = (t: Tensor) => {
      if (++calls > 1) throw new Error('boom');
      return t.exp();
    };
    expect(() => gradcheck(fn, [x])).toThrow('boom');
    expect(Array.from(x.data)).toEqual([1, 2]);
  });

  it('uses a seeded projection: same seed, same verdict; the projection is random, not all ones', () => {
    // f = Σ out·r; with out = [x0, −x0] an all-ones projection would see a zero gradient.
    const x = tensor([1.5], { requiresGrad: true });
    const wrong: OpDef = {
      name: 'Wrong',
      forward: ([t]) => Tensor._make(new Float32Array([t!.data[0]!, -t!.data[0]!]), [2]),
      backward: () => [tensor([0])],
    };
    expect(() => gradcheck((t) => apply(wrong, [t], undefined), [x], { seed: 3 })).toThrow(/gradient mismatch/);
  });

  it('checks a random subset of a big input (> 2,000 elements)', () => {
    manualSeed(2);
    const x = randn([3000], { requiresGrad: true });
    let calls = 0;
    // Non-scalar output: a float32 sum of 3000 squares would round away the perturbation.
    gradcheck((t) => { calls++; return t.mul(t); }, [x], { sampleSize: 50 });
    expect(calls).toBe(1 + 2 * 50);
    calls = 0;
    const small = randn([2000], { requiresGrad: true });
    gradcheck((t) => { calls++; return t.mul(2); }, [small], { sampleSize: 50 });
    expect(calls).toBe(1 + 2 * 2000);
  });

  it('rejects bad calls clearly', () => {
    expect(() => gradcheck((t) => t.exp(), [tensor([1])])).toThrow('gradcheck: no input requires grad');
    const leaf = tensor([1], { requiresGrad: true });
    expect(() => gradcheck((t) => t.exp(), [leaf.mul(2)])).toThrow(/input 0 is not a leaf/);
    expect(() => gradcheck(() => 3 as unknown as Tensor, [leaf])).toThrow('gradcheck: fn must return a Tensor, got number');
  });
});
