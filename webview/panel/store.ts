// The panel's state: the run's report (the host's `init` snapshot, then the `events` batches folded
// on top of it) and the UI state (view, histogram layer and step), the only part persisted through
// `vscode.setState`. Pure: no DOM, no `vscode`; the persisting function is handed in.

import { ReportBuilder, type JsonReport, type ParameterSeries, type ActivationSeries, type ReportDiagnostic } from '../../core/report/model';
import { assertNever, type HostToWebview } from '../protocol';

export const PANEL_VIEWS = ['gradients', 'histograms', 'training'] as const;
export type PanelView = (typeof PANEL_VIEWS)[number];

export interface UiState {
  view: PanelView;
  /** The histogram picked (`histogramKeyId`: "kind:name"); null = the first one with data, gradients first. */
  layer: string | null;
  /** The histogram step picked; null = follow the latest. */
  histStep: number | null;
}

export const DEFAULT_UI: UiState = { view: 'gradients', layer: null, histStep: null };

/** The panel keeps fewer points than a saved report: it redraws whole series on every frame. */
export const PANEL_MAX_POINTS = 2_000;

/** UI state from `vscode.getState()`, which may be absent or written by an older panel. */
export function readUiState(saved: unknown): UiState {
  const s = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
  const view = s['view'];
  const layer = s['layer'];
  const histStep = s['histStep'];
  return {
    view: (PANEL_VIEWS as readonly unknown[]).includes(view) ? (view as PanelView) : DEFAULT_UI.view,
    layer: typeof layer === 'string' ? layer : null,
    histStep: typeof histStep === 'number' && Number.isFinite(histStep) ? histStep : null,
  };
}

export class PanelStore {
  private base: JsonReport | null = null;
  private builder = new ReportBuilder({ maxPoints: PANEL_MAX_POINTS });
  /** Whether anything was folded since `base` (else the merge is skipped). */
  private folded = false;
  private merged: JsonReport | null = null;
  private mergedAt = -1;
  private uiState: UiState;
  private pendingScript: string | null = null;
  running = false;
  /** Bumped on every change of the run's data; views redraw when it moves. */
  revision = 0;

  constructor(saved: unknown, private readonly persist: (ui: UiState) => void = () => {}) {
    this.uiState = readUiState(saved);
  }

  get ui(): Readonly<UiState> {
    return this.uiState;
  }

  setUi(patch: Partial<UiState>): void {
    const next = { ...this.uiState, ...patch };
    if (next.view === this.uiState.view && next.layer === this.uiState.layer && next.histStep === this.uiState.histStep) return;
    this.uiState = next;
    this.persist(next);
  }

  receive(msg: HostToWebview): void {
    switch (msg.type) {
      case 'init':
        this.base = msg.report;
        this.builder = new ReportBuilder({ maxPoints: PANEL_MAX_POINTS });
        this.folded = false;
        this.running = msg.running;
        this.pendingScript = null;
        break;
      case 'events':
        for (const e of msg.events) {
          if (e.type === 'runStarted') this.running = true;
          else if (e.type === 'runEnded') this.running = false;
          this.builder.add(e);
        }
        this.folded ||= msg.events.length > 0;
        break;
      case 'reset':
        // The previous run's data goes; its UI choices stay (same model, most likely).
        this.base = null;
        this.builder = new ReportBuilder({ maxPoints: PANEL_MAX_POINTS });
        this.folded = false;
        this.running = true;
        this.pendingScript = msg.script;
        this.setUi({ histStep: null });
        break;
      default:
        assertNever(msg);
    }
    this.revision++;
  }

  /** The script of the current (or last) run, known from `reset` before its first event arrives. */
  get script(): string | null {
    const r = this.report;
    return r !== null && r.script !== '' ? r.script : this.pendingScript;
  }

  /** The run's report so far (null before any run); recomputed at most once per revision. */
  get report(): JsonReport | null {
    if (this.mergedAt !== this.revision) {
      this.merged = !this.folded ? this.base : this.base === null ? this.builder.report() : mergeReports(this.base, this.builder.report());
      this.mergedAt = this.revision;
    }
    return this.merged;
  }
}

