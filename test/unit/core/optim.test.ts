// Optimizers against PyTorch 1.13: several steps of each update rule and option on a small
// quadratic + cubic objective (expected parameters pasted from /usr/bin/python3 runs of
// torch.optim), plus parameter groups, grad skipping, state, the lr accessor and option errors.

import { describe, expect, it } from 'vitest';
import { nn, optim, Tensor, tensor } from '../../../core';

const A = tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]);
const B = tensor([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]]);

/** Rows: [...p, ...q] after each step, from torch with loss = Σ A·p² + Σ B·p + Σ q³. */
const EXPECTED: Record<string, number[][]> = {
  sgd_nesterov_wd: [
    [0.88599998, -2.3799999, 0.33375001, 0.17365001, 0.79430002, -1.4052, 0.55369997, -0.4418],
    [0.735313, -2.9905899, 0.16137938, 0.030645091, 0.78654909, -1.7232221, 0.3986935, -0.5110513],
    [0.56171149, -3.8864324, 0.019965429, -0.10286015, 0.7772882, -2.1700559, 0.25397792, -0.61859471],
    [0.37816927, -5.1484962, -0.070309162, -0.20844756, 0.76704001, -2.7693996, 0.1261905, -0.78560632],
  ],
  sgd_damp_maximize: [
    [1.0549999, -1.79, 0.58499998, 0.36500001, 0.79900002, -1.0860001, 0.77349997, -0.37600002],
    [1.1229249, -1.5526999, 0.69889998, 0.44982502, 0.79777902, -0.95478606, 0.87307167, -0.34915555],
    [1.1996897, -1.3183609, 0.84319597, 0.55346912, 0.79642189, -0.82139456, 1.0028942, -0.32293278],
    [1.2835613, -1.1019062, 1.0228914, 0.67740542, 0.79496819, -0.69345045, 1.1734141, -0.29887143],
  ],
  adam_amsgrad_wd: [
    [0.89999998, -2.0999999, 0.40000001, 0.20000002, 0.70000005, -1.3000001, 0.59999996, -0.5],
    [0.80036879, -2.2000937, 0.30154371, 0.10156637, 0.6090914, -1.4001081, 0.5018006, -0.59848857],
    [0.70141292, -2.3003395, 0.20647761, 0.006581448, 0.54438722, -1.5003909, 0.40691555, -0.69591624],
    [0.60349232, -2.4007921, 0.11754838, -0.082148544, 0.51818281, -1.6009108, 0.31689271, -0.79281801],
  ],
  adam_maximize: [
    [1.1, -1.9, 0.60000002, 0.40000001, 0.70000005, -1.1, 0.80000001, -0.30000001],
    [1.2001321, -1.8001568, 0.69999635, 0.50000566, 0.61156243, -1.0002152, 0.89981651, -0.20511039],
    [1.3004789, -1.7005866, 0.80011564, 0.60014117, 0.52125722, -0.90081036, 0.99952209, -0.11933525],
    [1.4011178, -1.6014143, 0.90049714, 0.70054275, 0.42923278, -0.80196798, 1.0992535, -0.0448865],
  ],
  adamw_amsgrad: [
    [0.89899999, -2.098, 0.39950001, 0.19970003, 0.89919996, -1.2988001, 0.59929997, -0.49959999],
    [0.79849857, -2.1960092, 0.30078021, 0.10111929, 0.85721564, -1.3976301, 0.50078028, -0.59808314],
    [0.69882369, -2.2940917, 0.20592588, 0.0062411577, 0.80552137, -1.4965657, 0.40625107, -0.69585806],
    [0.60036045, -2.3923044, 0.12006823, -0.080191627, 0.79097706, -1.5956734, 0.31883824, -0.79340994],
  ],
  adamw_default: [
    [0.99899, -2.0009799, 0.49899501, 0.29899701, 0.80099201, -1.2009881, 0.69899297, -0.400996],
    [0.99798, -2.0019598, 0.49799007, 0.29799411, 0.80198306, -1.2019761, 0.69798607, -0.40199211],
    [0.99697006, -2.0029397, 0.49698526, 0.29699129, 0.80297256, -1.2029641, 0.69697928, -0.40298843],
    [0.99596024, -2.0039198, 0.49598059, 0.29598862, 0.80395985, -1.2039521, 0.69597268, -0.40398505],
  ],
  rmsprop_centered_mom_wd: [
    [0.8994962, -2.1005037, 0.39949623, 0.19949624, 0.69949639, -1.3005038, 0.59949625, -0.50050378],
    [0.76106149, -2.244101, 0.26761013, 0.067548886, 0.64628619, -1.4445194, 0.46892673, -0.65650356],
    [0.61305159, -2.4068661, 0.14053695, -0.059728067, 0.67100745, -1.6083982, 0.34217447, -0.84984136],
    [0.47010654, -2.5769374, 0.039548963, -0.16112335, 0.72518498, -1.7803675, 0.23435754, -1.0681129],
  ],
  rmsprop_default: [
    [0.89999998, -2.0999999, 0.40000001, 0.20000003, 0.8999995, -1.3000001, 0.60000002, -0.49999997],
    [0.83254778, -2.1725085, 0.33906245, 0.13883653, 0.81046748, -1.3729565, 0.54059917, -0.58434975],
    [0.77911139, -2.2326493, 0.29451221, 0.093977824, 0.83995813, -1.4336755, 0.49698669, -0.66003227],
    [0.73394221, -2.2853699, 0.25962946, 0.058739241, 0.8314023, -1.4870287, 0.4622485, -0.7296738],
  ],
  sgd_groups: [
    [0.88999999, -2.4200001, 0.32999998, 0.17, 0.80199999, -1.4280001, 0.62650001, -0.42399999],
    [0.69199997, -3.302, 0.074999981, -0.037999995, 0.80567998, -1.8931202, 0.50147468, -0.4725664],
    [0.43459997, -4.7761998, -0.15450001, -0.2538, 0.81065118, -2.636765, 0.35123038, -0.54977399],
    [0.14947997, -7.0782199, -0.26924998, -0.41187999, 0.81648618, -3.7351923, 0.19750609, -0.66459852],
  ],
};

