// maxPool2d / avgPool2d (the MaxPool2d and AvgPool2d primitives) and their layers: hand-checked
// values, PyTorch 1.13 values for ceil mode, dilation, count_include_pad and divisor_override,
// PyTorch's tie / NaN rules, finite-difference gradients, and errors.

import { describe, expect, it } from 'vitest';
import { avgPool2d, gradcheck, maxPool2d, nn, OpError, Tensor, tensor } from '../../../core';
import { Generator } from '../../../core/random';
import { distinct as distinctTensor, expectAllClose, pat } from './samples';

const gen = new Generator(7);

const distinct = (shape: number[]): Tensor => distinctTensor(gen, shape);

const rnd = (shape: number[]): Tensor => pat(shape, () => gen.uniform() * 2 - 1, true);

/** Runs f on x = pat(shape, 2·sin(0.7 i)) and backward with gradOutput[i] = 1 + 0.1 i (the PyTorch snippet's inputs). */
function withTorchInputs(shape: number[], f: (x: Tensor) => Tensor): { y: Tensor; gx: Float32Array } {
  const x = pat(shape, (i) => Math.sin(i * 0.7) * 2, true);
  const y = f(x);
  y.backward(pat([...y.shape], (i) => 1 + 0.1 * i));
  return { y, gx: x.grad!.data };
}

describe('maxPool2d', () => {
  it('2×2 windows of a 4×4 ramp pick each bottom-right corner (hand-checked); gradient goes there', () => {
    const x = pat([1, 1, 4, 4], (i) => i, true);
    const y = maxPool2d(x, 2);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([5, 7, 13, 15]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
  });

  // PyTorch 1.13: x = pat(shape, lambda i: 2 sin(0.7 i)); y = F.max_pool2d(x, ...); y.backward(pat(y.shape, lambda i: 1 + 0.1 i))
  it('kernel 3, stride 2, padding 1, ceil mode on 5×6 (PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 1, 5, 6], (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }));
    expect(y.shape).toEqual([1, 1, 3, 4]);
    expectAllClose(y.data, [1.28844, 1.9709, 1.97634, 1.97634, 1.7092, 1.98121, 1.97634, 1.97634, 1.33914, 1.98121, 1.98553, 1.98553]);
    expectAllClose(gx, [0, 1, 1.1, 0, 0, 0, 0, 0, 0, 0, 0, 5.8, 1.4, 0, 0, 0, 0, 0, 0, 1.8, 3.4, 0, 0, 0, 0, 0, 0, 0, 0, 4.1]);
  });

  it('kernel 2, stride 1, dilation 2 (PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 1, 4, 5], (x) => maxPool2d(x, 2, { stride: 1, dilation: 2 }));
    expect(y.shape).toEqual([1, 1, 2, 3]);
    expectAllClose(y.data, [1.9709, 1.97634, 1.9709, -0.701566, 0.0672461, 1.33914]);
    expectAllClose(gx, [0, 0, 2.2, 0, 0, 1.3, 0, 0, 0, 0, 0, 1.1, 0, 0, 0, 0, 0, 0, 1.4, 1.5]);
  });

  it('ceil mode keeps a partial last window (kernel 3, stride 2 on 4×4 gives 2×2; PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 2, 4, 4], (x) => maxPool2d(x, 3, { stride: 2, ceilMode: true }));
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expectAllClose(y.data, [1.9709, 1.97634, 1.7092, 1.97634, 1.98121, 1.33914, 1.98553, 1.67331]);
    expectAllClose(gx, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2.4, 1.2, 0, 0, 0, 0, 0, 0, 1.5, 1.4, 0, 0, 0, 0, 0, 0, 0, 0, 1.6, 1.7, 0]);
    // Without ceil mode the same call keeps only the full window.
    expect(maxPool2d(pat([1, 2, 4, 4], (i) => i), 3, { stride: 2 }).shape).toEqual([1, 2, 1, 1]);
  });

  it('ceil mode even runs a kernel larger than the input, as PyTorch (kernel 3, stride 2 on 2×2 → 1×1)', () => {
    expect(Array.from(maxPool2d(pat([1, 1, 2, 2], (i) => i), 3, { stride: 2, ceilMode: true }).data)).toEqual([3]);
  });

  it('ceil mode drops a last window that would start in the right padding', () => {
    // H=5, k=2, s=2, p=1: floor gives 3, ceil 4, but window 3 would start at 3·2 = 6 ≥ H + p = 6 (in the right padding): 3.
    expect(maxPool2d(pat([1, 1, 5, 5], (i) => i), 2, { stride: 2, padding: 1, ceilMode: true }).shape).toEqual([1, 1, 3, 3]);
    // H=4, k=3, s=2, p=1: floor gives 2, ceil 3, and window 2 starts at 2·2 = 4 < H + p = 5: kept.
    expect(maxPool2d(pat([1, 1, 4, 4], (i) => i), 3, { stride: 2, padding: 1, ceilMode: true }).shape).toEqual([1, 1, 3, 3]);
    expect(maxPool2d(pat([1, 1, 4, 4], (i) => i), 3, { stride: 2, padding: 1 }).shape).toEqual([1, 1, 2, 2]);
  });

  it('NOTE ties: the first maximum in row-major order gets the gradient (PyTorch CPU)', () => {
    const x = tensor([[[[1, 3, 3], [2, 3, 0], [3, 1, 3]]]], { requiresGrad: true });
    const y = maxPool2d(x, 2, { stride: 1 });
    expect(Array.from(y.data)).toEqual([3, 3, 3, 3]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 2, 0, 0, 2, 0, 0, 0, 0]);
  });

  it('NaN propagates and takes the gradient (the last NaN of a window, as PyTorch CPU)', () => {
    const x = tensor([[[[1, NaN, 3, NaN], [2, 5, 0, 1]]]], { requiresGrad: true });
    const y = maxPool2d(x, 2);
    expect(Array.from(y.data)).toEqual([NaN, NaN]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 1, 0, 0, 0, 0]);
    const x2 = tensor([[[[1, NaN, NaN, 2]]]], { requiresGrad: true });
    maxPool2d(x2, [1, 4]).sum().backward();
    expect(Array.from(x2.grad!.data)).toEqual([0, 0, 1, 0]);
  });

  it('padding counts as -inf: an all -inf input gives -inf, with the gradient on the first real element', () => {
    const x = pat([1, 1, 2, 2], () => -Infinity, true);
    const y = maxPool2d(x, 3, { stride: 2, padding: 1 });
    expect(Array.from(y.data)).toEqual([-Infinity]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 0, 0, 0]);
    // Negative values beat the padding.
    expect(Array.from(maxPool2d(pat([1, 1, 2, 2], (i) => -1 - i), 2, { stride: 1, padding: 1 }).data)).toEqual([-1, -1, -2, -1, -1, -2, -3, -3, -4]);
  });

  it('accepts an unbatched [C,H,W] input', () => {
    const x = pat([2, 4, 4], (i) => Math.sin(i));
    const y = maxPool2d(x, 2);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.data)).toEqual(Array.from(maxPool2d(x.reshape([1, 2, 4, 4]), 2).data));
  });
});

