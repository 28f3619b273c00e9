// The gradient panel alone in real headless Chromium (Debian's /usr/bin/chromium via playwright-core):
// the page is exactly what the host serves (panelHtml, real CSP), the bundle is the one the build
// makes, served from another origin as asWebviewUri would; acquireVsCodeApi is stubbed to capture
// what the panel posts. Fed event streams recorded from the examples, it must draw every chart, list
// the findings and open them by click and by keyboard, and stay free of CSP violations and console
// errors. Screenshots (light and dark theme) go to .reports/panel-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunEvent } from '../../../core/instrument/events';
import { foldReport, recordExample } from '../helpers/record-example';
import { inkedCanvasesScript } from '../helpers/canvas-ink';
import type { HostToWebview, WebviewToHost } from '../../../webview/protocol';
import { panelHtml } from '../../../webview/panel/html';
import { tagNonFinite } from '../../../webview/wire';
import { buildPanel } from '../../../webview/panel/build.mjs';
import { stepRecord } from '../report/events';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const shots = `${root}.reports/`;
const PAGE = 'https://panel.test/index.html';
const RESOURCES = 'https://resource.test';

const record = recordExample;
const fold = foldReport;

/** As the host posts it (non-finite numbers tagged) and VS Code carries it: JSON (typed arrays rebuilt on arrival, here plain arrays). */
const wire = (msg: HostToWebview): string => JSON.stringify(tagNonFinite(msg), (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint32Array) : v));

const LIGHT: Record<string, string> = {
  'font-family': 'system-ui, sans-serif', 'font-size': '13px', foreground: '#3b3b3b', descriptionForeground: '#717171',
  'editor-background': '#ffffff', 'sideBar-background': '#f8f8f8', 'widget-border': '#e5e5e5', 'panel-border': '#e5e5e5',
  focusBorder: '#005fb8', errorForeground: '#f85149', 'editorError-foreground': '#e51400', 'editorWarning-foreground': '#bf8803',
  'editorInfo-foreground': '#1a85ff', 'charts-blue': '#1a85ff', 'charts-red': '#e51400', 'charts-green': '#388a34',
  'charts-yellow': '#bf8803', 'charts-purple': '#652d90', 'charts-orange': '#d18616', 'button-background': '#005fb8',
  'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-secondaryBackground': '#e5e5e5',
  'button-secondaryForeground': '#3b3b3b', 'dropdown-background': '#ffffff', 'dropdown-border': '#cecece',
  'dropdown-foreground': '#3b3b3b', 'list-hoverBackground': '#f2f2f2', 'panelTitle-activeBorder': '#005fb8',
  'panelTitle-activeForeground': '#3b3b3b', 'panelTitle-inactiveForeground': '#616161', 'panel-background': '#f8f8f8',
  'settings-dropdownBackground': '#ffffff', 'settings-dropdownBorder': '#cecece', 'settings-dropdownForeground': '#3b3b3b',
  'settings-dropdownListBorder': '#c8c8c8', 'settings-headerBorder': '#e5e5e5', 'list-activeSelectionBackground': '#e8e8e8',
  'list-activeSelectionForeground': '#000000', 'widget-shadow': 'rgba(0, 0, 0, 0.16)',
};
const DARK: Record<string, string> = {
  ...LIGHT, foreground: '#cccccc', descriptionForeground: '#9d9d9d', 'editor-background': '#1f1f1f', 'sideBar-background': '#181818',
  'widget-border': '#313131', 'panel-border': '#2b2b2b', focusBorder: '#0078d4', 'editorError-foreground': '#f14c4c',
  'editorWarning-foreground': '#cca700', 'editorInfo-foreground': '#3794ff', 'charts-blue': '#3794ff', 'charts-red': '#f14c4c',
  'charts-green': '#89d185', 'charts-yellow': '#cca700', 'charts-purple': '#b180d7', 'button-background': '#0078d4',
  'button-hoverBackground': '#026ec1', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
  'dropdown-background': '#313131', 'dropdown-border': '#3c3c3c', 'dropdown-foreground': '#cccccc', 'list-hoverBackground': '#2a2d2e',
  'panelTitle-activeBorder': '#0078d4', 'panelTitle-activeForeground': '#cccccc', 'panelTitle-inactiveForeground': '#9d9d9d', 'panel-background': '#181818',
  'settings-dropdownBackground': '#313131', 'settings-dropdownBorder': '#3c3c3c', 'settings-dropdownForeground': '#cccccc',
  'settings-dropdownListBorder': '#454545', 'settings-headerBorder': '#2b2b2b', 'list-activeSelectionBackground': '#04395e',
  'list-activeSelectionForeground': '#ffffff', 'widget-shadow': 'rgba(0, 0, 0, 0.36)',
};

