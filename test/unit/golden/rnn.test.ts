// PyTorch parity for RNN / LSTM / GRU (test/fixtures/torch/rnn.json).
// The backward is seeded on all outputs at once:
//   loss = sum(output * gradOutput) + sum(hN * gradHN) [+ sum(cN * gradCN)]
// and we compare output, hN, cN and the gradients of input, h0, c0 and every
// parameter (named as torch: weight_ih_l0, weight_hh_l0, bias_ih_l0, ...).

import { describe, it } from 'vitest';
import {
  buildModule, checkAndLoadState, expectClose, loadFixture, paramMap, toTensor,
  type ModuleSpec, type TensorJSON,
} from './compare';

interface RnnCase {
  name: string;
  module: ModuleSpec;
  state: Record<string, TensorJSON>;
  input: TensorJSON;
  h0?: TensorJSON;
  c0?: TensorJSON;
  output: TensorJSON;
  hN: TensorJSON;
  cN?: TensorJSON;
  gradOutput: TensorJSON;
  gradHN: TensorJSON;
  gradCN?: TensorJSON;
  inputGrad: TensorJSON;
  h0Grad?: TensorJSON;
  c0Grad?: TensorJSON;
  paramGrads: Record<string, TensorJSON>;
}

const fx = loadFixture<RnnCase>('rnn');

describe(`recurrent layer parity with PyTorch ${fx.torch}`, () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const isLstm = c.module.type === 'LSTM';
      const mod = buildModule(c.module);
      checkAndLoadState(mod, c.state);
      const params = paramMap(mod, Object.keys(c.paramGrads));

      const x = toTensor(c.input, true);
      const h0 = c.h0 ? toTensor(c.h0, true) : undefined;
      const c0 = c.c0 ? toTensor(c.c0, true) : undefined;
      let out: any, hN: any, cN: any;
      if (isLstm) {
        [out, [hN, cN]] = h0 ? mod.forward(x, [h0, c0]) : mod.forward(x);
      } else {
        [out, hN] = h0 ? mod.forward(x, h0) : mod.forward(x);
      }
      expectClose(out, c.output, { label: `${c.name} output` });
      expectClose(hN, c.hN, { label: `${c.name} hN` });
      if (c.cN) expectClose(cN, c.cN, { label: `${c.name} cN` });

      let loss = out.mul(toTensor(c.gradOutput)).sum().add(hN.mul(toTensor(c.gradHN)).sum());
      if (c.gradCN) loss = loss.add(cN.mul(toTensor(c.gradCN)).sum());
      loss.backward();

      expectClose(x.grad, c.inputGrad, { label: `${c.name} input.grad` });
      if (c.h0Grad) expectClose(h0.grad, c.h0Grad, { label: `${c.name} h0.grad` });
      if (c.c0Grad) expectClose(c0.grad, c.c0Grad, { label: `${c.name} c0.grad` });
      for (const [k, g] of Object.entries(c.paramGrads)) {
        expectClose(params.get(k).grad, g, { label: `${c.name} ${k}.grad` });
      }
    });
  }
});
