// conv2d (the Conv2d primitive) and nn.Conv2d: hand-checked values, values from PyTorch 1.13,
// finite-difference gradients of input, weight and bias over the option space, and errors.

import { describe, expect, it } from 'vitest';
import { conv2d, gradcheck, manualSeed, nn, OpError, Tensor, tensor } from '../../../core';
import { addObserver } from '../../../core/autograd/hooks';
import { Generator } from '../../../core/random';
import { expectAllClose, pat } from './samples';

const gen = new Generator(99);
const rnd = (shape: number[]): Tensor => pat(shape, () => gen.uniform() * 2 - 1, true);

describe('conv2d values', () => {
  it('a 2×2 box filter over a 3×3 ramp sums each window (hand-checked), plus the bias', () => {
    const x = pat([1, 1, 3, 3], (i) => i);
    const y = conv2d(x, tensor([[[[1, 1], [1, 1]]]]), tensor([0.5]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    // 0+1+3+4, 1+2+4+5, 3+4+6+7, 4+5+7+8
    expect(Array.from(y.data)).toEqual([8.5, 12.5, 20.5, 24.5]);
  });

  it('is a cross-correlation (the kernel is not flipped) and zero-pads', () => {
    const x = pat([1, 1, 2, 2], (i) => i + 1); // [[1,2],[3,4]]
    const w = tensor([[[[0, 0, 0], [0, 0, 1], [0, 0, 0]]]]); // picks the right neighbour
    expect(Array.from(conv2d(x, w, null, { padding: 1 }).data)).toEqual([2, 0, 4, 0]);
  });

  // PyTorch 1.13:
  //   pat = lambda shape, f: torch.tensor([f(i) for i in range(prod(shape))]).reshape(shape)
  //   x = pat([1,4,4,5], lambda i: sin(0.37 i)); w = pat([4,2,3,2], lambda i: 0.5 cos(0.21 i)); b = pat([4], lambda i: 0.1 i - 0.15)
  //   y = F.conv2d(x, w, b, stride=(2,1), padding=(1,0), dilation=(1,2), groups=2); y.backward(pat(y.shape, lambda i: cos(0.5 i)))
  it('matches PyTorch with every option at once (stride [2,1], padding [1,0], dilation [1,2], groups 2, non-square kernel)', () => {
    const x = pat([1, 4, 4, 5], (i) => Math.sin(i * 0.37), true);
    const w = pat([4, 2, 3, 2], (i) => Math.cos(i * 0.21) * 0.5, true);
    const b = pat([4], (i) => 0.1 * i - 0.15, true);
    const y = conv2d(x, w, b, { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 });
    expect(y.shape).toEqual([1, 4, 2, 3]);
    expectAllClose(y.data, [0.510624, 0.829139, 1.01513, -0.50592, -0.933562, -1.25515, -1.49729, -1.54646, -1.3931, 0.869367, 1.0802, 1.13806, -1.26187, -1.57921, -1.67605, 0.76777, 1.03904, 1.17645, 1.71305, 1.76453, 1.59748, -1.04648, -1.05547, -0.901304]);
    y.backward(pat([1, 4, 2, 3], (i) => Math.cos(i * 0.5)));
    expectAllClose(x.grad!.data, [0.941517, 0.859402, 1.46587, 0.822767, 0.5451, 0.93802, 0.426607, 0.64098, 0.310755, -0.284808, 0.135558, -0.328948, -0.578944, -0.309955, -0.677995, 0.126501, -0.277343, -0.499813, -0.232545, -0.521626, 0.188184, 0.181732, 0.12129, 0.00174183, 0.0125518, -0.1113, -0.355854, -0.834969, -0.465269, -0.494937, 0.0478178, -0.046857, -0.109771, 0.0230581, 0.0201821, -0.00813194, 0.0919601, 0.133342, 0.156821, 0.311443, 0.383662, 0.39465, 0.851851, 0.563735, 0.446612, 0.665033, 0.685282, 1.39024, 0.784187, 0.523883, 0.147721, -0.04974, -0.0148806, -0.060226, -0.325849, 0.282891, -0.0680657, -0.0691476, -0.0729148, -0.461187, 0.882817, 0.932544, 1.59248, 0.88809, 0.720212, 1.12629, 0.730054, 1.18643, 0.612857, 0.0443116, 0.390765, -0.0680942, -0.13428, -0.0602672, -0.481781, 0.344718, -0.0497921, -0.133824, -0.0371293, -0.363455]);
    expectAllClose(w.grad!.data, [-0.683325, 0.111965, 1.74899, 3.05959, 2.03851, -0.115527, 0.522122, 1.07006, 3.12347, 2.02208, -1.2664, -2.88135, 0.394697, -0.191968, -1.57735, -2.86915, -1.99501, 0.0188461, -0.471247, -0.799194, -2.96332, -1.97989, 1.1138, 2.68582, 0.458603, 0.181238, 1.03247, -0.956509, -2.7351, -2.21528, -0.00870223, -0.353373, -1.83828, -2.73702, -1.46003, 0.49352, -0.100002, 0.150152, -1.02251, 0.761267, 2.44354, 2.04935, 0.254698, 0.346921, 1.57262, 2.44596, 1.39798, -0.341001]);
    expectAllClose(b.grad!.data, [1.27133, -1.79856, 2.28978, -2.73518]);
  });

  it("padding 'same' with an even kernel pads one more at the bottom/right, as PyTorch", () => {
    // F.conv2d(arange(16).reshape(1,1,4,4), [[[[1,2],[3,4]]]], padding='same')
    const y = conv2d(pat([1, 1, 4, 4], (i) => i), tensor([[[[1, 2], [3, 4]]]]), null, { padding: 'same' });
    expect(Array.from(y.data)).toEqual([34, 44, 54, 24, 74, 84, 94, 40, 114, 124, 134, 56, 38, 41, 44, 15]);
  });

  it("padding 'same' with a dilated 3×3 kernel keeps the size (PyTorch values)", () => {
    const y = conv2d(pat([1, 1, 5, 5], (i) => i), pat([1, 1, 3, 3], () => 1), null, { padding: 'same', dilation: 2 });
    expect(y.shape).toEqual([1, 1, 5, 5]);
    expect(Array.from(y.data)).toEqual([24, 28, 42, 28, 32, 44, 48, 72, 48, 52, 66, 72, 108, 72, 78, 44, 48, 72, 48, 52, 64, 68, 102, 68, 72]);
  });

  it("padding 'valid' is no padding", () => {
    const x = rnd([1, 2, 5, 5]);
    const w = rnd([3, 2, 3, 3]);
    expect(Array.from(conv2d(x, w, null, { padding: 'valid' }).data)).toEqual(Array.from(conv2d(x, w).data));
  });

  it('an unbatched [C,H,W] input gives [O,OH,OW] with the same values as a batch of one', () => {
    const x = rnd([2, 5, 4]);
    const w = rnd([3, 2, 2, 3]);
    const b = rnd([3]);
    const y3 = conv2d(x, w, b, { stride: 2, padding: 1 });
    const y4 = conv2d(x.detach().reshape([1, 2, 5, 4]), w, b, { stride: 2, padding: 1 });
    expect(y3.shape).toEqual([3, 3, 2]);
    expect(Array.from(y3.data)).toEqual(Array.from(y4.data));
  });

  it('the 1×1 stride-1 fast path (no unfold) computes Σ_c w[o,c]·x[n,c,p] + b[o]', () => {
    const x = rnd([2, 3, 2, 2]);
    const w = rnd([4, 3, 1, 1]);
    const b = rnd([4]);
    const y = conv2d(x, w, b);
    for (let n = 0; n < 2; n++) for (let o = 0; o < 4; o++) for (let p = 0; p < 4; p++) {
      let s = b.data[o]!;
      for (let c = 0; c < 3; c++) s += w.data[o * 3 + c]! * x.data[(n * 3 + c) * 4 + p]!;
      expect(y.data[(n * 4 + o) * 4 + p]).toBeCloseTo(s, 5);
    }
  });

  it('runs as one Conv2d op (one graph node, visible to the instrumentation)', () => {
    const names: string[] = [];
    const remove = addObserver({ onForward: (e) => names.push(e.op) });
    try {
      const y = conv2d(rnd([3, 4, 4]), rnd([2, 3, 3, 3]), rnd([2]), { padding: 1 });
      expect(y.gradFn?.name).toBe('Conv2d');
    } finally {
      remove();
    }
    expect(names).toEqual(['Conv2d']);
  });
});

describe('conv2d gradients (central differences, input/weight/bias)', () => {
  type Cfg = [label: string, x: number[], w: number[], bias: boolean, opts: Parameters<typeof conv2d>[3]];
  const configs: Cfg[] = [
    ['3×3, no options', [2, 3, 5, 5], [4, 3, 3, 3], true, {}],
    ['stride 2, padding 1', [2, 3, 6, 7], [2, 3, 3, 3], true, { stride: 2, padding: 1 }],
    ['dilation 2, padding 2', [1, 2, 6, 6], [3, 2, 3, 3], true, { dilation: 2, padding: 2 }],
    ['groups 2, padding 1', [2, 4, 4, 5], [6, 2, 3, 3], true, { groups: 2, padding: 1 }],
    ['depthwise (groups = channels)', [1, 3, 5, 4], [3, 1, 3, 3], true, { groups: 3 }],
    ['non-square kernel, stride [2,1], padding [1,2]', [2, 2, 5, 6], [3, 2, 2, 3], true, { stride: [2, 1], padding: [1, 2] }],
    ['stride 3 skipping input columns', [1, 2, 7, 8], [2, 2, 2, 2], true, { stride: 3 }],
    ['1×1, no bias (direct GEMM path)', [2, 3, 3, 4], [5, 3, 1, 1], false, {}],
    ['1×1 with stride 2 (unfold path)', [1, 3, 5, 5], [2, 3, 1, 1], true, { stride: 2 }],
    ["padding 'same', even kernel", [1, 2, 4, 5], [2, 2, 2, 4], true, { padding: 'same' }],
    ['all options, groups 2', [2, 4, 7, 6], [6, 2, 3, 2], true, { stride: 2, padding: [1, 2], dilation: [2, 1], groups: 2 }],
    ['unbatched input', [3, 5, 5], [2, 3, 3, 3], true, { padding: 1, stride: 2 }],
  ];
  for (const [label, xs, ws, bias, opts] of configs) {
    it(label, () => {
      const inputs = bias ? [rnd(xs), rnd(ws), rnd([ws[0]!])] : [rnd(xs), rnd(ws)];
      expect(gradcheck((x, w, b) => conv2d(x!, w!, b ?? null, opts), inputs)).toEqual({ ok: true });
    });
  }

  it('only the inputs that require grad get one (weight frozen, input constant)', () => {
    const x = rnd([1, 2, 4, 4]);
    const w = rnd([3, 2, 3, 3]);
    w.requiresGrad = false;
    const b = rnd([3]);
    conv2d(x, w, b, { padding: 1 }).sum().backward();
    expect(x.grad).not.toBeNull();
    expect(w.grad).toBeNull();
    expect(Array.from(b.grad!.data)).toEqual([16, 16, 16]);
    expect(gradcheck((xx, bb) => conv2d(xx!, w, bb!, { padding: 1 }), [rnd([1, 2, 4, 4]), rnd([3])])).toEqual({ ok: true });
    const xc = rnd([1, 2, 4, 4]);
    xc.requiresGrad = false;
    expect(gradcheck((ww) => conv2d(xc, ww!, null, { stride: 2 }), [rnd([3, 2, 2, 2])])).toEqual({ ok: true });
  });
});

describe('conv2d errors name the op, the argument and the shapes', () => {
  const x = rnd([2, 3, 8, 8]);
  const cases: [string, () => unknown, RegExp][] = [
    ['channel mismatch', () => conv2d(x, rnd([16, 4, 3, 3])), /^conv2d: input of shape \[2,3,8,8\] has 3 channels but the layer expects 4 \(weight \[16,4,3,3\], groups=1\)/],
    ['wrong input rank', () => conv2d(rnd([8, 8]), rnd([4, 3, 3, 3])), /^conv2d: expected a 3-D \[C,H,W\] or 4-D \[N,C,H,W\] input, got shape \[8,8\]/],
    ['weight not 4-D', () => conv2d(x, rnd([4, 3, 3])), /^conv2d: weight must be a 4-D .* got \[4,3,3\]/],
    ['kernel larger than padded input', () => conv2d(rnd([1, 1, 2, 2]), rnd([1, 1, 3, 3])), /^conv2d: kernel \[3,3\] is larger than the padded input \[2,2\] of input \[1,1,2,2\]/],
    ['dilated kernel larger than padded input', () => conv2d(rnd([1, 1, 4, 4]), rnd([1, 1, 3, 3]), null, { dilation: 2, padding: [0, 1] }), /kernel \[3,3\] \(dilated to \[5,5\]\) is larger than the padded input \[4,6\]/],
    ['zero stride', () => conv2d(x, rnd([4, 3, 3, 3]), null, { stride: 0 }), /^conv2d: stride must be a positive integer or a pair of them, got 0/],
    ['negative padding', () => conv2d(x, rnd([4, 3, 3, 3]), null, { padding: [1, -1] }), /^conv2d: padding must be a non-negative integer or a pair of them, got \[1, -1\]/],
    ['unknown padding string', () => conv2d(x, rnd([4, 3, 3, 3]), null, { padding: 'full' as 'same' }), /padding must be 'valid', 'same'.* got 'full'/],
    ["'same' with stride", () => conv2d(x, rnd([4, 3, 3, 3]), null, { padding: 'same', stride: 2 }), /padding='same' is not supported for strided convolutions/],
    ['out channels not divisible by groups', () => conv2d(rnd([1, 4, 5, 5]), rnd([3, 2, 3, 3]), null, { groups: 2 }), /^conv2d: weight \[3,2,3,3\] has 3 output channels, not divisible by groups=2/],
    ['bad bias', () => conv2d(x, rnd([4, 3, 3, 3]), rnd([3])), /^conv2d: bias must have shape \[4\] to match weight \[4,3,3,3\], got \[3\]/],
    ['groups 0', () => conv2d(x, rnd([4, 3, 3, 3]), null, { groups: 0 }), /^conv2d: groups must be a positive integer, got 0/],
  ];
  for (const [label, f, re] of cases) {
    it(label, () => {
      expect(f).toThrow(OpError);
      expect(f).toThrow(re);
    });
  }
});

describe('nn.Conv2d', () => {
  it('has PyTorch-shaped parameters with the default init bounds (fan in = in/groups·kH·kW)', () => {
    manualSeed(3);
    const m = new nn.Conv2d(8, 12, [3, 2], { groups: 4 });
    expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [12, 2, 3, 2]], ['bias', [12]]]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    for (const p of m.parameters()) {
      expect(Math.max(...Array.from(p.data, Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...Array.from(p.data, Math.abs))).toBeGreaterThan(bound / 2);
    }
    expect(new nn.Conv2d(3, 4, 1, { bias: false }).parameters().length).toBe(1);
  });

  it('forward equals the functional form with its own parameters, batched and unbatched', () => {
    manualSeed(5);
    const m = new nn.Conv2d(2, 3, 3, { stride: 2, padding: 1, dilation: [1, 2] });
    const x = rnd([2, 2, 7, 7]);
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 3, 4, 3]);
    expect(Array.from(y.data)).toEqual(Array.from(conv2d(x, m.weight, m.bias, { stride: 2, padding: 1, dilation: [1, 2] }).data));
    expect(m.forward(rnd([2, 7, 7])).shape).toEqual([3, 4, 3]);
    y.sum().backward();
    expect(m.weight.grad!.shape).toEqual([3, 2, 3, 3]);
    expect(m.bias!.grad!.shape).toEqual([3]);
  });

  it('extraRepr lists what differs from the defaults, like PyTorch', () => {
    expect(new nn.Conv2d(3, 4, 3).toString()).toBe('Conv2d(3, 4, kernelSize=[3, 3], stride=[1, 1])');
    expect(new nn.Conv2d(4, 4, [3, 2], { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false }).extraRepr())
      .toBe('4, 4, kernelSize=[3, 2], stride=[2, 2], padding=[1, 1], dilation=[2, 2], groups=2, bias=false');
    expect(new nn.Conv2d(1, 1, 2, { padding: 'same' }).extraRepr()).toBe("1, 1, kernelSize=[2, 2], stride=[1, 1], padding='same'");
  });

  it('rejects bad configurations at construction and bad inputs at forward, naming the layer', () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/^Conv2d: inChannels=3 must be divisible by groups=2/);
    expect(() => new nn.Conv2d(4, 3, 3, { groups: 2 })).toThrow(/^Conv2d: outChannels=3 must be divisible by groups=2/);
    expect(() => new nn.Conv2d(3, 4, 3, { stride: 0 })).toThrow(/^Conv2d: stride must be a positive integer/);
    expect(() => new nn.Conv2d(3, 4, 0)).toThrow(/^Conv2d: kernelSize must be a positive integer/);
    expect(() => new nn.Conv2d(0, 4, 3)).toThrow(/^Conv2d: inChannels must be a positive integer, got 0/);
    expect(() => new nn.Conv2d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow(/^Conv2d: padding='same' is not supported for strided convolutions/);
    const m = new nn.Conv2d(4, 16, 3);
    expect(() => m.forward(rnd([2, 3, 8, 8]))).toThrow(/^Conv2d: input of shape \[2,3,8,8\] has 3 channels but the layer expects 4/);
    expect(() => m.forward(rnd([4, 8]))).toThrow(/^Conv2d: expected a 3-D \[C,H,W\] or 4-D \[N,C,H,W\] input, got shape \[4,8\]/);
    expect(() => m.forward(rnd([1, 4, 2, 8]))).toThrow(/^Conv2d: kernel \[3,3\] is larger than the padded input \[2,8\]/);
  });
});
