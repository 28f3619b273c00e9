// The HTML report's stylesheet: light and dark (prefers-color-scheme), visible keyboard focus.
// Its hash goes into the CSP, so it must stay a constant.

export const REPORT_CSS = `
:root { color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --grid: rgba(0,0,0,0.08);
  --error: #cf222e; --warning: #9a6700; --info: #0969da; --hit: #fff8c5; --focus: #0969da; --ok: #1a7f37; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23; --grid: rgba(255,255,255,0.1);
  --error: #ff7b72; --warning: #d29922; --info: #4493f8; --hit: #3b2e00; --focus: #4493f8; --ok: #3fb950; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--border); }
h1 { font-size: 20px; margin: 0 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 0 0 4px; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
a { color: var(--info); }
a:focus-visible, input:focus-visible, select:focus-visible, .finding:focus-visible, summary:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; z-index: 1; }
main { padding: 8px 24px 40px; max-width: 1200px; }
section { margin: 20px 0; padding: 16px; border: 1px solid var(--border); border-radius: 8px; background: var(--panel); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0 0; }
dl.summary dt { color: var(--muted); } dl.summary dd { margin: 0; overflow-wrap: anywhere; }
.status { font-weight: 600; } .status-completed { color: var(--ok); } .status-failed { color: var(--error); }
.status-stopped, .status-timeout, .status-running { color: var(--warning); }
.sev-error.sev, .badge-error { color: var(--error); } .sev-warning.sev, .badge-warning { color: var(--warning); } .sev-info.sev, .badge-info { color: var(--info); }
.run-error { margin-top: 12px; padding: 10px 12px; border-left: 4px solid var(--error); background: var(--bg); }
.run-error pre { white-space: pre-wrap; overflow-wrap: anywhere; }
ol.findings { list-style: none; padding: 0; margin: 8px 0 0; display: grid; gap: 12px; }
.finding { padding: 10px 12px; background: var(--bg); border: 1px solid var(--border); border-left: 4px solid var(--info); border-radius: 6px; }
.finding.sev-error { border-left-color: var(--error); } .finding.sev-warning { border-left-color: var(--warning); }
.finding-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.badge { font-weight: 700; text-transform: uppercase; font-size: 11px; letter-spacing: 0.04em; }
.code { font-weight: 600; } .module, .steps, .loc, .evidence, .help, .note, .no-source, .empty { color: var(--muted); }
.finding p { margin: 4px 0; overflow-wrap: anywhere; }
.evidence span { margin-right: 12px; font-family: ui-monospace, monospace; font-size: 12px; }
pre.excerpt { margin: 6px 0; padding: 8px 0; background: var(--panel); border: 1px solid var(--border); border-radius: 4px; overflow-x: auto; }
pre.excerpt .row { display: block; padding: 0 10px; }
pre.excerpt .ln { color: var(--muted); user-select: none; }
pre.excerpt mark.hit { background: var(--hit); color: inherit; display: block; }
pre.excerpt .caret { color: var(--error); font-weight: 700; line-height: 1; }
.related { margin: 4px 0; padding-left: 18px; }
details.more summary { cursor: pointer; color: var(--muted); } details.more ul { margin: 4px 0; padding-left: 18px; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 8px 0; }
.controls select { max-width: 100%; background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: 4px; padding: 2px 4px; }
.controls input[type=range] { width: min(360px, 100%); }
.chart-box { position: relative; height: 320px; }
.chart-box canvas { max-width: 100%; }
.note:empty { display: none; }
section.no-data .chart-box, section.no-data .controls { display: none; }
`;
