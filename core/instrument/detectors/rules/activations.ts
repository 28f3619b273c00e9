// dead-relu and saturated-activation: per activation, a bad fraction held over a window.
// Only ReLU dies (LeakyReLU and GELU keep a gradient below 0); only sigmoid/tanh saturate.

import type { ActivationStep, StepRecord } from '../../records';
import type { DiagnosticCode } from '../../diagnostics';
import { moduleName, pct, steps, when } from './format';
import { Streaks } from './streaks';
import type { Rule, RuleContext } from './types';

interface ActivationCheck {
  code: DiagnosticCode;
  /** The bad fraction, or null when this check does not apply to the activation. */
  measure(a: ActivationStep): number | null;
  threshold(ctx: RuleContext): number;
  /** Whether the fraction at the threshold already counts (≥) or must exceed it (>). */
  inclusive: boolean;
  describe(a: ActivationStep, frac: number): string;
  fix: string;
}

class ActivationRule implements Rule {
  private readonly streaks = new Streaks();
  private readonly fired = new Set<string>();

  constructor(private readonly check: ActivationCheck) {}

  observe(record: StepRecord, ctx: RuleContext): void {
    const limit = this.check.threshold(ctx);
    for (const a of record.activations) {
      const frac = this.check.measure(a);
      if (frac === null) continue;
      if (!(this.check.inclusive ? frac >= limit : frac > limit)) {
        this.streaks.miss(a.key);
        continue;
      }
      const s = this.streaks.hit(a.key, record.step);
      if (s.count < ctx.config.windowSteps && !this.fired.has(a.key)) continue;
      this.fired.add(a.key);
      const now = record.step, count = s.count, what = this.check.describe(a, frac);
      ctx.emit({
        code: this.check.code,
        module: a.module,
        key: a.key,
        step: s.start,
        lastStep: now,
        message: (since) => `${OP_NAMES[a.op]} in ${moduleName(a.module)}: ${what} over ${steps(count)}, ${when(since, now)}`,
        fix: this.check.fix,
        evidence: { frac, units: a.units, steps: count },
      });
    }
  }
}

const OP_NAMES: Record<string, string> = { Relu: 'ReLU', LeakyRelu: 'LeakyReLU', Gelu: 'GELU', Sigmoid: 'Sigmoid', Tanh: 'Tanh' };

export function deadReluRule(): Rule {
  return new ActivationRule({
    code: 'dead-relu',
    measure: (a) => (a.op === 'Relu' ? a.deadFrac : null),
    threshold: (ctx) => ctx.config.deadReluFrac,
    inclusive: true,
    describe: (a, f) => `${pct(f)} of its ${a.units} units are dead (0 for every sample of the batch, so they pass no gradient)`,
    fix: 'lower the learning rate (a large update can push the units below 0 for good), use LeakyReLU or GELU, He (kaimingNormal) initialisation, check the bias initialisation (a small positive bias keeps units alive) or add BatchNorm before the ReLU',
  });
}

export function saturatedActivationRule(): Rule {
  return new ActivationRule({
    code: 'saturated-activation',
    measure: (a) => (a.op === 'Sigmoid' || a.op === 'Tanh' ? a.saturatedFrac : null),
    threshold: (ctx) => ctx.config.saturatedFrac,
    inclusive: false,
    describe: (_a, f) => `${pct(f)} of its pre-activations are saturated (beyond the saturation threshold, ±5 by default, where the gradient is almost 0)`,
    fix: 'normalise the inputs, use Xavier (xavierUniform) initialisation, add BatchNorm/LayerNorm before the activation, lower the learning rate, or use ReLU/GELU in hidden layers',
  });
}
