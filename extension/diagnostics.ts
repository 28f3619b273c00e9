// The Problems view: one DiagnosticCollection 'gradscope', kept in step with the session's findings
// (a finding re-sent by its detector replaces its earlier snapshot; a restored last run's findings
// from the start), cleared when a new run starts and by the Clear Diagnostics command. The mapping itself is problems.ts (pure, tested).

import * as vscode from 'vscode';
import type { Diagnostic as Finding } from '../core/instrument/diagnostics';
import { FindingSet } from '../core/cli/findings';
import type { RunSession } from './session';
import { byFile, toProblem, type ProblemEntry, type ProblemRange } from './problems';

const RENDER_MS = 200;

export class GradScopeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('gradscope');
  private findings = new FindingSet();
  private script: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unlisten: () => void;

  /** `docsBase`: URI (string) of the docs/diagnostics/ folder shipped in the extension. */
  constructor(session: RunSession, private readonly docsBase: string) {
    this.unlisten = session.listen((change) => {
      if (change.kind === 'reset') {
        this.script = change.script;
        this.clear();
        return;
      }
      let changed = false;
      let ended = false;
      for (const e of change.events) {
        if (e.type === 'diagnostic') {
          this.findings.add(e.diagnostic);
          changed = true;
        } else if (e.type === 'runEnded') {
          ended = true;
        }
      }
      // Detectors re-send a finding whenever its latest step moves: redraw a few times a second
      // at most, and at once when the run ends.
      if (ended && (changed || this.timer !== null)) this.render();
      else if (changed) this.timer ??= setTimeout(() => this.render(), RENDER_MS);
    });
    // A history restored after a window reload brings its findings back.
    const restored = session.report();
    if (restored !== null) {
      this.script = restored.script !== '' ? restored.script : null;
      for (const d of restored.diagnostics) this.findings.add(d);
      this.render();
    }
  }

  clear(): void {
    this.cancelRender();
    this.findings = new FindingSet();
    this.collection.clear();
  }

  private cancelRender(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private render(): void {
    this.cancelRender();
    const fallback = this.script === null ? null : { file: this.script, line: 1, column: 1 };
    const entries = this.findings.list()
      .map((f: Finding) => toProblem(f, fallback, this.docsBase))
      .filter((p): p is ProblemEntry => p !== null);
    this.collection.clear();
    for (const [file, list] of byFile(entries)) {
      this.collection.set(vscode.Uri.file(file), list.map(toDiagnostic));
    }
  }

  dispose(): void {
    this.cancelRender();
    this.unlisten();
    this.collection.dispose();
  }
}

const position = (r: ProblemRange): vscode.Position => new vscode.Position(r.line, r.character);

function toDiagnostic(p: ProblemEntry): vscode.Diagnostic {
  // A finding names a point (a call, a construction) but not the expression's extent: underline
  // the rest of the line (the editor clamps the range to the line's end).
  const start = position(p.start);
  const d = new vscode.Diagnostic(new vscode.Range(start, start.translate(0, 10_000)), p.message, p.severity as vscode.DiagnosticSeverity);
  d.source = p.source;
  d.code = { value: p.code.value, target: vscode.Uri.parse(p.code.target) };
  d.relatedInformation = p.related.map((r) => new vscode.DiagnosticRelatedInformation(
    new vscode.Location(vscode.Uri.file(r.file), position(r.start)), r.message));
  return d;
}
