// The panel's colours, read from the `--vscode-*` variables VS Code sets on the webview's <html>.
// Canvases cannot use CSS variables, so the values are read once and again whenever VS Code
// switches theme (it rewrites <body>'s class: vscode-light, vscode-dark, vscode-high-contrast).

import type { ChartTheme } from '../charts/config';

export interface PanelTheme extends ChartTheme {
  fg: string;
  bg: string;
  error: string;
  font: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

export function readTheme(): PanelTheme {
  const s = getComputedStyle(document.body);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const fg = cssVar(s, '--vscode-foreground', dark ? '#cccccc' : '#3b3b3b');
  return {
    fg,
    text: cssVar(s, '--vscode-descriptionForeground', fg),
    grid: cssVar(s, '--vscode-editorWidget-border', cssVar(s, '--vscode-panel-border', dark ? '#454545' : '#e5e5e5')),
    bg: cssVar(s, '--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    error: cssVar(s, '--vscode-errorForeground', '#f14c4c'),
    font: cssVar(s, '--vscode-font-family', 'system-ui, sans-serif'),
    // VS Code's own chart colours, in the order its charts use them; the fixed palette continues.
    series: ['blue', 'red', 'green', 'yellow', 'purple', 'orange']
      .map((c) => s.getPropertyValue(`--vscode-charts-${c}`).trim())
      .filter((c) => c !== ''),
  };
}

/** Calls `onChange` after every theme switch. */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
