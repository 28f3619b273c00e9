// The gradient panel's host side: one WebviewPanel showing the session. The page (webview/panel/
// html.ts) is torn down whenever it is hidden (no retainContextWhenHidden), so the session is the
// only history: on every `ready` the panel gets `init` with the full snapshot, then live `events`,
// batched to ≤ ~30 messages/s. Messages from the page are untrusted and validated whole.

import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { EventThrottle } from '../core/instrument/throttle';
import type { RunEvent } from '../core/instrument/events';
import { PROTOCOL_VERSION, assertNever, isWebviewToHost, type HostToWebview, type PanelCommand, type WebviewToHost } from '../webview/protocol';
import { panelHtml } from '../webview/panel/html';
import { tagNonFinite } from '../webview/wire';
import type { RunSession } from './session';
import { CommandId } from './commands/ids';

export const PANEL_VIEW_TYPE = 'gradscope.panel';

const PANEL_COMMAND_IDS: Record<PanelCommand, CommandId> = {
  run: CommandId.run,
  stop: CommandId.stop,
  exportReport: CommandId.exportReport,
};

export class GradientPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  /** Events go out only after the page said `ready` (and got its snapshot). */
  private ready = false;
  private throttle: EventThrottle | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly unlisten: () => void;

  constructor(private readonly extensionUri: vscode.Uri, private readonly session: RunSession) {
    this.unlisten = session.listen((change) => {
      if (!this.ready) return;
      if (change.kind === 'reset') {
        this.restartThrottle();
        this.post({ type: 'reset', script: change.script });
      } else {
        for (const e of change.events) this.throttle?.push(e);
      }
    });
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  /** Opens the panel, or reveals it; `preserveFocus` keeps the editor focused (when a run opens it). */
  show(preserveFocus = false): void {
    if (this.panel !== null) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    // After a window reload VS Code restores the panel's tab but revives it (our serializer) only
    // once it is shown: a tab still hidden behind another is replaced in its place, not doubled.
    const stale = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
    const viewColumn = stale[0]?.group.viewColumn ?? vscode.ViewColumn.Beside;
    this.adopt(vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'GradScope', { viewColumn, preserveFocus }, this.options()));
    if (stale.length > 0) void vscode.window.tabGroups.close(stale, true);
  }

  /** Restores the panel VS Code reopens after a window reload (the history of the old extension host is gone). */
  serializer(): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        if (this.panel !== null) panel.dispose();
        else this.adopt(panel);
      },
    };
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'out')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    const out = vscode.Uri.joinPath(this.extensionUri, 'out');
    this.panel = panel;
    const webview = panel.webview;
    // A restored panel keeps the options it was saved with: set them again.
    webview.options = this.options();
    webview.html = panelHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(out, 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(out, 'panel.css')).toString(),
      nonce: randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, ''),
      cspSource: webview.cspSource,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      // A hidden page is gone; it says `ready` again when shown, and gets a fresh snapshot then.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
      panel.onDidDispose(() => this.teardown()),
    );
  }

  private receive(m: unknown): void {
    if (!isWebviewToHost(m)) {
      console.warn('gradscope: ignored a malformed message from the panel', m);
      return;
    }
    const msg: WebviewToHost = m;
    switch (msg.type) {
      case 'ready':
        // Whatever was queued is already in the snapshot: start the stream after it.
        this.restartThrottle();
        this.ready = true;
        this.post({ type: 'init', version: PROTOCOL_VERSION, report: this.session.report(), running: this.session.running });
        return;
      case 'openLocation':
        void openLocation(msg.file, msg.line, msg.column);
        return;
      case 'command':
        void vscode.commands.executeCommand(PANEL_COMMAND_IDS[msg.command]);
        return;
      default:
        assertNever(msg);
    }
  }

  private restartThrottle(): void {
    const t: EventThrottle = new EventThrottle((batch: RunEvent[]) => {
      // A replaced throttle's pending timer may still fire: its events are in the snapshot already.
      if (this.throttle === t && this.ready) this.post({ type: 'events', events: batch });
    });
    this.throttle = t;
  }

  private post(msg: HostToWebview): void {
    // Tagged: postMessage is JSON, which would turn a NaN loss into null (see webview/wire.ts).
    void this.panel?.webview.postMessage(tagNonFinite(msg));
  }

  private teardown(): void {
    this.panel = null;
    this.ready = false;
    this.throttle = null;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.unlisten();
    this.panel?.dispose();
    this.teardown();
  }
}

async function openLocation(file: string, line: number, column: number): Promise<void> {
  const position = new vscode.Position(line - 1, column - 1);
  try {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(position, position), preview: false });
  } catch (e) {
    void vscode.window.showErrorMessage(`GradScope: cannot open ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
