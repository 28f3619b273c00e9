// Findings → Problems-view entries, as plain data (pure, no vscode import) so vitest can test the
// mapping; diagnostics.ts turns these into vscode.Diagnostic objects.

import type { Diagnostic, Severity } from '../core/instrument/diagnostics';
import type { SourceLocation } from '../core/instrument/callsite';

/** vscode.DiagnosticSeverity values. */
export const SEVERITY = { error: 0, warning: 1, info: 2 } as const satisfies Record<Severity, number>;

export interface ProblemRange {
  /** 0-based, as vscode.Range. */
  line: number;
  character: number;
}

export interface ProblemEntry {
  file: string;
  start: ProblemRange;
  severity: number;
  message: string;
  source: 'GradScope';
  code: { value: string; target: string };
  related: { file: string; start: ProblemRange; message: string }[];
}

function toRange(loc: SourceLocation): ProblemRange {
  return { line: Math.max(0, loc.line - 1), character: Math.max(0, loc.column - 1) };
}

/**
 * One Problems entry per finding that has a location in a file (run-wide findings without one go
 * to `fallback`, the script). `docsBase` is the URI of the docs/diagnostics/ folder shipped in the
 * extension, so the code links to its page offline.
 */
export function toProblem(d: Diagnostic, fallback: SourceLocation | null, docsBase: string): ProblemEntry | null {
  const loc = d.location ?? fallback;
  if (loc === null) return null;
  const where = d.module ? ` [${d.module}]` : '';
  return {
    file: loc.file,
    start: toRange(loc),
    severity: SEVERITY[d.severity],
    message: `${d.message}${where}\nFix: ${d.fix}`,
    source: 'GradScope',
    code: { value: d.code, target: `${docsBase.replace(/\/?$/, '/')}${d.code}.md` },
    related: d.related.map((r) => ({ file: r.location.file, start: toRange(r.location), message: r.message })),
  };
}

/** Groups entries by file, as a DiagnosticCollection is set. */
export function byFile(entries: readonly ProblemEntry[]): Map<string, ProblemEntry[]> {
  const out = new Map<string, ProblemEntry[]>();
  for (const e of entries) {
    const list = out.get(e.file) ?? [];
    list.push(e);
    out.set(e.file, list);
  }
  return out;
}
