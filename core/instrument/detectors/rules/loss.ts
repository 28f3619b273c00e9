// loss-divergence and loss-plateau: judged from the scalar loss alone. Non-finite losses are
// nan-inf's business; here they only break the plateau window.

import type { StepRecord } from '../../records';
import { fmt, when } from './format';
import type { Rule, RuleContext } from './types';

export class LossDivergenceRule implements Rule {
  private first: number | null = null;
  private prev: number | null = null;
  private records = 0;

  observe(record: StepRecord, ctx: RuleContext): void {
    this.records++;
    const loss = record.loss;
    const prev = this.prev;
    this.prev = loss !== null && Number.isFinite(loss) ? loss : null;
    if (loss === null || !Number.isFinite(loss)) return;
    if (this.first === null) {
      this.first = loss;
      return;
    }
    const first = this.first;
    // A ratio to a negative or zero start (e.g. a log-likelihood) means nothing.
    if (this.records < 2 || first <= 0 || prev === null) return;
    const factor = ctx.config.divergenceFactor;
    if (!(loss > factor * first && loss > prev)) return;
    const now = record.step;
    ctx.emit({
      code: 'loss-divergence',
      step: now,
      message: (since) => `Loss is diverging: ${fmt(loss)}, ${fmt(loss / first)}× the first loss (${fmt(first)}) and still rising (limit ${fmt(factor)}×), ${when(since, now)}`,
      fix: 'lower the learning rate (try 10× smaller), clip gradients (nn.utils.clipGradNorm), check the data and labels for outliers or wrong scaling, and that the loss is minimised (not maximised)',
      evidence: { loss, firstLoss: first, factor: loss / first },
    });
  }
}

export class LossPlateauRule implements Rule {
  private losses: number[] = [];
  private stepsOf: number[] = [];

  observe(record: StepRecord, ctx: RuleContext): void {
    const loss = record.loss;
    if (loss === null || !Number.isFinite(loss)) {
      this.losses = [];
      this.stepsOf = [];
      return;
    }
    const c = ctx.config;
    this.losses.push(loss);
    this.stepsOf.push(record.step);
    if (this.losses.length > c.plateauWindow) {
      this.losses.shift();
      this.stepsOf.shift();
    }
    if (this.losses.length < c.plateauWindow) return;
    const half = c.plateauWindow >> 1;
    const a = this.losses.slice(0, half), b = this.losses.slice(half);
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    const m1 = mean(a), m2 = mean(b);
    if (m1 === 0) return;
    const rel = Math.abs(m2 - m1) / Math.abs(m1);
    // "No improvement": the best loss of the second half is not better than the first half's.
    const min = (v: number[]): number => v.reduce((m, x) => (x < m ? x : m), Infinity);
    const improved = min(b) < min(a) - c.plateauRelChange * Math.abs(m1);
    if (!(rel < c.plateauRelChange && m2 > c.plateauMinLoss && !improved)) return;
    const start = this.stepsOf[0]!, now = record.step;
    ctx.emit({
      code: 'loss-plateau',
      step: start,
      lastStep: now,
      message: (since) =>
        `Loss has plateaued at ${fmt(m2)}: the mean of the last ${b.length} steps differs from the ${a.length} before by ${fmt(rel * 100)}% (limit ${fmt(c.plateauRelChange * 100)}%), ${when(since, now)}`,
      fix: 'raise the learning rate or use a schedule (warmup, cosine annealing with restarts), check that the labels match the inputs and that the data is shuffled; if this is the expected final loss, training has converged',
      evidence: { loss: m2, relChange: rel, window: c.plateauWindow },
    });
  }
}
