// The examples, run under a recorder: each bug yields its code (nan-inf at the marked line), and
// each fixed twin and the clean example yields no warning or error.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Recorder } from '../../../core/instrument/recorder';
import type { Diagnostic } from '../../../core/instrument/diagnostics';

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

async function diagnose(name: string): Promise<Diagnostic[]> {
  const rec = new Recorder({ level: 'default' }).start();
  try {
    await import(`../../../examples/${name}.ts`);
  } finally {
    rec.stop();
  }
  return rec.diagnostics();
}

function bugLine(name: string): number {
  const lines = readFileSync(`${examplesDir}${name}.ts`, 'utf8').split('\n');
  return lines.findIndex((l) => l.includes('BUG-LINE')) + 1;
}

const problems = (ds: Diagnostic[]) => ds.filter((d) => d.severity !== 'info');
const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.code}@${d.module ?? '-'}: ${d.message}`).join('\n');

describe('examples with a bug report it', () => {
  it.each([
    ['exploding-lr', 'exploding-gradient'],
    ['dead-relu', 'dead-relu'],
    ['vanishing-sigmoid', 'vanishing-gradient'],
    ['detach-branch', 'no-gradient'],
    ['saturated-tanh', 'saturated-activation'],
    ['rnn-no-clip', 'exploding-gradient'],
  ])('%s → %s', async (name, code) => {
    const ds = await diagnose(name);
    expect(ds.map((d) => d.code), summary(ds)).toContain(code);
  });

  it.each(['nan-log-zero', 'nan-zero-std'])('%s → nan-inf at the marked line', async (name) => {
    const ds = await diagnose(name);
    const nan = ds.find((d) => d.code === 'nan-inf');
    expect(nan, summary(ds)).toBeDefined();
    expect(nan!.severity).toBe('error');
    expect(nan!.location?.file).toBe(`${examplesDir}${name}.ts`);
    expect(nan!.location?.line).toBe(bugLine(name));
    // What follows a NaN (units that look dead, updates that look like none) is not reported.
    expect(ds.map((d) => d.code), summary(ds)).not.toContain('dead-relu');
    expect(ds.map((d) => d.code), summary(ds)).not.toContain('lr-too-low');
  });
});

describe('clean examples and fixed twins report nothing', () => {
  it.each([
    'mlp-2-4-1',
    'exploding-lr-fixed',
    'dead-relu-fixed',
    'vanishing-sigmoid-fixed',
    'nan-log-zero-fixed',
    'nan-zero-std-fixed',
    'detach-branch-fixed',
    'saturated-tanh-fixed',
    'rnn-clipped',
  ])('%s', async (name) => {
    const ds = await diagnose(name);
    expect(problems(ds), summary(ds)).toEqual([]);
  });
});
