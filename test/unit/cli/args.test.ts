import { describe, expect, it } from 'vitest';
import { EXIT, UsageError, helpText, parseArgs } from '../../../core/cli/args';

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
}

describe('parseArgs: good usage', () => {
  it('run SCRIPT with defaults', () => {
    expect(parseArgs(['run', 'train.ts'])).toEqual({ kind: 'run', script: 'train.ts', level: 'default', scriptArgs: [] });
  });

  it('every option, before or after the script, with a space or =', () => {
    const cmd = parseArgs([
      'run', '--json', 'r.json', 'train.ts', '--report=r.html', '--instrument', 'full',
      '--max-steps', '50', '--timeout=2.5', '--histogram-every', '10',
    ]);
    expect(cmd).toEqual({
      kind: 'run', script: 'train.ts', json: 'r.json', report: 'r.html', level: 'full',
      maxSteps: 50, timeoutMs: 2500, histogramEvery: 10, scriptArgs: [],
    });
  });

  it('arguments after -- go to the script, even ones that look like options', () => {
    const cmd = parseArgs(['run', 'train.ts', '--', '--epochs', '3', 'x']);
    expect(cmd).toMatchObject({ script: 'train.ts', scriptArgs: ['--epochs', '3', 'x'] });
  });

  it('--help and --version anywhere', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseArgs(['help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['run', '--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['run', 'x.ts', '--json', 'r.json', '-h'])).toEqual({ kind: 'help' });
    expect(parseArgs(['--version'])).toEqual({ kind: 'version' });
    expect(parseArgs(['-v'])).toEqual({ kind: 'version' });
  });

  it('instrument off and a fractional timeout', () => {
    expect(parseArgs(['run', 'a.js', '--instrument', 'off', '--timeout', '0.25'])).toMatchObject({ level: 'off', timeoutMs: 250 });
  });
});

describe('parseArgs: bad usage names the problem', () => {
  it.each([
    [[], 'no command given'],
    [['train.ts'], "unknown command 'train.ts' (the only command is 'run')"],
    [['--jsn'], "unknown option '--jsn'"],
    [['run'], "missing the script to run: 'gradscope run SCRIPT'"],
    [['run', '--json', 'r.json'], "missing the script to run: 'gradscope run SCRIPT'"],
    [['run', 'a.ts', '--jsn', 'r.json'], "unknown option '--jsn'"],
    [['run', 'a.ts', '-x'], "unknown option '-x'"],
    [['run', 'a.ts', '--json'], "option '--json' needs a value"],
    [['run', 'a.ts', '--json', '--report', 'r.html'], "option '--json' needs a value"],
    [['run', 'a.ts', '--report='], "option '--report' needs a value"],
    [['run', 'a.ts', '--max-steps', 'ten'], "option '--max-steps' needs a positive whole number; got 'ten'"],
    [['run', 'a.ts', '--max-steps', '0'], "option '--max-steps' needs a positive whole number; got '0'"],
    [['run', 'a.ts', '--max-steps', '2.5'], "option '--max-steps' needs a positive whole number; got '2.5'"],
    [['run', 'a.ts', '--max-steps', '-3'], "option '--max-steps' needs a positive whole number; got '-3'"],
    [['run', 'a.ts', '--histogram-every', '1e2'], "option '--histogram-every' needs a positive whole number; got '1e2'"],
    [['run', 'a.ts', '--timeout', 'soon'], "option '--timeout' needs a positive number of seconds; got 'soon'"],
    [['run', 'a.ts', '--timeout', '0'], "option '--timeout' needs a positive number of seconds; got '0'"],
    [['run', 'a.ts', '--timeout', 'Infinity'], "option '--timeout' needs a positive number of seconds; got 'Infinity'"],
    [['run', 'a.ts', '--instrument', 'max'], "option '--instrument' must be one of off, default, full; got 'max'"],
    [['run', 'a.ts', '--json', 'a.json', '--json', 'b.json'], "option '--json' given twice"],
    [['run', 'a.ts', 'b.ts'], "one script at a time: got 'a.ts', 'b.ts' (pass arguments to the script after '--')"],
  ])('%j → %s', (argv, message) => {
    expect(usageError(argv as string[])).toBe(message);
  });
});

describe('help', () => {
  it('documents every option and every exit code', () => {
    const text = helpText('1.2.3');
    expect(text).toContain('gradscope 1.2.3');
    for (const flag of ['--json', '--report', '--instrument', '--max-steps', '--timeout', '--histogram-every', '--help', '--version']) {
      expect(text).toContain(flag);
    }
    for (const code of Object.values(EXIT)) expect(text).toMatch(new RegExp(`^  ${code}\\s`, 'm'));
  });

  it('exit codes are distinct', () => {
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length);
    expect(EXIT).toMatchObject({ ok: 0, findings: 1, failed: 2, usage: 3 });
  });
});