/** Sets a theme the way VS Code does: --vscode-* variables on <html>, the kind as <body>'s class (CSSOM, which the CSP allows). */
const themeScript = (vars: Record<string, string>, kind: 'vscode-light' | 'vscode-dark'): string => `(() => {
  const vars = ${JSON.stringify(vars)};
  const apply = () => {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty('--vscode-' + k, v);
    document.body.className = ${JSON.stringify(kind)};
  };
  if (document.body) apply(); else new MutationObserver((_, o) => { if (document.body) { o.disconnect(); apply(); } }).observe(document, { childList: true, subtree: true });
})()`;

// In-page code goes in as source text: the test's tsconfig has no DOM types.
const STUB = `(() => {
  let state = undefined;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return { postMessage: (m) => window.__toHost(JSON.parse(JSON.stringify(m))), getState: () => state, setState: (s) => { state = s; } };
  };
  document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
})()`;

const INKED = inkedCanvasesScript({ skipHidden: true });

interface Panel {
  page: Page;
  posted: WebviewToHost[];
  problems: string[];
  post(msg: HostToWebview): Promise<void>;
  /** Resolves once the panel has drawn everything received so far. */
  settled(): Promise<void>;
  ink(): Promise<Record<string, number>>;
  tab(name: 'Gradients' | 'Histograms' | 'Loss & activations'): Promise<void>;
}

