// FIX for exploding-lr.ts: normalise the features and use a learning rate suited to them.
import { nn, optim, manualSeed } from 'gradscope';
import { regression } from './data';

manualSeed(2);
const { x: raw, y } = regression(128, 8, 50);
const x = raw.sub(raw.mean(0, true)).div(raw.std(0, { keepdim: true }).add(1e-8));
const model = new nn.Sequential(new nn.Linear(8, 32), new nn.ReLU(), new nn.Linear(32, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
const lossFn = new nn.MSELoss();

for (let step = 0; step < 100; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
