// Export Report…: the session's history as the HTML report (one self-contained page) or the JSON
// report, chosen by the file's extension in the save dialog. The HTML page inlines chart.js and the
// report's client script, prebuilt into out/ by extension/build.mjs (nothing is bundled at run time).

import * as vscode from 'vscode';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { renderHtmlReport } from '../core/report/html';
import { writeJsonReport } from '../core/report/json';
import { setReportAssets } from '../core/report/assets';
import type { RunSession } from './session';

let assetsLoaded = false;

function loadReportAssets(extensionUri: vscode.Uri): void {
  if (assetsLoaded) return;
  const out = vscode.Uri.joinPath(extensionUri, 'out').fsPath;
  setReportAssets({
    chartJs: readFileSync(join(out, 'chart.umd.min.js'), 'utf8'),
    client: readFileSync(join(out, 'report-client.js'), 'utf8'),
  });
  assetsLoaded = true;
}

const readSource = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Writes the report to `target` (or where the save dialog says); resolves to the file, or null. */
export async function exportReport(session: RunSession, extensionUri: vscode.Uri, target?: string): Promise<string | null> {
  const report = session.report();
  if (report === null || session.script === null) {
    void vscode.window.showInformationMessage('GradScope: nothing to export yet — run a training script first.');
    return null;
  }
  let file = target;
  if (file === undefined) {
    const script = session.script;
    const uri = await vscode.window.showSaveDialog({
      title: 'Export GradScope Report',
      defaultUri: vscode.Uri.file(join(dirname(script), `${basename(script, extname(script))}.gradscope.html`)),
      filters: { 'HTML report': ['html', 'htm'], 'JSON report': ['json'] },
    });
    if (uri === undefined) return null;
    file = uri.fsPath;
  }
  try {
    if (extname(file).toLowerCase() === '.json') {
      writeJsonReport(report, file);
    } else {
      loadReportAssets(extensionUri);
      writeFileSync(file, renderHtmlReport(report, readSource), 'utf8');
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`GradScope: could not export the report: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  const open = 'Open';
  void vscode.window.showInformationMessage(`GradScope: report saved to ${file}`, open).then((c) => {
    if (c === open) void vscode.env.openExternal(vscode.Uri.file(file));
  });
  return file;
}
