// The command ids (the manifest's contributes.commands, checked by test/unit/extension/manifest.test.ts).
// No vscode import: the manifest test and the panel's command table read it.

export const CommandId = {
  /** run.ts */
  run: 'gradscope.run',
  /** stop.ts */
  stop: 'gradscope.stop',
  /** show-panel.ts */
  showPanel: 'gradscope.showPanel',
  /** export-report.ts */
  exportReport: 'gradscope.exportReport',
  /** clear-diagnostics.ts */
  clearDiagnostics: 'gradscope.clearDiagnostics',
  /** new-script.ts */
  newScript: 'gradscope.newScript',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];
