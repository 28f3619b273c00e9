// BatchNorm1d/2d and LayerNorm: values from PyTorch 1.13 (forward, input/weight/bias gradients,
// running statistics after a training step, eval mode), finite-difference checks of the
// BatchNorm and LayerNorm primitives, and the errors.

import { describe, expect, it } from 'vitest';
import { batchNorm, gradcheck, Generator, layerNorm, nn, Tensor, tensor } from '../../../core';
import { addObserver } from '../../../core/autograd/hooks';
import { uniformTensor } from './samples';

function expectValues(got: Tensor | null, want: number[], shape?: number[], atol = 1e-5): void {
  expect(got).not.toBeNull();
  if (shape) expect([...got!.shape]).toEqual(shape);
  expect(got!.data.length).toBe(want.length);
  got!.data.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: got ${v}, want ${want[i]}`).toBeLessThanOrEqual(atol + 1e-4 * Math.abs(want[i]!)));
}

const leaf = (data: number[], shape: number[]) => tensor(data, { shape, requiresGrad: true });
const setData = (t: Tensor | null, v: number[]) => t!.data.set(v);

/** Op names run during fn. */
function opsRun(fn: () => void): string[] {
  const names: string[] = [];
  const remove = addObserver({ onForward: (e) => names.push(e.op) });
  try {
    fn();
  } finally {
    remove();
  }
  return names;
}

const gen = new Generator(99);
const u = (shape: number[], lo = -2, hi = 2, requiresGrad = true): Tensor => uniformTensor(gen, shape, lo, hi, requiresGrad);

describe('BatchNorm1d against PyTorch', () => {
  function layer() {
    const bn = new nn.BatchNorm1d(3);
    setData(bn.weight, [1, 0.5, -2]);
    setData(bn.bias, [0, 0.1, 0.3]);
    setData(bn.running_mean, [0.2, -0.1, 0]);
    setData(bn.running_var, [1, 2, 0.5]);
    return bn;
  }
  const x0 = [0.5, -1, 2, 1.5, 0, -0.5, -0.5, 2, 1, 2.5, 1, 0];
  const g0 = [1, 0, -1, 0.5, 2, 0, -1, 1, 0.5, 0, -0.5, 1];

  it('has PyTorch defaults and state_dict keys in PyTorch order', () => {
    const bn = new nn.BatchNorm1d(3);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    expect(bn.namedBuffers().map(([k]) => k)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    expect(Array.from(bn.weight!.data)).toEqual([1, 1, 1]);
    expect(Array.from(bn.bias!.data)).toEqual([0, 0, 0]);
    expect(Array.from(bn.running_mean!.data)).toEqual([0, 0, 0]);
    expect(Array.from(bn.running_var!.data)).toEqual([1, 1, 1]);
    expect(bn.num_batches_tracked!.shape).toEqual([]);
    expect(bn.num_batches_tracked!.item()).toBe(0);
    expect(bn.running_mean!.requiresGrad).toBe(false);
    expect(bn.toString()).toBe('BatchNorm1d(3, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)');
  });

  it('train step: output, gradients of input/weight/bias, running stats (unbiased var) and counter', () => {
    const bn = layer();
    const x = leaf(x0, [4, 3]);
    const y = bn.forward(x);
    expect(y.gradFn?.name).toBe('BatchNorm');
    expectValues(y, [-0.4472118, -0.5708177, -2.5641408, 0.4472118, -0.1236059, 2.6433878, -1.3416355, 0.7708177, -0.4811293, 1.3416355, 0.3236059, 1.6018821], [4, 3]);
    y.backward(tensor(g0, { shape: [4, 3] }));
    expectValues(x.grad, [0.8944227, -0.2459668, 0.935605, 0.2236068, 0.6260965, 1.4121988, -0.6708204, 0.1341638, -1.1650701, -0.4472091, -0.5142935, -1.1827337]);
    expectValues(bn.weight!.grad, [1.1180295, 0.2236059, -1.887729]);
    expectValues(bn.bias!.grad, [0.5, 2.5, 0.5]);
    expectValues(bn.running_mean, [0.28, -0.04, 0.0625]);
    expectValues(bn.running_var, [1.0666666, 1.9666666, 0.5729166]);
    expect(bn.num_batches_tracked!.item()).toBe(1);
  });

  it('eval: normalises with the running stats (gradient γ/√(var+eps)·g), leaves them and the counter alone', () => {
    const bn = layer();
    bn.train();
    bn.forward(tensor(x0, { shape: [4, 3] }));
    bn.eval();
    const x = leaf([1, 2, 3, -1, 0, 0.5], [2, 3]);
    const y = bn.forward(x);
    expectValues(y, [0.6971338, 0.8273337, -7.4617267, -1.239349, 0.1142614, -0.8560018]);
    y.backward(tensor([[1, 1, 1], [2, -1, 0.5]]));
    expectValues(x.grad, [0.9682413, 0.3565361, -2.6422901, 1.9364827, -0.3565361, -1.3211451]);
    expectValues(bn.running_mean, [0.28, -0.04, 0.0625]);
    expect(bn.num_batches_tracked!.item()).toBe(1);
    // One sample per channel is fine in eval.
    expect(bn.forward(tensor([[1, 2, 3]])).shape).toEqual([1, 3]);
  });

  it('3-D input [N, C, L] without affine, momentum 0.3', () => {
    const bn = new nn.BatchNorm1d(2, { affine: false, momentum: 0.3 });
    expect(bn.namedParameters()).toEqual([]);
    expect(bn.weight).toBeNull();
    const x = leaf([1, 2, 0, -1, 3, -2, 0.5, 0.5], [2, 2, 2]);
    const y = bn.forward(x);
    expectValues(y, [0, 0.5345217, 0, -1.6329714, 1.0690434, -1.6035651, 0.8164857, 0.8164857], [2, 2, 2]);
    y.backward(tensor([1, 0, 0.5, -1, 2, 1, 0, 1], { shape: [2, 2, 2] }));
    expectValues(x.grad, [0, -0.5727017, 0.6123643, -0.2041649, 0.4581617, 0.11454, -1.0205853, 0.612386]);
    expectValues(bn.running_mean, [0.3, 0]);
    expectValues(bn.running_var, [2.0999999, 0.85]);
  });

  it('trackRunningStats false: no buffers, batch statistics even in eval', () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias']);
    bn.eval();
    expectValues(bn.forward(tensor([[1, 2], [3, 6]])), [-0.999995, -0.9999987, 0.999995, 0.9999987]);
  });

  it('stays accurate for a large common offset (statistics in float64)', () => {
    // Exact answer ±1.3416408, ±0.4472136 per column; PyTorch's float32 CPU kernel is off by 4e-4 here.
    const bn = new nn.BatchNorm1d(2);
    const y = bn.forward(tensor([[10000, 1], [10000.5, 2], [10001, 3], [9999.5, 4]]));
    expectValues(y, [-0.4472136, -1.3416408, 0.4472136, -0.4472136, 1.3416408, 0.4472136, -1.3416408, 1.3416408]);
  });
});

describe('BatchNorm2d against PyTorch', () => {
  it('momentum null is a cumulative average over batches; gradients match', () => {
    const bn = new nn.BatchNorm2d(2, { momentum: null });
    const xa = tensor(Array.from({ length: 16 }, (_, i) => i * 0.25 - 1), { shape: [2, 2, 2, 2] });
    bn.forward(xa);
    const xb = leaf([1, -2, 0.5, 3, 0, 0.25, -1, 2, 2, 1, -0.5, 0, 1.5, -1.5, 0.5, 1], [2, 2, 2, 2]);
    const y = bn.forward(xb);
    expectValues(y, [0.2621106, -1.834774, -0.0873702, 1.6600337, -0.3095204, -0.0844147, -1.2099433, 1.4913255, 0.9610721, 0.2621106, -0.7863318, -0.436851, 1.041114, -1.6601548, 0.1406911, 0.5909026], [2, 2, 2, 2]);
    y.backward(tensor([0.5, -1, 2, 0, 1, 1, -0.5, 0.25, 0, 0.5, -1, 1.5, 2, -2, 1, 0], { shape: [2, 2, 2, 2] }));
    expectValues(xb.grad, [0.0840357, -0.5882497, 1.1951708, -0.5162163, 0.8043547, 0.6491168, 0.074672, -1.1128659, -0.3908307, 0.0840357, -0.7763282, 0.9083828, 0.7733501, -0.9654865, 0.4938789, -0.7170199]);
    expectValues(bn.weight!.grad, [2.0531995, 6.1270967]);
    expectValues(bn.bias!.grad, [2.5, 2.75]);
    expectValues(bn.running_mean, [0.5, 0.859375]);
    expectValues(bn.running_var, [1.7857141, 1.3208705]);
    expect(bn.num_batches_tracked!.item()).toBe(2);
  });

  it('loadStateDict restores running stats and the counter', () => {
    const a = new nn.BatchNorm2d(2);
    a.forward(u([3, 2, 2, 2], -1, 1, false));
    const b = new nn.BatchNorm2d(2);
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.running_var!.data)).toEqual(Array.from(a.running_var!.data));
    expect(b.num_batches_tracked!.item()).toBe(1);
  });
});

describe('BatchNorm errors', () => {
  it('wrong rank names the layer and the shape', () => {
    expect(() => new nn.BatchNorm1d(3).forward(tensor([[[[1]]]]))).toThrow('BatchNorm1d: expected 2-D [N, C] or 3-D [N, C, L] input, got shape [1,1,1,1] (4-D)');
    expect(() => new nn.BatchNorm2d(3).forward(u([2, 3, 4], -1, 1, false))).toThrow('BatchNorm2d: expected 4-D [N, C, H, W] input, got shape [2,3,4] (3-D)');
  });

  it('channel mismatch names the layer, the shape and both counts', () => {
    expect(() => new nn.BatchNorm2d(4).forward(u([2, 3, 8, 8], -1, 1, false))).toThrow('BatchNorm2d: input of shape [2,3,8,8] has 3 channels but the layer expects 4');
  });

  it('one value per channel in training throws, without counting the batch', () => {
    const bn = new nn.BatchNorm1d(4);
    expect(() => bn.forward(tensor([[1, 2, 3, 4]]))).toThrow('BatchNorm1d: expected more than 1 value per channel when training, got input of shape [1,4]');
    expect(() => new nn.BatchNorm2d(2).forward(u([1, 2, 1, 1], -1, 1, false))).toThrow(/more than 1 value per channel/);
    expect(bn.num_batches_tracked!.item()).toBe(0);
    expect(Array.from(bn.running_mean!.data)).toEqual([0, 0, 0, 0]);
  });

  it('bad constructor arguments', () => {
    expect(() => new nn.BatchNorm1d(0)).toThrow('BatchNorm1d: numFeatures must be a positive integer, got 0');
    expect(() => new nn.BatchNorm2d(2, { eps: -1 })).toThrow('BatchNorm2d: eps must be a non-negative number, got -1');
  });

  it('functional batchNorm checks parameter sizes and needs running stats outside training', () => {
    const x = u([3, 2], -1, 1, false);
    expect(() => batchNorm(x, null, null, { weight: u([3], -1, 1, false) })).toThrow('batchNorm: weight of shape [3] has 3 elements; expected 2');
    expect(() => batchNorm(x, null, null)).toThrow('batchNorm: running_mean and running_var are needed when not training');
    expect(() => batchNorm(u([4], -1, 1, false), null, null, { training: true })).toThrow('batchNorm: input must have shape [N, C, ...], got [4]');
  });
});

describe('LayerNorm against PyTorch', () => {
  it('over the last two dims with affine: output and gradients of input, weight and bias', () => {
    const ln = new nn.LayerNorm([3, 4]);
    expect(ln.weight!.shape).toEqual([3, 4]);
    expect(Array.from(ln.weight!.data)).toEqual(new Array(12).fill(1));
    expect(Array.from(ln.bias!.data)).toEqual(new Array(12).fill(0));
    expect(Object.keys(ln.stateDict())).toEqual(['weight', 'bias']);
    setData(ln.weight, Array.from({ length: 12 }, (_, i) => 0.5 + (1.1 * i) / 11));
    setData(ln.bias, Array.from({ length: 12 }, (_, i) => -0.3 + (0.55 * i) / 11));
    const x = leaf([0.5, -1, 2, 0, 1.5, 0.25, -0.5, 1, 3, 2, 1, 0, -0.5, 2, 1, 1, 2.5, 1, 0, -2, 0.1, 0.2, 0.3, 0.4], [2, 3, 4]);
    const y = ln.forward(x);
    expect(y.gradFn?.name).toBe('LayerNorm');
    expectValues(y, [-0.440266, -1.2262514, 0.5462151, -0.7335066, 0.4554534, -0.5549576, -1.2960578, 0.2519831, 2.6528413, 1.6424303, 0.4524788, -0.9170131, -0.7502233, 0.560402, 0.1151563, 0.2101787, 1.5208039, 0.4002233, -0.4952457, -2.6513402, -0.3682323, -0.2281876, -0.070134, 0.1059285], [2, 3, 4]);
    const g = Array.from({ length: 24 }, (_, i) => (-1 + (2 * i) / 23) ** 2 - 0.3);
    y.backward(tensor(g, { shape: [2, 3, 4] }));
    expectValues(x.grad, [0.3318471, 0.2058454, 0.357201, 0.1614643, 0.1850702, 0.01859, -0.1188828, -0.1074951, -0.0589545, -0.2007491, -0.3303255, -0.4436108, -0.3832552, -0.1700411, -0.269213, -0.2592894, -0.0898077, -0.1740789, -0.1833763, -0.2527469, 0.0949438, 0.297977, 0.5459475, 0.8429402]);
    expectValues(ln.weight!.grad, [0.0720595, -1.2505134, 0.2938777, -0.273021, -0.1871664, -0.0419177, 0.0752025, -0.306857, -0.4959392, -0.372732, -0.1437365, 0.1544049]);
    expectValues(ln.bias!.grad, [0.4018903, 0.2506617, 0.1296786, 0.0389414, -0.0215502, -0.0517959, -0.0517959, -0.0215502, 0.0389414, 0.1296786, 0.2506616, 0.4018903]);
  });

  it('no affine, eps 1e-2, an int normalized shape', () => {
    const ln = new nn.LayerNorm(4, { eps: 1e-2, elementwiseAffine: false });
    expect(ln.parameters()).toEqual([]);
    const x = leaf([1, 2, 3, 4, 0, 0, 0, 1], [2, 4]);
    const y = ln.forward(x);
    expectValues(y, [-1.3363063, -0.4454355, 0.4454353, 1.3363061, -0.5625439, -0.5625439, -0.5625439, 1.6876318]);
    y.backward(tensor([[1, 0, 0, 0], [0.5, -0.5, 1, 2]]));
    expectValues(x.grad, [0.2704428, -0.3552878, -0.0901477, 0.1749924, 0.3275571, -1.9226186, 1.4526449, 0.1424164]);
  });

  it('errors: trailing dims that do not match, bad normalized shape', () => {
    expect(() => new nn.LayerNorm(5).forward(u([3, 4], -1, 1, false))).toThrow('LayerNorm: input of shape [3,4] does not end with the normalized shape [5]');
    expect(() => new nn.LayerNorm([3, 4]).forward(u([4], -1, 1, false))).toThrow('LayerNorm: input of shape [4] does not end with the normalized shape [3,4]');
    expect(() => new nn.LayerNorm([])).toThrow(/LayerNorm: normalizedShape must be a positive integer/);
    expect(() => layerNorm(u([2, 3], -1, 1, false), 3, { weight: u([2], -1, 1, false) })).toThrow('layerNorm: weight of shape [2] does not match the normalized shape [3]');
  });
});

describe('finite-difference checks of the BatchNorm and LayerNorm primitives', () => {
  const cases: [string, string, (...t: Tensor[]) => Tensor, () => Tensor[]][] = [
    ['BatchNorm', 'training [5,3] with weight and bias', (x, w, b) => batchNorm(x, null, null, { weight: w, bias: b, training: true }), () => [u([5, 3]), u([3], 0.5, 1.5), u([3])]],
    ['BatchNorm', 'training [3,2,4] (1d, 3-D input) updating running stats', (x, w, b) => batchNorm(x, u([2], -1, 1, false), u([2], 0.5, 1.5, false), { weight: w, bias: b, training: true, momentum: 0.2 }), () => [u([3, 2, 4]), u([2], 0.5, 1.5), u([2])]],
    ['BatchNorm', 'training [2,3,2,3] without affine, eps 0.1', (x) => batchNorm(x, null, null, { training: true, eps: 0.1 }), () => [u([2, 3, 2, 3])]],
    ['BatchNorm', 'eval [4,3] with running stats', (x, w, b) => batchNorm(x, tensor([0.1, -0.2, 0.3]), tensor([0.5, 1.2, 2]), { weight: w, bias: b }), () => [u([4, 3]), u([3], 0.5, 1.5), u([3])]],
    ['BatchNorm', 'training, weight only, constant input', (w) => batchNorm(tensor([[1, 2], [3, 5], [0, -1]]), null, null, { weight: w, training: true }), () => [u([2], 0.5, 1.5)]],
    ['LayerNorm', 'last dim [4,5] with weight and bias', (x, w, b) => layerNorm(x, 5, { weight: w, bias: b }), () => [u([4, 5]), u([5], 0.5, 1.5), u([5])]],
    ['LayerNorm', 'last two dims [2,3,4]', (x, w, b) => layerNorm(x, [3, 4], { weight: w, bias: b }), () => [u([2, 3, 4]), u([3, 4], 0.5, 1.5), u([3, 4])]],
    ['LayerNorm', 'no affine, eps 0.1', (x) => layerNorm(x, [6], { eps: 0.1 }), () => [u([3, 6])]],
    ['LayerNorm', 'bias only', (x, b) => layerNorm(x, 4, { bias: b }), () => [u([2, 4]), u([4])]],
  ];
  for (const [op, label, fn, inputs] of cases) {
    it(`${op}: ${label}`, () => {
      const ran = opsRun(() => expect(gradcheck(fn, inputs())).toEqual({ ok: true }));
      expect(ran).toContain(op);
    });
  }

  it('gradients are skipped for inputs that do not need them', () => {
    const x = u([4, 3], -1, 1, false);
    const w = u([3], 0.5, 1.5);
    batchNorm(x, null, null, { weight: w, training: true }).sum().backward();
    expect(x.grad).toBeNull();
    expect(w.grad!.shape).toEqual([3]);
  });
});
