// Runs every *.test.ts in the repository with Node's test runner (through tsx), in one process
// tree, so CI reads one closing summary. Pass file or folder names to narrow the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const skip = new Set(['node_modules', 'dist', 'out', '.git', 'test-artifacts']);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const args = process.argv.slice(2);
const roots = args.length ? args.map((a) => join(root, a)) : [root];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? collect(r, []) : [relative(root, r)])).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Build the bundles once, before any test, so tests that drive dist/ (CLI, DAP adapter, packaged
// extension) never race each other to rebuild it.
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(res.status ?? 1);
