// The gradient panel's page, as the extension host must serve it: the strict CSP (nonce'd script,
// styles and fonts from the webview's own origin only), the stylesheet link, the static skeleton
// whose ids webview/panel/main.ts looks up, and the script tag last. Pure (no DOM, no `vscode`): the
// host calls it with `asWebviewUri` URIs and a fresh nonce, so the page and the script cannot drift.

export interface PanelHtmlOptions {
  /** `webview.asWebviewUri(out/panel.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(out/panel.css)` as a string. */
  styleUri: string;
  /** A fresh random nonce per render (letters and digits). */
  nonce: string;
  /** `webview.cspSource`. */
  cspSource: string;
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Content-Security-Policy of the panel: nothing inline, nothing remote, no eval. */
export function panelCsp(nonce: string, cspSource: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource}; img-src ${cspSource} data:; font-src ${cspSource}`;
}

/** One chart card: a heading, a note line (dropped points, why it is empty) and the canvas. */
function card(id: string, title: string, label: string, extra = ''): string {
  return `<section class="card" id="${id}" aria-labelledby="${id}-title">
<header><h3 id="${id}-title">${title}</h3>${extra}</header>
<p class="note" id="${id}-note"></p>
<div class="plot"><canvas id="${id}-canvas" role="img" aria-label="${label}"></canvas></div>
</section>`;
}

export function panelHtml(o: PanelHtmlOptions): string {
  const nonce = escapeAttr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(panelCsp(o.nonce, o.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>GradScope</title>
</head>
<body>
<div class="toolbar" aria-label="Run controls">
<vscode-button id="btn-run" aria-label="Run the training script with gradient debugging">Run</vscode-button>
<vscode-button id="btn-stop" secondary aria-label="Stop training">Stop</vscode-button>
<vscode-button id="btn-export" secondary aria-label="Export the report">Export…</vscode-button>
<span id="status" class="status" role="status" aria-live="polite"></span>
</div>
<section id="empty" class="empty" aria-labelledby="empty-title">
<h2 id="empty-title">No training run yet</h2>
<p>Open a training script and run <strong>GradScope: Run Training Script with Gradient Debugging</strong> from the Command Palette, or press <strong>Run</strong> above.</p>
<p class="hint">Gradient flow, histograms, norms, update ratios and findings appear here live while the script trains.</p>
</section>
<main id="content" hidden>
<section id="findings" class="findings" aria-labelledby="findings-title">
<h2 id="findings-title">Findings <span id="findings-count" class="count"></span></h2>
<p id="findings-empty" class="note">No findings so far.</p>
<ul id="findings-list" aria-label="Findings: press Enter on one to open its line"></ul>
</section>
<vscode-tabs id="tabs">
<vscode-tab-header slot="header" id="tab-gradients">Gradients</vscode-tab-header>
<vscode-tab-panel id="view-gradients">
<div class="grid">
${card('flow', 'Gradient flow', 'Mean and max absolute gradient per layer at the latest step, log scale')}
${card('norms', 'Gradient norms over time', 'Gradient norm per layer over steps, log scale')}
${card('updates', 'Update / weight ratio', 'Norm of the update over norm of the weight per layer over steps, log scale')}
</div>
</vscode-tab-panel>
<vscode-tab-header slot="header" id="tab-histograms">Histograms</vscode-tab-header>
<vscode-tab-panel id="view-histograms">
<div class="pickers">
<span class="picker"><label for="hist-layer">Layer</label>
<vscode-single-select id="hist-layer" aria-label="Histogram of"></vscode-single-select></span>
<span class="picker grow"><label for="hist-step">Step</label>
<input type="range" id="hist-step" min="0" max="0" value="0" step="1" aria-label="Histogram step">
<output id="hist-step-out" for="hist-step"></output></span>
</div>
<div class="grid">
${card('histogram', 'Histogram at a step', 'Histogram of the chosen layer at the chosen step')}
${card('heatmap', 'Histograms over time', 'Histogram of the chosen layer over steps as a heatmap')}
</div>
</vscode-tab-panel>
<vscode-tab-header slot="header" id="tab-training">Loss &amp; activations</vscode-tab-header>
<vscode-tab-panel id="view-training">
<div class="grid">
${card('loss', 'Loss', 'Loss over steps')}
${card('activations', 'Dead and saturated units', 'Fraction of dead and saturated units per activation layer over steps')}
${card('bptt', 'Gradient through time (BPTT)', 'Norm of the gradient reaching the hidden state at each time step, log scale')}
</div>
</vscode-tab-panel>
</vscode-tabs>
</main>
<script nonce="${nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
