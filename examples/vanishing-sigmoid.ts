// BUG: a deep stack of sigmoid layers: each multiplies the gradient by at most 0.25, so the
// first layers learn nothing (vanishing-gradient).
import { nn, optim, manualSeed } from 'gradscope';
import { spirals } from './data';

manualSeed(4);
const { x, y } = spirals(128);
const layers: nn.Module[] = [new nn.Linear(2, 32), new nn.Sigmoid()];
for (let i = 0; i < 10; i++) layers.push(new nn.Linear(32, 32), new nn.Sigmoid());
layers.push(new nn.Linear(32, 2));
const model = new nn.Sequential(...layers);
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const lossFn = new nn.CrossEntropyLoss();

for (let step = 0; step < 30; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
