import * as vscode from 'vscode';
import type { RunResult } from '../../core/runner/types';
import type { Services } from '../services';
import { runOptionsFromSettings } from '../settings';
import { isScriptPath } from '../script-detect';

/**
 * Runs a training script with gradient debugging. The script: the file the command was invoked on
 * (editor-title button), else the active editor's (saved first), else the last run's (the panel's
 * Run button, which takes the focus from the editor), else one picked in an open dialog. Running
 * executes the script's code, so it needs a trusted workspace. Resolves when the run ends.
 */
export async function runCommand(s: Services, resource?: unknown): Promise<RunResult | null> {
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    const choice = await vscode.window.showWarningMessage(
      'GradScope runs your training script, which executes its code: it only does so in a trusted workspace. Trust this workspace to run scripts; the panel, reports and Problems entries of earlier runs still work.',
      manage,
    );
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return null;
  }
  const script = await targetScript(s, resource instanceof vscode.Uri ? resource : undefined);
  if (script === null) return null;

  const options = runOptionsFromSettings(vscode.workspace.getConfiguration('gradscope', vscode.Uri.file(script)));
  s.panel.show(true);
  const result = await s.session.run(script, options);
  if (result.status === 'failed' || result.status === 'timeout') {
    const show = 'Show Output';
    void vscode.window.showErrorMessage(`GradScope: ${result.error?.message.split('\n')[0] ?? `the run ${result.status}`}`, show)
      .then((c) => { if (c === show) s.output.show(true); });
  }
  return result;
}

async function targetScript(s: Services, resource: vscode.Uri | undefined): Promise<string | null> {
  if (resource !== undefined && resource.scheme === 'file') {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource.toString());
    if (open?.isDirty) await open.save();
    return resource.fsPath;
  }
  const doc = vscode.window.activeTextEditor?.document;
  if (doc !== undefined && isScriptPath(doc.fileName)) {
    if (doc.isUntitled || doc.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('GradScope: save the script to a file first.');
      return null;
    }
    if (doc.isDirty && !(await doc.save())) return null;
    return doc.uri.fsPath;
  }
  if (s.session.script !== null) return s.session.script;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Run with Gradient Debugging',
    filters: { 'Training scripts': ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'] },
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  return picked?.[0]?.fsPath ?? null;
}
