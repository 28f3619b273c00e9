// The run report: the event stream folded into one versioned, serialisable document, shared by
// the JSON report, the HTML report and the VS Code panel. Pure (no I/O, no clock). The format is
// documented field by field in docs/report-format.md; change both together.

import type { RunEvent, RunStatus } from '../instrument/events';
import type { DiagnosticCode, Severity } from '../instrument/diagnostics';
import type { ActivationOp, HistogramEntry, Level, StepRecord } from '../instrument/records';
import type { SourceLocation } from '../instrument/callsite';
import { Columns, Decimator } from './sampling';

/** Bumped on any change an existing reader could misread (removed/renamed/retyped field); additions keep it. */
export const REPORT_VERSION = 1;

/** Default bound of the per-step series: every step up to this many, then evenly decimated. */
export const DEFAULT_MAX_POINTS = 10_000;
/** Default number of evenly spaced histogram steps kept (plus the latest). */
export const DEFAULT_MAX_HISTOGRAM_STEPS = 20;

export interface ReportLocation {
  file: string;
  line: number;
  column: number;
}

export interface ReportDiagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  fix: string;
  step: number;
  lastStep: number;
  module?: string;
  location: ReportLocation | null;
  related: { message: string; location: ReportLocation }[];
  evidence: Record<string, number>;
}

export interface StepValue {
  step: number;
  value: number | null;
}

export interface ParameterSeries {
  name: string;
  module: string;
  shape: number[] | null;
  /** The steps the columns below are aligned with. */
  steps: number[];
  /** Gradient columns are null at steps where the parameter got no gradient. */
  gradNorm: (number | null)[];
  gradMeanAbs: (number | null)[];
  gradMaxAbs: (number | null)[];
  gradZeroFrac: (number | null)[];
  gradNanCount: (number | null)[];
  gradInfCount: (number | null)[];
  weightNorm: (number | null)[];
  /** ‖Δw‖/‖w‖ of the optimizer step after that backward; null when none ran. */
  updateRatio: (number | null)[];
}

export interface ActivationSeries {
  name: string;
  module: string;
  op: ActivationOp;
  units: number;
  steps: number[];
  deadFrac: (number | null)[];
  /** Null for activations that do not saturate (ReLU family, GELU). */
  saturatedFrac: (number | null)[];
}

export interface BpttReport {
  module: string;
  layer: number;
  /** The step these norms were measured at (the latest one that ran this layer). */
  step: number;
  /** Norm of the gradient reaching the hidden state at each time step (index 0 = first). */
  norms: number[];
  /** When `norms` holds NaN/Inf: the latest reading that was all finite (the shape of the blow-up), if any. */
  lastFinite?: { step: number; norms: number[] };
}

export interface HistogramReportEntry {
  name: string;
  kind: 'grad' | 'weight' | 'activation';
  lo: number;
  hi: number;
  /** Counts of finite nonzero values per equal-width bin over [lo, hi]. */
  counts: number[];
  zero: number;
  nan: number;
  posInf: number;
  negInf: number;
}

export interface HistogramSnapshot {
  step: number;
  entries: HistogramReportEntry[];
}

export interface ModelReport {
  modules: { path: string; type: string; location: ReportLocation | null }[];
  params: { name: string; module: string; shape: number[]; numel: number }[];
}

export type ReportStatus = RunStatus | 'running';

export interface JsonReport {
  version: typeof REPORT_VERSION;
  script: string;
  level: Level | null;
  /** Epoch milliseconds of the run's start, as reported by the runner (null if unknown). */
  startedAt: number | null;
  status: ReportStatus;
  steps: number;
  durationMs: number;
  error?: { message: string; location: ReportLocation | null; stack: string };
  diagnostics: ReportDiagnostic[];
  model: ModelReport | null;
  /** How the per-step series were thinned: every `stride`-th step, at most `maxPoints` (+ the latest). */
  sampling: { maxPoints: number; stride: number; maxHistogramSteps: number; histogramStride: number };
  loss: StepValue[];
  gradNorm: StepValue[];
  lr: StepValue[];
  parameters: ParameterSeries[];
  activations: ActivationSeries[];
  bptt: BpttReport[];
  histograms: HistogramSnapshot[];
}

export interface ReportBuilderOptions {
  maxPoints?: number;
  maxHistogramSteps?: number;
}

const PARAM_COLS = ['gradNorm', 'gradMeanAbs', 'gradMaxAbs', 'gradZeroFrac', 'gradNanCount', 'gradInfCount', 'weightNorm', 'updateRatio'] as const;
type ParamCol = (typeof PARAM_COLS)[number];
const ACT_COLS = ['deadFrac', 'saturatedFrac'] as const;
const SCALAR_COLS = ['loss', 'gradNorm', 'lr'] as const;

interface ParamTrack {
  name: string;
  module: string;
  cols: Columns<ParamCol>;
  last: { ordinal: number; step: number; values: Record<ParamCol, number | null> } | null;
}

