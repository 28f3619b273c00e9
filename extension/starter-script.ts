// What "GradScope: New Training Script" writes (commands/new-script.ts): the seed's 2-4-1 MLP
// (examples/mlp-2-4-1.ts) with a word for a new user. No vscode import: tested in vitest.

/** The starter script: a 2-4-1 MLP learning XOR; runs as it is. */
export const STARTER_SCRIPT = `// A 2-4-1 MLP learning XOR with MSE and SGD: a starting point for your own training script.
// Run it with "GradScope: Run Training Script with Gradient Debugging" (the button in the editor
// title): the gradient panel shows loss, gradient norms and findings as it trains.
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
  if (step % 100 === 0) console.log(\`step \${step} loss \${loss.item().toFixed(4)}\`);
}
console.log('predictions', model.forward(x).toArray());
`;

/** The default name offered: train.ts, else train-2.ts, train-3.ts, … (the first not taken). */
export function defaultScriptName(taken: (name: string) => boolean): string {
  if (!taken('train.ts')) return 'train.ts';
  for (let i = 2; ; i++) if (!taken(`train-${i}.ts`)) return `train-${i}.ts`;
}

/** Why `name` cannot be a script's file name (relative to the folder), or null when it can. */
export function scriptNameProblem(name: string): string | null {
  const n = name.trim();
  if (n === '') return 'Give the script a file name, e.g. train.ts.';
  if (n.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(n) || n.split(/[\\/]/).includes('..')) return 'Give a name inside the workspace folder.';
  if (!/\.(ts|mts|js|mjs)$/.test(n)) return 'The script must end in .ts, .mts, .js or .mjs.';
  return null;
}
