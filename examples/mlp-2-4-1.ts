// The smallest useful network: a 2-4-1 MLP learning XOR with MSE and plain SGD.
import { tensor, nn, optim, manualSeed } from 'gradscope';

manualSeed(1);
const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
const lossFn = new nn.MSELoss();
const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });

const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);

for (let step = 0; step < 300; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
  if (step % 100 === 0) console.log(`step ${step} loss ${loss.item().toFixed(4)}`);
}
