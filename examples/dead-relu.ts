// BUG: the hidden layer's biases start strongly negative, so almost every ReLU outputs 0 for
// every sample and passes no gradient back (dead-relu).
import { nn, optim, manualSeed } from 'gradscope';
import { spirals } from './data';

manualSeed(3);
const { x, y } = spirals(200);
const model = new nn.Sequential(new nn.Linear(2, 64), new nn.ReLU(), new nn.Linear(64, 2));
nn.init.constant((model.at(0) as nn.Linear).bias!, -4);
const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
const lossFn = new nn.CrossEntropyLoss();

for (let step = 0; step < 60; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
