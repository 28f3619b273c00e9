// FIX for detach-branch.ts: no detach(), so gradients reach the encoder.
import { nn, optim, manualSeed, Tensor } from 'gradscope';
import { spirals } from './data';

class TwoBranch extends nn.Module {
  encoder = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh());
  skip = new nn.Linear(2, 16);
  head = new nn.Linear(16, 2);

  override forward(x: Tensor): Tensor {
    const features = this.encoder.forward(x);
    return this.head.forward(features.add(this.skip.forward(x)).relu());
  }
}

manualSeed(7);
const { x, y } = spirals(128);
const model = new TwoBranch();
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
const lossFn = new nn.CrossEntropyLoss();

for (let step = 0; step < 30; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
