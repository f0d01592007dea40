// The three Wasiscope panels (fuel and memory gauges, capability audit, span tree) as VS Code
// webview panels: created on command, restored after a reload by a serializer, fed from the `wasi`
// debug session's custom events through a PanelFeed. Each page is built by webviewHtml (CSP
// default-src 'none', a nonce per load) and may load only dist/webviews/.
//
// The extension calls registerPanels(context) in activate(). package.json then needs, for the
// commands to show in the palette and the panels to come back after a reload:
//   contributes.commands: wasiscope.showGauges, wasiscope.showAudit, wasiscope.showSpans
//   activationEvents: onWebviewPanel:wasiscope.gauges, onWebviewPanel:wasiscope.audit, onWebviewPanel:wasiscope.spans
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { AuditFilterChanged, WebviewReady, type BaselineSummary, type WebviewName } from '../../webviews/shared/protocol';
import { PanelFeed, toBaselineSummary } from './panel-feed';
import { newNonce, webviewHtml } from './webview-html';

const DEBUG_TYPE = 'wasi';

export const PANELS: Record<WebviewName, { viewType: string; title: string; command: string }> = {
  gauges: { viewType: 'wasiscope.gauges', title: 'Wasiscope: Fuel and Memory', command: 'wasiscope.showGauges' },
  audit: { viewType: 'wasiscope.audit', title: 'Wasiscope: Capability Audit', command: 'wasiscope.showAudit' },
  spans: { viewType: 'wasiscope.spans', title: 'Wasiscope: Spans', command: 'wasiscope.showSpans' },
};

const AUDIT_FILTER_KEY = 'wasiscope.auditFilter';

function readBaseline(config: vscode.DebugConfiguration, folder: vscode.WorkspaceFolder | undefined): BaselineSummary | null {
  const given = typeof config.baseline === 'string' ? config.baseline : undefined;
  if (!given) return null;
  const base = typeof config.cwd === 'string' ? config.cwd : folder?.uri.fsPath ?? '';
  const path = isAbsolute(given) ? given : join(base, given);
  try {
    return toBaselineSummary(basename(path), JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return null; // the adapter reports a bad baseline to the user; the panel just shows no drift
  }
}

function fuelLimit(config: vscode.DebugConfiguration): number | undefined {
  const f = config.fuel;
  const n = typeof f === 'number' ? f : typeof f === 'string' ? Number(f.replace(/[_,]/g, '')) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export function registerPanels(context: vscode.ExtensionContext): void {
  const feed = new PanelFeed();
  const open = new Map<WebviewName, vscode.WebviewPanel>();
  const assets = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webviews');
  let current: vscode.DebugSession | undefined;
  let exitCode: number | undefined;

  const webviewOptions = (): vscode.WebviewOptions => ({ enableScripts: true, localResourceRoots: [assets] });

  function attach(view: WebviewName, panel: vscode.WebviewPanel): void {
    const { webview } = panel;
    webview.options = webviewOptions();
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(assets, `${view}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(assets, `${view}.css`)).toString(),
      nonce: newNonce(),
      title: PANELS[view].title,
    });
    const unsubscribe = feed.subscribe(view, (m) => void webview.postMessage(m));
    const sub = webview.onDidReceiveMessage((m: unknown) => {
      if (WebviewReady.is(m)) for (const r of feed.replay(view)) void webview.postMessage(r);
      else if (AuditFilterChanged.is(m)) void context.workspaceState.update(AUDIT_FILTER_KEY, m.params.filter);
    });
    panel.onDidDispose(() => {
      unsubscribe();
      sub.dispose();
      if (open.get(view) === panel) open.delete(view);
    });
    open.set(view, panel);
  }

  function show(view: WebviewName): void {
    const existing = open.get(view);
    if (existing) {
      existing.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANELS[view].viewType, PANELS[view].title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions());
    attach(view, panel);
  }

  const disposables: vscode.Disposable[] = [];
  for (const view of Object.keys(PANELS) as WebviewName[]) {
    disposables.push(
      vscode.commands.registerCommand(PANELS[view].command, () => show(view)),
      vscode.window.registerWebviewPanelSerializer(PANELS[view].viewType, {
        // The webview restores its own last state (getState); the feed catches it up on `webview/ready`.
        deserializeWebviewPanel: async (panel) => attach(view, panel),
      }),
    );
  }

  disposables.push(
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== DEBUG_TYPE) return;
      current = s;
      exitCode = undefined;
      const program = typeof s.configuration.program === 'string' ? s.configuration.program : '';
      feed.startSession({ name: s.name, program, fuelLimit: fuelLimit(s.configuration) }, readBaseline(s.configuration, s.workspaceFolder));
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session === current) feed.onCustomEvent(e.event, e.body);
    }),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { exitCode?: number } }) => {
          if (session !== current || m.type !== 'event') return;
          if (m.event === 'stopped') feed.setStatus({ status: 'paused' });
          else if (m.event === 'continued') feed.setStatus({ status: 'running' });
          else if (m.event === 'exited') exitCode = m.body?.exitCode;
        },
        // Stepping sends no `continued` event: any request that resumes means running again.
        onWillReceiveMessage: (m: { command?: string }) => {
          if (session === current && ['continue', 'next', 'stepIn', 'stepOut', 'restart'].includes(m.command ?? '')) feed.setStatus({ status: 'running' });
        },
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s === current) feed.setStatus({ status: 'exited', exitCode });
    }),
    { dispose: () => feed.dispose() },
  );
  context.subscriptions.push(...disposables);
}
