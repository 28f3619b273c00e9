// Hand-computed op cases (values checked against PyTorch 1.13): kinks on each side, ties,
// broadcasting gradients, NaN propagation, numerical stability, matmul shapes, negative dims.

import { describe, expect, it } from 'vitest';
import { cat, matmul, stack, Tensor, tensor, where, ones } from '../../../core';

const arr = (t: Tensor | null): number[] => Array.from(t!.data);
const leaf = (data: number | number[] | number[][] | number[][][]) => tensor(data, { requiresGrad: true });

/** Gradient of sum(fn(x) ⊙ w) (w = ones unless given) with respect to a fresh leaf x. */
function gradOf(fn: (x: Tensor) => Tensor, data: number | number[] | number[][], w?: Tensor): { y: Tensor; g: number[] } {
  const x = leaf(data);
  const y = fn(x);
  y.backward(w ?? ones(y.shape as number[]));
  return { y, g: arr(x.grad) };
}

describe('kinks: a scalar on each side and at the kink', () => {
  it.each([
    [-1, 0, 0],
    [0, 0, 0], // NOTE: relu'(0) = 0
    [1, 1, 1],
  ])('relu at %d: value %d, grad %d', (x, v, g) => {
    const r = gradOf((t) => t.relu(), x);
    expect(r.y.item()).toBe(v);
    expect(r.g).toEqual([g]);
  });

  it.each([
    [-1, -0.2, 0.2],
    [0, 0, 0.2], // at 0 the gradient is the negative slope (PyTorch: x > 0 ? 1 : slope)
    [2, 2, 1],
  ])('leakyRelu(0.2) at %d: value %d, grad %d', (x, v, g) => {
    const r = gradOf((t) => t.leakyRelu(0.2), x);
    expect(r.y.item()).toBeCloseTo(v, 6);
    expect(r.g[0]).toBeCloseTo(g, 6);
  });

  it('leakyRelu defaults to slope 0.01', () => {
    expect(gradOf((t) => t.leakyRelu(), [-3]).g[0]).toBeCloseTo(0.01, 7);
  });

  it.each([
    [-3, 3, -1],
    [0, 0, 0], // abs'(0) = sign(0) = 0
    [2, 2, 1],
  ])('abs at %d: value %d, grad %d', (x, v, g) => {
    const r = gradOf((t) => t.abs(), x);
    expect(r.y.item()).toBe(v);
    expect(r.g).toEqual([g]);
  });

  it('clamp passes the gradient at the bounds (inclusive) and blocks it outside', () => {
    const r = gradOf((t) => t.clamp(-1, 1), [-2, -1, 0.5, 1, 1.5]);
    expect(arr(r.y)).toEqual([-1, -1, 0.5, 1, 1]);
    expect(r.g).toEqual([0, 1, 1, 1, 0]);
  });

  it('clamp with min > max gives max everywhere and no gradient, as PyTorch (fixed: it gave min below min)', () => {
    const r = gradOf((t) => t.clamp(1, 0), [-1, 0.5, 2, NaN]);
    expect(arr(r.y)).toEqual([0, 0, 0, NaN]);
    expect(r.g).toEqual([0, 0, 0, 0]);
  });

  it('clamp with only a max, or only a min', () => {
    expect(gradOf((t) => t.clamp(null, 0), [-1, 0, 1]).g).toEqual([1, 1, 0]);
    expect(gradOf((t) => t.clamp(0), [-1, 0, 1]).g).toEqual([0, 1, 1]);
  });
});

describe('domain edges match PyTorch (infinite gradients, not errors)', () => {
  it('sqrt, log and x^0.5 at 0; x^-1 at 0; x^0.5 of a negative', () => {
    expect(gradOf((t) => t.sqrt(), [0, 1]).g).toEqual([Infinity, 0.5]);
    expect(gradOf((t) => t.log(), [0, 1])).toMatchObject({ g: [Infinity, 1] });
    expect(arr(tensor([0]).log())).toEqual([-Infinity]);
    expect(gradOf((t) => t.pow(0.5), [0, -1]).g).toEqual([Infinity, NaN]);
    expect(gradOf((t) => t.pow(-1), [0, 2]).g).toEqual([-Infinity, -0.25]);
  });

  it('pow at 0: x^2, x^1, 0^x and x^b with b = 0', () => {
    expect(gradOf((t) => t.pow(2), [0, 2]).g).toEqual([0, 4]);
    expect(gradOf((t) => t.pow(1), [0, 2]).g).toEqual([1, 1]);
    expect(gradOf((t) => tensor([0, 0]).pow(t), [0, 2]).g).toEqual([0, 0]);
    const x = leaf([0, 2]);
    const b = leaf([0, 3]);
    x.pow(b).sum().backward();
    expect(arr(x.grad)).toEqual([0, 12]);
    expect(b.grad!.data[0]).toBe(0);
    expect(b.grad!.data[1]).toBeCloseTo(8 * Math.log(2), 5);
  });
});