describe.skipIf(!existsSync(CHROMIUM))('the gradient panel in headless Chromium', () => {
  let browser: Browser;
  let bundleDir: string;
  let files: Record<string, { body: Buffer; type: string }>;

  beforeAll(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), 'gradscope-panel-'));
    files = {};
    for (const f of await buildPanel(root, bundleDir)) {
      const name = f.path.slice(bundleDir.length + 1);
      files[`${RESOURCES}/out/${name}`] = { body: Buffer.from(f.contents), type: name.endsWith('.css') ? 'text/css' : 'text/javascript' };
    }
    expect(Object.keys(files).sort()).toEqual([`${RESOURCES}/out/panel.css`, `${RESOURCES}/out/panel.js`]);
    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  async function open(theme: 'light' | 'dark' = 'light'): Promise<Panel> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const posted: WebviewToHost[] = [];
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.exposeFunction('__toHost', (m: WebviewToHost) => { posted.push(m); });
    await page.addInitScript(STUB);
    await page.addInitScript(themeScript(theme === 'light' ? LIGHT : DARK, theme === 'light' ? 'vscode-light' : 'vscode-dark'));
    const html = panelHtml({ scriptUri: `${RESOURCES}/out/panel.js`, styleUri: `${RESOURCES}/out/panel.css`, nonce: 'r4nd0mN0nce', cspSource: RESOURCES });
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === PAGE) return route.fulfill({ body: html, contentType: 'text/html' });
      const f = files[url];
      if (f !== undefined) return route.fulfill({ body: f.body, contentType: f.type });
      problems.push(`unexpected request: ${url}`);
      return route.abort();
    });
    await page.goto(PAGE, { waitUntil: 'load' });
    await expect.poll(() => posted.filter((m) => m.type === 'ready').length, { timeout: 10_000 }).toBe(1);
    let sent = 0;
    const panel: Panel = {
      page, posted, problems,
      post: async (msg) => {
        await page.evaluate(`window.postMessage(JSON.parse(${JSON.stringify(wire(msg))}), '*')`);
        sent++;
      },
      settled: async () => {
        // Each message moves the store's revision by one; the frame after the last draws it.
        // (Polled from here: waitForFunction with a string predicate needs eval, which the CSP forbids.)
        await expect.poll(() => page.evaluate('Number(document.body.dataset.rendered)'), { timeout: 15_000, interval: 20 }).toBeGreaterThanOrEqual(sent);
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      },
      ink: () => page.evaluate(INKED) as Promise<Record<string, number>>,
      tab: async (name) => {
        await page.locator('vscode-tab-header', { hasText: name }).click();
        await panel.settled();
      },
    };
    return panel;
  }

  /** Each chart is drawn on screen (inked canvas) and has data points to draw (not only axes and grid). */
  async function expectDrawn(p: Panel, ids: string[]): Promise<void> {
    const ink = await p.ink();
    const points = await p.page.evaluate('window.gradscopePanel.points()') as Record<string, number | null>;
    for (const id of ids) {
      expect(ink[`${id}-canvas`], `${id}: ${JSON.stringify(ink)}`).toBeGreaterThan(500);
      if (id !== 'heatmap') expect(points[id], `${id}: ${JSON.stringify(points)}`).toBeGreaterThan(0);
    }
  }

  async function feed(p: Panel, events: RunEvent[], batch = 25): Promise<void> {
    for (let i = 0; i < events.length; i += batch) await p.post({ type: 'events', events: events.slice(i, i + batch) });
    await p.settled();
  }

  it('empty, then a live dead-relu run: every chart drawn, findings listed and opened by click and Enter, toolbar commands', async () => {
    const events = await record('dead-relu');
    const report = fold(events);
    expect(report.diagnostics.map((d) => d.code)).toContain('dead-relu');
    const p = await open('light');

    await p.post({ type: 'init', version: 1, report: null, running: false });
    await p.settled();
    expect(await p.page.locator('#empty').isVisible()).toBe(true);
    expect(await p.page.locator('#empty').textContent()).toContain('GradScope: Run Training Script with Gradient Debugging');
    expect(await p.page.locator('#content').isVisible()).toBe(false);
    await p.page.screenshot({ path: `${shots}panel-empty-light.png` });

    await p.post({ type: 'reset', script: report.script });
    await feed(p, events.slice(0, -1));
    expect(await p.page.locator('#empty').isVisible()).toBe(false);
    expect(await p.page.locator('#status').textContent()).toMatch(/^dead-relu\.ts · running · step 60 · loss /);
    expect(await p.page.locator('#btn-stop').getAttribute('disabled')).toBeNull();

    // Findings: one per diagnostic, severity and code shown.
    const items = p.page.locator('#findings-list li.finding');
    expect(await items.count()).toBe(report.diagnostics.length);
    expect(await p.page.locator('#findings-list .code').allTextContents()).toEqual(expect.arrayContaining(report.diagnostics.map((d) => d.code)));
    expect(await p.page.locator('#findings-list li.sev-warning').count()).toBeGreaterThan(0);

    await expectDrawn(p, ['flow', 'norms', 'updates']);
    expect(await p.page.locator('#flow-note').textContent()).toMatch(/No bar \(zero or non-finite gradient\): 0\.weight, 0\.bias, 2\.weight/);
    await p.page.screenshot({ path: `${shots}panel-light-gradients.png`, fullPage: true });

    await p.tab('Histograms');
    await expectDrawn(p, ['histogram', 'heatmap']);
    expect(await p.page.locator('#hist-step-out').textContent()).toMatch(/\(latest\)$/);
    // The step scrubber from the keyboard: Home goes to the first recorded histogram and redraws.
    await p.page.focus('#hist-step');
    await p.page.keyboard.press('Home');
    await p.settled();
    expect(await p.page.locator('#hist-step-out').textContent()).toBe(String(report.histograms[0]!.step));
    await expectDrawn(p, ['histogram']);
    await p.page.screenshot({ path: `${shots}panel-light-histograms.png`, fullPage: true });

    await p.tab('Loss & activations');
    await expectDrawn(p, ['loss', 'activations']);
    expect(await p.page.locator('#bptt').isVisible()).toBe(false);
    await p.page.screenshot({ path: `${shots}panel-light-training.png`, fullPage: true });

    // The run ends: Stop greys out, Run comes back.
    await feed(p, events.slice(-1));
    expect(await p.page.locator('#status').textContent()).toMatch(/ · completed · step 60/);
    expect(await p.page.locator('#btn-stop').getAttribute('disabled')).not.toBeNull();

    // Opening a finding: by click, and by Enter on the focused item.
    const target = report.diagnostics.find((d) => d.code === 'dead-relu')!;
    const btn = p.page.locator('#findings-list li.finding').filter({ has: p.page.locator('.code', { hasText: /^dead-relu$/ }) }).locator('button');
    await btn.click();
    const want = { type: 'openLocation', file: target.location!.file, line: target.location!.line, column: Math.max(1, target.location!.column) };
    await expect.poll(() => p.posted.filter((m) => m.type === 'openLocation')).toEqual([want]);
    expect(target.location!.file).toBe(`${root}examples/dead-relu.ts`);
    expect(readFileSync(target.location!.file, 'utf8').split('\n')[target.location!.line - 1]).toMatch(/\S/);
    await btn.focus();
    await p.page.keyboard.press('Enter');
    await expect.poll(() => p.posted.filter((m) => m.type === 'openLocation').length).toBe(2);

    // Toolbar: each button posts its command.
    await p.page.locator('#btn-run').click();
    await p.page.locator('#btn-export').click();
    await expect.poll(() => p.posted.filter((m) => m.type === 'command')).toEqual([{ type: 'command', command: 'run' }, { type: 'command', command: 'exportReport' }]);

    // A narrow panel beside the editor: one column of charts, still drawn.
    await p.page.setViewportSize({ width: 480, height: 900 });
    await p.tab('Histograms');
    await expectDrawn(p, ['histogram', 'heatmap']);
    await p.page.screenshot({ path: `${shots}panel-narrow-light.png`, fullPage: true });

    expect(p.problems).toEqual([]);
    await p.page.close();
  }, 120_000);

  it('rnn-no-clip replayed from an init snapshot in the dark theme, then a reset to rnn-clipped: BPTT drawn, theme follows a switch', async () => {
    const events = await record('rnn-no-clip');
    const whole = fold(events);
    expect(whole.bptt.length).toBeGreaterThan(0);
    const cut = Math.floor(events.length / 2);
    const p = await open('dark');
    await p.post({ type: 'init', version: 1, report: fold(events.slice(0, cut)), running: true });
    await feed(p, events.slice(cut));
    expect(await p.page.locator('#findings-list li.finding').count()).toBe(whole.diagnostics.length);
    expect(await p.page.locator('#findings-list .code').allTextContents()).toEqual(expect.arrayContaining(['nan-inf', 'exploding-gradient']));
    expect(await p.page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(31, 31, 31)');
    await expectDrawn(p, ['flow', 'norms']);
    await p.page.screenshot({ path: `${shots}panel-dark-gradients.png`, fullPage: true });
    await p.tab('Loss & activations');
    await expectDrawn(p, ['loss', 'activations']);
    // The loss went NaN: carried across as NaN (not null), so the chart says what it could not draw.
    expect(await p.page.locator('#loss-note').textContent()).toMatch(/^\d+ points? not drawn: NaN/);
    // The run overflowed: its latest BPTT norms are not finite, and the card says so instead of an empty plot.
    expect(await p.page.locator('#bptt-note').textContent()).toMatch(/No finite norm/);

    // A new run: the previous one's data goes, the new one's BPTT norms are drawn.
    const clipped = await record('rnn-clipped');
    await p.post({ type: 'reset', script: clipped[0]!.type === 'runStarted' ? clipped[0]!.script : '' });
    await p.settled();
    expect(await p.page.locator('#findings-list li.finding').count()).toBe(0);
    await feed(p, clipped);
    await expectDrawn(p, ['loss', 'bptt']);
    expect(await p.page.locator('#status').textContent()).toMatch(/^rnn-clipped\.ts · completed/);
    await p.page.screenshot({ path: `${shots}panel-dark-training.png`, fullPage: true });
    await p.tab('Histograms');
    await expectDrawn(p, ['histogram', 'heatmap']);
    await p.page.screenshot({ path: `${shots}panel-dark-histograms.png`, fullPage: true });

    // VS Code switches to a light theme: the charts are redrawn in the new colours.
    await p.page.evaluate(themeScript(LIGHT, 'vscode-light'));
    await p.page.evaluate('new Promise((r) => setTimeout(r, 50))');
    await p.settled();
    expect(await p.page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');
    await expectDrawn(p, ['histogram', 'heatmap']);
    await p.page.screenshot({ path: `${shots}panel-switched-light.png`, fullPage: true });
    expect(p.problems).toEqual([]);
    await p.page.close();
  }, 120_000);

  it('keeps up with a fast stream: 2,000 steps in 80 batches (smoke check, not a benchmark)', async () => {
    const p = await open('light');
    await p.post({ type: 'init', version: 1, report: null, running: false });
    await p.post({ type: 'reset', script: '/w/fast.ts' });
    const steps: RunEvent[] = [];
    for (let s = 1; s <= 2000; s++) steps.push({ type: 'step', record: stepRecord(s, 1 / s) });
    const messages = [];
    for (let i = 0; i < steps.length; i += 25) messages.push(wire({ type: 'events', events: steps.slice(i, i + 25) }));
    const ms = await p.page.evaluate(`(async () => {
      const t0 = performance.now();
      for (const m of ${JSON.stringify(messages)}) window.postMessage(JSON.parse(m), '*');
      while (!/step 2000/.test(document.getElementById('status').textContent)) await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    })()`) as number;
    expect(ms).toBeLessThan(5_000);
    await expectDrawn(p, ['flow', 'norms', 'updates']);
    expect(p.problems).toEqual([]);
    await p.page.close();
  }, 60_000);
});