type Make = (p: Tensor, q: Tensor) => optim.Optimizer<any, any>;

function run(make: Make, steps = 4): number[][] {
  const p = tensor([[1.0, -2.0, 0.5], [0.3, 0.8, -1.2]], { requiresGrad: true });
  const q = tensor([0.7, -0.4], { requiresGrad: true });
  const opt = make(p, q);
  const rows: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    A.mul(p).mul(p).sum().add(B.mul(p).sum()).add(q.pow(3).sum()).backward();
    opt.step();
    rows.push([...p.data, ...q.data]);
  }
  return rows;
}

function expectTrajectory(got: number[][], want: number[][]): void {
  want.forEach((row, s) => row.forEach((w, i) => {
    const g = got[s]![i]!;
    if (!(Math.abs(g - w) <= 1e-6 + 1e-5 * Math.abs(w))) throw new Error(`step ${s + 1}, element ${i}: got ${g}, want ${w}`);
  }));
}

describe('update rules match PyTorch step by step', () => {
  const cases: Record<string, Make> = {
    sgd_nesterov_wd: (p, q) => new optim.SGD([p, q], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 }),
    sgd_damp_maximize: (p, q) => new optim.SGD([p, q], { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true }),
    adam_amsgrad_wd: (p, q) => new optim.Adam([p, q], { lr: 0.1, weightDecay: 0.2, amsgrad: true }),
    adam_maximize: (p, q) => new optim.Adam([p, q], { lr: 0.1, maximize: true }),
    adamw_amsgrad: (p, q) => new optim.AdamW([p, q], { lr: 0.1, amsgrad: true, betas: [0.8, 0.9] }),
    adamw_default: (p, q) => new optim.AdamW([p, q]),
    rmsprop_centered_mom_wd: (p, q) => new optim.RMSprop([p, q], { lr: 0.01, centered: true, momentum: 0.7, weightDecay: 0.1 }),
    rmsprop_default: (p, q) => new optim.RMSprop([p, q]),
    sgd_groups: (p, q) => new optim.SGD([{ params: [p] }, { params: [q], lr: 0.05 }], { lr: 0.1, momentum: 0.9 }),
  };
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => expectTrajectory(run(make), EXPECTED[name]!));
  }
});

