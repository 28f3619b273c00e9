// BUG: the learning rate is far too high for unnormalised features: the loss and the gradients
// blow up within a few steps (exploding-gradient, loss-divergence, then NaN).
import { nn, optim, manualSeed } from 'gradscope';
import { regression } from './data';

manualSeed(2);
const { x, y } = regression(128, 8, 50);
const model = new nn.Sequential(new nn.Linear(8, 32), new nn.ReLU(), new nn.Linear(32, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
const lossFn = new nn.MSELoss();

for (let step = 0; step < 40; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
