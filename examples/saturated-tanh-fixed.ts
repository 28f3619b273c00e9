// FIX for saturated-tanh.ts: standardise the inputs so pre-activations stay in tanh's live range.
import { nn, optim, manualSeed } from 'gradscope';
import { regression } from './data';

manualSeed(8);
const { x: raw, y } = regression(128, 6);
const scaled = raw.mul(300);
const x = scaled.sub(scaled.mean(0, true)).div(scaled.std(0, { keepdim: true }).add(1e-8));
const model = new nn.Sequential(new nn.Linear(6, 32), new nn.Tanh(), new nn.Linear(32, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const lossFn = new nn.MSELoss();

for (let step = 0; step < 40; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
