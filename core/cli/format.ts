// What the CLI prints at the end of a run: one `file:line:col: severity [code] message` line per
// finding (the shape tsc, eslint's unix formatter and VS Code problem matchers read), the fix on an
// indented line below, and a summary. Pure: no I/O, paths resolved against a given cwd.

import { isAbsolute, relative, sep } from 'node:path';
import type { Diagnostic, Severity } from '../instrument/diagnostics';
import type { RunError, RunStatus } from '../instrument/events';
import type { SourceLocation } from '../instrument/callsite';
import { EXIT } from './args';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export type SeverityCounts = Record<Severity, number>;

/**
 * A file as printed: relative to cwd (also when it climbs out with `..`), so the problem matcher's
 * `fileLocation` is `["relative", "${cwd}"]`; absolute only where no relative path exists
 * (another Windows drive, or a URL for non-file scripts).
 */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  if (rel === '' || isAbsolute(rel)) return file;
  // Forward slashes on Windows too: editors accept them and the output stays the same everywhere.
  return sep === '\\' ? rel.split(sep).join('/') : rel;
}

/** `file:line:col`. Findings without a source line (run-wide: loss, learning rate) sit at the script's 1:1. */
export function formatLocation(location: SourceLocation | null, script: string, cwd: string): string {
  if (location === null) return `${displayPath(script, cwd)}:1:1`;
  return `${displayPath(location.file, cwd)}:${location.line}:${location.column}`;
}

/** One line, however the message was written (problem matchers read a single line). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function formatDiagnostic(d: Diagnostic, script: string, cwd: string): string {
  // The message already says where (layer) and since when (step).
  const head = `${formatLocation(d.location, script, cwd)}: ${d.severity} [${d.code}] ${oneLine(d.message)}`;
  const lines = [head, `    fix: ${oneLine(d.fix)}`];
  for (const r of d.related) lines.push(`    ${formatLocation(r.location, script, cwd)}: ${oneLine(r.message)}`);
  return lines.join('\n');
}

/** A failed run's error, in the same shape as the findings: `file:line:col: error [script-error] message`. */
export function formatScriptError(error: RunError, script: string, cwd: string): string {
  const first = oneLine(error.message.split('\n')[0] ?? error.message);
  return `${formatLocation(error.location, script, cwd)}: error [script-error] ${first}`;
}

/**
 * The frames of an error's stack that are in the user's files (engine bundle and Node internals
 * dropped), as `    at fn (file:line:col)` lines; none when the error's own location says it all.
 */
export function userFrames(stack: string, cwd: string): string[] {
  const frames: string[] = [];
  for (const raw of stack.split('\n')) {
    const m = /^\s+at (?:(.*?) \()?(.+):(\d+):(\d+)\)?$/.exec(raw);
    if (m === null) continue;
    const file = m[2]!;
    if (file.startsWith('node:') || file.startsWith('internal/') || file.startsWith('file://')) continue;
    const where = `${displayPath(file, cwd)}:${m[3]}:${m[4]}`;
    frames.push(m[1] !== undefined && m[1] !== '<anonymous>' ? `    at ${m[1]} (${where})` : `    at ${where}`);
  }
  return frames.length > 1 ? frames : [];
}

/** Errors first, then warnings, then infos; within a severity, by the step first seen. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.step - b.step);
}

export function countBySeverity(ds: readonly Diagnostic[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const d of ds) counts[d.severity]++;
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `1 error, 2 warnings, 0 infos`. */
export function formatCounts(c: SeverityCounts): string {
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.info, 'info')}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

export interface SummaryInput {
  status: RunStatus;
  steps: number;
  durationMs: number;
  counts: SeverityCounts;
  /** Why it stopped, when it did (e.g. '--max-steps 3'). */
  stopReason?: string;
  reports: { json?: string; html?: string };
  cwd: string;
}

export function formatSummary(s: SummaryInput): string {
  const status = s.status === 'stopped' && s.stopReason !== undefined ? `stopped (${s.stopReason})` : s.status;
  const lines = [`gradscope: ${status} after ${plural(s.steps, 'step')} in ${formatDuration(s.durationMs)}: ${formatCounts(s.counts)}`];
  if (s.reports.json !== undefined) lines.push(`  JSON report: ${displayPath(s.reports.json, s.cwd)}`);
  if (s.reports.html !== undefined) lines.push(`  HTML report: ${displayPath(s.reports.html, s.cwd)}`);
  return lines.join('\n');
}

/**
 * The documented exit code of a finished run. A run stopped by --max-steps (or by the host) is judged
 * by its findings like a completed one; Ctrl-C is handled by the caller (130).
 */
export function exitCodeFor(status: RunStatus, counts: SeverityCounts): number {
  if (status === 'failed' || status === 'timeout') return EXIT.failed;
  return counts.error > 0 ? EXIT.findings : EXIT.ok;
}
