// The extension's entry point: builds the services and wires them, nothing else. Everything that
// can live without `vscode` does (session, settings, problems, status text), tested in vitest.

import * as vscode from 'vscode';
import { setEsbuildWasmPath, setWorkerScript, warmBundler } from '../core/runner';
import { RunSession } from './session';
import { GradScopeDiagnostics } from './diagnostics';
import { GradientPanel, PANEL_VIEW_TYPE } from './panel';
import { StatusBar } from './status-bar';
import { attachOutput } from './output';
import { trackContextKeys } from './context-keys';
import { registerAllCommands } from './commands';
import type { Services } from './services';
import { LAST_RUN_FILE, LastRunWriter, readLastRun } from './last-run';

let session: RunSession | null = null;
let lastRun: LastRunWriter | null = null;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const out = vscode.Uri.joinPath(context.extensionUri, 'out');
  // The runner's worker and esbuild's WebAssembly are shipped next to this bundle.
  setWorkerScript(vscode.Uri.joinPath(out, 'worker.mjs').fsPath);
  setEsbuildWasmPath(vscode.Uri.joinPath(out, 'esbuild.wasm').fsPath);

  session = new RunSession();
  const output = vscode.window.createOutputChannel('GradScope');
  // The last run survives a window reload (which restarts this host): restored before any view
  // subscribes, so the panel's `init` and the Problems view start from it.
  const storage = context.storageUri ?? context.globalStorageUri;
  const lastRunFile = storage.scheme === 'file' ? vscode.Uri.joinPath(storage, LAST_RUN_FILE).fsPath : null;
  const onStorageError = (e: unknown): void => output.appendLine(`GradScope: the last run's report could not be stored or read: ${e instanceof Error ? e.message : String(e)}`);
  if (lastRunFile !== null) {
    const restored = await readLastRun(lastRunFile, onStorageError);
    if (restored !== null) session.restore(restored);
    lastRun = new LastRunWriter(session, lastRunFile, { onError: onStorageError });
  }
  const docsBase = vscode.Uri.joinPath(context.extensionUri, 'docs', 'diagnostics').toString();
  const services: Services = {
    extensionUri: context.extensionUri,
    session,
    panel: new GradientPanel(context.extensionUri, session),
    diagnostics: new GradScopeDiagnostics(session, docsBase),
    output,
  };
  const s = session;
  context.subscriptions.push(
    output,
    services.panel,
    services.diagnostics,
    new StatusBar(session),
    // esbuild starts (compiling its WebAssembly) once a training script is open, not on every activation.
    trackContextKeys(session, warmBundler),
    { dispose: attachOutput(session, output) },
    ...registerAllCommands(services),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, services.panel.serializer()),
    { dispose: () => s.dispose() },
  );
}

export function deactivate(): void {
  // A run must not outlive the extension host's reload; what it did so far is kept (as stopped).
  session?.stop();
  lastRun?.flushSync();
  lastRun = null;
  session = null;
}
