// BUG: standardising features divides by each column's std, and one column is constant: its std
// is 0 and 0/0 gives NaN in the very first forward pass (nan-inf).
import { tensor, nn, optim, manualSeed, randn, cat } from 'gradscope';

manualSeed(6);
const signal = randn([64, 3]);
const constant = tensor(new Float32Array(64).fill(1), { shape: [64, 1] }); // a feature that never varies
const raw = cat([signal, constant], 1);
const y = signal.sum(1, true);
const x = raw.sub(raw.mean(0, true)).div(raw.std(0, { keepdim: true })); // BUG-LINE: std is 0 for the constant column
const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
const lossFn = new nn.MSELoss();

for (let step = 0; step < 20; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
