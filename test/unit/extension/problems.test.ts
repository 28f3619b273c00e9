import { describe, expect, it } from 'vitest';
import { byFile, SEVERITY, toProblem } from '../../../extension/problems';
import type { Diagnostic } from '../../../core/instrument/diagnostics';

const finding = (over: Partial<Diagnostic> = {}): Diagnostic => ({
  code: 'dead-relu', severity: 'warning', message: '93% of the units are dead', fix: 'use LeakyReLU', module: '1',
  step: 3, lastStep: 9, location: { file: '/w/train.ts', line: 12, column: 5 }, related: [], evidence: {}, ...over,
});

describe('toProblem', () => {
  it('places a finding at its 1-based location as a 0-based range, with severity, code link and fix', () => {
    const p = toProblem(finding(), null, 'file:///ext/docs/diagnostics')!;
    expect(p.file).toBe('/w/train.ts');
    expect(p.start).toEqual({ line: 11, character: 4 });
    expect(p.severity).toBe(SEVERITY.warning);
    expect(p.source).toBe('GradScope');
    expect(p.code).toEqual({ value: 'dead-relu', target: 'file:///ext/docs/diagnostics/dead-relu.md' });
    expect(p.message).toContain('93% of the units are dead');
    expect(p.message).toContain('[1]');
    expect(p.message).toContain('Fix: use LeakyReLU');
  });

  it('maps severities as vscode.DiagnosticSeverity and keeps related locations', () => {
    const p = toProblem(finding({
      code: 'nan-inf', severity: 'error',
      related: [{ message: 'called from here', location: { file: '/w/model.ts', line: 3, column: 1 } }],
    }), null, 'file:///d/')!;
    expect(p.severity).toBe(0);
    expect(p.related).toEqual([{ file: '/w/model.ts', start: { line: 2, character: 0 }, message: 'called from here' }]);
    expect(toProblem(finding({ severity: 'info' }), null, 'x')!.severity).toBe(2);
  });

  it('puts run-wide findings at the fallback location, or nowhere', () => {
    const runWide = finding({ location: null, module: undefined });
    expect(toProblem(runWide, null, 'x')).toBeNull();
    expect(toProblem(runWide, { file: '/w/train.ts', line: 1, column: 1 }, 'x')!.start).toEqual({ line: 0, character: 0 });
  });

  it('groups entries by file', () => {
    const a = toProblem(finding(), null, 'x')!;
    const b = toProblem(finding({ location: { file: '/w/b.ts', line: 1, column: 1 } }), null, 'x')!;
    expect([...byFile([a, b, a]).entries()].map(([f, es]) => [f, es.length])).toEqual([['/w/train.ts', 2], ['/w/b.ts', 1]]);
  });
});
