// Every command of the extension: its id in ids.ts, its implementation in a file of its own, registered
// in one place. Titles live in package.json (contributes.commands).

import * as vscode from 'vscode';
import type { Services } from '../services';
import { runCommand } from './run';
import { stopCommand } from './stop';
import { showPanelCommand } from './show-panel';
import { exportReportCommand } from './export-report';
import { clearDiagnosticsCommand } from './clear-diagnostics';
import { newScriptCommand } from './new-script';
import { CommandId } from './ids';

export { CommandId } from './ids';

const HANDLERS: Record<CommandId, (s: Services, ...args: unknown[]) => unknown> = {
  [CommandId.run]: runCommand,
  [CommandId.stop]: stopCommand,
  [CommandId.showPanel]: showPanelCommand,
  [CommandId.exportReport]: exportReportCommand,
  [CommandId.clearDiagnostics]: clearDiagnosticsCommand,
  [CommandId.newScript]: newScriptCommand,
};

export function registerAllCommands(services: Services): vscode.Disposable[] {
  return Object.entries(HANDLERS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => handler(services, ...args)));
}
