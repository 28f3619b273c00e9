// FIX for vanishing-sigmoid.ts: ReLU activations with He (Kaiming) init and LayerNorm keep the
// gradient's scale through the same depth.
import { nn, optim, manualSeed } from 'gradscope';
import { spirals } from './data';

manualSeed(4);
const { x, y } = spirals(128);
const layers: nn.Module[] = [new nn.Linear(2, 32), new nn.ReLU()];
for (let i = 0; i < 10; i++) {
  const fc = new nn.Linear(32, 32);
  nn.init.kaimingUniform(fc.weight, { nonlinearity: 'relu' });
  layers.push(fc, new nn.LayerNorm(32), new nn.ReLU());
}
layers.push(new nn.Linear(32, 2));
const model = new nn.Sequential(...layers);
const opt = new optim.Adam(model.parameters(), { lr: 0.003 });
const lossFn = new nn.CrossEntropyLoss();

for (let step = 0; step < 30; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