describe('avgPool2d', () => {
  it('2×2 means of a 4×4 ramp (hand-checked), the gradient spread as 1/4', () => {
    const x = pat([1, 1, 4, 4], (i) => i, true);
    const y = avgPool2d(x, 2);
    expect(Array.from(y.data)).toEqual([2.5, 4.5, 10.5, 12.5]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual(new Array(16).fill(0.25));
  });

  it('padding counts in the divisor by default (countIncludePad), not with countIncludePad false (hand-checked)', () => {
    const x = pat([1, 1, 2, 2], () => 1);
    expect(Array.from(avgPool2d(x, 3, { stride: 1, padding: 1 }).data)).toEqual([4 / 9, 4 / 9, 4 / 9, 4 / 9].map(Math.fround));
    expect(Array.from(avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }).data)).toEqual([1, 1, 1, 1]);
  });

  // PyTorch 1.13: x = pat(shape, lambda i: 2 sin(0.7 i)); y = F.avg_pool2d(x, ...); y.backward(pat(y.shape, lambda i: 1 + 0.1 i))
  it('kernel 3, stride 2, padding 1, ceil mode, countIncludePad (PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 1, 5, 6], (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }));
    expect(y.shape).toEqual([1, 1, 3, 4]);
    expectAllClose(y.data, [-0.268847, 0.199105, 0.557641, 0.212462, 0.00508036, -0.00401292, -0.0107218, -0.00401343, -0.257778, 0.216864, 0.553766, 0.203565]);
    expectAllClose(gx, [0.111111, 0.233333, 0.122222, 0.255556, 0.133333, 0.35, 0.266667, 0.555556, 0.288889, 0.6, 0.311111, 0.811111, 0.155556, 0.322222, 0.166667, 0.344444, 0.177778, 0.461111, 0.355556, 0.733333, 0.377778, 0.777778, 0.4, 1.03333, 0.2, 0.411111, 0.211111, 0.433333, 0.222222, 0.572222]);
  });

  it('the same with countIncludePad false (PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 1, 5, 6], (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }));
    expectAllClose(y.data, [-0.604905, 0.298657, 0.836461, 0.637385, 0.00762053, -0.00401292, -0.0107218, -0.00802686, -0.58, 0.325296, 0.830649, 0.610695]);
    expectAllClose(gx, [0.25, 0.433333, 0.183333, 0.383333, 0.2, 0.85, 0.483333, 0.833333, 0.35, 0.727778, 0.377778, 1.59444, 0.233333, 0.4, 0.166667, 0.344444, 0.177778, 0.744444, 0.683333, 1.16667, 0.483333, 0.994444, 0.511111, 2.12778, 0.45, 0.766667, 0.316667, 0.65, 0.333333, 1.38333]);
  });

  it('a ceil-mode window past the input is divided by its clipped size even with countIncludePad (PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 1, 3, 3], (x) => avgPool2d(x, 2, { ceilMode: true }));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectAllClose(y.data, [0.921208, 0.634667, -1.85403, -1.26253]);
    expectAllClose(gx, [0.25, 0.25, 0.55, 0.25, 0.25, 0.55, 0.6, 0.6, 1.3]);
  });

  it('divisorOverride with a non-square kernel, stride and padding (PyTorch values)', () => {
    const { y, gx } = withTorchInputs([1, 1, 3, 4], (x) => avgPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 1], divisorOverride: 5 }));
    expect(y.shape).toEqual([1, 1, 4, 2]);
    expectAllClose(y.data, [0.257687, 0.997151, 0.251369, 0.115226, -0.252099, -0.217137, -0.245781, 0.664787]);
    expectAllClose(gx, [0.44, 0.92, 0.48, 0.48, 0.52, 1.08, 0.56, 0.56, 0.6, 1.24, 0.64, 0.64]);
  });

  it('accepts an unbatched [C,H,W] input', () => {
    expect(avgPool2d(pat([3, 5, 4], (i) => i), [2, 1]).shape).toEqual([3, 2, 4]);
  });
});

