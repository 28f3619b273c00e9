// PyTorch parity for lr schedulers (test/fixtures/torch/schedulers.json):
// lrs[0] is the lr right after construction, lrs[i] the lr after the i-th
// scheduler.step(). Both getLastLr()[0] and opt.lr must follow torch.

import { describe, it } from 'vitest';
import { optim, tensor } from '../../../core';
import { expectNumberClose, loadFixture } from './compare';

interface SchedCase {
  name: string;
  lr: number;
  scheduler: { type: string; opts: Record<string, number> };
  lrs: number[];
}

// lrs are plain doubles on both sides (JS numbers, Python floats), not float32
// tensors, so we can be much tighter than the float32 default; the small
// slack only absorbs closed-form vs recursive evaluation order (~1e-16).
const TOL = { atol: 1e-12, rtol: 1e-9 };

const fx = loadFixture<SchedCase>('schedulers');

describe(`lr scheduler parity with PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const p = tensor([0], { requiresGrad: true });
      const opt: any = new (optim as any).SGD([p], { lr: c.lr });
      const Ctor = (optim as any).lrScheduler?.[c.scheduler.type];
      if (typeof Ctor !== 'function') throw new Error(`optim.lrScheduler.${c.scheduler.type} is not exported by core`);
      const sched = new Ctor(opt, { ...c.scheduler.opts });
      c.lrs.forEach((want, i) => {
        if (i > 0) sched.step();
        expectNumberClose(sched.getLastLr()[0], want, { ...TOL, label: `${c.name} getLastLr() after ${i} steps` });
        expectNumberClose(opt.lr, want, { ...TOL, label: `${c.name} opt.lr after ${i} steps` });
      });
    });
  }
});
