// The backward engine itself (cf. tfjs tape_test): accumulation, graph pruning, grad modes,
// freeing and retaining the graph, and the errors a user meets.

import { describe, expect, it } from 'vitest';
import { enableGrad, isGradEnabled, noGrad, ones, Tensor, tensor } from '../../../core';
import { addObserver } from '../../../core/autograd/hooks';

const arr = (t: Tensor | null): number[] => Array.from(t!.data);
const leaf = (data: number | number[] | number[][]) => tensor(data, { requiresGrad: true });

describe('gradient accumulation in one pass', () => {
  it('fan-out: x used three times sums the three contributions', () => {
    const x = leaf([1, 2]);
    // y = 2x + x² + x  →  dy/dx = 3 + 2x
    x.mul(2).add(x.mul(x)).add(x).sum().backward();
    expect(arr(x.grad)).toEqual([5, 7]);
  });

  it('an intermediate used twice runs its backward once, with the summed gradient', () => {
    const x = leaf([0.5]);
    const h = x.exp();
    const runs: string[] = [];
    const remove = addObserver({ onBackwardNode: (e) => runs.push(e.node.name) });
    try {
      h.mul(2).add(h.mul(3)).sum().backward();
    } finally {
      remove();
    }
    expect(runs.filter((n) => n === 'Exp')).toHaveLength(1);
    expect(x.grad!.item()).toBeCloseTo(5 * Math.exp(0.5), 5);
  });

  it('a detached branch contributes no gradient', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2).add(x.detach().mul(5));
    y.sum().backward();
    expect(arr(x.grad)).toEqual([2, 2]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.data).toBe(x.data); // shares storage, as in PyTorch
  });
});

describe('grad modes', () => {
  it('noGrad records nothing', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => x.mul(2).exp());
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
  });

  it('noGrad restores the mode even when fn throws', () => {
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('enableGrad inside noGrad records again, and the outer mode comes back', () => {
    const x = leaf([3]);
    let y: Tensor | undefined;
    let z: Tensor | undefined;
    noGrad(() => {
      y = enableGrad(() => x.mul(x));
      expect(isGradEnabled()).toBe(false);
      z = x.mul(2);
    });
    expect(y!.gradFn?.name).toBe('Mul');
    expect(z!.gradFn).toBeNull();
    y!.backward();
    expect(arr(x.grad)).toEqual([6]);
  });

  it('backward itself runs without recording: gradients have no graph', () => {
    const x = leaf([1, 2]);
    x.mul(x).sum().backward();
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.gradFn).toBeNull();
  });
});

describe('seeds and their errors', () => {
  it('a scalar output needs no gradient argument', () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([2, 4, 6]);
  });

  it('a non-scalar output without a gradient throws, saying what to do', () => {
    const x = leaf([1, 2]);
    expect(() => x.mul(2).backward()).toThrow(
      'backward: a gradient must be given for a non-scalar output of shape [2]: call backward(gradient), or reduce it first with sum() or mean()',
    );
  });

  it('a gradient of the wrong shape throws, naming both shapes', () => {
    const x = leaf([[1, 2], [3, 4]]);
    expect(() => x.mul(2).backward(ones([4]))).toThrow('backward: gradient has shape [4] but the output has shape [2,2]');
  });

  it('a non-scalar output takes a gradient of its shape (a vector-Jacobian product)', () => {
    const x = leaf([1, 2]);
    x.mul(x).backward(tensor([10, 100]));
    expect(arr(x.grad)).toEqual([20, 400]);
  });

  it('backward on a tensor that does not require grad throws', () => {
    expect(() => tensor([1]).backward()).toThrow('backward: this tensor does not require grad');
  });

  it('a leaf can call backward on itself', () => {
    const s = leaf(2);
    s.backward();
    expect(arr(s.grad)).toEqual([1]);
    const v = leaf([1, 2]);
    const g = tensor([3, 4]);
    v.backward(g);
    expect(arr(v.grad)).toEqual([3, 4]);
    g.data[0] = 99; // .grad is a copy, not the caller's tensor
    expect(arr(v.grad)).toEqual([3, 4]);
  });
});

