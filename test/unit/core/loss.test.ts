// Loss modules against PyTorch 1.13 (values pasted from /usr/bin/python3 runs of torch.nn losses),
// stability at huge logits and probability edges, option handling, errors, and finite-difference
// checks of the two BCE primitives.

import { describe, expect, it } from 'vitest';
import { gradcheck, nn, Tensor, tensor } from '../../../core';

function expectClose(got: ArrayLike<number> | null | undefined, want: number[], atol = 1e-5, rtol = 1e-4): void {
  expect(got, 'missing tensor data').toBeTruthy();
  expect(got!.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got![i]!;
    const w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) throw new Error(`element ${i}: got ${g}, want ${w} (all: [${Array.from(got!).join(', ')}])`);
  }
}

const logits = () => tensor([[1.0, -0.5, 2.0, 0.3], [0.2, 0.1, -1.0, 1.5], [-2.0, 0.7, 0.4, 0.0]], { requiresGrad: true });
const classWeight = tensor([0.5, 2.0, 1.0, 3.0]);

describe('CrossEntropyLoss', () => {
  // torch: nn.CrossEntropyLoss(weight=w, ignore_index=-100, label_smoothing=0.1, reduction=…)(x, [2, -100, 1])
  const cases: [nn.Reduction, number[], number[]][] = [
    ['mean', [0.8393679], [0.0756366, 0.0011398, -0.0914055, 0.0146291, 0, 0, 0, 0, 0.0149097, -0.3328152, 0.201949, 0.1159564]],
    ['sum', [2.5181038], [0.2269098, 0.0034195, -0.2742167, 0.0438874, 0, 0, 0, 0, 0.0447291, -0.9984455, 0.605847, 0.3478694]],
    ['none', [0.7858409, 0, 1.7322628], [0.2269098, 0.0034195, -0.2742167, 0.0438874, 0, 0, 0, 0, 0.1341874, -2.9953368, 1.8175409, 1.0436081]],
  ];
  for (const [reduction, out, grad] of cases) {
    it(`class weights + ignoreIndex + label smoothing, reduction ${reduction}`, () => {
      const x = logits();
      const loss = new nn.CrossEntropyLoss({ weight: classWeight, labelSmoothing: 0.1, reduction }).forward(x, tensor([2, -100, 1]));
      expectClose(loss.data, out);
      if (reduction === 'none') loss.backward(tensor([1, 2, 3]));
      else loss.backward();
      expectClose(x.grad!.data, grad);
    });
  }

  it('a custom ignoreIndex drops those rows from the mean', () => {
    const x = logits();
    const loss = new nn.CrossEntropyLoss({ ignoreIndex: 3 }).forward(x, tensor([3, 0, 3]));
    expectClose(loss.data, [1.770762]);
    loss.backward();
    expectClose(x.grad!.data, [0, 0, 0, 0, -0.8297967, 0.1540063, 0.0512642, 0.6245262, 0, 0, 0, 0]);
  });

  it('all targets ignored: mean is NaN as in PyTorch (0/0)', () => {
    expect(new nn.CrossEntropyLoss().forward(logits(), tensor([-100, -100, -100])).item()).toBeNaN();
  });

  it('spatial input [N, C, d] with targets [N, d]', () => {
    const x = tensor([[[0.1, 0.5], [1.0, -1.0], [0.3, 0.2]], [[2.0, 0.0], [-0.5, 0.5], [0.0, 1.0]]], { requiresGrad: true });
    const loss = new nn.CrossEntropyLoss().forward(x, tensor([[2, 0], [1, 1]]));
    expectClose(loss.data, [1.4738685]);
    loss.backward();
    expectClose(x.grad!.data, [0.0534073, -0.1227054, 0.1313608, 0.0284033, -0.1847681, 0.0943021, 0.2053522, 0.0465809, -0.2331437, -0.173201, 0.0277914, 0.1266201]);
  });

  it('huge logits (±100) give exact finite losses and gradients, no NaN', () => {
    const x = tensor([[100, -100, 0, 50], [-100, -100, 100, 100]], { requiresGrad: true });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' }).forward(x, tensor([1, 3]));
    expectClose(loss.data, [200, 0.6931472]);
    loss.sum().backward();
    expectClose(x.grad!.data, [1, -1, 0, 0, 0, 0, 0.5, -0.5]);
  });

  it('class-probability targets (same shape as the input) with weights and label smoothing', () => {
    const x = tensor([[1.0, -0.5, 2.0], [0.2, 0.1, -1.0]], { requiresGrad: true });
    const loss = new nn.CrossEntropyLoss({ weight: [1, 2, 0.5], labelSmoothing: 0.2 }).forward(x, tensor([[0.2, 0.3, 0.5], [1, 0, 0]]));
    expectClose(loss.data, [1.5148436]);
    loss.backward();
    expectClose(x.grad!.data, [0.0228277, -0.2762851, 0.2534573, -0.199127, 0.145252, 0.0538749]);
  });

  it('unbatched input [C] with a 0-d target', () => {
    const x = tensor([0.5, 1.5, -1.0], { requiresGrad: true });
    const loss = new nn.CrossEntropyLoss().forward(x, tensor(1));
    expectClose(loss.data, [0.371539]);
    loss.backward();
    expectClose(x.grad!.data, [0.2537162, -0.3103279, 0.0566117]);
    expect(new nn.CrossEntropyLoss({ reduction: 'none' }).forward(x, tensor(1)).shape).toEqual([]);
  });

  it('errors name the loss, the shapes and the bad target', () => {
    const ce = new nn.CrossEntropyLoss();
    expect(() => ce.forward(logits(), tensor([0, 1]))).toThrow('CrossEntropyLoss: target of shape [2] does not match input of shape [3,4]: expected class indices of shape [3]');
    expect(() => ce.forward(logits(), tensor([0, 4, 1]))).toThrow('CrossEntropyLoss: target[1] = 4 is not a valid class index for input of shape [3,4]');
    expect(() => ce.forward(logits(), tensor([0, 1.5, 1]))).toThrow(/target\[1\] = 1\.5 is not a valid class index/);
    expect(() => ce.forward(logits(), tensor([0, -1, 1]))).toThrow(/expected an integer in \[0, 3\], or ignoreIndex -100/);
    expect(() => new nn.CrossEntropyLoss({ weight: [1, 2] }).forward(logits(), tensor([0, 1, 1]))).toThrow('CrossEntropyLoss: weight of shape [2] must have one entry per class, i.e. shape [4]');
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow('CrossEntropyLoss: labelSmoothing must be in [0, 1], got 1.5');
    expect(() => new nn.CrossEntropyLoss({ reduction: 'avg' as nn.Reduction })).toThrow(`CrossEntropyLoss: reduction must be 'mean', 'sum' or 'none', got "avg"`);
  });

  it('the class weight is a buffer in the state dict, like PyTorch', () => {
    expect(Object.keys(new nn.CrossEntropyLoss({ weight: classWeight }).stateDict())).toEqual(['weight']);
    expect(new nn.CrossEntropyLoss().parameters()).toEqual([]);
  });
});

