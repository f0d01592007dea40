// `npm run test:vscode`: the extension tests (suite/) in a real VS Code downloaded by
// @vscode/test-electron, with the repository as the extension under development and a scratch copy
// of the fixture workspace. Needs network access to update.code.visualstudio.com (this project's
// build machines have none: there the same suite runs in code-server, test/e2e/extension-suite.e2e.test.ts).
// VSCODE_VERSION picks the build (default: stable); downloads are cached in ~/.cache/wasiscope-vscode-test.
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { createWorkspace, writeUserSettings } from '../e2e/fixture-workspace';
import { buildSuite, repoRoot } from './build-suite';

async function main(): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'wasiscope-vscode-test-'));
  try {
    const suite = await buildSuite(join(scratch, 'suite'));
    const ws = createWorkspace(join(scratch, 'workspace'));
    const userData = join(scratch, 'user-data');
    writeUserSettings(userData);
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      cachePath: join(homedir(), '.cache', 'wasiscope-vscode-test'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite,
      extensionTestsEnv: { WASISCOPE_SUITE_RESULTS: join(scratch, 'results.json') },
      launchArgs: [ws.dir, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', userData],
    });
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/download|getaddrinfo|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|fetch failed/i.test(msg)) {
      console.error(`test:vscode could not download VS Code (${msg}).\nThis machine cannot reach Microsoft's update servers; the same tests run in code-server in \`npm test\` (test/e2e/).`);
    } else console.error(`test:vscode failed: ${msg}`);
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
