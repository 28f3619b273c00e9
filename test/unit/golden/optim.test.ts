// PyTorch parity for optimizers (test/fixtures/torch/optim.json), including the
// seed example (2-4-1 MLP, MSE, SGD lr=0.01 on XOR), and gradient clipping
// (clip.json). For each optimizer case we load torch's initial state dict, run
//   zeroGrad(); loss = MSE(model(x), y); loss.backward(); opt.step(); [sched.step()]
// `steps` times and compare the loss and every parameter after each step.

import { describe, expect, it } from 'vitest';
import { nn, optim } from '../../../core';
import {
  buildModule, checkAndLoadState, expectClose, expectNumberClose, loadFixture, paramMap, toTensor,
  type ModuleSpec, type TensorJSON,
} from './compare';

interface OptimCase {
  name: string;
  module: ModuleSpec;
  optimizer: { type: string; opts: Record<string, unknown> };
  scheduler?: { type: string; opts: Record<string, number> };
  state: Record<string, TensorJSON>;
  x: TensorJSON;
  y: TensorJSON;
  steps: number;
  losses: number[];
  params: Record<string, TensorJSON>[];
  lrs?: number[];
  /** opt.lr is assigned this value right before step `after + 1` */
  lrSet?: { after: number; lr: number };
}

const fx = loadFixture<OptimCase>('optim');

describe(`optimizer parity with PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const model = buildModule(c.module);
      checkAndLoadState(model, c.state);
      const params = paramMap(model, Object.keys(c.params[0]!));
      const Opt = (optim as any)[c.optimizer.type];
      if (typeof Opt !== 'function') throw new Error(`optim.${c.optimizer.type} is not exported by core`);
      const opt = new Opt(model.parameters(), structuredClone(c.optimizer.opts));
      let sched: any = null;
      if (c.scheduler) {
        const S = (optim as any).lrScheduler?.[c.scheduler.type];
        if (typeof S !== 'function') throw new Error(`optim.lrScheduler.${c.scheduler.type} is not exported by core`);
        sched = new S(opt, { ...c.scheduler.opts });
      }
      const x = toTensor(c.x);
      const y = toTensor(c.y);
      const mse = new nn.MSELoss();
      for (let s = 0; s < c.steps; s++) {
        if (c.lrSet && s === c.lrSet.after) opt.lr = c.lrSet.lr;
        opt.zeroGrad();
        const loss = mse.forward(model.forward(x), y);
        expectNumberClose(loss.item(), c.losses[s]!, { label: `${c.name} loss at step ${s + 1}` });
        loss.backward();
        opt.step();
        if (sched) sched.step();
        for (const [k, want] of Object.entries(c.params[s]!)) {
          expectClose(params.get(k), want, { label: `${c.name} ${k} after step ${s + 1}` });
        }
        if (c.lrs) expectNumberClose(opt.lr, c.lrs[s]!, { atol: 1e-12, rtol: 1e-9, label: `${c.name} lr after step ${s + 1}` });
      }
    });
  }
});

interface ClipCase {
  name: string;
  kind: 'norm' | 'value';
  limit: number;
  params: TensorJSON[];
  grads: TensorJSON[];
  totalNorm?: number;
  /** indices of parameters that have no gradient at all (must be skipped) */
  noGrad: number[];
  clipped: (TensorJSON | null)[];
}

const clipFx = loadFixture<ClipCase>('clip');

describe(`gradient clipping parity with PyTorch ${clipFx.torch}`, () => {
  for (const c of clipFx.cases) {
    it(c.name, () => {
      const ps = c.params.map((p) => toTensor(p, true));
      // give each parameter exactly the fixture gradient: d/dp sum(p * g) = g
      let total: any = null;
      ps.forEach((p, i) => {
        if (c.noGrad.includes(i)) return;
        const term = p.mul(toTensor(c.grads[i]!)).sum();
        total = total === null ? term : total.add(term);
      });
      total.backward();
      ps.forEach((p, i) => {
        if (c.noGrad.includes(i)) expect(p.grad, `${c.name} param ${i} should have no grad`).toBeNull();
        else expectClose(p.grad, c.grads[i]!, { label: `${c.name} grad ${i} before clipping` });
      });
      const utils = (nn as any).utils;
      if (c.kind === 'norm') {
        const norm = utils.clipGradNorm(ps, c.limit);
        expectNumberClose(norm, c.totalNorm!, { label: `${c.name} returned total norm` });
      } else {
        utils.clipGradValue(ps, c.limit);
      }
      ps.forEach((p, i) => {
        const want = c.clipped[i];
        if (want === null) expect(p.grad, `${c.name} param ${i} must still have no grad`).toBeNull();
        else expectClose(p.grad, want!, { label: `${c.name} grad ${i} after clipping` });
      });
    });
  }
});
