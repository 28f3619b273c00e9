// nan-inf: where a NaN or an infinity first appeared. The recorder reports the op that produced
// it (forward or backward); without such an origin the records still show it, in the loss or in a
// parameter's gradient or weight, and the finding falls back to those.

import type { NonFiniteOrigin, ParamStep, StepRecord } from '../../records';
import type { TensorStats } from '../../stats';
import { fmt, moduleName } from './format';
import type { Rule, RuleContext } from './types';

const OVERFLOW = 'values overflowed float32 (beyond ≈3.4e38) or met Inf − Inf / 0 × Inf: weights or activations are exploding. Lower the learning rate, clip gradients (clipGradNorm), add normalisation (BatchNorm/LayerNorm)';

/** The likely cause and fix for an op that produced a non-finite value. */
export function nonFiniteFix(op: string, phase: 'forward' | 'backward'): string {
  const back = phase === 'backward';
  switch (op) {
    case 'Log':
      return back
        ? 'the gradient of log is 1/x, infinite at x = 0: clamp the input (x.clamp(1e-8)) or use logSoftmax/BCEWithLogitsLoss instead of log(softmax(x))/log(sigmoid(x))'
        : 'log of 0 or a negative value: clamp the input (x.clamp(1e-8)) or use logSoftmax/BCEWithLogitsLoss instead of log(softmax(x))/log(sigmoid(x))';
    case 'Div':
      return 'division by zero (or 0/0): add an epsilon to the denominator (x.div(d.add(1e-8))) or mask the zero entries';
    case 'Sqrt':
      return back
        ? 'the gradient of sqrt is infinite at 0: add an epsilon inside (x.add(1e-12).sqrt()), e.g. when computing a norm'
        : 'sqrt of a negative value: clamp the input to ≥ 0 (x.clamp(0)) or take abs() first';
    case 'Pow':
    case 'PowScalar':
      return 'pow of a negative base with a fractional exponent, or of 0 with a negative exponent (or an overflow): clamp the base (x.clamp(1e-8)) or use abs() first';
    case 'Exp':
      return 'exp overflows float32 above ≈88.7: subtract the maximum first (softmax/logSoftmax do this for you), clamp the input, or lower the learning rate if the inputs keep growing';
    case 'BinaryCrossEntropy':
      return 'BCELoss needs probabilities in [0, 1]: feed raw logits to BCEWithLogitsLoss instead of sigmoid + BCELoss';
    case 'Softmax':
    case 'LogSoftmax':
      return 'the logits already held Inf or huge values: check the layer before (lower the learning rate, clip gradients with clipGradNorm)';
    case 'MatMul':
    case 'Linear':
    case 'Conv2d':
    case 'Mul':
    case 'Add':
    case 'Sub':
    case 'Sum':
      return OVERFLOW;
    default:
      return 'check the op\'s inputs for invalid values (log/sqrt of values ≤ 0, division by 0) and for growing magnitudes (lower the learning rate, clip gradients with clipGradNorm)';
  }
}

function valueEvidence(value: string): Record<string, number> {
  return value === 'NaN' ? { nan: 1 } : { inf: value.startsWith('-') ? -1 : 1 };
}

function nonFiniteIn(s: TensorStats | null): boolean {
  return s !== null && s.nanCount + s.infCount > 0;
}

function describeCounts(s: TensorStats): string {
  const parts: string[] = [];
  if (s.nanCount > 0) parts.push(`${s.nanCount} NaN`);
  if (s.infCount > 0) parts.push(`${s.infCount} Inf`);
  return parts.join(', ');
}

export class NanInfRule implements Rule {
  private readonly origins = new Map<string, NonFiniteOrigin>();
  /** Module the record-based fallback settled on (undefined = run-wide); null until it fires. */
  private fallbackAnchor: string | undefined | null = null;
  private fallbackStep = 0;

  nonFinite(origin: NonFiniteOrigin, ctx: RuleContext): void {
    const id = origin.module ?? '\u0000';
    const first = this.origins.get(id) ?? origin;
    this.origins.set(id, first);
    const where = first.module === null ? '' : ` (${moduleName(first.module)})`;
    ctx.emit({
      code: 'nan-inf',
      ...(first.module === null ? {} : { module: first.module }),
      step: first.step,
      lastStep: origin.step,
      message: () =>
        (first.inputIndex === undefined
          ? `${first.value} first produced by ${first.op} in ${first.phase}${where} at step ${first.step}`
          : `${first.value} first seen in the input ${first.inputIndex} of ${first.op}${where} at step ${first.step}: it came in with the data or a tensor built outside the graph`) +
        (origin.step > first.step ? `; seen again at step ${origin.step}` : ''),
      fix: first.inputIndex === undefined
        ? nonFiniteFix(first.op, first.phase)
        : 'check the input data for NaN/Inf (missing values, a division in preprocessing) before training, e.g. x.data.some(Number.isNaN)',
      evidence: { ...valueEvidence(first.value), backward: first.phase === 'backward' ? 1 : 0 },
      location: first.location,
      related: first.callers.map((location) => ({ message: 'called from here', location })),
    });
  }

  observe(record: StepRecord, ctx: RuleContext): void {
    // Once an op has been named as the origin, everything after is a consequence.
    if (this.origins.size > 0) return;
    const lossBad = record.loss !== null && !Number.isFinite(record.loss);
    const badGrads = record.params.filter((p) => nonFiniteIn(p.grad));
    const badWeights = record.params.filter((p) => nonFiniteIn(p.weight));
    if (!lossBad && badGrads.length === 0 && badWeights.length === 0) return;
    if (this.fallbackAnchor === null) {
      // Corrupted weights are where the state went bad; else the first gradient in layer order.
      const anchor: ParamStep | undefined = badWeights[0] ?? badGrads[0];
      this.fallbackAnchor = anchor?.module;
      this.fallbackStep = record.step;
    }
    const anchor = this.fallbackAnchor;
    const parts: string[] = [];
    if (lossBad) parts.push(`the loss is ${fmt(record.loss!)}`);
    const list = (ps: ParamStep[], kind: 'grad' | 'weight'): string =>
      ps.slice(0, 3).map((p) => `'${p.name}' (${describeCounts(kind === 'grad' ? p.grad! : p.weight)})`).join(', ') + (ps.length > 3 ? ` and ${ps.length - 3} more` : '');
    if (badWeights.length > 0) parts.push(`non-finite weights in ${list(badWeights, 'weight')}`);
    if (badGrads.length > 0) parts.push(`non-finite gradients in ${list(badGrads, 'grad')}`);
    const firstStep = this.fallbackStep;
    const where = anchor === undefined ? '' : ` around ${moduleName(anchor)}`;
    ctx.emit({
      code: 'nan-inf',
      ...(anchor === undefined ? {} : { module: anchor }),
      step: firstStep,
      lastStep: record.step,
      message: () =>
        `Non-finite values${where} since step ${firstStep}: ${parts.join('; ')} at step ${record.step} (the op that produced them was not identified)`,
      fix: anchor === undefined && badWeights.length === 0 && badGrads.length === 0
        ? 'the loss itself is not finite: check the loss inputs (log of 0, division by 0, BCELoss on values outside [0, 1]) and the data for NaN/Inf'
        : 'gradients or weights became NaN/Inf: lower the learning rate, clip gradients (clipGradNorm), check the data for NaN/Inf and the loss for log(0) or division by 0',
      evidence: {
        ...(record.loss !== null && lossBad ? { lossNaN: Number.isNaN(record.loss) ? 1 : 0 } : {}),
        params: new Set([...badGrads, ...badWeights]).size,
      },
    });
  }
}
