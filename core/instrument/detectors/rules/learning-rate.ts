// lr-too-high and lr-too-low, from the median over the layers of ‖Δw‖/‖w‖ of each optimizer step
// (healthy ≈ 1e-3 [CS231N]). Steps without an optimizer step neither extend nor break a streak.

import type { StepRecord } from '../../records';
import { fmt, steps, when } from './format';
import { isLayerWeight, median } from './layers';
import { Streaks } from './streaks';
import type { Rule, RuleContext } from './types';

/** Median update ratio over the weight layers (biases start at 0, so their ratio says nothing early on); null without updates. */
export function medianUpdateRatio(record: StepRecord): number | null {
  // Parameters without a gradient did not move for lack of one, not for the learning rate
  // (no-gradient and dead-relu report those).
  const finite = record.params.filter((p) => p.updateRatio !== null && Number.isFinite(p.updateRatio) && p.grad !== null && p.grad.norm > 0);
  if (finite.length === 0) return null;
  const layers = finite.filter(isLayerWeight);
  return median((layers.length > 0 ? layers : finite).map((p) => p.updateRatio!));
}

function lrText(lr: number | null): string {
  return lr === null ? '' : ` with lr = ${fmt(lr)}`;
}

export class LearningRateRule implements Rule {
  private readonly streaks = new Streaks();
  private readonly fired = new Set<string>();
  /** Loss at the start of the current high-ratio streak, to tell overshooting from fast progress. */
  private highStartLoss: number | null = null;

  observe(record: StepRecord, ctx: RuleContext): void {
    const ratio = medianUpdateRatio(record);
    if (ratio === null) return;
    const c = ctx.config;
    const now = record.step, lr = record.lr;
    const evidence: Record<string, number> = { medianUpdateRatio: ratio };
    if (lr !== null) evidence['lr'] = lr;

    const loss = record.loss !== null && Number.isFinite(record.loss) ? record.loss : null;
    if (ratio > c.lrHighRatio) {
      const s = this.streaks.hit('high', now);
      if (s.count === 1) this.highStartLoss = loss;
      // Large updates are only a problem when they buy no progress: the loss must not have
      // dropped by 1% or more over the streak.
      const stalled = loss !== null && this.highStartLoss !== null && loss > 0.99 * this.highStartLoss;
      if ((s.count >= c.lrHighWindow && stalled) || this.fired.has('high')) {
        this.fired.add('high');
        const count = s.count;
        ctx.emit({
          code: 'lr-too-high',
          step: s.start,
          lastStep: now,
          message: (since) => `Learning rate too high${lrText(lr)}: each optimizer step changes the weights by a median ${fmt(ratio)} of their norm (healthy ≈ 1e-3, limit ${fmt(c.lrHighRatio)}) over ${steps(count)} while the loss did not improve, ${when(since, now)}`,
          fix: `lower the learning rate${lr === null ? '' : ` (try ${fmt(lr / 10)})`} or use a warmup schedule; with Adam, 1e-3 to 1e-4 is the usual range`,
          evidence: { ...evidence, steps: count },
        });
      }
    } else {
      this.streaks.miss('high');
    }

    const converged = record.loss !== null && Number.isFinite(record.loss) && record.loss <= c.plateauMinLoss;
    if (ratio < c.lrLowRatio && !converged) {
      const s = this.streaks.hit('low', now);
      if (s.count >= c.lrLowWindow || this.fired.has('low')) {
        this.fired.add('low');
        const count = s.count;
        ctx.emit({
          code: 'lr-too-low',
          step: s.start,
          lastStep: now,
          message: (since) => `Learning rate may be too low${lrText(lr)}: each optimizer step changes the weights by a median ${fmt(ratio)} of their norm (healthy ≈ 1e-3, limit ${fmt(c.lrLowRatio)}) over ${steps(count)}, ${when(since, now)}`,
          fix: `raise the learning rate${lr === null ? '' : ` (try ${fmt(lr * 10)})`} or run a learning-rate range test; also check that the scheduler has not decayed it to ~0`,
          evidence: { ...evidence, steps: count },
        });
      }
    } else {
      this.streaks.miss('low');
    }
  }
}
