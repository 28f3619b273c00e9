// The live gradient panel (bundled to out/panel.js, styles in out/panel.css).
//
// THE PAGE THE HOST SERVES is exactly `panelHtml({ scriptUri, styleUri, nonce, cspSource })` from
// webview/panel/html.ts — call it, do not hand-write it:
//   - CSP `default-src 'none'; script-src 'nonce-…'; style-src ${cspSource}; img-src ${cspSource} data:;
//     font-src ${cspSource}` (no inline style attributes, no eval, nothing remote);
//   - <link rel="stylesheet" href="asWebviewUri(out/panel.css)"> in <head>;
//   - the skeleton: #btn-run, #btn-stop, #btn-export, #status, #empty, #content (hidden), #findings
//     (#findings-count, #findings-empty, #findings-list), #tabs with the views #view-gradients,
//     #view-histograms, #view-training, the pickers #hist-layer and #hist-step (+ #hist-step-out),
//     and one card per chart: #flow, #norms, #updates, #histogram, #heatmap, #loss, #activations,
//     #bptt, each with #<id>-note and #<id>-canvas;
//   - last, <script nonce="…" src="asWebviewUri(out/panel.js)"></script>.
// localResourceRoots must include out/. Protocol: webview/protocol.ts. The panel posts `ready` once
// its listener is in place; the host answers with `init` (full snapshot) and then `events` batches.
// Histogram counts may arrive as number[] or as typed arrays (both fold the same). Non-finite numbers
// must be tagged with webview/wire.ts's tagNonFinite (JSON would turn them into null); untagged
// messages are read as they are.

import { assertNever, type HostToWebview, type PanelCommand, type WebviewToHost } from '../protocol';
import { untagNonFinite } from '../wire';
import type { JsonReport, ReportDiagnostic } from '../../core/report/model';
import {
  activationFractions, bpttNorms, findHistogram, formatNumber, gradNormChart, gradientFlow, histogramBars, histogramHeatmap,
  histogramKeyId, histogramKeys, informativeKey, lastDrawableFlowStep, lossChart, lossPrefersLog, normsOverTime, rowAt,
  updateRatios, type HistogramKey,
} from '../charts/transform';
import { seriesColor } from '../charts/config';
import { drawHeatmap } from '../report/heatmap';
import { PANEL_VIEWS, PanelStore, type PanelView, type UiState } from './store';
import { readTheme, watchTheme } from './theme';
import { BarView, LineView, byId, droppedText, setNote } from './views';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';

interface VsCodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (msg: WebviewToHost): void => vscode.postMessage(msg);

const store = new PanelStore(vscode.getState(), (ui) => vscode.setState(ui));
let theme = readTheme();

const views = {
  flow: new BarView('flow', theme),
  norms: new LineView('norms', theme),
  updates: new LineView('updates', theme),
  histogram: new BarView('histogram', theme),
  loss: new LineView('loss', theme),
  activations: new LineView('activations', theme),
  bptt: new LineView('bptt', theme),
};

// ---- toolbar ----------------------------------------------------------------------------------

const buttons: [string, PanelCommand][] = [['btn-run', 'run'], ['btn-stop', 'stop'], ['btn-export', 'exportReport']];
for (const [id, command] of buttons) {
  byId(id).addEventListener('click', () => {
    if (!byId(id).hasAttribute('disabled')) send({ type: 'command', command });
  });
}

function setDisabled(id: string, disabled: boolean): void {
  const el = byId(id);
  if (el.hasAttribute('disabled') !== disabled) el.toggleAttribute('disabled', disabled);
}

function renderToolbar(r: JsonReport | null): void {
  setDisabled('btn-run', store.running);
  setDisabled('btn-stop', !store.running);
  setDisabled('btn-export', r === null);
  const parts: string[] = [];
  const script = store.script;
  if (script !== null) parts.push(basename(script));
  if (r !== null) {
    parts.push(store.running ? 'running' : r.status === 'running' ? 'ended' : r.status);
    parts.push(`step ${r.steps}`);
    const loss = r.loss[r.loss.length - 1]?.value;
    if (loss !== undefined && loss !== null) parts.push(`loss ${formatNumber(loss)}`);
  } else if (store.running) parts.push('starting…');
  const text = parts.join(' · ');
  const status = byId('status');
  if (status.textContent !== text) status.textContent = text;
}

// ---- findings ---------------------------------------------------------------------------------

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const SEVERITIES = ['error', 'warning', 'info'] as const;
const findingItems = new Map<string, HTMLLIElement>();

interface FindingRow {
  key: string;
  severity: ReportDiagnostic['severity'];
  code: string;
  message: string;
  detail: string;
  where: string;
  location: ReportDiagnostic['location'];
}

