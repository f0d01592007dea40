// Builds and packages the extension the way a release does (`esbuild.mjs --production`, then
// `vsce package --no-dependencies`), in a staging copy of the repository so that the tests running
// beside this one keep reading the repository's own dist/ undisturbed. Sources and node_modules
// are symlinked (esbuild follows them); what goes into the .vsix is copied, because vsce packs
// symlinks as links.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const LINKED = ['node_modules', 'extension', 'debug-adapter', 'webviews', 'fixtures', 'tsconfig.json'];
const COPIED = ['package.json', 'esbuild.mjs', 'esbuild-import-meta.js', '.vscodeignore', 'README.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', 'CHANGELOG.md', 'syntaxes', 'media'];

export interface Packaged {
  vsix: string;
  /** vsce's output: the file list, and any WARNING it printed. */
  log: string;
  warnings: string[];
}

function run(cmd: string, args: string[], cwd: string, what: string): string {
  // stdin closed: vsce asks nothing (its "Do you want to continue?" only waits on a terminal).
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  if (res.status !== 0) throw new Error(`${what} failed (exit ${res.status ?? res.signal}):\n${out}`);
  return out;
}

export function packageExtension(stagingDir: string, vsixPath: string): Packaged {
  mkdirSync(stagingDir, { recursive: true });
  for (const name of LINKED) if (existsSync(join(repoRoot, name))) symlinkSync(join(repoRoot, name), join(stagingDir, name));
  for (const name of COPIED) {
    const from = join(repoRoot, name);
    if (existsSync(from)) cpSync(from, join(stagingDir, name), { recursive: statSync(from).isDirectory() });
  }
  run(process.execPath, ['esbuild.mjs', '--production'], stagingDir, 'node esbuild.mjs --production');
  // Exactly `npm run package`'s flags, so its warnings (kept in the log) are the release's.
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const log = run(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsixPath], stagingDir, 'vsce package');
  const warnings = log.split('\n').filter((l) => /WARNING/.test(l));
  return { vsix: vsixPath, log, warnings };
}
