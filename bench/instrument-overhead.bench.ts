// Instrumentation overhead: MLP 784-256-128-10, ReLU, cross-entropy, batch 64, SGD. Budget
// (issue 3): default ≤ 5% slower than off, full ≤ 25%.
//
// This machine is shared: its speed drifts by tens of percent within seconds, so levels timed
// one after the other measure the drift. Here three identical runs (off, default, full; each
// with its own model and recorder) advance together in short blocks of steps, the order of the
// levels shuffled in every round, each recorder paused while the others run; the overhead is
// the median over rounds of each level's block time against the off block of the same round.
import { nn, optim, randn, randint, manualSeed, type Tensor } from 'gradscope';
import { Recorder } from '../core/instrument/recorder';
import type { Level } from '../core/instrument/records';

const BLOCK = Number(process.env.BENCH_BLOCK ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const WARMUP_ROUNDS = 5;

interface Run { level: Level; rec: Recorder | null; step(): void }

function makeRun(level: Level): Run {
  const rec = level === 'off' ? null : new Recorder({ level }).start();
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([64, 784]);
  const y = randint(0, 10, [64]);
  rec?.pause();
  return {
    level, rec,
    step() {
      opt.zeroGrad();
      (lossFn.forward(model.forward(x), y) as Tensor).backward();
      opt.step();
    },
  };
}

const levels: Level[] = ['off', 'default', 'full'];
const runs = levels.map(makeRun);
const ratios: Record<Level, number[]> = { off: [], default: [], full: [] };
const msPerStep: Record<Level, number[]> = { off: [], default: [], full: [] };
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  const order = [...runs].sort(() => rand() - 0.5);
  const times = new Map<Level, number>();
  for (const run of order) {
    run.rec?.resume();
    const t0 = performance.now();
    for (let i = 0; i < BLOCK; i++) run.step();
    times.set(run.level, performance.now() - t0);
    run.rec?.pause();
  }
  if (round < WARMUP_ROUNDS) continue;
  const off = times.get('off')!;
  for (const l of levels) {
    ratios[l].push(times.get(l)! / off);
    msPerStep[l].push(times.get(l)! / BLOCK);
  }
}
for (const r of runs) r.rec?.stop();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quartiles = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!]; };
const BUDGET: Record<Level, number> = { off: 0, default: 5, full: 25 };
for (const l of levels) {
  const ms = median(msPerStep[l]);
  if (l === 'off') {
    console.log(`off      ${(1000 / ms).toFixed(1)} steps/s  (${ms.toFixed(3)} ms/step, median of ${ROUNDS} blocks of ${BLOCK} steps)`);
    continue;
  }
  const overhead = (median(ratios[l]) - 1) * 100;
  const total = (msPerStep[l].reduce((a, b) => a + b, 0) / msPerStep.off.reduce((a, b) => a + b, 0) - 1) * 100;
  const [q1, q3] = quartiles(ratios[l]).map((r) => (r - 1) * 100);
  console.log(`${l.padEnd(8)} ${(1000 / ms).toFixed(1)} steps/s  overhead vs off: ${overhead.toFixed(1)}% (quartiles ${q1!.toFixed(1)}% … ${q3!.toFixed(1)}%)  total time ${total.toFixed(1)}%  budget ≤ ${BUDGET[l]}%: ${overhead <= BUDGET[l] ? 'met' : 'NOT met'}`);
}
