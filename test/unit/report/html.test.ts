import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ReportBuilder } from '../../../core/report/model';
import { renderHtmlReport } from '../../../core/report/html';
import { reportAssets } from '../../../core/report/assets';
import { decodeReport } from '../../../core/report/codec';
import { escapeHtml, jsonForScript, scriptForHtml } from '../../../core/report/escape';
import { sourceExcerpt } from '../../../core/report/excerpt';
import { diag, run } from './events';

const stubAssets = { chartJs: 'window.Chart = {};', client: 'console.log("client </script> <!-- x");' };
const EVIL = '</script><script>alert(1)</script><img src=x onerror=alert(2)>&amp;"\'';

function evilReport() {
  const b = new ReportBuilder();
  for (const e of run(3)) b.add(e);
  b.add({ type: 'runStarted', version: 1, script: `/abs/${EVIL}.ts`, level: 'default', startedAt: 0 });
  b.add({ type: 'diagnostic', diagnostic: diag({ code: 'nan-inf', severity: 'error', module: EVIL, message: `NaN in ${EVIL}`, fix: EVIL, location: { file: '/abs/train.ts', line: 3, column: 9 }, related: [{ message: EVIL, location: { file: `/abs/${EVIL}`, line: 1, column: 1 } }], evidence: { [EVIL]: 1 } }) });
  b.add({ type: 'runEnded', status: 'failed', steps: 3, durationMs: 10, error: { message: EVIL, location: { file: `/abs/${EVIL}`, line: 2, column: 1 }, stack: EVIL } });
  return b.report();
}

const source = ['import { nn } from "gradscope";', 'const a = 1;', 'const y = x.log(); // </script> <b>', 'const b = 2;'].join('\n');
const read = (file: string) => (file === '/abs/train.ts' ? source : null);

/** Everything outside <script> elements, and the JSON data block. */
function parts(html: string) {
  const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  return { markup, json, scripts };
}

describe('renderHtmlReport', () => {
  const report = evilReport();
  const html = renderHtmlReport(report, read, stubAssets);
  const { markup, json, scripts } = parts(html);

  it('escapes every user string in the markup', () => {
    expect(markup).not.toContain('<script');
    expect(markup).not.toContain('<img');
    expect(markup).not.toContain('onerror=alert(2)>');
    expect(markup).toContain(escapeHtml(EVIL));
    expect(markup).toContain('&lt;/script&gt; &lt;b&gt;'); // the source excerpt
  });

  it('embeds the report as JSON that cannot close its element, and decodes to the same report', () => {
    expect(json).not.toMatch(/</);
    expect(decodeReport(json)).toEqual(report);
    // The only script elements are the data block and the two inlined scripts.
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  it('inlines scripts that cannot close their element, and allows exactly them in the CSP', () => {
    expect(scripts).toHaveLength(2);
    expect(scripts[1]).toContain('client <\\/script> <\\!-- x');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    for (const s of scripts) expect(csp).toContain(`'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });

  it('shows the excerpt around each location with the line highlighted, and a missing source politely', () => {
    expect(markup).toMatch(/<mark class="row hit"><span class="ln" aria-hidden="true">3<\/span> const y = x\.log\(\);/);
    expect(markup).toContain('<span class="ln" aria-hidden="true">1</span> import');
    expect(markup).toContain('Source not available.');
    expect(markup).toContain('/abs/train.ts:3:9');
  });

  it('summarises the run and its error', () => {
    expect(markup).toContain('status-failed');
    expect(markup).toContain('The script failed');
    expect(markup).toMatch(/<dt>Steps<\/dt><dd>3<\/dd>/);
  });

  it('folds findings of one code at one location under the first', () => {
    const b = new ReportBuilder();
    for (let i = 1; i <= 5; i++) b.add({ type: 'diagnostic', diagnostic: diag({ module: `rnn.relu${i}`, message: `dead ${i} <x>` }) });
    b.add({ type: 'diagnostic', diagnostic: diag({ code: 'nan-inf', severity: 'error' }) });
    const page = parts(renderHtmlReport(b.report(), read, stubAssets)).markup;
    expect(page.match(/<li class="finding/g)).toHaveLength(2);
    expect(page).toContain('4 more <code>dead-relu</code> findings at this line');
    expect(page).toContain('<li data-code="dead-relu">dead 5 &lt;x&gt;</li>');
    expect(page).toContain('Findings (6)');
  });

  it('survives a source reader that throws', () => {
    expect(() => renderHtmlReport(report, () => { throw new Error('EACCES'); }, stubAssets)).not.toThrow();
  });

  it('with the real assets: no URL to fetch anywhere (only the licence comments name a site)', () => {
    const b = new ReportBuilder();
    for (const e of run(3)) b.add(e);
    const real = renderHtmlReport(b.report(), read, reportAssets());
    expect(real.length).toBeGreaterThan(150_000);
    const withoutLicences = real.replace(/\/\*![\s\S]*?\*\//g, '');
    expect(withoutLicences.match(/.{0,80}https?:.{0,40}/gi)).toBeNull();
    // The markup loads nothing: no src attribute, and every link is an in-page anchor.
    const markup = parts(real).markup;
    expect(markup.match(/.{0,80}\bsrc\s*=.{0,40}/gi)).toBeNull();
    expect([...markup.matchAll(/\bhref="([^"]*)"/g)].every((m) => m[1]!.startsWith('#'))).toBe(true);
  });
});

describe('escaping helpers', () => {
  it('escapeHtml, jsonForScript, scriptForHtml', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const j = jsonForScript(JSON.stringify({ m: '</script><!--\u2028&' }));
    expect(j).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(j)).toEqual({ m: '</script><!--\u2028&' });
    expect(scriptForHtml('a("</SCRIPT>")')).toBe('a("<\\/SCRIPT>")');
  });

  it('sourceExcerpt: ±3 lines, clipped at the file edges, tabs expanded for the caret', () => {
    const src = Array.from({ length: 10 }, (_, i) => `line${i + 1}`).join('\n');
    expect(sourceExcerpt(src, 5, 1)!.lines.map((l) => l.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(sourceExcerpt(src, 1, 1)!.lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    expect(sourceExcerpt(src, 10, 1)!.lines.filter((l) => l.hit).map((l) => l.line)).toEqual([10]);
    expect(sourceExcerpt(src, 11, 1)).toBeNull();
    expect(sourceExcerpt('\tx = 1', 1, 2)!.caret).toBe(4);
  });
});
