// Deterministic mode over the whole WASI testsuite: two runs of each program over fresh copies of
// its directories give the same exit code, output and audit trail, event for event (times,
// inode numbers and file times included), and the programs still pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainJson } from '../../debug-adapter/wasi/json-lines';
import { listTests, runTest } from './testsuite-runner';

for (const t of listTests()) {
  test(`deterministic ${t.suite}/${t.name}`, async () => {
    const a = await runTest(t, { deterministic: { seed: 7n } });
    const b = await runTest(t, { deterministic: { seed: 7n } });
    assert.equal(a.exitCode, t.exitCode, a.stderr);
    assert.equal(b.exitCode, a.exitCode);
    assert.equal(b.stdout, a.stdout);
    const ea = a.events.map((e) => plainJson(e));
    const eb = b.events.map((e) => plainJson(e));
    const first = ea.findIndex((l, i) => l !== eb[i]);
    assert.equal(first, -1, `first differing event:\n${ea[first]}\n${eb[first]}`);
    assert.equal(eb.length, ea.length);
  });
}