describe('NLLLoss', () => {
  it('weighted mean divides by the summed weights of the targets', () => {
    const lp = tensor([[1.0, -0.5, 2.0, 0.3], [0.2, 0.1, -1.0, 1.5], [-2.0, 0.7, 0.4, 0.0]]).logSoftmax(1).detach().requiresGrad_();
    const loss = new nn.NLLLoss({ weight: classWeight }).forward(lp, tensor([0, 3, 1]));
    expectClose(loss.data, [0.6958563]);
    loss.backward();
    expectClose(lp.grad!.data, [-0.0909091, 0, 0, 0, 0, 0, 0, -0.5454546, 0, -0.3636364, 0, 0]);
  });

  it('rejects out-of-range targets by name', () => {
    expect(() => new nn.NLLLoss().forward(tensor([[0.1, 0.2]]), tensor([2]))).toThrow('NLLLoss: target[0] = 2 is not a valid class index for input of shape [1,2]');
  });
});

describe('MSELoss and L1Loss', () => {
  it('values and gradients by hand', () => {
    const x = tensor([1, 2, 4], { requiresGrad: true });
    const y = tensor([0, 2, 1]);
    const mse = new nn.MSELoss().forward(x, y);
    expect(mse.item()).toBeCloseTo(10 / 3, 6);
    mse.backward();
    expectClose(x.grad!.data, [2 / 3, 0, 2]);
    x.grad = null;
    const l1 = new nn.L1Loss({ reduction: 'sum' }).forward(x, y);
    expect(l1.item()).toBe(4);
    l1.backward();
    // NOTE: |d|'(0) = 0, as in PyTorch
    expectClose(x.grad!.data, [1, 0, 1]);
    expectClose(new nn.MSELoss({ reduction: 'none' }).forward(x, y).data, [1, 0, 9]);
  });

  it('targets get gradients too', () => {
    const x = tensor([1, 3]);
    const y = tensor([0, 0], { requiresGrad: true });
    new nn.MSELoss({ reduction: 'sum' }).forward(x, y).backward();
    expectClose(y.grad!.data, [-2, -6]);
  });

  it('a shape mismatch is an error rather than a silent broadcast', () => {
    expect(() => new nn.MSELoss().forward(tensor([[1], [2]]), tensor([1, 2]))).toThrow('MSELoss: input of shape [2,1] and target of shape [2] must have the same shape');
    expect(() => new nn.L1Loss().forward(tensor([1, 2, 3]), tensor([1, 2]))).toThrow('L1Loss: input of shape [3] and target of shape [2] must have the same shape');
  });
});