describe('Optimizer behaviour', () => {
  it('zeroGrad sets grads to null and step skips parameters without a grad', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
    a.mul(a).sum().backward();
    opt.step();
    expect(Array.from(a.data)).toEqual([0, 0]);
    expect(Array.from(b.data)).toEqual([3]);
    expect(opt.state.has(b)).toBe(false);
    expect(Array.from(opt.state.get(a)!.momentumBuffer!.data)).toEqual([2, 4]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('updates a module in place through parameters()', () => {
    const lin = new nn.Linear(2, 1);
    const w = lin.weight;
    const before = Array.from(w.data);
    const opt = new optim.Adam(lin.parameters(), { lr: 0.1 });
    lin.forward(tensor([[1, 1]])).sum().backward();
    opt.step();
    expect(lin.weight).toBe(w);
    // Adam's first step moves each parameter by lr·sign(g) (up to eps)
    expect(Array.from(w.data).map((v, i) => v - before[i]!)).toEqual([expect.closeTo(-0.1, 6), expect.closeTo(-0.1, 6)]);
    const st = opt.state.get(w)!;
    expect(st.step).toBe(1);
    expect(st.expAvg.shape).toEqual(w.shape);
  });

  it('lr reads the first group and sets every group; paramGroups expose the resolved options', () => {
    const opt = new optim.RMSprop([{ params: [tensor([1], { requiresGrad: true })] }, { params: [tensor([2], { requiresGrad: true })], lr: 0.5, momentum: 0.2 }], { alpha: 0.9 });
    expect(opt.lr).toBe(0.01);
    expect(opt.paramGroups.map((g) => [g.lr, g.alpha, g.momentum])).toEqual([[0.01, 0.9, 0], [0.5, 0.9, 0.2]]);
    opt.lr = 0.3;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.3, 0.3]);
    const adamw = new optim.AdamW([tensor([1], { requiresGrad: true })]);
    expect([adamw.lr, adamw.paramGroups[0]!.weightDecay, adamw.paramGroups[0]!.betas]).toEqual([1e-3, 1e-2, [0.9, 0.999]]);
  });

  it('addParamGroup adds parameters later', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 1 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    a.add(b).sum().backward();
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([0, 0.5]);
  });
});

describe('option validation', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  it('names the optimizer and the option', () => {
    expect(() => new optim.SGD(p(), {})).toThrow('SGD: lr is required');
    expect(() => new optim.SGD(p(), { lr: -0.1 })).toThrow('SGD: invalid lr -0.1: it must be >= 0');
    expect(() => new optim.SGD(p(), { lr: 0.1, nesterov: true })).toThrow('SGD: Nesterov momentum requires a momentum > 0 and zero dampening (got momentum 0, dampening 0)');
    expect(() => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/SGD: Nesterov momentum requires/);
    expect(() => new optim.Adam(p(), { betas: [0.9, 1] })).toThrow('Adam: invalid betas[1] 1: it must be in [0, 1)');
    expect(() => new optim.AdamW(p(), { betas: [-0.1, 0.9] })).toThrow('AdamW: invalid betas[0] -0.1: it must be in [0, 1)');
    expect(() => new optim.Adam(p(), { eps: -1 })).toThrow('Adam: invalid eps -1');
    expect(() => new optim.RMSprop(p(), { alpha: -0.5 })).toThrow('RMSprop: invalid alpha -0.5');
    expect(() => new optim.RMSprop(p(), { weightDecay: -1 })).toThrow('RMSprop: invalid weightDecay -1');
    expect(() => new optim.Adam(p(), { lr: 'fast' as unknown as number })).toThrow('Adam: lr must be a number, got "fast"');
  });

  it('catches misspelled options, suggesting the camelCase name', () => {
    expect(() => new optim.Adam(p(), { weight_decay: 0.1 } as never)).toThrow("Adam: unknown options 'weight_decay' (did you mean weightDecay?)");
    expect(() => new optim.SGD([{ params: p(), mom: 0.9 } as never], { lr: 0.1 })).toThrow("SGD: unknown parameter group option 'mom'");
  });

  it('rejects bad parameter lists', () => {
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
    const a = tensor([1], { requiresGrad: true });
    expect(() => new optim.SGD([a, a], { lr: 0.1 })).toThrow('SGD: a parameter of shape [1] appears more than once in the parameter groups');
    expect(() => new optim.SGD([a.mul(2)], { lr: 0.1 })).toThrow("SGD: can't optimize a non-leaf Tensor");
    expect(() => new optim.SGD(a as never, { lr: 0.1 })).toThrow(/not a single Tensor/);
  });
});