interface ActTrack {
  name: string;
  module: string;
  op: ActivationOp;
  units: number;
  cols: Columns<(typeof ACT_COLS)[number]>;
  last: { ordinal: number; step: number; values: Record<(typeof ACT_COLS)[number], number | null> } | null;
}

const loc = (l: SourceLocation | null | undefined): ReportLocation | null =>
  l ? { file: l.file, line: l.line, column: l.column } : null;

/**
 * Folds a run's events into a JsonReport. Memory stays bounded on long runs: per-step series keep
 * every step up to `maxPoints`, then are thinned evenly (stride doubling, the same steps for every
 * series) and the latest step is always included; histograms keep up to `maxHistogramSteps` evenly
 * spaced steps plus the latest; BPTT keeps the latest norms per layer.
 */
export class ReportBuilder {
  private readonly maxPoints: number;
  private readonly maxHist: number;
  private script = '';
  private level: Level | null = null;
  private startedAt: number | null = null;
  private status: ReportStatus = 'running';
  private stepCount = 0;
  private durationMs = 0;
  private error: JsonReport['error'];
  private readonly diagnostics = new Map<string, ReportDiagnostic>();
  private model: ModelReport | null = null;

  private ordinal = 0;
  private readonly steps: Decimator;
  private readonly scalars = new Columns(SCALAR_COLS);
  private lastScalar: { ordinal: number; step: number; values: Record<(typeof SCALAR_COLS)[number], number | null> } | null = null;
  private readonly params = new Map<string, ParamTrack>();
  private readonly acts = new Map<string, ActTrack>();
  private readonly bptt = new Map<string, BpttReport>();

  private histOrdinal = 0;
  private readonly hists: Decimator;
  private readonly histKept: { ordinal: number; snap: HistogramSnapshot }[] = [];
  private latestHist: HistogramSnapshot | null = null;

  constructor(options: ReportBuilderOptions = {}) {
    this.maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    this.maxHist = options.maxHistogramSteps ?? DEFAULT_MAX_HISTOGRAM_STEPS;
    this.steps = new Decimator(this.maxPoints);
    this.hists = new Decimator(this.maxHist);
  }

  add(e: RunEvent): void {
    switch (e.type) {
      case 'runStarted':
        this.script = e.script;
        this.level = e.level;
        this.startedAt = e.startedAt;
        return;
      case 'model':
        this.model = {
          modules: e.summary.modules.map((m) => ({ path: m.path, type: m.type, location: loc(m.location) })),
          params: e.summary.params.map((p) => ({ name: p.name, module: p.module, shape: [...p.shape], numel: p.shape.reduce((a, b) => a * b, 1) })),
        };
        return;
      case 'step':
        this.addStep(e.record);
        return;
      case 'histograms':
        this.addHistograms(e.step, e.entries);
        return;
      case 'diagnostic': {
        const d = e.diagnostic;
        // A finding is updated in place: the same code on the same module is the same finding.
        const key = `${d.code}\u0000${d.module === undefined ? '\u0001' : d.module}`;
        this.diagnostics.set(key, {
          code: d.code, severity: d.severity, message: d.message, fix: d.fix, step: d.step, lastStep: d.lastStep,
          ...(d.module !== undefined ? { module: d.module } : {}),
          location: loc(d.location),
          related: d.related.map((r) => ({ message: r.message, location: loc(r.location)! })),
          evidence: { ...d.evidence },
        });
        return;
      }
      case 'log':
        return;
      case 'runEnded':
        this.status = e.status;
        this.stepCount = Math.max(this.stepCount, e.steps);
        this.durationMs = e.durationMs;
        if (e.error !== undefined) this.error = { message: e.error.message, location: loc(e.error.location), stack: e.error.stack };
        return;
    }
  }

  private addStep(r: StepRecord): void {
    this.stepCount = Math.max(this.stepCount, r.step);
    const n = this.ordinal++;
    const stride = this.steps.stride;
    const keep = this.steps.admit(n);
    if (this.steps.stride !== stride) this.thinAll();

    const scalar = { loss: r.loss, gradNorm: r.gradNorm, lr: r.lr };
    this.lastScalar = { ordinal: n, step: r.step, values: scalar };
    if (keep) this.scalars.push(n, r.step, scalar);

    for (const p of r.params) {
      let t = this.params.get(p.name);
      if (t === undefined) {
        t = { name: p.name, module: p.module, cols: new Columns(PARAM_COLS), last: null };
        this.params.set(p.name, t);
      }
      const g = p.grad;
      // A step between detailed ones measured the norm (and NaN/Inf counts) only.
      const d = r.detail === false ? null : g;
      const values: Record<ParamCol, number | null> = {
        gradNorm: g ? g.norm : null, gradMeanAbs: d ? d.meanAbs : null, gradMaxAbs: d ? d.maxAbs : null,
        gradZeroFrac: d ? d.zeroFrac : null, gradNanCount: g ? g.nanCount : null, gradInfCount: g ? g.infCount : null,
        weightNorm: p.weight.norm, updateRatio: p.updateRatio,
      };
      t.last = { ordinal: n, step: r.step, values };
      if (keep) t.cols.push(n, r.step, values);
    }
    for (const a of r.activations) {
      let t = this.acts.get(a.key);
      if (t === undefined) {
        t = { name: a.key, module: a.module, op: a.op, units: a.units, cols: new Columns(ACT_COLS), last: null };
        this.acts.set(a.key, t);
      }
      t.units = a.units;
      const values = { deadFrac: a.deadFrac, saturatedFrac: a.saturatedFrac };
      t.last = { ordinal: n, step: r.step, values };
      if (keep) t.cols.push(n, r.step, values);
    }
    for (const b of r.bptt) {
      const key = `${b.module}#${b.layer}`;
      const prev = this.bptt.get(key);
      const entry: BpttReport = { module: b.module, layer: b.layer, step: r.step, norms: [...b.norms] };
      if (!b.norms.every(Number.isFinite)) {
        const finite = prev === undefined ? undefined : prev.lastFinite ?? (prev.norms.every(Number.isFinite) ? { step: prev.step, norms: prev.norms } : undefined);
        if (finite !== undefined) entry.lastFinite = finite;
      }
      this.bptt.set(key, entry);
    }
  }