const basename = (file: string): string => file.split(/[\\/]/).pop()!;

function findingRows(r: JsonReport): FindingRow[] {
  const where = (loc: ReportDiagnostic['location'], steps: string): string => (loc !== null ? `${basename(loc.file)}:${loc.line} · ${steps}` : steps);
  const rows: FindingRow[] = r.diagnostics.map((d) => ({
    key: `${d.code}\u0000${d.module ?? ''}`,
    severity: d.severity,
    code: d.code,
    message: d.message,
    detail: d.fix,
    where: where(d.location, `step ${d.step}${d.lastStep > d.step ? `–${d.lastStep}` : ''}`),
    location: d.location,
  }));
  if (r.error !== undefined) {
    rows.push({ key: '\u0000error', severity: 'error', code: 'run failed', message: r.error.message, detail: '', where: where(r.error.location, `step ${r.steps}`), location: r.error.location });
  }
  return rows.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

const rowSignature = (f: FindingRow): string => JSON.stringify([f.severity, f.code, f.message, f.detail, f.where, f.location]);

function span(cls: string, text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

/** One finding as a button: focusable, Enter and click both open its line (user text via textContent only). */
function fillFinding(li: HTMLLIElement, f: FindingRow): void {
  li.className = `finding sev-${f.severity}`;
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'finding-btn';
  btn.setAttribute('aria-label', `${f.severity} ${f.code}: ${f.message} (${f.where})${f.location !== null ? '. Press Enter to open.' : ''}`);
  if (f.location === null) btn.disabled = true;
  else btn.title = `${f.location.file}:${f.location.line}:${f.location.column}`;
  btn.append(span('sev', ''), span('code', f.code), span('msg', f.message), span('where', f.where));
  if (f.detail !== '') btn.append(span('fix', f.detail));
  const loc = f.location;
  if (loc !== null) btn.addEventListener('click', () => send({ type: 'openLocation', file: loc.file, line: Math.max(1, loc.line), column: Math.max(1, loc.column) }));
  li.replaceChildren(btn);
  li.dataset['sig'] = rowSignature(f);
}

function renderFindings(r: JsonReport): void {
  const rows = findingRows(r);
  const list = byId<HTMLUListElement>('findings-list');
  const keep = new Set(rows.map((f) => f.key));
  for (const [key, li] of findingItems) if (!keep.has(key)) { li.remove(); findingItems.delete(key); }
  rows.forEach((f, i) => {
    let li = findingItems.get(f.key);
    if (li === undefined) {
      li = document.createElement('li');
      findingItems.set(f.key, li);
    }
    // Rebuilt only when its text changed, and moved only when out of place, so keyboard focus stays put.
    if (li.dataset['sig'] !== rowSignature(f)) {
      const hadFocus = li.contains(document.activeElement);
      fillFinding(li, f);
      if (hadFocus) li.querySelector('button')?.focus();
    }
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] ?? null);
  });
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of rows) n[f.severity]++;
  const count = rows.length === 0 ? '' : `(${SEVERITIES.filter((s) => n[s] > 0).map((s) => `${n[s]} ${s}${n[s] === 1 ? '' : 's'}`).join(', ')})`;
  const countEl = byId('findings-count');
  if (countEl.textContent !== count) countEl.textContent = count;
  byId('findings-empty').hidden = rows.length > 0;
}

// ---- views ------------------------------------------------------------------------------------

function waitingOr(id: string, why: string): void {
  setNote(id, store.running ? 'Waiting for data…' : why, true);
}

function renderGradients(r: JsonReport): void {
  const params = r.parameters.filter((p) => p.gradMeanAbs.some((v) => v !== null));
  const step = lastDrawableFlowStep(params);
  if (params.length === 0 || step === undefined) waitingOr('flow', 'No parameter received a gradient in this run.');
  else {
    const d = gradientFlow(params, step);
    views.flow.show(d, { log: true, xTitle: 'layer (input side first)', yTitle: '|grad| (log)' });
    // On a log axis a zero gradient has no bar, and a zero gradient is the finding: name those layers.
    const flat = d.labels.filter((_, i) => d.datasets.every((ds) => ds.data[i] === null));
    const named = flat.length > 4 ? `${flat.slice(0, 4).join(', ')} and ${flat.length - 4} more` : flat.join(', ');
    setNote('flow', `at step ${step}.${flat.length > 0 ? ` No bar (zero or non-finite gradient): ${named}.` : ''}`);
  }

  const norms = normsOverTime(r.parameters);
  const global = gradNormChart(r);
  if (global.datasets[0]!.data.length > 0) norms.datasets.unshift({ label: 'global ‖grad‖', data: global.datasets[0]!.data });
  norms.dropped += global.dropped;
  if (norms.datasets.every((ds) => ds.data.length === 0)) waitingOr('norms', 'No gradient was recorded in this run.');
  else {
    views.norms.show(norms, { log: true, xTitle: 'step', yTitle: '‖grad‖ (log)' });
    setNote('norms', droppedText(norms.dropped, true));
  }

  const updates = updateRatios(r.parameters);
  if (updates.datasets.length === 0) waitingOr('updates', 'No optimizer step was recorded, so there are no update ratios.');
  else {
    views.updates.show(updates, { log: true, xTitle: 'step', yTitle: '‖Δw‖ / ‖w‖ (log)' });
    setNote('updates', `healthy training usually sits near 1e-3. ${droppedText(updates.dropped, true)}`);
  }
}

