// The HTML report in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// reports built from examples run under a Recorder render every chart, list the findings with
// their code excerpts, log no console error and make no request. Screenshots go to .reports/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { JsonReport } from '../../../core/report/model';
import { foldReport, recordExample } from '../helpers/record-example';
import { inkedCanvasesScript } from '../helpers/canvas-ink';
import { renderHtmlReport } from '../../../core/report/html';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const outDir = `${root}.reports/`;

const reportOf = async (example: string): Promise<JsonReport> => foldReport(await recordExample(example));

const readSource = (file: string): string | null => {
  try { return readFileSync(file, 'utf8'); } catch { return null; }
};

interface PageProblems {
  console: string[];
  requests: string[];
}

async function open(browser: Browser, html: string, name: string, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; problems: PageProblems }> {
  mkdirSync(outDir, { recursive: true });
  const file = `${outDir}${name}.html`;
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
  const problems: PageProblems = { console: [], requests: [] };
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.console.push(`pageerror: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== url) problems.requests.push(`request: ${r.url()}`); });
  page.on('requestfailed', (r) => problems.requests.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.addInitScript(REPORT_CSP_VIOLATIONS);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);
  return { page, problems };
}

// In-page code is passed as source text: the test's tsconfig has no DOM types.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`;

const INKED_CANVASES = inkedCanvasesScript();

async function inkedCanvases(page: Page): Promise<Record<string, number>> {
  return page.evaluate(INKED_CANVASES) as Promise<Record<string, number>>;
}

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders a run with findings: every chart drawn, findings with excerpts, no errors, no requests', async () => {
    const report = await reportOf('exploding-lr');
    expect(report.diagnostics.length).toBeGreaterThan(0);
    const { page, problems } = await open(browser, renderHtmlReport(report, readSource), 'report-exploding-lr');

    const ink = await inkedCanvases(page);
    for (const id of ['loss-canvas', 'flow-canvas', 'norms-canvas', 'updates-canvas', 'histograms-canvas', 'heatmap-canvas', 'activations-canvas']) {
      expect(ink[id], `${id} drew nothing: ${JSON.stringify(ink)}`).toBeGreaterThan(500);
    }
    expect(Number(await page.locator('#heatmap-canvas').getAttribute('data-cells'))).toBeGreaterThan(0);
    const instances = await page.evaluate('[...window.gradscopeCharts.keys()]');
    expect(instances).toEqual(expect.arrayContaining(['loss', 'flow', 'norms', 'updates', 'histograms', 'activations']));
    // No recurrent layer in this model: the BPTT section says so instead of an empty chart.
    expect(await page.locator('#bptt').getAttribute('class')).toContain('no-data');
    expect(await page.locator('#bptt-note').textContent()).toMatch(/No recurrent layer/);

    const findings = page.locator('li.finding');
    expect(await findings.count()).toBe(report.diagnostics.length);
    const first = report.diagnostics.find((d) => d.location !== null)!;
    const hit = page.locator('li.finding mark.hit').first();
    expect(await hit.count()).toBe(1);
    const line = readFileSync(first.location!.file, 'utf8').split('\n');
    const texts = await page.locator('li.finding mark.hit').allTextContents();
    expect(texts.some((t) => report.diagnostics.some((d) => d.location !== null && t.includes(line[d.location.line - 1]!.trim())))).toBe(true);
    expect(await page.locator('li.finding .code').allTextContents()).toEqual(expect.arrayContaining(report.diagnostics.map((d) => d.code)));

    // The pickers work from the keyboard: moving the histogram step slider redraws the chart.
    await page.focus('#hist-step');
    const before = await page.locator('#hist-step-out').textContent();
    await page.keyboard.press('Home');
    const after = await page.locator('#hist-step-out').textContent();
    expect(after).not.toBe(before);
    expect((await inkedCanvases(page))['histograms-canvas']).toBeGreaterThan(500);
    await page.keyboard.press('End');

    expect(problems.console).toEqual([]);
    expect(problems.requests).toEqual([]);
    await page.screenshot({ path: `${outDir}report-screenshot.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('renders BPTT norms for a recurrent model, in the dark scheme too', async () => {
    const report = await reportOf('rnn-no-clip');
    expect(report.bptt.length).toBeGreaterThan(0);
    const { page, problems } = await open(browser, renderHtmlReport(report, readSource), 'report-rnn-no-clip', 'dark');
    const ink = await inkedCanvases(page);
    expect(ink['bptt-canvas']).toBeGreaterThan(500);
    expect(ink['loss-canvas']).toBeGreaterThan(500);
    // Every finding is on the page, shown or folded under another at the same line.
    expect(await page.locator('li.finding').count() + await page.locator('details.more li').count()).toBe(report.diagnostics.length);
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(13, 17, 23)');
    expect(problems.console).toEqual([]);
    expect(problems.requests).toEqual([]);
    await page.screenshot({ path: `${outDir}report-screenshot-dark.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('renders a run that stays finite (dead ReLUs): every chart has a full curve', async () => {
    const report = await reportOf('dead-relu');
    const { page, problems } = await open(browser, renderHtmlReport(report, readSource), 'report-dead-relu');
    const ink = await inkedCanvases(page);
    for (const id of ['loss-canvas', 'flow-canvas', 'norms-canvas', 'updates-canvas', 'histograms-canvas', 'heatmap-canvas', 'activations-canvas']) {
      expect(ink[id], `${id} drew nothing: ${JSON.stringify(ink)}`).toBeGreaterThan(500);
    }
    expect(await page.locator('li.finding .code').allTextContents()).toContain('dead-relu');
    expect(Number(await page.locator('#heatmap-canvas').getAttribute('data-cells'))).toBeGreaterThan(10);
    expect(problems.console).toEqual([]);
    expect(problems.requests).toEqual([]);
    await page.screenshot({ path: `${outDir}report-screenshot-dead-relu.png`, fullPage: true });
    await page.close();
  }, 60_000);
});
