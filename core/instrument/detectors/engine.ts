// DiagnosisEngine: feeds each step to the rules and keeps one Diagnostic per (code, identity):
// the first step is kept, lastStep/message/evidence follow the latest evidence. Callers get
// snapshots, so a diagnostic they stored does not change under them.

import type { SourceLocation } from '../callsite';
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics';
import type { NonFiniteOrigin, StepRecord } from '../records';
import { resolveConfig, type DetectorConfig } from './config';
import { deadReluRule, saturatedActivationRule } from './rules/activations';
import { ExplodingGradientRule, VanishingGradientRule } from './rules/gradient-flow';
import { LearningRateRule } from './rules/learning-rate';
import { LossDivergenceRule, LossPlateauRule } from './rules/loss';
import { NanInfRule } from './rules/nan-inf';
import { NoGradientRule } from './rules/no-gradient';
import { Fp16UnderflowRule } from './rules/fp16-underflow';
import type { Finding, Rule, RuleContext } from './rules/types';

export const SEVERITY: Readonly<Record<DiagnosticCode, Severity>> = {
  'nan-inf': 'error',
  'exploding-gradient': 'warning',
  'vanishing-gradient': 'warning',
  'dead-relu': 'warning',
  'saturated-activation': 'warning',
  'no-gradient': 'warning',
  'loss-divergence': 'warning',
  'loss-plateau': 'info',
  'lr-too-high': 'warning',
  'lr-too-low': 'info',
  'fp16-underflow': 'info',
};

function snapshot(d: Diagnostic): Diagnostic {
  return { ...d, related: d.related.map((r) => ({ ...r })), evidence: { ...d.evidence } };
}

function sameEvidence(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is(a[k], b[k]));
}

export class DiagnosisEngine {
  private readonly ctx: RuleContext;
  private readonly disabled: ReadonlySet<DiagnosticCode>;
  private readonly nanInf = new NanInfRule();
  private readonly rules: Rule[];
  /** Rules that read non-finite steps themselves (the loss rules restart their windows on them). */
  private readonly seeNonFinite: ReadonlySet<Rule>;
  private readonly byId = new Map<string, Diagnostic>();
  private readonly order: Diagnostic[] = [];
  /** Diagnostics created or changed during the current call. */
  private changed = new Set<Diagnostic>();

  constructor(config: Partial<DetectorConfig>, private readonly locate: (modulePath: string) => SourceLocation | null) {
    const resolved = resolveConfig(config);
    this.disabled = new Set(resolved.disabled);
    this.ctx = { config: resolved, emit: (f) => this.record(f) };
    this.rules = [
      this.nanInf,
      new ExplodingGradientRule(),
      new VanishingGradientRule(),
      deadReluRule(),
      saturatedActivationRule(),
      new NoGradientRule(),
      new LossDivergenceRule(),
      new LossPlateauRule(),
      new LearningRateRule(),
      new Fp16UnderflowRule(),
    ];
    this.seeNonFinite = new Set(this.rules.filter((r) => r === this.nanInf || r instanceof LossDivergenceRule || r instanceof LossPlateauRule));
  }

  /** `judge`: false to look at the step for absolute evidence only (default: whether it is detailed). */
  observe(record: StepRecord, judge = record.detail !== false): Diagnostic[] {
    // Once values have gone non-finite, every other reading is a consequence (NaN activations
    // look dead, NaN updates look like no update): only nan-inf judges such a step.
    const poisoned = hasNonFinite(record);
    // Steps between detailed ones carry norms only: judged only when they show absolute
    // evidence (non-finite values, or a norm past the exploding threshold).
    if (!judge && !poisoned && !record.params.some((p) => p.grad !== null && p.grad.norm > this.ctx.config.explodingAbsNorm)) return [];
    return this.collect(() => {
      for (const r of this.rules) if (!poisoned || this.seeNonFinite.has(r)) r.observe(record, this.ctx);
    });
  }

  /** The nan-inf diagnostic for a non-finite origin (new or updated); null when nan-inf is disabled. */
  nonFinite(origin: NonFiniteOrigin): Diagnostic | null {
    if (this.disabled.has('nan-inf')) return null;
    this.collect(() => this.nanInf.nonFinite(origin, this.ctx));
    return snapshot(this.byId.get(this.idOf('nan-inf', origin.module ?? undefined, undefined))!);
  }

  finish(): Diagnostic[] {
    return this.collect(() => {
      for (const r of this.rules) r.finish?.(this.ctx);
    });
  }

  all(): Diagnostic[] {
    return this.order.map(snapshot);
  }

  private collect(run: () => void): Diagnostic[] {
    this.changed = new Set();
    run();
    const out = [...this.changed].map(snapshot);
    this.changed = new Set();
    return out;
  }

  private idOf(code: DiagnosticCode, module: string | undefined, key: string | undefined): string {
    return `${code}\u0000${key !== undefined ? `k:${key}` : module !== undefined ? `m:${module}` : 'run'}`;
  }

  private create(f: Finding): Diagnostic {
    const d: Diagnostic = {
      code: f.code,
      severity: SEVERITY[f.code],
      message: f.message(f.step),
      fix: f.fix,
      step: f.step,
      lastStep: f.lastStep ?? f.step,
      location: f.location !== undefined ? f.location : f.module !== undefined ? this.locate(f.module) : null,
      related: f.related ?? [],
      evidence: { ...f.evidence },
    };
    if (f.module !== undefined) d.module = f.module;
    return d;
  }

  private record(f: Finding): void {
    if (this.disabled.has(f.code)) return;
    const id = this.idOf(f.code, f.module, f.key);
    const existing = this.byId.get(id);
    if (existing === undefined) {
      const d = this.create(f);
      this.byId.set(id, d);
      this.order.push(d);
      this.changed.add(d);
      return;
    }
    const lastStep = Math.max(existing.lastStep, f.lastStep ?? f.step);
    const message = f.message(existing.step);
    if (lastStep === existing.lastStep && message === existing.message && f.fix === existing.fix && sameEvidence(existing.evidence, f.evidence)) return;
    existing.lastStep = lastStep;
    existing.message = message;
    existing.fix = f.fix;
    existing.evidence = { ...f.evidence };
    this.changed.add(existing);
  }
}

/** True when the step's loss, or any parameter's gradient or weight, holds NaN or Inf. */
function hasNonFinite(record: StepRecord): boolean {
  if (record.loss !== null && !Number.isFinite(record.loss)) return true;
  return record.params.some((p) => p.weight.nanCount + p.weight.infCount > 0 || (p.grad !== null && p.grad.nanCount + p.grad.infCount > 0));
}
