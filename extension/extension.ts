// The VS Code side of Wasiscope (the only code that imports `vscode`): registers the `wasi`
// debugger (the adapter runs inline in the extension host by default, or as a process with
// `wasiscope.adapter: "process"`), offers to debug the open .wasm/.wat file when F5 is pressed
// without a launch.json, and shows per-function fuel as CodeLens over C and WAT sources, live
// from the `wasiscope/functions` events and kept after the session ends.

import * as vscode from 'vscode';
import { WasiDebugSession } from '../debug-adapter/dap/wasi-debug-session';
import { FuelFigures, type FunctionsEventBody } from './fuel-figures';
import { registerPanels } from './panels/wasiscope-panels';
import { watFoldingRanges } from './wat-folding';

const DEBUG_TYPE = 'wasi';
const LENS_LANGUAGES = ['c', 'cpp', 'rust', 'zig', 'wat'];

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}

  createDebugAdapterDescriptor(_session: vscode.DebugSession, executable: vscode.DebugAdapterExecutable | undefined): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const mode = vscode.workspace.getConfiguration('wasiscope').get<string>('adapter', 'inline');
    if (mode === 'process') {
      return executable ?? new vscode.DebugAdapterExecutable(process.execPath, [this.context.asAbsolutePath('dist/debugAdapter.js')]);
    }
    // The session implements the inline adapter contract (handleMessage / onDidSendMessage).
    return new vscode.DebugAdapterInlineImplementation(new WasiDebugSession() as unknown as vscode.DebugAdapter);
  }
}

/** The open .wasm/.wat file, also when it shows in a binary or custom editor (no text editor). */
function activeModuleUri(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && (doc.languageId === 'wat' || /\.(wasm|wat|wast)$/i.test(doc.uri.fsPath))) return doc.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri && /\.(wasm|wat|wast)$/i.test(uri.fsPath) ? uri : undefined;
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    return [{ type: DEBUG_TYPE, request: 'launch', name: 'Debug WASI module', program: '${file}', args: [], preopens: [], stopOnEntry: false }];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      // F5 without launch.json: debug the module in the active editor.
      const uri = activeModuleUri();
      if (!uri) {
        void vscode.window.showInformationMessage('Open a .wasm or .wat file to debug it with Wasiscope, or add a "wasi" launch configuration.');
        return undefined;
      }
      return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${uri.path.split('/').pop()}`, program: uri.fsPath, stopOnEntry: false };
    }
    if (!config.program) {
      const uri = activeModuleUri();
      if (uri) config.program = uri.fsPath;
    }
    return config;
  }
}

class FuelLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly figures: FuelFigures) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('wasiscope').get<boolean>('fuelCodeLens', true)) return [];
    return this.figures.forFile(document.uri.fsPath)
      .filter((f) => f.line >= 1 && f.line <= document.lineCount)
      .map((f) => {
        const range = document.lineAt(f.line - 1).range;
        return new vscode.CodeLens(range, { title: f.text, command: '', tooltip: `${f.name}: exclusive fuel and calls in the last Wasiscope run` });
      });
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const figures = new FuelFigures();
  const lenses = new FuelLensProvider(figures);
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.languages.registerCodeLensProvider(LENS_LANGUAGES.map((language) => ({ language })), lenses),
    // A tracker sees the adapter's messages as they are sent (before VS Code handles the session's
    // end), so the lenses hold the final figures by the time the session is over.
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: unknown }) => {
          if (m.type !== 'event' || m.event !== 'wasiscope/functions') return;
          if (figures.update(m.body as FunctionsEventBody)) lenses.refresh();
        },
      }),
    }),
    vscode.commands.registerCommand('wasiscope.clearFuelLenses', () => {
      figures.clear();
      lenses.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('wasiscope.fuelCodeLens')) lenses.refresh();
    }),
    vscode.languages.registerFoldingRangeProvider({ language: 'wat' }, {
      provideFoldingRanges: (document) => watFoldingRanges(document.getText()).map((r) => new vscode.FoldingRange(r.start, r.end)),
    }),
  );
  // The gauges, audit and spans panels, fed from the adapter's custom events.
  registerPanels(context);
}

export function deactivate(): void {
  /* subscriptions are disposed by VS Code */
}
