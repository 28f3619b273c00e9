// FIX for dead-relu.ts: keep PyTorch's default bias init (and use Adam), so units stay alive.
import { nn, optim, manualSeed } from 'gradscope';
import { spirals } from './data';

manualSeed(3);
const { x, y } = spirals(200);
const model = new nn.Sequential(new nn.Linear(2, 64), new nn.ReLU(), new nn.Linear(64, 2));
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
const lossFn = new nn.CrossEntropyLoss();

for (let step = 0; step < 60; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
