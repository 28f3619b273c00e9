// BUG: a hand-written cross-entropy takes log of softmax probabilities; confident logits make
// some probabilities exactly 0 in float32, and log(0) = -Inf turns the loss into NaN (nan-inf).
import { tensor, nn, optim, manualSeed } from 'gradscope';
import { spirals } from './data';

manualSeed(5);
const { x, y } = spirals(64);
const oneHot = tensor(Array.from(y.data, (c) => (c === 0 ? [1, 0] : [0, 1])));
const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });

for (let step = 0; step < 20; step++) {
  opt.zeroGrad();
  const logits = model.forward(x).mul(200); // an over-sharpened temperature
  const probs = logits.softmax(-1);
  const loss = oneHot.mul(probs.log()).sum(-1).mean().neg(); // BUG-LINE: log of an exact 0
  loss.backward();
  opt.step();
}