describe('ties in max / min', () => {
  it('max along a dim sends the gradient to the first tied index', () => {
    const x = leaf([[1, 3, 3], [2, 2, 0]]);
    const y = x.max(1);
    expect(arr(y)).toEqual([3, 2]);
    expect(arr(x.argmax(1))).toEqual([1, 0]);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('min along dim 0 picks the first tied index too', () => {
    const x = leaf([[1, 3, 3], [2, 2, 0]]);
    x.min(0).sum().backward();
    expect(arr(x.grad)).toEqual([1, 0, 0, 0, 1, 1]);
  });

  it('a full max / min splits the gradient evenly between ties', () => {
    expect(gradOf((t) => t.max(), [1, 3, 3]).g).toEqual([0, 0.5, 0.5]);
    expect(gradOf((t) => t.min(), [[1, 3], [3, 1]]).g).toEqual([0.5, 0, 0, 0.5]);
    expect(gradOf((t) => t.max(), [[2, 2], [2, 2]], tensor(8)).g).toEqual([2, 2, 2, 2]);
  });

  it('argmax / argmin of the flattened tensor return the first tie', () => {
    expect(tensor([[1, 5], [5, 0]]).argmax().item()).toBe(1);
    expect(tensor([[0, 5], [5, 0]]).argmin().item()).toBe(0);
  });
});

describe('broadcast gradients', () => {
  it('[2,3] + [3]: the row vector receives the column sums', () => {
    const a = leaf([[1, 2, 3], [4, 5, 6]]);
    const b = leaf([10, 20, 30]);
    const y = a.add(b);
    expect(arr(y)).toEqual([11, 22, 33, 14, 25, 36]);
    y.backward(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(arr(a.grad)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(arr(b.grad)).toEqual([5, 7, 9]);
    expect(b.grad!.shape).toEqual([3]);
  });

  it('[4,1] * [1,5]: each side gets the other summed over the broadcast dim', () => {
    const a = leaf([[1], [2], [3], [4]]);
    const b = leaf([[1, 2, 3, 4, 5]]);
    const y = a.mul(b);
    expect(y.shape).toEqual([4, 5]);
    y.sum().backward();
    expect(arr(a.grad)).toEqual([15, 15, 15, 15]);
    expect(a.grad!.shape).toEqual([4, 1]);
    expect(arr(b.grad)).toEqual([10, 10, 10, 10, 10]);
    expect(b.grad!.shape).toEqual([1, 5]);
  });

  it('a 0-d tensor broadcast against [2,2] gets the total', () => {
    const s = leaf(3);
    const x = leaf([[1, 2], [3, 4]]);
    x.sub(s).sum().backward();
    expect(arr(s.grad)).toEqual([-4]);
    expect(s.grad!.shape).toEqual([]);
  });

  it('div broadcasts both gradients: d(a/b)/db = -a/b²', () => {
    const a = leaf([[2, 4], [6, 8]]);
    const b = leaf([2]);
    a.div(b).sum().backward();
    expect(arr(a.grad)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(arr(b.grad)).toEqual([-(2 + 4 + 6 + 8) / 4]);
  });
});

describe('gradients reach only the inputs that were used', () => {
  it('an unused input gets no gradient (grad stays null)', () => {
    const x = leaf([1, 2]);
    const unused = leaf([3, 4]);
    x.mul(2).sum().backward();
    expect(arr(x.grad)).toEqual([2, 2]);
    expect(unused.grad).toBeNull();
  });

  it('a constant operand gets no gradient', () => {
    const x = leaf([1, 2]);
    const k = tensor([3, 4]);
    x.mul(k).sum().backward();
    expect(k.grad).toBeNull();
    expect(arr(x.grad)).toEqual([3, 4]);
  });

  it('where sends no gradient to the condition and splits it between the branches', () => {
    const cond = tensor([1, 0, 1]);
    const a = leaf([1, 2, 3]);
    const b = leaf([10, 20, 30]);
    const y = where(cond, a, b);
    expect(arr(y)).toEqual([1, 20, 3]);
    y.backward(tensor([1, 2, 3]));
    expect(arr(a.grad)).toEqual([1, 0, 3]);
    expect(arr(b.grad)).toEqual([0, 2, 0]);
    expect(cond.grad).toBeNull();
  });

  it('where broadcasts a [3] branch under a [2,1] condition', () => {
    const a = leaf([[1, 2, 3], [4, 5, 6]]);
    const b = leaf([7, 8, 9]);
    const y = where(tensor([[0], [1]]), a, b);
    expect(arr(y)).toEqual([7, 8, 9, 4, 5, 6]);
    y.sum().backward();
    expect(arr(a.grad)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(arr(b.grad)).toEqual([1, 1, 1]);
  });
});

describe('NaN propagation', () => {
  it('relu(NaN) is NaN and passes the gradient, as PyTorch (its mask is output <= 0)', () => {
    const r = gradOf((t) => t.relu(), [NaN, -1, 2]);
    expect(arr(r.y)).toEqual([NaN, 0, 2]);
    expect(r.g).toEqual([1, 0, 1]);
  });

  it('max returns NaN if any element is NaN, and the gradient goes to the NaN', () => {
    const full = gradOf((t) => t.max(), [1, NaN, 2]);
    expect(full.y.item()).toBeNaN();
    expect(full.g).toEqual([0, 1, 0]);
    const x = leaf([[1, NaN, 2], [0, 1, 2]]);
    const y = x.max(1);
    expect(arr(y)).toEqual([NaN, 2]);
    expect(arr(x.argmax(1))).toEqual([1, 2]);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([0, 1, 0, 0, 0, 1]);
  });

  it('min propagates NaN too', () => {
    expect(tensor([3, NaN, -2]).min().item()).toBeNaN();
  });

  it('softmax turns a row with a NaN into NaNs and leaves other rows alone', () => {
    const y = tensor([[1, NaN, 2], [0, 1, 2]]).softmax(1);
    expect(arr(y.select(0, 0)).every(Number.isNaN)).toBe(true);
    const row = arr(y.select(0, 1));
    [0.0900306, 0.2447285, 0.6652410].forEach((v, i) => expect(row[i]).toBeCloseTo(v, 6));
  });

  it('sum, mul and exp carry NaN', () => {
    expect(tensor([1, NaN]).sum().item()).toBeNaN();
    expect(arr(tensor([NaN]).mul(0))).toEqual([NaN]);
    expect(arr(tensor([NaN]).exp())).toEqual([NaN]);
  });
});

describe('numerical stability', () => {
  it('softmax of logits near 1000 stays finite', () => {
    const r = gradOf((t) => t.softmax(0), [1000, 1000, 0], tensor([1, 2, 3]));
    expect(arr(r.y)).toEqual([0.5, 0.5, 0]);
    expect(r.g).toEqual([-0.25, 0.25, 0]);
  });

  it('logSoftmax of logits 1000 and 0 is [0, -1000] with a finite gradient', () => {
    const r = gradOf((t) => t.logSoftmax(0), [1000, 0], tensor([1, 2]));
    expect(arr(r.y)).toEqual([0, -1000]);
    expect(r.g).toEqual([-2, 2]);
  });

  it('logSoftmax of very negative logits does not produce -Infinity', () => {
    const y = tensor([-1000, 0]).logSoftmax(-1);
    expect(arr(y)).toEqual([-1000, 0]);
  });

  it('sigmoid of ±100 saturates to 1 and 0 with finite (near-zero) gradients', () => {
    const r = gradOf((t) => t.sigmoid(), [100, -100]);
    const y = arr(r.y);
    expect(y[0]).toBe(1);
    expect(y[1]).toBeGreaterThanOrEqual(0);
    expect(y[1]).toBeLessThan(1e-40);
    expect(r.g.every((g) => Number.isFinite(g) && g >= 0 && g < 1e-40)).toBe(true);
  });

  it('tanh of ±50 saturates without NaN', () => {
    const r = gradOf((t) => t.tanh(), [50, -50]);
    expect(arr(r.y)).toEqual([1, -1]);
    expect(r.g).toEqual([0, 0]);
  });
});

describe('matmul shapes and gradients', () => {
  const a23 = () => leaf([[1, 2, 3], [4, 5, 6]]);
  it('2-D @ 2-D', () => {
    const a = a23();
    const b = leaf([[1, 0], [0, 1], [1, 1]]);
    const y = a.matmul(b);
    expect(y.shape).toEqual([2, 2]);
    expect(arr(y)).toEqual([4, 5, 10, 11]);
    y.sum().backward();
    expect(arr(a.grad)).toEqual([1, 1, 2, 1, 1, 2]); // row sums of b
    expect(arr(b.grad)).toEqual([5, 5, 7, 7, 9, 9]); // column sums of a
  });

  it('1-D @ 1-D is a 0-d dot product', () => {
    const a = leaf([1, 2, 3]);
    const b = leaf([4, 5, 6]);
    const y = matmul(a, b);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(32);
    y.backward();
    expect(arr(a.grad)).toEqual([4, 5, 6]);
    expect(arr(b.grad)).toEqual([1, 2, 3]);
  });

  it('1-D @ 2-D and 2-D @ 1-D drop the promoted dim', () => {
    const v = leaf([1, 1]);
    const a = a23();
    const y = v.matmul(a);
    expect(y.shape).toEqual([3]);
    expect(arr(y)).toEqual([5, 7, 9]);
    y.sum().backward();
    expect(arr(v.grad)).toEqual([6, 15]);
    const w = tensor([1, 0, -1]);
    const z = tensor([[1, 2, 3], [4, 5, 6]]).matmul(w);
    expect(z.shape).toEqual([2]);
    expect(arr(z)).toEqual([-2, -2]);
  });

  it('batched and broadcast batch dims', () => {
    expect(matmul(ones([2, 3, 4]), ones([2, 4, 5])).shape).toEqual([2, 3, 5]);
    expect(matmul(ones([2, 1, 3, 4]), ones([5, 4, 2])).shape).toEqual([2, 5, 3, 2]);
    expect(matmul(ones([2, 3, 4]), ones([4])).shape).toEqual([2, 3]);
    expect(matmul(ones([4]), ones([2, 4, 3])).shape).toEqual([2, 3]);
    const a = leaf([[[1, 2]], [[3, 4]]]); // [2,1,2]
    const b = leaf([[1], [1]]); // [2,1], shared across the batch
    const y = a.matmul(b);
    expect(y.shape).toEqual([2, 1, 1]);
    expect(arr(y)).toEqual([3, 7]);
    y.sum().backward();
    expect(arr(b.grad)).toEqual([4, 6]); // summed over the broadcast batch
    expect(arr(a.grad)).toEqual([1, 1, 1, 1]);
  });
});

describe('negative dims and keepdim', () => {
  const x = () => tensor([[1, 2, 3], [4, 5, 6]]);
  it('reductions', () => {
    expect(arr(x().sum(-1))).toEqual([6, 15]);
    expect(x().sum(-1, true).shape).toEqual([2, 1]);
    expect(x().sum([-1, -2]).shape).toEqual([]);
    expect(arr(x().mean(-2))).toEqual([2.5, 3.5, 4.5]);
    expect(x().mean(-2, true).shape).toEqual([1, 3]);
    expect(arr(x().max(-1))).toEqual([3, 6]);
    expect(x().max(-1, true).shape).toEqual([2, 1]);
    expect(x().max(null, true).shape).toEqual([1, 1]);
    expect(arr(x().min(-2, true))).toEqual([1, 2, 3]);
    expect(arr(x().argmax(-1))).toEqual([2, 2]);
    expect(x().argmin(-2, true).shape).toEqual([1, 3]);
  });

  it('keepdim gradients broadcast back', () => {
    const a = leaf([[1, 2], [3, 4]]);
    const s = a.sum(-1, true); // [2,1]
    s.mul(tensor([[1], [10]])).sum().backward();
    expect(arr(a.grad)).toEqual([1, 1, 10, 10]);
  });

  it('shape ops', () => {
    expect(arr(x().select(-1, -1))).toEqual([3, 6]);
    expect(arr(x().narrow(-1, 1, 2))).toEqual([2, 3, 5, 6]);
    expect(x().transpose(-2, -1).shape).toEqual([3, 2]);
    expect(x().unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x().unsqueeze(-1).squeeze(-1).shape).toEqual([2, 3]);
    expect(tensor([[[1]], [[2]]]).flatten(-2).shape).toEqual([2, 1]);
    expect(arr(x().permute([-1, 0]))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(cat([x(), x()], -1).shape).toEqual([2, 6]);
    expect(stack([x(), x()], -1).shape).toEqual([2, 3, 2]);
    expect(arr(x().softmax(-1).sum(-1)).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 1]);
  });
});

describe('var / std: unbiased (default) vs biased', () => {
  it('of [1,2,3,4]', () => {
    const x = tensor([1, 2, 3, 4]);
    expect(x.var().item()).toBeCloseTo(5 / 3, 6);
    expect(x.var(null, { unbiased: false }).item()).toBeCloseTo(1.25, 6);
    expect(x.std().item()).toBeCloseTo(1.2909944, 6);
    expect(x.std(null, { unbiased: false }).item()).toBeCloseTo(1.1180340, 6);
  });

  it('along a dim, with keepdim, and its gradient 2(x − mean)/(N − 1)', () => {
    const x = leaf([[1, 3], [2, 6]]);
    const v = x.var(1, { keepdim: true });
    expect(v.shape).toEqual([2, 1]);
    expect(arr(v)).toEqual([2, 8]);
    v.sum().backward();
    expect(arr(x.grad)).toEqual([-2, 2, -4, 4]);
  });
});

describe('shape op values and gradients', () => {
  it('cat along dim 1 routes each slice of the gradient back', () => {
    const a = leaf([[1], [2]]);
    const b = leaf([[3, 4], [5, 6]]);
    const y = cat([a, b], 1);
    expect(arr(y)).toEqual([1, 3, 4, 2, 5, 6]);
    y.backward(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(arr(a.grad)).toEqual([1, 4]);
    expect(arr(b.grad)).toEqual([2, 3, 5, 6]);
  });

  it('stack along dim 1 interleaves, and the gradient un-interleaves', () => {
    const a = leaf([1, 2]);
    const b = leaf([3, 4]);
    const y = stack([a, b], 1);
    expect(y.shape).toEqual([2, 2]);
    expect(arr(y)).toEqual([1, 3, 2, 4]);
    y.backward(tensor([[10, 20], [30, 40]]));
    expect(arr(a.grad)).toEqual([10, 30]);
    expect(arr(b.grad)).toEqual([20, 40]);
  });

  it('select puts the gradient in the selected slice only', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    const y = x.select(1, 1);
    expect(arr(y)).toEqual([2, 5]);
    y.backward(tensor([7, 8]));
    expect(arr(x.grad)).toEqual([0, 7, 0, 0, 8, 0]);
  });

  it('narrow', () => {
    const x = leaf([1, 2, 3, 4, 5]);
    const y = x.narrow(0, 1, 3);
    expect(arr(y)).toEqual([2, 3, 4]);
    y.backward(tensor([1, 2, 3]));
    expect(arr(x.grad)).toEqual([0, 1, 2, 3, 0]);
  });

  it('permute moves values and inverts for the gradient', () => {
    const x = leaf([[[1, 2], [3, 4], [5, 6]]]); // [1,3,2]
    const y = x.permute([2, 0, 1]); // [2,1,3]
    expect(y.shape).toEqual([2, 1, 3]);
    expect(arr(y)).toEqual([1, 3, 5, 2, 4, 6]);
    y.backward(tensor([[[10, 30, 50]], [[20, 40, 60]]]));
    expect(arr(x.grad)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('expand sums the gradient over the expanded dims', () => {
    const x = leaf([[1], [2]]);
    const y = x.expand([3, 2, 2]);
    expect(arr(y)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([6, 6]);
  });

  it('gather accumulates the gradient of repeated indices', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    const y = x.gather(1, tensor([[2, 2], [0, 1]]));
    expect(arr(y)).toEqual([3, 3, 4, 5]);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([0, 0, 2, 1, 1, 0]);
  });

  it('reshape and view share the gradient layout', () => {
    const x = leaf([1, 2, 3, 4, 5, 6]);
    x.reshape([2, -1]).mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    expect(arr(x.grad)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
