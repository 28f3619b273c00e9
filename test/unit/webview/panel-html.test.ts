// The panel page the host serves: the strict CSP, the nonce'd script and the stylesheet, every id
// main.ts looks up, nothing inline.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { panelCsp, panelHtml } from '../../../webview/panel/html';

const opts = { scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/panel.js', styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/panel.css', nonce: 'abc123XYZ', cspSource: 'https://*.vscode-cdn.net' };
const html = panelHtml(opts);

describe('panelHtml', () => {
  it('carries the strict CSP', () => {
    expect(panelCsp('n0', 'src:')).toBe("default-src 'none'; script-src 'nonce-n0'; style-src src:; img-src src: data:; font-src src:");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-abc123XYZ'; style-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data:; font-src https://*.vscode-cdn.net">`);
  });

  it('loads the stylesheet in the head and the nonce\'d script last', () => {
    expect(html).toMatch(new RegExp(`<head>[\\s\\S]*<link rel="stylesheet" href="${opts.styleUri.replace(/[.+*]/g, '\\$&')}">[\\s\\S]*</head>`));
    expect(html.trimEnd()).toMatch(/<script nonce="abc123XYZ" src="[^"]+\/out\/panel\.js"><\/script>\n<\/body>\n<\/html>$/);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('has nothing the CSP would block: no inline style, no inline script or handler', () => {
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('escapes what it is given', () => {
    const h = panelHtml({ ...opts, scriptUri: 'x"><script>alert(1)</script>', nonce: 'a"b' });
    expect(h).not.toContain('<script>alert(1)');
    expect(h).toContain('nonce="a&quot;b"');
  });

  it('has every id the panel script looks up, each once', () => {
    const main = readFileSync(new URL('../../../webview/panel/main.ts', import.meta.url), 'utf8');
    const wanted = new Set<string>();
    for (const m of main.matchAll(/byId(?:<[^>]+>)?\('([\w-]+)'\)/g)) wanted.add(m[1]!);
    for (const m of main.matchAll(/(?:waitingOr|setNote)\('([\w-]+)'/g)) wanted.add(m[1]!).add(`${m[1]}-note`);
    for (const m of main.matchAll(/new (?:Bar|Line)View\('([\w-]+)'/g)) wanted.add(`${m[1]}-canvas`);
    expect(wanted.size).toBeGreaterThan(20);
    for (const id of wanted) expect(html.match(new RegExp(`id="${id}"`, 'g'))?.length, id).toBe(1);
  });
});
