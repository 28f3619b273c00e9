// Context keys for `when` clauses in package.json:
// - gradscope.isTrainingScript: the active editor's file imports 'gradscope' (the editor-title run
//   button); rechecked when the editor changes and, debounced, when its text does.
// - gradscope.running: a run is in progress (Stop Training in the palette).

import * as vscode from 'vscode';
import type { RunSession } from './session';
import { importsGradscope } from './script-detect';

export const ContextKey = {
  isTrainingScript: 'gradscope.isTrainingScript',
  running: 'gradscope.running',
} as const;

const set = (key: string, value: boolean): void => { void vscode.commands.executeCommand('setContext', key, value); };

/** `onTrainingScript` runs the first time the active editor holds a training script. */
export function trackContextKeys(session: RunSession, onTrainingScript: () => void): vscode.Disposable {
  let pending: ReturnType<typeof setTimeout> | null = null;
  let seen = false;
  const check = (editor: vscode.TextEditor | undefined): void => {
    const is = editor !== undefined && importsGradscope(editor.document.getText());
    set(ContextKey.isTrainingScript, is);
    if (is && !seen) {
      seen = true;
      onTrainingScript();
    }
  };
  check(vscode.window.activeTextEditor);
  let running = false;
  const unlisten = session.listen(() => {
    if (session.running !== running) set(ContextKey.running, (running = session.running));
  });
  const subs = [
    vscode.window.onDidChangeActiveTextEditor(check),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== vscode.window.activeTextEditor?.document) return;
      if (pending !== null) clearTimeout(pending);
      pending = setTimeout(() => { pending = null; check(vscode.window.activeTextEditor); }, 300);
    }),
  ];
  return new vscode.Disposable(() => {
    unlisten();
    if (pending !== null) clearTimeout(pending);
    for (const s of subs) s.dispose();
  });
}
