import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Diagnostic } from '../../../core/instrument/diagnostics';
import {
  displayPath, exitCodeFor, userFrames, formatCounts, formatDiagnostic, formatDuration, formatScriptError, formatSummary, sortDiagnostics,
} from '../../../core/cli/format';
import { FindingSet } from '../../../core/cli/findings';

const cwd = '/home/u/proj';
const script = '/home/u/proj/train.ts';

function diag(over: Partial<Diagnostic> = {}): Diagnostic {
  return {
    code: 'nan-inf', severity: 'error', message: 'NaN produced by Div at step 1', fix: 'Add an epsilon.',
    step: 1, lastStep: 1, location: { file: '/home/u/proj/train.ts', line: 10, column: 51 }, related: [], evidence: {},
    ...over,
  };
}

describe('paths', () => {
  it('relative to cwd, climbing out with .. when needed; non-paths as given', () => {
    expect(displayPath('/home/u/proj/src/a.ts', cwd)).toBe(join('src', 'a.ts'));
    expect(displayPath('/home/u/other/a.ts', cwd)).toBe(join('..', 'other', 'a.ts'));
    expect(displayPath('file:///x/a.ts', cwd)).toBe('file:///x/a.ts');
    expect(displayPath(cwd, cwd)).toBe(cwd);
  });
});

describe('diagnostic lines', () => {
  it('file:line:col: severity [code] message, then the fix indented', () => {
    expect(formatDiagnostic(diag(), script, cwd)).toBe(
      'train.ts:10:51: error [nan-inf] NaN produced by Div at step 1\n    fix: Add an epsilon.',
    );
  });

  it('a run-wide finding without a location sits at the script\'s 1:1', () => {
    const d = diag({ code: 'loss-plateau', severity: 'info', message: 'Loss has plateaued', fix: 'Lower the lr.', location: null });
    expect(formatDiagnostic(d, script, cwd).split('\n')[0]).toBe('train.ts:1:1: info [loss-plateau] Loss has plateaued');
  });

  it('multi-line messages are folded onto one line; related locations follow, indented', () => {
    const d = diag({
      message: 'NaN\n  in Div',
      related: [{ message: 'called from here', location: { file: '/home/u/proj/lib/f.ts', line: 3, column: 7 } }],
    });
    expect(formatDiagnostic(d, script, cwd)).toBe(
      `train.ts:10:51: error [nan-inf] NaN in Div\n    fix: Add an epsilon.\n    ${join('lib', 'f.ts')}:3:7: called from here`,
    );
  });

  it('the line matches a problem matcher regexp', () => {
    const re = /^(.*):(\d+):(\d+):\s+(error|warning|info)\s+\[([a-z0-9-]+)\]\s+(.*)$/;
    const m = re.exec(formatDiagnostic(diag(), script, cwd).split('\n')[0]!);
    expect(m?.slice(1)).toEqual(['train.ts', '10', '51', 'error', 'nan-inf', 'NaN produced by Div at step 1']);
  });

  it('a script error: its first message line at its location, code script-error', () => {
    const error = { message: "Linear: input of shape [4,3] has 3 features\nmore", location: { file: script, line: 7, column: 3 }, stack: '' };
    expect(formatScriptError(error, script, cwd)).toBe('train.ts:7:3: error [script-error] Linear: input of shape [4,3] has 3 features');
    expect(formatScriptError({ ...error, location: null }, script, cwd)).toBe('train.ts:1:1: error [script-error] Linear: input of shape [4,3] has 3 features');
  });

  it('the user\'s stack frames under a script error (engine bundle and Node internals dropped)', () => {
    const stack = [
      'OpError: Linear: bad input',
      '    at linear (file:///opt/gradscope/out/worker.mjs:3291:11)',
      '    at Linear.forward (file:///opt/gradscope/out/worker.mjs:3321:12)',
      '    at makeBatch (/home/u/proj/lib/data.ts:12:5)',
      '    at <anonymous> (/home/u/proj/train.ts:4:7)',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
    ].join('\n');
    expect(userFrames(stack, cwd)).toEqual([`    at makeBatch (${join('lib', 'data.ts')}:12:5)`, '    at train.ts:4:7']);
    // a single user frame is the error's own location: nothing to add
    expect(userFrames('E: x\n    at <anonymous> (/home/u/proj/train.ts:4:7)\n    at f (node:internal/x:1:1)', cwd)).toEqual([]);
  });

  it('errors first, then warnings, then infos; by step within each', () => {
    const ds = [
      diag({ severity: 'info', code: 'loss-plateau', step: 2 }),
      diag({ severity: 'warning', code: 'dead-relu', step: 9 }),
      diag({ severity: 'error', step: 5 }),
      diag({ severity: 'warning', code: 'exploding-gradient', step: 3 }),
    ];
    expect(sortDiagnostics(ds).map((d) => d.code)).toEqual(['nan-inf', 'exploding-gradient', 'dead-relu', 'loss-plateau']);
  });
});

describe('findings', () => {
  it('a re-sent diagnostic replaces its earlier snapshot; distinct layers stay distinct', () => {
    const set = new FindingSet();
    set.add(diag({ code: 'dead-relu', severity: 'warning', module: '1', message: 'old', lastStep: 3 }));
    set.add(diag({ code: 'dead-relu', severity: 'warning', module: '3', message: 'other layer' }));
    set.add(diag({ code: 'dead-relu', severity: 'warning', module: '1', message: 'new', lastStep: 9 }));
    expect(set.list().map((d) => d.message)).toEqual(['new', 'other layer']);
    expect(set.counts()).toEqual({ error: 0, warning: 2, info: 0 });
  });
});

describe('summary', () => {
  it('status, steps, duration, counts and report paths', () => {
    const text = formatSummary({
      status: 'completed', steps: 20, durationMs: 412, counts: { error: 1, warning: 0, info: 2 },
      reports: { json: '/home/u/proj/.reports/r.json', html: '/home/u/proj/.reports/r.html' }, cwd,
    });
    expect(text).toBe(
      'gradscope: completed after 20 steps in 412 ms: 1 error, 0 warnings, 2 infos\n' +
        `  JSON report: ${join('.reports', 'r.json')}\n  HTML report: ${join('.reports', 'r.html')}`,
    );
  });

  it('says why a run stopped', () => {
    const text = formatSummary({ status: 'stopped', stopReason: '--max-steps 3', steps: 1, durationMs: 1500, counts: { error: 0, warning: 0, info: 0 }, reports: {}, cwd });
    expect(text).toBe('gradscope: stopped (--max-steps 3) after 1 step in 1.50 s: 0 errors, 0 warnings, 0 infos');
  });

  it('counts and durations', () => {
    expect(formatCounts({ error: 2, warning: 1, info: 0 })).toBe('2 errors, 1 warning, 0 infos');
    expect(formatDuration(999)).toBe('999 ms');
    expect(formatDuration(61_000)).toBe('1 min 1 s');
  });
});

describe('exit codes', () => {
  const none = { error: 0, warning: 3, info: 1 };
  const errors = { error: 1, warning: 0, info: 0 };
  it.each([
    ['completed', none, 0],
    ['completed', errors, 1],
    ['stopped', none, 0],
    ['stopped', errors, 1],
    ['failed', none, 2],
    ['failed', errors, 2],
    ['timeout', none, 2],
    ['timeout', errors, 2],
  ] as const)('%s with %j → %i', (status, counts, code) => {
    expect(exitCodeFor(status, counts)).toBe(code);
  });
});
