// The HTML report: one self-contained file. The summary and the findings (with their code
// excerpts) are rendered here as static, escaped HTML; the charts are drawn in the page by the
// client script from the report data embedded as JSON. No network: chart.js and the client are
// inlined, and the CSP allows only those two scripts (by hash) and the page's own style.

import { createHash } from 'node:crypto';
import type { JsonReport, ReportDiagnostic, ReportLocation } from './model';
import { encodeReport } from './codec';
import { escapeHtml, jsonForScript, scriptForHtml } from './escape';
import { sourceExcerpt } from './excerpt';
import { reportAssets, type ReportAssets } from './assets';
import { REPORT_CSS } from './html-style';

/** Reads a user's source file for the excerpts; null when it cannot be read. */
export type SourceReader = (file: string) => string | null;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function renderHtmlReport(report: JsonReport, readSource: SourceReader, assets: ReportAssets = reportAssets()): string {
  const sources = cachedReader(readSource);
  const chartJs = scriptForHtml(assets.chartJs);
  const client = scriptForHtml(assets.client);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartJs)} ${sha256(client)}`,
    `style-src ${sha256(REPORT_CSS)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `GradScope report — ${baseName(report.script) || 'run'}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="GradScope">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<a class="skip" href="#findings">Skip to findings</a>
<header>
<h1>${escapeHtml(title)}</h1>
<nav aria-label="Sections"><ul>
<li><a href="#summary">Summary</a></li><li><a href="#findings">Findings</a></li><li><a href="#loss">Loss</a></li>
<li><a href="#flow">Gradient flow</a></li><li><a href="#norms">Norms</a></li><li><a href="#updates">Update ratios</a></li>
<li><a href="#histograms">Histograms</a></li><li><a href="#heatmap">Over time</a></li><li><a href="#activations">Activations</a></li>
<li><a href="#bptt">BPTT</a></li>
</ul></nav>
</header>
<main>
${summarySection(report, sources)}
${findingsSection(report, sources)}
${chartSection('loss', 'Loss', 'The value backward() was called on, per step.', '')}
${chartSection('flow', 'Gradient flow per layer', 'Mean and max |grad| per parameter at one step (log scale). Layers orders of magnitude below the others are not learning.',
    `<label for="flow-step">Step <output id="flow-step-out" for="flow-step"></output></label><input type="range" id="flow-step" min="0" max="0" value="0">`)}
${chartSection('norms', 'Gradient norms over time', 'L2 norm of each parameter\'s gradient per step (log scale), and the global norm.', '')}
${chartSection('updates', 'Update ratios', '‖Δw‖ / ‖w‖ of each optimizer step per parameter (log scale); around 1e-3 is typical, far above means too high a learning rate, far below too low.', '')}
${chartSection('histograms', 'Histograms', 'The distribution of a tensor\'s values at one of the kept steps. Exact zeros, NaN and ±Inf have their own bars.',
    `<label for="hist-key">Tensor</label><select id="hist-key"></select>
<label for="hist-step">Step <output id="hist-step-out" for="hist-step"></output></label><input type="range" id="hist-step" min="0" max="0" value="0">`)}
${chartSection('heatmap', 'Histograms over time', 'Each column is a kept step, each row a value bin; darker cells hold more values.',
    `<label for="heat-key">Tensor</label><select id="heat-key"></select>`)}
${chartSection('activations', 'Dead and saturated activations', 'Fraction of units dead (ReLU: zero for the whole batch) or saturated (sigmoid/tanh) per step.', '')}
${chartSection('bptt', 'Backpropagation through time', 'Norm of the gradient reaching each recurrent layer\'s hidden state at every time step of the latest step (log scale). Growing towards early steps: exploding; shrinking: vanishing.', '')}
</main>
<script type="application/json" id="report-data">${jsonForScript(encodeReport(report))}</script>
<script>${chartJs}</script>
<script>${client}</script>
</body>
</html>
`;
}

function cachedReader(read: SourceReader): SourceReader {
  const cache = new Map<string, string | null>();
  return (file) => {
    if (!cache.has(file)) {
      let text: string | null;
      try { text = read(file); } catch { text = null; }
      cache.set(file, text);
    }
    return cache.get(file)!;
  };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const fmtLoc = (l: ReportLocation): string => `${l.file}:${l.line}:${l.column}`;

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function summarySection(r: JsonReport, read: SourceReader): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of r.diagnostics) counts[d.severity]++;
  const paramCount = r.model?.params.reduce((a, p) => a + p.numel, 0);
  const lastLoss = [...r.loss].reverse().find((p) => p.value !== null);
  const rows: [string, string][] = [
    ['Script', `<code>${escapeHtml(r.script)}</code>`],
    ['Status', `<span class="status status-${escapeHtml(r.status)}">${escapeHtml(r.status)}</span>`],
    ['Steps', String(r.steps)],
    ['Duration', escapeHtml(formatDuration(r.durationMs))],
  ];
  if (r.level !== null) rows.push(['Instrumentation', escapeHtml(r.level)]);
  if (r.startedAt !== null && Number.isFinite(r.startedAt)) rows.push(['Started', escapeHtml(new Date(r.startedAt).toISOString())]);
  if (lastLoss !== undefined) rows.push(['Final loss', escapeHtml(String(lastLoss.value))]);
  if (paramCount !== undefined) rows.push(['Parameters', `${paramCount.toLocaleString('en-US')} in ${r.model!.params.length} tensors`]);
  rows.push(['Findings', `<span class="sev sev-error">${counts.error} error${counts.error === 1 ? '' : 's'}</span> <span class="sev sev-warning">${counts.warning} warning${counts.warning === 1 ? '' : 's'}</span> <span class="sev sev-info">${counts.info} info</span>`]);
  if (r.sampling.stride > 1) rows.push(['Sampling', `every ${r.sampling.stride}th step kept (at most ${r.sampling.maxPoints}), plus the latest`]);
  let error = '';
  if (r.error !== undefined) {
    error = `<div class="run-error" role="alert"><h3>The script failed</h3><p class="message">${escapeHtml(r.error.message)}</p>
${r.error.location ? `<p class="loc"><code>${escapeHtml(fmtLoc(r.error.location))}</code></p>${excerptHtml(r.error.location, read)}` : ''}
<details><summary>Stack trace</summary><pre>${escapeHtml(r.error.stack)}</pre></details></div>`;
  }
  return `<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>
<dl class="summary">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>${error}</section>`;
}

