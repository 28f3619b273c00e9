// Creating tensors: from data, fills, ranges, and seeded random draws.

import { describe, expect, it } from 'vitest';
import {
  arange, full, Generator, manualSeed, ones, onesLike, rand, randint, randn, Tensor, tensor, zeros, zerosLike,
} from '../../../core';

const arr = (t: Tensor): number[] => Array.from(t.data);

describe('tensor()', () => {
  it('from a number: a 0-d tensor', () => {
    const t = tensor(3.5);
    expect(t.shape).toEqual([]);
    expect(t.ndim).toBe(0);
    expect(t.item()).toBe(3.5);
    expect(t.toArray()).toBe(3.5);
  });

  it('from nested arrays: the shape is inferred, data row-major', () => {
    const t = tensor([[[1, 2]], [[3, 4]], [[5, 6]]]);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(arr(t)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toArray()).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
  });

  it('an empty array has shape [0]', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('from a Float32Array with a shape: the data is copied', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, { shape: [2, 3] });
    expect(t.shape).toEqual([2, 3]);
    src[0] = 100;
    expect(t.data[0]).toBe(1);
    expect(tensor(new Float32Array([1, 2])).shape).toEqual([2]);
  });

  it('flat number[] with a shape', () => {
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([7], { shape: [] }).shape).toEqual([]);
  });

  it('values are stored as float32', () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(tensor([1e40]).data[0]).toBe(Infinity);
  });

  it('requiresGrad makes a leaf that needs a gradient', () => {
    const t = tensor([1, 2], { requiresGrad: true });
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(tensor([1]).requiresGrad).toBe(false);
  });

  it('ragged nested arrays throw, naming the offending element', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: element [1] has shape [1], but element [0] has [2]');
    expect(() => tensor([[[1], [2]], [[3], [4, 5]]])).toThrow('tensor: ragged nested array: element [1][1] has shape [2], but element [1][0] has [1]');
    expect(() => tensor([1, [2]] as never)).toThrow(/ragged nested array/);
  });

  it('non-numbers throw, naming where', () => {
    expect(() => tensor([[1, 'a']] as never)).toThrow('tensor: expected a number or an array at [0][1], got string');
    expect(() => tensor(null as never)).toThrow('tensor: expected a number or an array, got null');
  });

  it('a shape that does not match the data throws', () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: data has 3 elements but shape [2,2] needs 4');
    expect(() => tensor([1, 2], { shape: [-2] })).toThrow('tensor: shape must be an array of non-negative integers, got [-2]');
  });

  it('the Tensor constructor checks the size too', () => {
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow('Tensor: data has 3 elements but shape [2,2] needs 4');
  });
});

describe('fills', () => {
  it('zeros, ones, full and the *Like variants', () => {
    expect(arr(zeros([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(ones([3]).shape).toEqual([3]);
    expect(arr(ones([2]))).toEqual([1, 1]);
    expect(arr(full([2, 1], -1.5))).toEqual([-1.5, -1.5]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([0, 3]).numel()).toBe(0);
    const t = tensor([[1, 2, 3]]);
    expect(zerosLike(t).shape).toEqual([1, 3]);
    expect(arr(onesLike(t))).toEqual([1, 1, 1]);
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('bad shapes and values throw, naming the function', () => {
    expect(() => zeros([2, -1])).toThrow('zeros: shape must be an array of non-negative integers, got [2, -1]');
    expect(() => ones([1.5])).toThrow(/^ones: shape must be/);
    expect(() => zeros(3 as never)).toThrow('zeros: shape must be an array of non-negative integers, got 3');
    expect(() => full([2], 'x' as never)).toThrow('full: value must be a number, got string');
  });
});

describe('arange', () => {
  it('arange(n), (start, end), (start, end, step), negative steps, fractional steps', () => {
    expect(arr(arange(5))).toEqual([0, 1, 2, 3, 4]);
    expect(arr(arange(2, 5))).toEqual([2, 3, 4]);
    expect(arr(arange(1, 2, 0.25))).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arr(arange(5, 0, -2))).toEqual([5, 3, 1]);
    expect(arange(0, 1, 0.1).numel()).toBe(10); // PyTorch: ceil((end - start) / step)
    expect(arange(3, 3).shape).toEqual([0]);
  });

  it('bad ranges throw', () => {
    expect(() => arange(0, 5, 0)).toThrow('arange: step must be a nonzero finite number, got 0');
    expect(() => arange(0, 5, -1)).toThrow('arange: the range from 0 to 5 never ends with step -1');
    expect(() => arange(Infinity)).toThrow(/arange: start and end must be finite/);
  });
});

describe('random draws', () => {
  it('the same seed gives the same numbers; a different seed different ones', () => {
    manualSeed(42);
    const a = [arr(rand([5])), arr(randn([5])), arr(randint(0, 100, [5]))];
    manualSeed(42);
    const b = [arr(rand([5])), arr(randn([5])), arr(randint(0, 100, [5]))];
    expect(b).toEqual(a);
    manualSeed(43);
    expect(arr(rand([5]))).not.toEqual(a[0]);
    manualSeed(2 ** 40 + 42); // seeds beyond 32 bits are not truncated
    expect(arr(rand([5]))).not.toEqual(a[0]);
  });

  it('a Generator has its own stream', () => {
    const g1 = new Generator(7);
    const g2 = new Generator(7);
    const xs = Array.from({ length: 4 }, () => g1.uniform());
    expect(Array.from({ length: 4 }, () => g2.uniform())).toEqual(xs);
    manualSeed(0);
    rand([10]); // the default generator does not disturb g1
    expect(new Generator(7).uniform()).toBe(xs[0]);
  });

  it('rand is uniform in [0, 1)', () => {
    manualSeed(1);
    const x = rand([100000]);
    let s = 0;
    let min = 1;
    let max = 0;
    for (const v of x.data) {
      s += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(s / x.numel()).toBeCloseTo(0.5, 2);
    expect(rand([2, 3]).shape).toEqual([2, 3]);
  });

  it('randn has mean ≈ 0 and std ≈ 1 over 100k samples', () => {
    manualSeed(3);
    const x = randn([100000]);
    let s = 0;
    let s2 = 0;
    for (const v of x.data) {
      s += v;
      s2 += v * v;
    }
    const mean = s / x.numel();
    const std = Math.sqrt(s2 / x.numel() - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
    expect(x.data.every(Number.isFinite)).toBe(true);
  });

  it('randint draws integers in [low, high), each value reached', () => {
    manualSeed(4);
    const x = randint(-2, 3, [2000]);
    const seen = new Set(x.data);
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    const y = randint(4, [3, 3]); // randint(high, shape)
    expect(y.shape).toEqual([3, 3]);
    expect(y.data.every((v) => Number.isInteger(v) && v >= 0 && v < 4)).toBe(true);
    expect(y.requiresGrad).toBe(false);
  });

  it('randint rejects bad bounds and a missing shape', () => {
    expect(() => randint(3, 3, [2])).toThrow('randint: need integers low < high, got low 3 and high 3');
    expect(() => randint(0, 2.5, [2])).toThrow(/need integers low < high/);
    expect(() => randint(0, 5)).toThrow('randint: shape is required, e.g. randint(0, 10, [64])');
  });

  it('requiresGrad option on rand / randn', () => {
    expect(randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(rand([2]).requiresGrad).toBe(false);
  });
});
