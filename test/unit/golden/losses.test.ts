// PyTorch parity for losses (test/fixtures/torch/losses.json): every loss with
// reduction 'mean' | 'sum' | 'none'; output and gradient of the input.
// For 'none' the backward is seeded with a fixed gradOutput, otherwise
// backward() on the scalar. Class targets are class indices stored as floats.

import { describe, it } from 'vitest';
import { nn } from '../../../core';
import { expectClose, loadFixture, toTensor, type TensorJSON } from './compare';

interface LossCase {
  name: string;
  loss: string;
  opts: { reduction: 'mean' | 'sum' | 'none' };
  input: TensorJSON;
  target: TensorJSON;
  output: TensorJSON;
  gradOutput?: TensorJSON;
  inputGrad: TensorJSON;
}

const fx = loadFixture<LossCase>('losses');

describe(`loss parity with PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const Ctor = (nn as any)[c.loss];
      if (typeof Ctor !== 'function') throw new Error(`nn.${c.loss} is not exported by core`);
      const lossFn = new Ctor({ ...c.opts });
      const x = toTensor(c.input, true);
      const target = toTensor(c.target, false);
      const out = lossFn.forward(x, target);
      expectClose(out, c.output, { label: `${c.name} output` });
      if (c.gradOutput) out.backward(toTensor(c.gradOutput));
      else out.backward();
      expectClose(x.grad, c.inputGrad, { label: `${c.name} input.grad` });
    });
  }
});
