// FIX for rnn-no-clip.ts: the same RNN, trained with clipGradNorm so no update can be larger
// than maxNorm allows, and a sane recurrent init.
import { nn, optim, manualSeed, randn } from 'gradscope';

manualSeed(9);
const rnn = new nn.RNN(4, 32, { nonlinearity: 'relu', batchFirst: true });
const head = new nn.Linear(32, 1);
const params = [...rnn.parameters(), ...head.parameters()];
const opt = new optim.SGD(params, { lr: 0.001 });
const lossFn = new nn.MSELoss();
const x = randn([8, 40, 4]);
const y = x.sum([1, 2]).reshape([8, 1]).mul(0.1);

for (let step = 0; step < 15; step++) {
  opt.zeroGrad();
  const [out] = rnn.forward(x);
  const loss = lossFn.forward(head.forward(out.select(1, -1)), y);
  loss.backward();
  nn.utils.clipGradNorm(params, 1.0);
  opt.step();
}
