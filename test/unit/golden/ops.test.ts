// PyTorch parity for tensor ops: every case in test/fixtures/torch/ops.json is a
// small program (a list of method / function calls) that generate.py ran in
// torch; we replay it on our engine and compare the output and the gradient of
// every leaf after out.backward(gradOutput).

import { describe, expect, it } from 'vitest';
import { cat, stack, tensor, where } from '../../../core';
import { expectClose, loadFixture, toTensor, type TensorJSON } from './compare';

interface Step {
  op?: string;
  fn?: string;
  self?: number;
  args: any[];
}

interface OpCase {
  name: string;
  inputs: (TensorJSON & { requiresGrad: boolean })[];
  steps: Step[];
  output: TensorJSON;
  gradOutput?: TensorJSON;
  grads?: (TensorJSON | null)[];
  differentiable?: boolean;
}

const FNS: Record<string, (...a: any[]) => any> = {
  cat: (ts: any[], dim?: number) => (cat as any)(ts, dim),
  stack: (ts: any[], dim?: number) => (stack as any)(ts, dim),
  where: (c: any, a: any, b: any) => (where as any)(c, a, b),
};

function resolveArg(a: any, vals: any[]): any {
  if (a === null) return undefined; // "not given" (e.g. clamp(undefined, max), var(undefined, opts))
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    if ('t' in a) return vals[a.t];
    if ('tl' in a) return (a.tl as number[]).map((i) => vals[i]);
  }
  return a;
}

function run(c: OpCase): { leaves: any[]; out: any } {
  const leaves = c.inputs.map((i) => toTensor(i, i.requiresGrad));
  const vals: any[] = [...leaves];
  for (const st of c.steps) {
    const args = st.args.map((a) => resolveArg(a, vals));
    if (st.fn) {
      vals.push(FNS[st.fn]!(...args));
    } else {
      const self = vals[st.self!];
      if (typeof self[st.op!] !== 'function') throw new Error(`Tensor.${st.op} is not implemented`);
      vals.push(self[st.op!](...args));
    }
  }
  return { leaves, out: vals[vals.length - 1] };
}

const fx = loadFixture<OpCase>('ops');

describe(`ops parity with PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const { leaves, out } = run(c);
      expectClose(out, c.output, { label: `${c.name} output` });
      if (c.differentiable === false) return;
      if (c.gradOutput) out.backward(toTensor(c.gradOutput));
      else out.backward();
      c.inputs.forEach((inp, i) => {
        if (!inp.requiresGrad) return;
        expectClose(leaves[i].grad, c.grads![i]!, { label: `${c.name} grad of input ${i}` });
      });
    });
  }
});

describe('seed example', () => {
  it('y = x0*x1 + x1^2 at x = [1, 2] has grad [2, 5]', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const x0 = x.select(0, 0);
    const x1 = x.select(0, 1);
    const y = x0.mul(x1).add(x1.pow(2));
    expect(y.item()).toBe(6);
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 5]);
  });
});

describe('non-differentiable ops (as in PyTorch, their results never require grad)', () => {
  const x = () => tensor([[1, 2, 3], [3, 2, 1]], { requiresGrad: true });
  for (const op of ['gt', 'lt', 'ge', 'le', 'eq'] as const) {
    it(`${op} result does not require grad`, () => {
      expect(x()[op](2).requiresGrad).toBe(false);
    });
  }
  it('argmax / argmin results do not require grad', () => {
    expect(x().argmax(1).requiresGrad).toBe(false);
    expect(x().argmin().requiresGrad).toBe(false);
  });
});

describe('gradient accumulation (PyTorch accumulates into .grad across backward calls)', () => {
  it('two backward passes add up', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(x).sum().backward();
    // 2 + 2x
    expect(Array.from(x.grad!.data)).toEqual([4, -2, 8]);
  });
});