/** Rows of `delta` after the last step of `base`, appended: the series stay ordered by step. */
function appendAfter<T extends { steps: number[] }>(base: T, delta: T, cols: readonly (keyof T)[]): T {
  const last = base.steps.length > 0 ? base.steps[base.steps.length - 1]! : -Infinity;
  let from = 0;
  while (from < delta.steps.length && delta.steps[from]! <= last) from++;
  const out = { ...delta, steps: base.steps.concat(delta.steps.slice(from)) };
  for (const c of cols) (out[c] as unknown) = (base[c] as unknown as unknown[]).concat((delta[c] as unknown as unknown[]).slice(from));
  return out;
}

function mergeByName<T extends { name: string; steps: number[] }>(base: T[], delta: T[], cols: readonly (keyof T)[]): T[] {
  const fresh = new Map(delta.map((d) => [d.name, d]));
  const out = base.map((b) => {
    const d = fresh.get(b.name);
    fresh.delete(b.name);
    return d === undefined ? b : appendAfter(b, d, cols);
  });
  return out.concat([...fresh.values()]);
}

const PARAM_COLS = ['gradNorm', 'gradMeanAbs', 'gradMaxAbs', 'gradZeroFrac', 'gradNanCount', 'gradInfCount', 'weightNorm', 'updateRatio'] as const satisfies readonly (keyof ParameterSeries)[];
const ACT_COLS = ['deadFrac', 'saturatedFrac'] as const satisfies readonly (keyof ActivationSeries)[];

const diagKey = (d: ReportDiagnostic): string => `${d.code}\u0000${d.module ?? '\u0001'}`;

/**
 * A snapshot (`base`, from the host) continued by a report folded from the events that came after
 * it (`delta`): series appended, findings updated in place (same code and module), the rest taken
 * from `delta` where it has it. Both stay bounded, so the sum does too.
 */
export function mergeReports(base: JsonReport, delta: JsonReport): JsonReport {
  const series = (b: JsonReport['loss'], d: JsonReport['loss']): JsonReport['loss'] => {
    const last = b.length > 0 ? b[b.length - 1]!.step : -Infinity;
    return b.concat(d.filter((p) => p.step > last));
  };
  const diagnostics = new Map(base.diagnostics.map((d) => [diagKey(d), d]));
  for (const d of delta.diagnostics) diagnostics.set(diagKey(d), d);
  const bptt = new Map(base.bptt.map((b) => [`${b.module}#${b.layer}`, b]));
  for (const b of delta.bptt) bptt.set(`${b.module}#${b.layer}`, b);
  const lastHist = base.histograms.length > 0 ? base.histograms[base.histograms.length - 1]!.step : -Infinity;
  const ended = delta.status !== 'running';
  const shapes = new Map((delta.model ?? base.model)?.params.map((p) => [p.name, p.shape]) ?? []);
  return {
    ...base,
    script: delta.script || base.script,
    level: delta.level ?? base.level,
    startedAt: delta.startedAt ?? base.startedAt,
    status: ended ? delta.status : base.status,
    steps: Math.max(base.steps, delta.steps),
    durationMs: ended ? delta.durationMs : base.durationMs,
    ...(delta.error !== undefined ? { error: delta.error } : {}),
    diagnostics: [...diagnostics.values()],
    model: delta.model ?? base.model,
    loss: series(base.loss, delta.loss),
    gradNorm: series(base.gradNorm, delta.gradNorm),
    lr: series(base.lr, delta.lr),
    // A continuation that never saw the `model` event has no shapes: the snapshot's model does.
    parameters: mergeByName(base.parameters, delta.parameters, PARAM_COLS).map((p) => (p.shape !== null ? p : { ...p, shape: shapes.get(p.name) ?? null })),
    activations: mergeByName(base.activations, delta.activations, ACT_COLS),
    bptt: [...bptt.values()],
    histograms: base.histograms.concat(delta.histograms.filter((h) => h.step > lastHist)),
  };
}
