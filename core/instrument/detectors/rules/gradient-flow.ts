// exploding-gradient and vanishing-gradient. Two kinds of evidence [AUTOTRAINER]: the ratio of the
// first layer's gradient norm to the last one's, judged over a window; and, for explosions, the
// magnitude itself, reported at once: an RNN whose every layer has 1e16 gradients has a ratio
// near 1 yet is plainly exploding.

import type { ParamStep, StepRecord } from '../../records';
import { fmt, moduleName, nameList, steps, when } from './format';
import { firstAndLastLayers } from './layers';
import { Streaks } from './streaks';
import type { Rule, RuleContext } from './types';

function gradNorm(p: ParamStep): number {
  return p.grad === null ? NaN : p.grad.norm;
}

/** first/last gradient-norm ratio of the layers, or null when it is not defined. */
function layerRatio(record: StepRecord): { first: ParamStep; last: ParamStep; ratio: number } | null {
  const fl = firstAndLastLayers(record.params);
  if (fl === null || gradNorm(fl.last) === 0) return null;
  return { ...fl, ratio: gradNorm(fl.first) / gradNorm(fl.last) };
}

const EXPLODING_FIX = 'clip the gradient norm (nn.utils.clipGradNorm(model.parameters(), 1.0)) before optimizer.step(), lower the learning rate, add normalisation (BatchNorm/LayerNorm) and check the initialisation (Xavier/He, not large random values); for RNNs clipping is the standard fix';

export class ExplodingGradientRule implements Rule {
  private readonly streaks = new Streaks();
  /** Module every report goes to once the first one chose it: one finding per run, not one per layer. */
  private anchor: string | null = null;

  observe(record: StepRecord, ctx: RuleContext): void {
    const c = ctx.config;
    const over = record.params.filter((p) => Number.isFinite(gradNorm(p)) && gradNorm(p) > c.explodingAbsNorm);
    const globalOver = Number.isFinite(record.gradNorm) && record.gradNorm > c.explodingAbsNorm;
    const lr = layerRatio(record);
    const relHolds = lr !== null && lr.ratio > c.explodingRatio;
    const streak = relHolds ? this.streaks.hit('ratio', record.step) : (this.streaks.miss('ratio'), undefined);
    const relFires = streak !== undefined && (streak.count >= c.windowSteps || this.anchor !== null);
    const absFires = over.length > 0 || globalOver;
    if (!absFires && !relFires) return;

    let step: number;
    let body: string;
    const evidence: Record<string, number> = { gradNorm: record.gradNorm };
    if (lr !== null) evidence['ratio'] = lr.ratio;
    if (absFires) {
      step = record.step;
      const pool = over.length > 0 ? over : record.params.filter((p) => Number.isFinite(gradNorm(p)));
      const worst = pool.reduce<ParamStep | null>((a, p) => (a === null || gradNorm(p) > gradNorm(a) ? p : a), null);
      this.anchor ??= worst?.module ?? '';
      evidence['maxNorm'] = worst === null ? record.gradNorm : gradNorm(worst);
      const head = worst !== null && over.length > 0
        ? `gradient norm of '${worst.name}' is ${fmt(gradNorm(worst))} (limit ${fmt(c.explodingAbsNorm)}); global gradient norm ${fmt(record.gradNorm)}`
        : `global gradient norm is ${fmt(record.gradNorm)} (limit ${fmt(c.explodingAbsNorm)})`;
      const others = over.length > 1 ? `; ${over.length} parameters are over the limit: ${nameList(over.map((p) => p.name), 3)}` : '';
      body = head + others;
    } else {
      step = streak!.start;
      this.anchor ??= lr!.first.module;
      evidence['firstNorm'] = gradNorm(lr!.first);
      evidence['lastNorm'] = gradNorm(lr!.last);
      body = `gradients grow ${fmt(lr!.ratio)}× from the last layer ('${lr!.last.name}', norm ${fmt(gradNorm(lr!.last))}) to the first ('${lr!.first.name}', norm ${fmt(gradNorm(lr!.first))}) over ${steps(streak!.count)} (limit ${fmt(c.explodingRatio)}×)`;
    }
    const module = this.anchor;
    const now = record.step;
    ctx.emit({
      code: 'exploding-gradient',
      module,
      step,
      lastStep: now,
      message: (since) => `Exploding gradients in ${moduleName(module)}: ${body}, ${when(since, now)}`,
      fix: EXPLODING_FIX,
      evidence,
    });
  }
}

export class VanishingGradientRule implements Rule {
  private readonly streaks = new Streaks();
  private anchor: string | null = null;

  observe(record: StepRecord, ctx: RuleContext): void {
    const c = ctx.config;
    const lr = layerRatio(record);
    // An exactly-zero first layer is not vanishing but cut off: no-gradient reports it.
    const holds = lr !== null && lr.ratio < c.vanishingRatio && gradNorm(lr.first) < c.vanishingFirstNorm && gradNorm(lr.first) > 0;
    if (!holds) {
      this.streaks.miss('ratio');
      return;
    }
    const streak = this.streaks.hit('ratio', record.step);
    if (streak.count < c.windowSteps && this.anchor === null) return;
    this.anchor ??= lr.first.module;
    const module = this.anchor;
    const now = record.step;
    const first = lr.first, last = lr.last, ratio = lr.ratio, count = streak.count;
    ctx.emit({
      code: 'vanishing-gradient',
      module,
      step: streak.start,
      lastStep: now,
      message: (since) =>
        `Vanishing gradients: the first layer '${first.name}' gets a gradient norm of ${fmt(gradNorm(first))}, ` +
        `${fmt(ratio)} times the last layer's ('${last.name}', ${fmt(gradNorm(last))}), over ${steps(count)}, ${when(since, now)}`,
      fix: 'use ReLU/LeakyReLU/GELU instead of sigmoid/tanh in deep stacks, He (kaimingNormal) initialisation, BatchNorm/LayerNorm, and residual connections; for recurrent networks use LSTM/GRU instead of a plain RNN',
      evidence: { ratio, firstNorm: gradNorm(first), lastNorm: gradNorm(last), steps: count },
    });
  }
}
