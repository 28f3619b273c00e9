// fp16-underflow: how much of the gradient would be lost if it were computed in float16 without
// loss scaling [MIXED]: nonzero values below float16's smallest normal lose precision, those
// below its smallest subnormal flush to 0.

import type { StepRecord } from '../../records';
import { FP16_MIN_NORMAL } from '../../stats';
import { fmt, pct, when } from './format';
import type { Rule, RuleContext } from './types';
import { Streaks } from './streaks';

/** Fractions of all nonzero finite gradient values (weighted by parameter size) below fp16's normal and subnormal ranges. */
export function fp16Fractions(record: StepRecord): { belowNormal: number; belowSubnormal: number } | null {
  let nonzero = 0, normal = 0, sub = 0;
  for (const p of record.params) {
    const g = p.grad;
    if (g === null) continue;
    const nz = g.count * (1 - g.zeroFrac) - g.nanCount - g.infCount;
    if (nz <= 0) continue;
    nonzero += nz;
    normal += g.fp16BelowNormal * nz;
    sub += g.fp16BelowSubnormal * nz;
  }
  return nonzero > 0 ? { belowNormal: normal / nonzero, belowSubnormal: sub / nonzero } : null;
}

export class Fp16UnderflowRule implements Rule {
  private readonly streaks = new Streaks();

  observe(record: StepRecord, ctx: RuleContext): void {
    const f = fp16Fractions(record);
    // A converged run's gradients are tiny by design; and one step's reading of a small model is noise.
    const converged = record.loss !== null && Number.isFinite(record.loss) && record.loss <= ctx.config.plateauMinLoss;
    if (f === null || !(f.belowNormal > ctx.config.fp16UnderflowFrac) || converged) {
      this.streaks.miss('fp16');
      return;
    }
    const s = this.streaks.hit('fp16', record.step);
    if (s.count < ctx.config.windowSteps) return;
    const now = record.step;
    ctx.emit({
      code: 'fp16-underflow',
      step: s.start,
      lastStep: now,
      message: (since) =>
        `${pct(f.belowNormal)} of gradient values would underflow in float16 (below ${fmt(FP16_MIN_NORMAL)}; ${pct(f.belowSubnormal)} flush to zero entirely), ${when(since, now)}`,
      fix: 'if you train in float16 (mixed precision), use loss scaling (a GradScaler: scale the loss before backward, unscale before the optimizer step); bfloat16 has float32\'s range and needs none',
      evidence: { belowNormal: f.belowNormal, belowSubnormal: f.belowSubnormal },
    });
  }
}
