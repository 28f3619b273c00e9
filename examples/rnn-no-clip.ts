// BUG: a ReLU RNN over 40 steps with recurrent weights scaled up: backpropagation through time
// multiplies the gradient by W_hh at every step and it explodes (exploding-gradient).
import { nn, optim, manualSeed, randn, noGrad } from 'gradscope';

manualSeed(9);
const rnn = new nn.RNN(4, 32, { nonlinearity: 'relu', batchFirst: true });
const head = new nn.Linear(32, 1);
noGrad(() => {
  const w = rnn.weight_hh_l0.data;
  for (let i = 0; i < w.length; i++) w[i]! *= 8; // a too-large recurrent init
});
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
  opt.step();
}
