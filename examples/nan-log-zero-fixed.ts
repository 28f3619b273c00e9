// FIX for nan-log-zero.ts: logSoftmax computes log-probabilities stably (no log of 0).
import { tensor, nn, optim, manualSeed } from 'gradscope';
import { spirals } from './data';

manualSeed(5);
const { x, y } = spirals(64);
const oneHot = tensor(Array.from(y.data, (c) => (c === 0 ? [1, 0] : [0, 1])));
const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });

for (let step = 0; step < 20; step++) {
  opt.zeroGrad();
  const logits = model.forward(x);
  const loss = oneHot.mul(logits.logSoftmax(-1)).sum(-1).mean().neg();
  loss.backward();
  opt.step();
}