let layerSig = '';

/** The layer picker's options follow the histogram keys; rebuilt only when they change. */
function syncLayerPicker(keys: HistogramKey[], chosen: string): void {
  const select = byId<HTMLElement & { value: string }>('hist-layer');
  const sig = keys.map(histogramKeyId).join('\n');
  if (sig !== layerSig) {
    layerSig = sig;
    select.replaceChildren(...keys.map((k) => {
      const o = document.createElement('vscode-option');
      o.setAttribute('value', histogramKeyId(k));
      o.textContent = `${k.kind} · ${k.name}`;
      if (histogramKeyId(k) === chosen) o.setAttribute('selected', '');
      return o;
    }));
  }
  if (select.value !== chosen) select.value = chosen;
}

function renderHistograms(r: JsonReport): void {
  const snaps = r.histograms;
  const keys = histogramKeys(snaps);
  const slider = byId<HTMLInputElement>('hist-step');
  const out = byId<HTMLOutputElement>('hist-step-out');
  if (keys.length === 0) {
    waitingOr('histogram', 'No histograms were recorded in this run.');
    waitingOr('heatmap', 'No histograms were recorded in this run.');
    slider.disabled = true;
    return;
  }
  slider.disabled = false;
  const ui = store.ui;
  const key = keys.find((k) => histogramKeyId(k) === ui.layer) ?? informativeKey(snaps, keys)!;
  syncLayerPicker(keys, histogramKeyId(key));

  const steps = snaps.map((s) => s.step);
  const i = ui.histStep === null ? steps.length - 1 : Math.max(0, rowAt(steps, ui.histStep));
  slider.max = String(steps.length - 1);
  slider.value = String(i);
  const snap = snaps[i]!;
  out.textContent = `${snap.step}${ui.histStep === null ? ' (latest)' : ''}`;
  slider.setAttribute('aria-valuetext', `step ${snap.step}`);

  const entry = findHistogram(snap, key);
  if (entry === undefined) setNote('histogram', `No histogram of ${key.kind} ${key.name} at step ${snap.step}.`, true);
  else {
    views.histogram.show(histogramBars(entry), { log: false, xTitle: `${key.kind} value (bin centre)`, yTitle: 'count' });
    setNote('histogram', `${key.kind} ${key.name} at step ${snap.step}, range [${formatNumber(entry.lo)}, ${formatNumber(entry.hi)}]`);
  }

  const h = histogramHeatmap(snaps, key);
  const canvas = byId<HTMLCanvasElement>('heatmap-canvas');
  drawHeatmap(canvas, h, { fg: theme.text, accent: seriesColor(theme, 0), bg: theme.bg, bad: theme.error });
  canvas.setAttribute('aria-label', `Histogram of ${key.kind} ${key.name} over ${h.steps.length} steps, values from ${formatNumber(h.lo)} to ${formatNumber(h.hi)}`);
  setNote('heatmap', `${key.kind} ${key.name}: one column per recorded step, darker = more values.`);
}