describe('freeing and retaining the graph', () => {
  it('the graph is freed after backward: nodes drop their inputs and saved values', () => {
    const x = leaf([1, 2]);
    const h = x.exp();
    const y = h.sum();
    y.backward();
    expect(y.gradFn!.freed).toBe(true);
    expect(y.gradFn!.inputs).toHaveLength(0);
    expect(h.gradFn!.inputs).toHaveLength(0);
    expect(h.gradFn!.output).toBeNull();
  });

  it('a second backward through a freed graph throws a clear error', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time \(at op Sum\).*retainGraph: true/);
  });

  it('retainGraph lets backward run twice, accumulating 2×, then frees on the last pass', () => {
    const x = leaf([1, 2]);
    const h = x.mul(x);
    const y = h.sum();
    y.backward(undefined, { retainGraph: true });
    expect(h.gradFn!.inputs).toHaveLength(2);
    y.backward(undefined, { retainGraph: true });
    expect(arr(x.grad)).toEqual([4, 8]);
    y.backward();
    expect(arr(x.grad)).toEqual([6, 12]);
    expect(() => y.backward()).toThrow(/second time/);
  });

  it('grads accumulate on a leaf across separate forward/backward passes, in the same tensor', () => {
    const x = leaf([1, 2]);
    x.mul(3).sum().backward();
    const g = x.grad;
    x.mul(x).sum().backward();
    expect(x.grad).toBe(g); // in place: optimizers keep their reference
    expect(arr(x.grad)).toEqual([3 + 2, 3 + 4]);
    x.grad = null;
    x.mul(2).sum().backward();
    expect(arr(x.grad)).toEqual([2, 2]);
  });

  it('a failed backward leaves the leaves\' grads untouched when the error is in the seed', () => {
    const x = leaf([1, 2]);
    expect(() => x.mul(2).backward(ones([3]))).toThrow();
    expect(x.grad).toBeNull();
  });
});

describe('non-leaf tensors', () => {
  it('retainGrad keeps an intermediate gradient; others stay null', () => {
    const x = leaf([1, 2]);
    const h = x.mul(3).retainGrad();
    const k = h.mul(h);
    k.sum().backward();
    expect(arr(h.grad)).toEqual([6, 12]); // 2h
    expect(k.grad).toBeNull();
    expect(arr(x.grad)).toEqual([18, 36]);
    expect(h.retainsGrad).toBe(true);
    expect(h.isLeaf).toBe(false);
  });

  it('retainGrad accumulates across the two uses of an intermediate', () => {
    const x = leaf([2]);
    const h = x.mul(1).retainGrad();
    h.mul(3).add(h.mul(4)).backward();
    expect(arr(h.grad)).toEqual([7]);
  });

  it('requiresGrad = false on a non-leaf throws; on a leaf it is allowed', () => {
    const x = leaf([1]);
    const y = x.mul(2);
    expect(() => { y.requiresGrad = false; }).toThrow('requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach() to cut it from the graph');
    y.requiresGrad = true; // turning it on is a no-op
    x.requiresGrad = false;
    expect(x.requiresGrad).toBe(false);
    expect(x.mul(2).requiresGrad).toBe(false);
  });

  it('requiresGrad_ sets it and returns the tensor', () => {
    const x = tensor([1, 2]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
  });
});

describe('deep graphs', () => {
  it('a chain of 20,000 ops backpropagates without overflowing the stack', () => {
    const x = leaf([1]);
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1.0001).add(0);
    expect(y.gradFn).not.toBeNull();
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(1.0001, 20000), 1);
  });

  it('a wide graph (sum of 5,000 terms of one leaf) accumulates every term', () => {
    const x = leaf([1]);
    let y = x.mul(0);
    for (let i = 0; i < 5000; i++) y = y.add(x);
    y.backward();
    expect(arr(x.grad)).toEqual([5000]);
  });
});
