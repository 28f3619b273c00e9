// BUG: raw inputs in the hundreds feed a tanh layer: nearly every pre-activation is far beyond
// ±5, tanh is flat there, and almost no gradient gets through (saturated-activation).
import { nn, optim, manualSeed } from 'gradscope';
import { regression } from './data';

manualSeed(8);
const { x: raw, y } = regression(128, 6);
const x = raw.mul(300); // unscaled sensor readings
const model = new nn.Sequential(new nn.Linear(6, 32), new nn.Tanh(), new nn.Linear(32, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const lossFn = new nn.MSELoss();

for (let step = 0; step < 40; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
