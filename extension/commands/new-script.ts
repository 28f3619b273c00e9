import * as vscode from 'vscode';
import type { Services } from '../services';
import { STARTER_SCRIPT, defaultScriptName, scriptNameProblem } from '../starter-script';

/**
 * Creates a small working training script (a 2-4-1 MLP) in the workspace folder and opens it, ready
 * to run. Asks for the name (default train.ts, or the first free train-N.ts) unless given one (a
 * name relative to the folder, or a Uri); asks before replacing an existing file. Resolves to the
 * new file, or null when cancelled.
 */
export async function newScriptCommand(_s: Services, target?: unknown): Promise<vscode.Uri | null> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let file: vscode.Uri | undefined = target instanceof vscode.Uri ? target : undefined;
  if (file === undefined) {
    if (folder === undefined) {
      // No folder: an untitled editor the user saves where they like.
      const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: STARTER_SCRIPT });
      await vscode.window.showTextDocument(doc);
      return doc.uri;
    }
    let name = typeof target === 'string' ? target : undefined;
    if (name === undefined) {
      const taken = new Set((await vscode.workspace.fs.readDirectory(folder)).map(([n]) => n));
      const suggested = defaultScriptName((n) => taken.has(n));
      name = await vscode.window.showInputBox({
        title: 'GradScope: New Training Script',
        prompt: 'File name of the new training script, in the workspace folder',
        value: suggested,
        valueSelection: [0, suggested.lastIndexOf('.')],
        validateInput: (v) => scriptNameProblem(v),
      });
      if (name === undefined) return null;
    }
    const problem = scriptNameProblem(name);
    if (problem !== null) {
      void vscode.window.showErrorMessage(`GradScope: ${problem}`);
      return null;
    }
    file = vscode.Uri.joinPath(folder, name.trim());
  }
  if (await fileExists(file)) {
    const replace = 'Replace';
    const choice = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(file)} already exists. Replace it with the starter script?`, { modal: true }, replace);
    if (choice !== replace) return null;
  }
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(STARTER_SCRIPT));
  await vscode.window.showTextDocument(file);
  return file;
}

async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
