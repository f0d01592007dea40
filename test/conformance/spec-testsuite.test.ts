// The WebAssembly spec testsuite (wast2json output, ../shared/conformance/spec-testsuite) run
// plain, instrumented fast and instrumented reference side by side (spec-runner.ts): every
// assertion that holds for the original module under V8 must hold for both instrumented ones, and
// the two modes must agree on fuel to the unit after every action. Modules V8 itself rejects
// (memory64, GC, relaxed SIMD... not enabled in this Node) are skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSpecFile, type SpecFileResult } from './spec-runner';

const root = fileURLToPath(new URL('../../../shared/conformance/spec-testsuite/', import.meta.url));
const dirs = existsSync(root)
  ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];

const all: SpecFileResult[] = [];

for (const name of dirs) {
  test(`spec ${name}`, () => {
    const r = runSpecFile(root, name);
    all.push(r);
    assert.deepEqual(r.failures.slice(0, 20), [], `${r.failures.length} failures in ${name}`);
  });
}

test('spec testsuite totals', (t) => {
  if (dirs.length === 0) {
    t.skip('spec testsuite not found');
    return;
  }
  const sum = (k: 'modules' | 'checked' | 'plainFailed' | 'skippedAssertions' | 'fuelComparisons') => all.reduce((a, r) => a + r[k], 0);
  const skipped = new Map<string, number>();
  for (const r of all) for (const [k, n] of r.skippedModules) skipped.set(k, (skipped.get(k) ?? 0) + n);
  const skippedTotal = [...skipped.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${all.length} files, ${sum('modules')} modules run, ${skippedTotal} modules skipped (V8 rejects them)`);
  t.diagnostic(`${sum('checked')} assertions checked on both instrumented modes, ${sum('plainFailed')} not holding for V8 itself, ${sum('skippedAssertions')} skipped (text modules, skipped modules)`);
  t.diagnostic(`${sum('fuelComparisons')} fast/reference fuel comparisons`);
  for (const [k, n] of [...skipped].sort((a, b) => b[1] - a[1]).slice(0, 8)) t.diagnostic(`  skipped ${n}: ${k}`);
  const slow = all.slice().sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.file} ${r.ms.toFixed(0)}ms`);
  t.diagnostic(`slowest: ${slow.join(', ')}`);
  assert.equal(all.length, dirs.length);
  assert.ok(sum('checked') > 40000, 'most assertions are checked');
});
