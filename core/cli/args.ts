// Command-line parsing for `gradscope`: pure (argv in, a command or a UsageError out), so every
// message a user can get for bad usage is unit-tested.

import type { Level } from '../instrument/records';

export interface RunCommand {
  kind: 'run';
  script: string;
  json?: string;
  report?: string;
  level: Level;
  maxSteps?: number;
  timeoutMs?: number;
  histogramEvery?: number;
  /** Arguments after `--`, passed on to the script as its process.argv.slice(2). */
  scriptArgs: string[];
}

export type Command = { kind: 'help' } | { kind: 'version' } | RunCommand;

/** Bad usage: the message names the problem; the CLI adds the pointer to --help and exits 3. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const LEVELS: readonly Level[] = ['off', 'default', 'full'];

type ValueFlag = '--json' | '--report' | '--instrument' | '--max-steps' | '--timeout' | '--histogram-every';
const VALUE_FLAGS: readonly ValueFlag[] = ['--json', '--report', '--instrument', '--max-steps', '--timeout', '--histogram-every'];

export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) throw new UsageError('no command given');
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return { kind: 'help' };
  if (command === '--version' || command === '-v') return { kind: 'version' };
  if (command !== 'run') {
    throw new UsageError(command!.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}' (the only command is 'run')`);
  }

  const values = new Map<ValueFlag, string>();
  const positionals: string[] = [];
  let scriptArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      scriptArgs = rest.slice(i + 1);
      break;
    }
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version' || arg === '-v') return { kind: 'version' };
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) throw new UsageError(`unknown option '${name}'`);
    const flag = name as ValueFlag;
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = rest[i + 1];
      // A following option is not taken as a value: `--json --report x.html` is a missing value.
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`option '${flag}' needs a value`);
      i++;
    }
    if (value === '') throw new UsageError(`option '${flag}' needs a value`);
    if (values.has(flag)) throw new UsageError(`option '${flag}' given twice`);
    values.set(flag, value);
  }

  if (positionals.length === 0) throw new UsageError("missing the script to run: 'gradscope run SCRIPT'");
  if (positionals.length > 1) {
    throw new UsageError(`one script at a time: got '${positionals.join("', '")}' (pass arguments to the script after '--')`);
  }

  const cmd: RunCommand = { kind: 'run', script: positionals[0]!, level: 'default', scriptArgs };
  const json = values.get('--json');
  if (json !== undefined) cmd.json = json;
  const report = values.get('--report');
  if (report !== undefined) cmd.report = report;
  const level = values.get('--instrument');
  if (level !== undefined) {
    if (!(LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`option '--instrument' must be one of ${LEVELS.join(', ')}; got '${level}'`);
    }
    cmd.level = level as Level;
  }
  const maxSteps = values.get('--max-steps');
  if (maxSteps !== undefined) cmd.maxSteps = positiveInteger('--max-steps', maxSteps);
  const every = values.get('--histogram-every');
  if (every !== undefined) cmd.histogramEvery = positiveInteger('--histogram-every', every);
  const timeout = values.get('--timeout');
  if (timeout !== undefined) {
    const s = Number(timeout);
    if (!/^\s*[0-9.eE+]+\s*$/.test(timeout) || !Number.isFinite(s) || s <= 0) {
      throw new UsageError(`option '--timeout' needs a positive number of seconds; got '${timeout}'`);
    }
    cmd.timeoutMs = Math.round(s * 1000);
  }
  return cmd;
}

function positiveInteger(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`option '${flag}' needs a positive whole number; got '${text}'`);
  }
  return Number(text);
}

export const EXIT = {
  /** Completed (or stopped by --max-steps) with no error-level findings. */
  ok: 0,
  /** Error-level findings. */
  findings: 1,
  /** The script failed (threw, syntax error, memory limit) or timed out; or a report could not be written. */
  failed: 2,
  /** Bad usage. */
  usage: 3,
  /** Interrupted with Ctrl-C (the reports are still written). */
  interrupted: 130,
} as const;

export function helpText(version: string): string {
  return `gradscope ${version} — gradient debugger for neural-network training

Usage:
  gradscope run SCRIPT [options] [-- SCRIPT_ARGS...]
  gradscope --help | --version

Runs a TypeScript or JavaScript training script written against 'gradscope' (no install needed in
the script's folder), instruments every backward pass, and prints each finding as
  file:line:col: severity [code] message
      fix: ...
with file relative to the current directory, as tsc and eslint print them.

Options:
  --json FILE             write the JSON report to FILE
  --report FILE.html      write the self-contained HTML report to FILE.html
  --instrument LEVEL      off | default | full  (default: default)
  --max-steps N           stop after N steps (backward passes)
  --timeout S             stop after S seconds: the run counts as timed out
  --histogram-every K     record histograms every K steps (default: adaptive)
  -h, --help              show this help
  -v, --version           print the version

Exit codes:
  0    completed with no error-level findings (warnings and infos allowed); also a run
       stopped by --max-steps without error-level findings
  1    error-level findings (e.g. nan-inf), whether the run completed or was stopped by --max-steps
  2    the script failed (threw, syntax error, memory limit) or timed out, or a report
       could not be written
  3    bad usage (unknown option, missing value, bad number, missing script)
  130  interrupted with Ctrl-C (the reports are still written)

Diagnostic codes: docs/diagnostics/README.md
`;
}
