// The house rules that a compiler run checks: every layer type-checks under `strict` (tests run
// TypeScript through tsx, which does not type-check, so this is where type errors fail CI), and
// no exported signature uses `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

test('every layer type-checks (tsc strict: webviews project, then the rest)', () => {
  for (const args of [['-b', 'webviews'], ['-p', 'tsconfig.json', '--noEmit']]) {
    const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `tsc ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  }
});

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

test('no exported signature uses any', () => {
  const exported = /^export\s+(?:declare\s+)?(?:async\s+)?(?:function|const|let|class|interface|type)\b[^\n]*\bany\b/;
  const bad: string[] = [];
  for (const layer of ['debug-adapter', 'extension', 'webviews']) {
    for (const f of sources(join(root, layer))) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (exported.test(line) && !/\/\/.*\bany\b/.test(line)) bad.push(`${relative(root, f)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
  assert.deepEqual(bad, []);
});
