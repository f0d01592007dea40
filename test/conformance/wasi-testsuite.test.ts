// The public WASI testsuite (preview1: C, Rust, AssemblyScript) on WasiHost: every program must
// pass (exit code and stdout as its NAME.json says), and every program recorded and then replayed
// from its recording must give the same exit code, output and audit events. Modules go through
// `prepare` (plain compile today; the instrumenter slots in there and brings fuel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, Replayer } from '../../debug-adapter/wasi/index';
import { plainJson } from '../../debug-adapter/wasi/json-lines';
import { listTests, plainPrepare, runTest, type Prepare } from '../wasi/testsuite-runner';

const prepare: Prepare = plainPrepare;
const tests = listTests();

test('the testsuite has its 72 preview1 programs', () => {
  assert.equal(tests.length, 72);
});

for (const t of tests) {
  test(`${t.suite}/${t.name}`, async () => {
    const r = await runTest(t, {}, prepare);
    assert.equal(r.error, undefined, `${r.error}\n${r.stderr}`);
    assert.equal(r.exitCode, t.exitCode, `exit code\n${r.stderr}`);
    if (t.stdout !== undefined) assert.equal(r.stdout, t.stdout);

    const dir = mkdtempSync(join(tmpdir(), 'wts-rec-'));
    try {
      const file = join(dir, `${t.name}.rec`);
      const live = await runTest(t, { record: new Recorder(file) }, prepare);
      const again = await runTest(t, { replay: new Replayer(file), preopens: [] }, prepare);
      assert.equal(again.error, undefined, again.error);
      assert.equal(again.exitCode, live.exitCode);
      assert.equal(again.stdout, live.stdout);
      assert.equal(again.stderr, live.stderr);
      assert.deepEqual(again.events.map((e) => plainJson(e)), live.events.map((e) => plainJson(e)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
