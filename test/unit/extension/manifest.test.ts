// The extension manifest (package.json) against the code it describes: the commands against
// CommandId, the settings against what runOptionsFromSettings reads and the detectors' defaults,
// the docs pages the Problems entries link to, and what the .vsix ships.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CommandId } from '../../../extension/commands/ids';
import { DETECTOR_SETTINGS } from '../../../extension/settings';
import { DEFAULT_DETECTOR_CONFIG } from '../../../core/instrument/detectors/config';
import { DIAGNOSTIC_CODES } from '../../../core/instrument/diagnostics';
import { PANEL_COMMANDS } from '../../../webview/protocol';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const props: Record<string, { default: unknown; type: unknown; enum?: unknown[]; items?: { enum: unknown[] } }> = pkg.contributes.configuration.properties;

describe('extension manifest', () => {
  it('contributes exactly the commands of CommandId, in category GradScope', () => {
    const cmds: { command: string; title: string; category: string }[] = pkg.contributes.commands;
    expect(cmds.map((c) => c.command).sort()).toEqual(Object.values(CommandId).sort());
    expect(new Set(cmds.map((c) => c.category))).toEqual(new Set(['GradScope']));
    expect(cmds.find((c) => c.command === CommandId.run)?.title).toBe('Run Training Script with Gradient Debugging');
    // Every command the panel may ask for exists.
    for (const c of PANEL_COMMANDS) expect(Object.keys(CommandId)).toContain(c);
  });

  it('activates only for its commands, script languages and its restored panel, never on startup', () => {
    expect(pkg.activationEvents).toEqual(['onLanguage:typescript', 'onLanguage:javascript', 'onWebviewPanel:gradscope.panel']);
    expect(pkg.main).toBe('./out/extension.cjs');
    expect(pkg.engines.vscode).toBe('^1.95.0');
  });

  it('declares limited support for untrusted workspaces', () => {
    expect(pkg.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(pkg.capabilities.untrustedWorkspaces.description).toMatch(/trusted/);
  });

  it('has a setting for every detector threshold, defaulting to the detector\'s default', () => {
    for (const name of DETECTOR_SETTINGS) {
      const p = props[`gradscope.detectors.${name}`];
      expect(p, name).toBeDefined();
      expect(p!.default, name).toBe(DEFAULT_DETECTOR_CONFIG[name]);
    }
    expect(props['gradscope.detectors.disabled']!.items!.enum).toEqual([...DIAGNOSTIC_CODES]);
    const known = new Set(['instrumentation', 'histogramEvery', 'maxSteps', 'timeoutSeconds', 'memoryLimitMb', 'detectors.disabled', ...DETECTOR_SETTINGS.map((n) => `detectors.${n}`)]);
    expect(Object.keys(props).map((k) => k.replace(/^gradscope\./, '')).filter((k) => !known.has(k))).toEqual([]);
    expect(props['gradscope.instrumentation']!.enum).toEqual(['off', 'default', 'full']);
  });

  it('ships a docs page for every code a Problems entry links to', () => {
    for (const code of DIAGNOSTIC_CODES) expect(existsSync(join(root, 'docs/diagnostics', `${code}.md`)), code).toBe(true);
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
    expect(ignore).toMatch(/^!docs\/diagnostics\/\*\.md$/m);
    expect(ignore).toMatch(/^!out\/worker\.mjs$/m);
  });
});
