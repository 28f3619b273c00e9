// PyTorch parity for nn layers (test/fixtures/torch/layers.json): we load the
// state dict torch initialised, run forward in the same train/eval mode, compare
// the output, then backward(gradOutput) and compare the input gradient, every
// parameter gradient and (BatchNorm) the running statistics after the step.
// Also: default-init distribution checks against PyTorch's bounds (init.json).

import { describe, expect, it } from 'vitest';
import { manualSeed, nn, ones } from '../../../core';
import {
  buildModule, checkAndLoadState, expectClose, isCounterKey, loadFixture, paramMap, toTensor,
  type ModuleSpec, type TensorJSON,
} from './compare';

interface LayerCase {
  name: string;
  module: ModuleSpec;
  mode: 'train' | 'eval';
  state: Record<string, TensorJSON>;
  input: TensorJSON & { requiresGrad: boolean };
  output: TensorJSON;
  gradOutput: TensorJSON;
  inputGrad?: TensorJSON;
  paramGrads: Record<string, TensorJSON>;
  stateAfter?: Record<string, TensorJSON>;
}

const fx = loadFixture<LayerCase>('layers');

describe(`layer parity with PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const mod = buildModule(c.module);
      checkAndLoadState(mod, c.state);
      if (c.mode === 'train') mod.train();
      else mod.eval();
      const params = paramMap(mod, Object.keys(c.paramGrads));

      const x = toTensor(c.input, c.input.requiresGrad);
      const out = mod.forward(x);
      expectClose(out, c.output, { label: `${c.name} output` });

      out.backward(toTensor(c.gradOutput));
      if (c.inputGrad) expectClose(x.grad, c.inputGrad, { label: `${c.name} input.grad` });
      for (const [k, g] of Object.entries(c.paramGrads)) {
        expectClose(params.get(k).grad, g, { label: `${c.name} ${k}.grad` });
      }
      if (c.stateAfter) {
        const sd: Record<string, any> = mod.stateDict();
        for (const [k, v] of Object.entries(c.stateAfter)) {
          // num_batches_tracked is a 0-d int64 in torch: compare its value only
          expectClose(isCounterKey(k) ? Array.from(sd[k].data as ArrayLike<number>) : sd[k], v,
            { label: `${c.name} stateDict['${k}'] after forward` });
        }
      }
    });
  }
});

interface ParamStats { shape: number[]; min: number; max: number; mean: number; std: number }
interface InitCase {
  name: string;
  module: ModuleSpec;
  fanIn: number;
  weightBound: number;
  biasBound: number;
  uniformStd: number;
  torch: Record<string, ParamStats>;
}

function stats(d: ArrayLike<number>) {
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / d.length;
  let ss = 0;
  for (let i = 0; i < d.length; i++) ss += (d[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / (d.length - 1)) };
}

const initFx = loadFixture<InitCase>('init');

describe('default init matches PyTorch distribution (kaiming_uniform(a=sqrt(5)), bias U(+-1/sqrt(fanIn)))', () => {
  for (const c of initFx.cases) {
    it(c.name, () => {
      manualSeed(1234);
      const mod = buildModule(c.module);
      const params = paramMap(mod, Object.keys(c.torch));
      for (const [k, ts] of Object.entries(c.torch)) {
        const p = params.get(k);
        expect(Array.from(p.shape as number[]), `${k} shape`).toEqual(ts.shape);
        const bound = k === 'weight' ? c.weightBound : c.biasBound;
        const s = stats(p.data);
        const n = p.data.length as number;
        // hard bound, as torch's U(-bound, bound) (tiny slack for float32 rounding of bound)
        expect(Math.max(-s.min, s.max), `${k}: max |value| must be <= bound ${bound}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
        // torch's own sample also respects the bound (sanity of the fixture)
        expect(Math.max(-ts.min, ts.max)).toBeLessThanOrEqual(bound * (1 + 1e-6));
        // Sample std of n uniform draws has relative sd ~ sqrt(0.2/n). Require 3% for
        // large tensors (>= 4000 values: >= 4.5 sigma). Small tensors are too noisy for
        // 3%, so they get ~5 sigma instead (bias of Linear(256,512): n=512 -> 10%); very
        // small ones (n < 100) only get the bound check plus a spread check.
        const relSd = Math.sqrt(0.2 / n);
        if (n >= 100) {
          const tol = n >= 4000 ? 0.03 : 5 * relSd;
          expect(Math.abs(s.std - c.uniformStd) / c.uniformStd,
            `${k}: std ${s.std} vs uniform std ${c.uniformStd} (torch sample: ${ts.std})`).toBeLessThanOrEqual(tol);
          expect(Math.abs(s.mean), `${k}: mean ${s.mean}`).toBeLessThanOrEqual(5 * c.uniformStd / Math.sqrt(n));
        } else {
          // P(all n draws inside half the bound) = 0.5^n, negligible for n >= 12
          expect(Math.max(-s.min, s.max), `${k}: values should spread to more than half the bound`).toBeGreaterThan(bound / 2);
        }
      }
    });
  }
});

describe('Dropout semantics (inverted dropout, as PyTorch)', () => {
  it('train mode: ~p of the elements zeroed, survivors scaled by 1/(1-p)', () => {
    manualSeed(7);
    const d = new nn.Dropout(0.5);
    d.train();
    const y = d.forward(ones([20000]));
    let zeros = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(2, 6);
    }
    // binomial(20000, 0.5): sd ~ 0.0035 of the fraction; 0.03 is > 8 sigma
    expect(Math.abs(zeros / 20000 - 0.5)).toBeLessThan(0.03);
  });
});