  private thinAll(): void {
    this.scalars.thin(this.steps);
    for (const t of this.params.values()) t.cols.thin(this.steps);
    for (const t of this.acts.values()) t.cols.thin(this.steps);
  }

  private addHistograms(step: number, entries: HistogramEntry[]): void {
    const snap: HistogramSnapshot = {
      step,
      entries: entries.map((e) => ({
        name: e.name, kind: e.kind, lo: e.hist.lo, hi: e.hist.hi, counts: Array.from(e.hist.counts),
        zero: e.hist.zero, nan: e.hist.nan, posInf: e.hist.posInf, negInf: e.hist.negInf,
      })),
    };
    this.latestHist = snap;
    const n = this.histOrdinal++;
    const stride = this.hists.stride;
    const keep = this.hists.admit(n);
    if (this.hists.stride !== stride) {
      let w = 0;
      for (const k of this.histKept) if (this.hists.keeps(k.ordinal)) this.histKept[w++] = k;
      this.histKept.length = w;
    }
    if (keep) this.histKept.push({ ordinal: n, snap });
  }

  /** A snapshot of the report so far (fresh arrays; histogram snapshots are shared: treat as read-only). */
  report(): JsonReport {
    const scalarRows = withLatest(this.scalars, this.lastScalar);
    const series = (name: (typeof SCALAR_COLS)[number]): StepValue[] =>
      scalarRows.steps.map((step, i) => ({ step, value: scalarRows.cols[name][i]! }));
    const shapes = new Map((this.model?.params ?? []).map((p) => [p.name, p.shape]));

    const histograms = this.histKept.map((k) => k.snap);
    if (this.latestHist !== null && histograms[histograms.length - 1] !== this.latestHist) histograms.push(this.latestHist);

    return {
      version: REPORT_VERSION,
      script: this.script,
      level: this.level,
      startedAt: this.startedAt,
      status: this.status,
      steps: this.stepCount,
      durationMs: this.durationMs,
      ...(this.error !== undefined ? { error: { ...this.error } } : {}),
      diagnostics: [...this.diagnostics.values()],
      model: this.model,
      sampling: { maxPoints: this.maxPoints, stride: this.steps.stride, maxHistogramSteps: this.maxHist, histogramStride: this.hists.stride },
      loss: series('loss'),
      gradNorm: series('gradNorm'),
      lr: series('lr'),
      parameters: [...this.params.values()].map((t) => {
        const rows = withLatest(t.cols, t.last);
        return { name: t.name, module: t.module, shape: shapes.get(t.name) ?? null, steps: rows.steps, ...rows.cols };
      }),
      activations: [...this.acts.values()].map((t) => {
        const rows = withLatest(t.cols, t.last);
        return { name: t.name, module: t.module, op: t.op, units: t.units, steps: rows.steps, ...rows.cols };
      }),
      bptt: [...this.bptt.values()].map((b) => ({ ...b, norms: [...b.norms], ...(b.lastFinite ? { lastFinite: { step: b.lastFinite.step, norms: [...b.lastFinite.norms] } } : {}) })),
      histograms,
    };
  }
}

/** Copies of the kept rows, with the latest row appended when decimation skipped it. */
function withLatest<K extends string>(
  c: Columns<K>,
  last: { ordinal: number; step: number; values: Record<K, number | null> } | null,
): { steps: number[]; cols: Record<K, (number | null)[]> } {
  const steps = c.steps.slice();
  const cols = {} as Record<K, (number | null)[]>;
  for (const n of c.names) cols[n] = c.cols[n].slice();
  if (last !== null && c.ordinals[c.ordinals.length - 1] !== last.ordinal) {
    steps.push(last.step);
    for (const n of c.names) cols[n].push(last.values[n]);
  }
  return { steps, cols };
}