function renderTraining(r: JsonReport): void {
  const log = lossPrefersLog(r);
  const loss = lossChart(r, log);
  if (loss.datasets[0]!.data.length === 0) waitingOr('loss', 'No loss was recorded: pass it to the recorder (e.g. return it from the step).');
  else {
    views.loss.show(loss, { log, xTitle: 'step', yTitle: log ? 'loss (log)' : 'loss' });
    setNote('loss', droppedText(loss.dropped, log));
  }

  if (r.activations.length === 0) waitingOr('activations', 'No activation (ReLU, GELU, sigmoid, tanh…) ran in this run.');
  else {
    const d = activationFractions(r.activations);
    views.activations.show(d, { log: false, xTitle: 'step', yTitle: 'fraction of units', yMax: 1 });
    setNote('activations', droppedText(d.dropped, false));
  }

  // BPTT exists only for recurrent models: the card is shown when there is something to show.
  byId('bptt').hidden = r.bptt.length === 0;
  if (r.bptt.length > 0) {
    const d = bpttNorms(r.bptt);
    views.bptt.show(d, { log: true, xTitle: 'time step', yTitle: '‖∂L/∂h_t‖ (log)' });
    const finite = d.datasets.some((ds) => ds.data.some((pt) => pt.y !== null));
    setNote('bptt', finite
      ? `latest step per recurrent layer; shrinking to the left = vanishing, growing = exploding. ${droppedText(d.dropped, true)}`
      : `No finite norm to draw at the latest step (${r.bptt.map((b) => b.step).join(', ')}): the gradient through time overflowed.`, !finite);
  }
}

const RENDER: Record<PanelView, (r: JsonReport) => void> = { gradients: renderGradients, histograms: renderHistograms, training: renderTraining };

// ---- the frame loop ---------------------------------------------------------------------------

/** Per view, the data revision it last drew (hidden views are skipped and drawn when shown). */
const drawn: Record<PanelView, number> = { gradients: -1, histograms: -1, training: -1 };
let frame = 0;

function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function render(): void {
  frame = 0;
  const r = store.report;
  renderToolbar(r);
  const hasRun = r !== null || store.running;
  byId('empty').hidden = hasRun;
  byId('content').hidden = !hasRun;
  if (r === null) {
    byId<HTMLUListElement>('findings-list').replaceChildren();
    findingItems.clear();
    byId('findings-empty').hidden = false;
  } else renderFindings(r);
  const view = store.ui.view;
  if (drawn[view] !== store.revision && hasRun) {
    drawn[view] = store.revision;
    try {
      RENDER[view](r ?? emptyReport);
    } catch (err) {
      // One broken view must not stop the others (or the findings) from updating.
      console.error(err);
    }
  }
  document.body.dataset['rendered'] = String(store.revision);
}

const emptyReport: JsonReport = {
  version: 1, script: '', level: null, startedAt: null, status: 'running', steps: 0, durationMs: 0, diagnostics: [], model: null,
  sampling: { maxPoints: 0, stride: 1, maxHistogramSteps: 0, histogramStride: 1 },
  loss: [], gradNorm: [], lr: [], parameters: [], activations: [], bptt: [], histograms: [],
};

function redrawAll(): void {
  for (const v of PANEL_VIEWS) drawn[v] = -1;
  schedule();
}

// ---- UI events --------------------------------------------------------------------------------

const tabs = byId<HTMLElement & { selectedIndex: number }>('tabs');
tabs.selectedIndex = PANEL_VIEWS.indexOf(store.ui.view);
tabs.addEventListener('vsc-tabs-select', (e) => {
  const view = PANEL_VIEWS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
  if (view === undefined) return;
  store.setUi({ view });
  schedule();
});

byId('hist-layer').addEventListener('change', (e) => {
  store.setUi({ layer: (e.target as HTMLElement & { value: string }).value });
  redrawAll();
});

byId<HTMLInputElement>('hist-step').addEventListener('input', (e) => {
  const slider = e.target as HTMLInputElement;
  const snaps = store.report?.histograms ?? [];
  const i = Number(slider.value);
  // The right end follows the latest histogram as training goes on.
  store.setUi({ histStep: i >= snaps.length - 1 ? null : snaps[i]!.step });
  redrawAll();
});

// The heatmap is a plain canvas sized when drawn: redraw it when its box changes (panel resized, tab shown).
new ResizeObserver(() => {
  drawn.histograms = -1;
  if (store.ui.view === 'histograms') schedule();
}).observe(byId('heatmap-canvas').parentElement!);

watchTheme(() => {
  theme = readTheme();
  for (const v of Object.values(views)) v.retheme(theme);
  redrawAll();
});

// ---- messages from the host -------------------------------------------------------------------

function receive(msg: HostToWebview): void {
  switch (msg.type) {
    case 'init':
    case 'events':
    case 'reset':
      store.receive(msg);
      schedule();
      return;
    default:
      assertNever(msg);
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const msg = e.data;
  if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') return;
  try {
    receive(untagNonFinite(msg) as HostToWebview);
  } catch (err) {
    console.error(err);
  }
});

schedule();
send({ type: 'ready' });

// For tests: per chart, how many points it has to draw (null before the chart exists).
(window as unknown as { gradscopePanel: { points: () => Record<string, number | null> } }).gradscopePanel = {
  points: () => Object.fromEntries(Object.entries(views).map(([k, v]) => [k, v.drawablePoints()])),
};