function excerptHtml(loc: ReportLocation, read: SourceReader): string {
  const source = read(loc.file);
  if (source === null) return `<p class="no-source">Source not available.</p>`;
  const ex = sourceExcerpt(source, loc.line, loc.column);
  if (ex === null) return `<p class="no-source">Line ${loc.line} is not in the file any more.</p>`;
  const width = String(ex.lines[ex.lines.length - 1]!.line).length;
  const rows = ex.lines.map((l) => {
    const num = String(l.line).padStart(width, ' ');
    const row = `<span class="ln" aria-hidden="true">${num}</span> ${escapeHtml(l.text)}`;
    if (!l.hit) return `<span class="row">${row}</span>`;
    const caret = `<span class="row caret" aria-hidden="true"><span class="ln">${' '.repeat(width)}</span> ${' '.repeat(ex.caret)}^</span>`;
    return `<mark class="row hit">${row}</mark>${caret}`;
  });
  // Rows are blocks (for the highlight), so no newlines between them.
  return `<pre class="excerpt" aria-label="Code around line ${loc.line}"><code>${rows.join('')}</code></pre>`;
}

function diagnosticHtml(d: ReportDiagnostic, read: SourceReader): string {
  const steps = d.lastStep > d.step ? `steps ${d.step}–${d.lastStep}` : `step ${d.step}`;
  const evidence = Object.entries(d.evidence);
  const related = d.related.length === 0 ? '' : `<ul class="related">${d.related.map((r) =>
    `<li>${escapeHtml(r.message)} — <code>${escapeHtml(fmtLoc(r.location))}</code></li>`).join('')}</ul>`;
  return `<li class="finding sev-${escapeHtml(d.severity)}" tabindex="0">
<div class="finding-head"><span class="badge badge-${escapeHtml(d.severity)}">${escapeHtml(d.severity)}</span> <code class="code">${escapeHtml(d.code)}</code>${d.module !== undefined ? ` <span class="module">in <code>${escapeHtml(d.module || '(root module)')}</code></span>` : ''} <span class="steps">${steps}</span></div>
<p class="message">${escapeHtml(d.message)}</p>
<p class="fix"><strong>Fix:</strong> ${escapeHtml(d.fix)}</p>
${d.location ? `<p class="loc"><code>${escapeHtml(fmtLoc(d.location))}</code></p>${excerptHtml(d.location, read)}` : ''}
${related}
${evidence.length === 0 ? '' : `<p class="evidence">${evidence.map(([k, v]) => `<span>${escapeHtml(k)} = ${escapeHtml(formatEvidence(v))}</span>`).join(' ')}</p>`}
</li>`;
}

function formatEvidence(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Findings that share a code, severity and location (e.g. one per unrolled time step of an RNN)
 * are shown once, with the others folded under it, so a long list stays readable.
 */
function groupFindings(ds: ReportDiagnostic[]): ReportDiagnostic[][] {
  const groups = new Map<string, ReportDiagnostic[]>();
  for (const d of ds) {
    const key = d.location === null ? `\u0000${groups.size}` : `${d.code}\u0000${d.severity}\u0000${fmtLoc(d.location)}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [d]);
    else g.push(d);
  }
  return [...groups.values()];
}

function findingsSection(r: JsonReport, read: SourceReader): string {
  const ds = [...r.diagnostics].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.step - b.step);
  const items = groupFindings(ds).map(([first, ...rest]) => {
    if (rest.length === 0) return diagnosticHtml(first!, read);
    const more = `<details class="more"><summary>${rest.length} more <code>${escapeHtml(first!.code)}</code> finding${rest.length === 1 ? '' : 's'} at this line</summary><ul>${rest.map((d) =>
      `<li data-code="${escapeHtml(d.code)}">${escapeHtml(d.message)}</li>`).join('')}</ul></details>`;
    return diagnosticHtml(first!, read).replace(/<\/li>$/, `${more}</li>`);
  });
  const body = ds.length === 0
    ? '<p class="empty">No findings: the detectors saw nothing wrong in this run.</p>'
    : `<ol class="findings">${items.join('\n')}</ol>`;
  return `<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings (${ds.length})</h2>${body}</section>`;
}

function chartSection(id: string, heading: string, help: string, controls: string): string {
  return `<section id="${id}" class="chart-section" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(heading)}</h2>
<p class="help">${escapeHtml(help)}</p>${controls ? `<div class="controls">${controls}</div>` : ''}
<div class="chart-box"><canvas id="${id}-canvas" role="img" aria-label="${escapeHtml(heading)} chart"></canvas></div>
<p class="note" id="${id}-note" aria-live="polite"></p></section>`;
}