describe('pooling gradients (central differences)', () => {
  const maxCases: [string, number[], Parameters<typeof maxPool2d>[1], Parameters<typeof maxPool2d>[2]][] = [
    ['max 2×2', [2, 2, 4, 4], 2, {}],
    ['max kernel 3, stride 2, padding 1', [1, 2, 5, 5], 3, { stride: 2, padding: 1 }],
    ['max overlapping, stride 1', [1, 1, 4, 5], 2, { stride: 1 }],
    ['max dilation 2', [1, 2, 6, 5], 2, { stride: 1, dilation: 2 }],
    ['max non-square kernel [2,3], stride [2,1]', [2, 1, 4, 5], [2, 3], { stride: [2, 1] }],
    ['max ceil mode with padding', [1, 2, 5, 6], 3, { stride: 2, padding: 1, ceilMode: true }],
    ['max unbatched', [3, 4, 4], 2, {}],
  ];
  for (const [label, shape, k, opts] of maxCases) {
    it(label, () => {
      expect(gradcheck((x) => maxPool2d(x!, k, opts), [distinct(shape)])).toEqual({ ok: true });
    });
  }

  const avgCases: [string, number[], Parameters<typeof avgPool2d>[1], Parameters<typeof avgPool2d>[2]][] = [
    ['avg 2×2', [2, 2, 4, 4], 2, {}],
    ['avg kernel 3, stride 2, padding 1', [1, 2, 5, 5], 3, { stride: 2, padding: 1 }],
    ['avg padding, countIncludePad false', [1, 1, 4, 5], 3, { stride: 1, padding: 1, countIncludePad: false }],
    ['avg non-square kernel [2,3], stride 1', [1, 2, 4, 5], [2, 3], { stride: 1 }],
    ['avg ceil mode with padding', [1, 2, 5, 6], 3, { stride: 2, padding: 1, ceilMode: true }],
    ['avg ceil mode, countIncludePad false', [2, 1, 5, 6], 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
    ['avg divisorOverride', [1, 1, 3, 4], [2, 3], { stride: [1, 2], padding: 1, divisorOverride: 5 }],
  ];
  for (const [label, shape, k, opts] of avgCases) {
    it(label, () => {
      expect(gradcheck((x) => avgPool2d(x!, k, opts), [rnd(shape)])).toEqual({ ok: true });
    });
  }
});

describe('pooling errors name the op, the argument and the shapes', () => {
  const x = rnd([1, 1, 4, 4]);
  const cases: [string, () => unknown, RegExp][] = [
    ['padding over half the kernel', () => maxPool2d(x, 3, { padding: 2 }), /^maxPool2d: padding \[2, 2\] must be at most half of kernelSize \[3, 3\]/],
    ['avg padding over half a non-square kernel', () => avgPool2d(x, [2, 4], { padding: [1, 3] }), /^avgPool2d: padding \[1, 3\] must be at most half of kernelSize \[2, 4\]/],
    ['zero stride', () => maxPool2d(x, 2, { stride: 0 }), /^maxPool2d: stride must be a positive integer or a pair of them, got 0/],
    ['non-positive kernel', () => avgPool2d(x, [2, 0]), /^avgPool2d: kernelSize must be a positive integer or a pair of them, got \[2, 0\]/],
    ['wrong rank', () => maxPool2d(rnd([4, 4]), 2), /^maxPool2d: expected a 3-D \[C,H,W\] or 4-D \[N,C,H,W\] input, got shape \[4,4\]/],
    ['not a tensor', () => avgPool2d([[1, 2], [3, 4]] as unknown as Tensor, 2), /^avgPool2d: input must be a Tensor, got object/],
    ['kernel larger than the input', () => maxPool2d(rnd([1, 1, 2, 2]), 3, { stride: 2 }), /^maxPool2d: input of shape \[1,1,2,2\] is too small for kernelSize \[3, 3\] .*the output would be \[0,0\]/],
    ['divisorOverride 0', () => avgPool2d(x, 2, { divisorOverride: 0 }), /^avgPool2d: divisorOverride must be a non-zero integer, got 0/],
  ];
  for (const [label, f, re] of cases) {
    it(label, () => {
      expect(f).toThrow(OpError);
      expect(f).toThrow(re);
    });
  }
});

describe('nn.MaxPool2d / nn.AvgPool2d', () => {
  it('stride defaults to the kernel size, forward equals the functional form', () => {
    const x = distinct([2, 3, 6, 6]);
    const m = new nn.MaxPool2d(3, { padding: 1, ceilMode: true });
    expect(Array.from(m.forward(x).data)).toEqual(Array.from(maxPool2d(x, 3, { stride: 3, padding: 1, ceilMode: true }).data));
    const a = new nn.AvgPool2d([2, 3], { countIncludePad: false });
    expect(Array.from(a.forward(x).data)).toEqual(Array.from(avgPool2d(x, [2, 3], { stride: [2, 3], countIncludePad: false }).data));
    expect(m.parameters()).toEqual([]);
  });

  it('extraRepr shows the window like PyTorch', () => {
    expect(new nn.MaxPool2d(2).toString()).toBe('MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)');
    expect(new nn.MaxPool2d([2, 3], { stride: 1, dilation: [1, 2] }).extraRepr()).toBe('kernelSize=[2, 3], stride=1, padding=0, dilation=[1, 2], ceilMode=false');
    expect(new nn.AvgPool2d(3, { stride: 2, padding: 1 }).toString()).toBe('AvgPool2d(kernelSize=3, stride=2, padding=1)');
    expect(new nn.AvgPool2d(2, { ceilMode: true, countIncludePad: false, divisorOverride: 3 }).extraRepr())
      .toBe('kernelSize=2, stride=2, padding=0, ceilMode=true, countIncludePad=false, divisorOverride=3');
  });

  it('errors name the layer', () => {
    expect(() => new nn.MaxPool2d(2, { stride: 0 })).toThrow(/^MaxPool2d: stride must be a positive integer/);
    expect(() => new nn.AvgPool2d(-1)).toThrow(/^AvgPool2d: kernelSize must be a positive integer/);
    expect(() => new nn.MaxPool2d(2).forward(rnd([2, 4]))).toThrow(/^MaxPool2d: expected a 3-D \[C,H,W\] or 4-D \[N,C,H,W\] input, got shape \[2,4\]/);
    expect(() => new nn.AvgPool2d(5).forward(rnd([1, 1, 4, 4]))).toThrow(/^AvgPool2d: input of shape \[1,1,4,4\] is too small for kernelSize \[5, 5\]/);
  });
});