describe('BCELoss', () => {
  it('clamps log at −100 and keeps the gradient finite at 0 and 1 (PyTorch)', () => {
    const x = tensor([0, 1, 0.3, 0.9, 1e-8], { requiresGrad: true });
    const loss = new nn.BCELoss({ reduction: 'none' }).forward(x, tensor([1, 0, 1, 0.5, 0]));
    expectClose(loss.data, [100, 100, 1.2039728, 1.2039727, 0]);
    loss.sum().backward();
    expectClose(x.grad!.data, [-999999995904, 999999995904, -3.3333333, 4.4444432, 1]);
  });

  it('element weights broadcast against the input', () => {
    const x = tensor([[0.2, 0.7], [0.5, 0.99]], { requiresGrad: true });
    const loss = new nn.BCELoss({ weight: [2, 0.5] }).forward(x, tensor([[0, 1], [1, 1]]));
    expectClose(loss.data, [0.503986]);
    loss.backward();
    expectClose(x.grad!.data, [0.6249999, -0.1785714, -1.0, -0.1262626]);
  });

  it('rejects probabilities outside [0, 1] and mismatched shapes', () => {
    expect(() => new nn.BCELoss().forward(tensor([0.5, 1.5]), tensor([1, 0]))).toThrow(/BCELoss: all elements of input should be between 0 and 1, but element 1 .* is 1\.5; apply sigmoid first/);
    expect(() => new nn.BCELoss().forward(tensor([0.5, NaN]), tensor([1, 0]))).toThrow(/element 1/);
    expect(() => new nn.BCELoss().forward(tensor([0.5]), tensor([[1]]))).toThrow('BCELoss: input of shape [1] and target of shape [1,1] must have the same shape');
    expect(() => new nn.BCELoss({ weight: [1, 2, 3] }).forward(tensor([0.5, 0.5]), tensor([1, 0]))).toThrow("BCELoss: weight of shape [3] cannot be broadcast to the input's shape [2]");
  });
});

describe('BCEWithLogitsLoss', () => {
  const x = () => tensor([[0, -3, 2], [100, -100, 0.5]], { requiresGrad: true });
  const y = tensor([[0, 1, 0.3], [0, 1, 1]]);

  it('stable for huge logits, and σ(0) − y at the kink x = 0', () => {
    const xi = x();
    const loss = new nn.BCEWithLogitsLoss({ reduction: 'none' }).forward(xi, y);
    expectClose(loss.data, [0.6931472, 3.0485873, 1.5269281, 100, 100, 0.474077]);
    loss.sum().backward();
    expectClose(xi.grad!.data, [0.5, -0.9525741, 0.580797, 1, -1, -0.3775406]);
  });

  it('posWeight per class and element weights', () => {
    const xi = x();
    const loss = new nn.BCEWithLogitsLoss({ posWeight: tensor([2, 0.5, 3]), weight: tensor([[1], [2]]) }).forward(xi, y);
    expectClose(loss.data, [51.1108284]);
    loss.backward();
    expectClose(xi.grad!.data, [0.0833333, -0.0793812, 0.0848792, 0.3333333, -0.1666667, -0.3775407]);
    expect(Object.keys(new nn.BCEWithLogitsLoss({ posWeight: [2] }).stateDict())).toEqual(['pos_weight']);
  });

  it('errors', () => {
    expect(() => new nn.BCEWithLogitsLoss().forward(x(), tensor([1, 0, 1]))).toThrow('BCEWithLogitsLoss: input of shape [2,3] and target of shape [3] must have the same shape');
    expect(() => new nn.BCEWithLogitsLoss({ posWeight: [1, 2] }).forward(x(), y)).toThrow("BCEWithLogitsLoss: posWeight of shape [2] cannot be broadcast to the input's shape [2,3]");
  });
});

describe('finite-difference checks of the BCE primitives', () => {
  const u = (vals: number[], shape: number[]) => new Tensor(Float32Array.from(vals), shape, true);

  it('BinaryCrossEntropy: input and target, away from 0 and 1', () => {
    const fn = (p: Tensor, t: Tensor) => new nn.BCELoss({ reduction: 'none' }).forward(p, t);
    expect(gradcheck(fn, [u([0.2, 0.45, 0.7, 0.9, 0.15, 0.6], [2, 3]), u([0.1, 1, 0, 0.3, 0.8, 0.5], [2, 3])])).toEqual({ ok: true });
  });

  it('BinaryCrossEntropyWithLogits: input and target, with and without posWeight', () => {
    const x = () => u([-2.5, -0.7, 0.3, 1.2, 3.1, -0.05], [2, 3]);
    const t = () => u([0.1, 1, 0, 0.3, 0.8, 0.5], [2, 3]);
    const plain = (a: Tensor, b: Tensor) => new nn.BCEWithLogitsLoss({ reduction: 'none' }).forward(a, b);
    const weighted = (a: Tensor, b: Tensor) => new nn.BCEWithLogitsLoss({ reduction: 'none', posWeight: [0.5, 2, 3] }).forward(a, b);
    expect(gradcheck(plain, [x(), t()])).toEqual({ ok: true });
    expect(gradcheck(weighted, [x(), t()])).toEqual({ ok: true });
  });
});
