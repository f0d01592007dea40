// The extension tests of `npm run test:vscode` (test/vscode-electron/suite), run here in a real
// extension host: the VS Code server that ships inside code-server, opened in headless Chromium
// with the repository as the extension under development and the bundled suite as its tests (the
// web workbench takes both from its URL when the server runs with the smoke-test driver). Each
// suite test becomes a subtest here. Skips (saying why) when Chromium or code-server cannot be had.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer, makeProfile, startVsCodeServer, type RunningServer } from './code-server';
import { createWorkspace, writeUserSettings } from './fixture-workspace';
import { repoRoot } from './package-extension';
import { CHROMIUM, Workbench } from './workbench';
import { buildSuite } from '../vscode-electron/build-suite';

const artifacts = join(repoRoot, 'test-artifacts', 'e2e-suite');

interface SuiteResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

function whySkip(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) return 'dist/extension.js is missing: build first (npm run build; npm test does)';
  return null;
}

test('the extension test suite in a real VS Code extension host (VS Code server from code-server)', { timeout: 15 * 60_000 }, async (t) => {
  const skip = whySkip();
  if (skip) return t.skip(skip);
  const cs = ensureCodeServer();
  if ('unavailable' in cs) return t.skip(cs.unavailable);

  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'wasiscope-suite-'));
  let server: RunningServer | undefined;
  let wb: Workbench | undefined;
  const profile = makeProfile(join(scratch, 'profile'));
  t.after(async () => {
    await wb?.close().catch(() => undefined);
    await server?.stop();
    if (server) cpSync(server.logFile, join(artifacts, 'vscode-server.log'));
    const logs = join(profile.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, join(artifacts, 'vscode-logs'), { recursive: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  writeUserSettings(join(profile.userDataDir, 'data'));
  const ws = createWorkspace(join(scratch, 'workspace'));
  const suite = await buildSuite(join(scratch, 'suite'));
  const resultsFile = join(scratch, 'results.json');
  server = await startVsCodeServer(cs, profile, join(scratch, 'vscode-server.log'));
  const host = new URL(server.url).host;
  const remote = (path: string): string => `vscode-remote://${host}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(repoRoot.replace(/\/$/, ''))],
    ['extensionTestsPath', remote(suite)],
    ['extensionEnvironment', JSON.stringify({ WASISCOPE_SUITE_RESULTS: resultsFile })],
  ];
  wb = await Workbench.open(`${server.url}?folder=${encodeURIComponent(ws.dir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, artifacts);

  // The suite writes its results when it is done (the extension host then exits).
  const deadline = Date.now() + 5 * 60_000;
  while (!existsSync(resultsFile) && Date.now() < deadline) await wb.page.waitForTimeout(500); // polling interval
  await wb.screenshot('suite-done');
  assert.ok(existsSync(resultsFile), `the suite wrote no results within 5 minutes; see ${artifacts}/vscode-logs`);
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResult[];
  assert.ok(results.length > 0);
  for (const r of results) {
    await t.test(r.name, (st) => {
      st.diagnostic(`${r.ms} ms in the extension host`);
      if (!r.ok) assert.fail(r.error ?? 'failed');
    });
  }
});
