// `gradscope run`: starts the script through the shared runner, shows progress and the script's
// output while it trains, then writes the reports and prints the findings and a summary.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startRun } from '../runner';
import type { RunOptions } from '../runner/types';
import type { RunEvent } from '../instrument/events';
import { ReportBuilder } from '../report/model';
import { writeJsonReport } from '../report/json';
import { renderHtmlReport } from '../report/html';
import type { ReportAssets } from '../report/assets';
import { EXIT, UsageError, type RunCommand } from './args';
import { FindingSet } from './findings';
import { exitCodeFor, formatDiagnostic, formatScriptError, formatSummary, sortDiagnostics, userFrames } from './format';
import { ProgressView, stepsPerSecond, type Out } from './progress';

export interface CliIO {
  stdout: Out;
  stderr: Out;
  cwd: string;
  /** Subscribes to Ctrl-C; returns the unsubscribe. */
  onInterrupt?: (handler: () => void) => () => void;
  /** The scripts the HTML report inlines, when the defaults do not apply (a bundled CLI). */
  htmlAssets?: () => ReportAssets;
}

function readSource(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export async function runCommand(cmd: RunCommand, io: CliIO): Promise<number> {
  const script = resolve(io.cwd, cmd.script);
  if (!existsSync(script)) throw new UsageError(`script not found: ${cmd.script}`);
  if (!statSync(script).isFile()) throw new UsageError(`not a file: ${cmd.script}`);
  const jsonFile = cmd.json !== undefined ? resolve(io.cwd, cmd.json) : undefined;
  const htmlFile = cmd.report !== undefined ? resolve(io.cwd, cmd.report) : undefined;

  const options: RunOptions = { level: cmd.level, cwd: io.cwd, args: cmd.scriptArgs };
  if (cmd.maxSteps !== undefined) options.maxSteps = cmd.maxSteps;
  if (cmd.timeoutMs !== undefined) options.timeoutMs = cmd.timeoutMs;
  if (cmd.histogramEvery !== undefined) options.histogramEvery = cmd.histogramEvery;

  const progress = new ProgressView(io.stderr);
  const findings = new FindingSet();
  const builder = new ReportBuilder();
  let firstStep: { step: number; at: number } | null = null;
  const onEvent = (e: RunEvent): void => {
    builder.add(e);
    switch (e.type) {
      case 'step': {
        const now = Date.now();
        firstStep ??= { step: e.record.step, at: now };
        const stepsPerSec = stepsPerSecond(e.record.step - firstStep.step, now - firstStep.at);
        progress.update({ step: e.record.step, loss: e.record.loss, stepsPerSec, counts: findings.counts() });
        break;
      }
      case 'diagnostic':
        findings.add(e.diagnostic);
        break;
      case 'log':
        progress.print(e.stream === 'stderr' ? io.stderr : io.stdout, e.text);
        break;
      default:
        break;
    }
  };

  const handle = startRun(script, options, (batch) => batch.forEach(onEvent));
  let interrupted = false;
  const unsubscribe = io.onInterrupt?.(() => {
    interrupted = true;
    handle.stop();
  });
  const result = await handle.done;
  unsubscribe?.();
  progress.finish();

  let code = exitCodeFor(result.status, findings.counts());
  if (interrupted) code = EXIT.interrupted;

  const out: string[] = [];
  if (result.status === 'failed' && result.error !== undefined) {
    out.push(formatScriptError(result.error, script, io.cwd), ...userFrames(result.error.stack, io.cwd));
  }
  for (const d of sortDiagnostics(findings.list())) out.push(formatDiagnostic(d, script, io.cwd));

  const written: { json?: string; html?: string } = {};
  const report = builder.report();
  try {
    if (jsonFile !== undefined) {
      mkdirSync(dirname(jsonFile), { recursive: true });
      await writeJsonReport(report, jsonFile);
      written.json = jsonFile;
    }
    if (htmlFile !== undefined) {
      mkdirSync(dirname(htmlFile), { recursive: true });
      writeFileSync(htmlFile, io.htmlAssets !== undefined ? renderHtmlReport(report, readSource, io.htmlAssets()) : renderHtmlReport(report, readSource));
      written.html = htmlFile;
    }
  } catch (err) {
    out.push(`gradscope: error: cannot write the report: ${err instanceof Error ? err.message : String(err)}`);
    code = EXIT.failed;
  }

  if (out.length > 0) io.stdout.write(`${out.join('\n')}\n`);
  const stopReason = interrupted ? 'Ctrl-C' : cmd.maxSteps !== undefined && result.steps >= cmd.maxSteps ? `--max-steps ${cmd.maxSteps}` : undefined;
  let summary = formatSummary({
    status: result.status,
    steps: result.steps,
    durationMs: result.durationMs,
    counts: findings.counts(),
    ...(stopReason !== undefined ? { stopReason } : {}),
    reports: written,
    cwd: io.cwd,
  });
  if (result.status === 'timeout') summary += `\n  ${result.error?.message ?? `stopped by --timeout ${(cmd.timeoutMs ?? 0) / 1000}`}`;
  io.stdout.write(`${summary}\n`);
  return code;
}
