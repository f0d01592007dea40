// The folder the end-to-end test opens in VS Code: debugme.c with its DWARF-built debugme.wasm, a
// launch.json with one `wasi` configuration, and settings that keep first-run UI (welcome page,
// telemetry notice, workspace trust, release notes) from covering the editor.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesC = fileURLToPath(new URL('../../fixtures/c/', import.meta.url));

export const LAUNCH_NAME = 'Debug debugme.wasm';

export { lineOfMark } from './line-marks';

/** Workspace settings: what the test needs of the editor, and no first-run UI. */
export const WORKSPACE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.codeLens': true,
  'editor.minimap.enabled': false,
  'debug.openDebug': 'openOnDebugBreak',
  'debug.toolBarLocation': 'floating',
  'git.enabled': false,
  'files.autoSave': 'off',
};

/** User settings: application-wide ones (VS Code refuses them in a workspace), plus the same. */
export const USER_SETTINGS = {
  ...WORKSPACE_SETTINGS,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
};

export function createWorkspace(dir: string): { dir: string; source: string } {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  for (const f of ['debugme.c', 'debugme.wasm']) copyFileSync(join(fixturesC, f), join(dir, f));
  const launch = {
    version: '0.2.0',
    configurations: [{ type: 'wasi', request: 'launch', name: LAUNCH_NAME, program: '${workspaceFolder}/debugme.wasm', args: [], preopens: [], stopOnEntry: false }],
  };
  writeFileSync(join(dir, '.vscode', 'launch.json'), `${JSON.stringify(launch, null, 2)}\n`);
  writeFileSync(join(dir, '.vscode', 'settings.json'), `${JSON.stringify(WORKSPACE_SETTINGS, null, 2)}\n`);
  return { dir, source: join(dir, 'debugme.c') };
}

/** User settings of a fresh profile (code-server reads <user-data-dir>/User/settings.json). */
export function writeUserSettings(userDataDir: string): void {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(USER_SETTINGS, null, 2)}\n`);
}
