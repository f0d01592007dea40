// The public WASI testsuite (preview1: C, Rust, AssemblyScript) through the product's runtime
// (runtime/module-runner: instrumented, fuel-metered, on WasiHost): every program must pass (exit
// code and stdout as its NAME.json says), and every program recorded and then replayed from its
// recording must give the same exit code, output, fuel and audit events, touching no file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { plainJson } from '../../debug-adapter/wasi/json-lines';
import { runModule } from '../../debug-adapter/runtime/module-runner';
import type { RuntimeEvent } from '../../debug-adapter/runtime/events';
import type { RunOptions } from '../../debug-adapter/runtime/run-options';
import { listTests, SUITE_ROOT, type TestSpec } from '../wasi/testsuite-runner';

const tests = listTests();

function makeWritable(p: string): void {
  const st = statSync(p);
  chmodSync(p, st.mode | 0o200);
  if (st.isDirectory()) for (const n of readdirSync(p)) makeWritable(join(p, n));
}

interface Outcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  fuel: bigint;
  events: RuntimeEvent[];
  problem?: string;
}

async function run(t: TestSpec, extra: Partial<RunOptions>, withDirs = true): Promise<Outcome> {
  const scratch = mkdtempSync(join(tmpdir(), `wts-${t.name}-`));
  try {
    const preopens = withDirs
      ? t.dirs.map((d) => {
          const copy = join(scratch, basename(d));
          cpSync(join(SUITE_ROOT, t.suite, d), copy, { recursive: true });
          makeWritable(copy);
          return { hostPath: copy, guestPath: d, mode: 'rw' as const };
        })
      : [];
    const events: RuntimeEvent[] = [];
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const r = await runModule(
      { program: t.wasm, args: t.args, env: t.env, cwd: scratch, preopens, ...extra },
      (e) => {
        if (e.kind === 'output') (e.stream === 'stdout' ? out : err).push(e.data);
        else if (e.kind !== 'exit' && e.kind !== 'fuel') events.push(e);
      },
    );
    return {
      exitCode: r.exitCode,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      fuel: r.fuelConsumed,
      events,
      problem: r.loadError ?? (r.trap ? `${r.trap.kind}: ${r.trap.message}` : undefined),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

test('the testsuite has its 72 preview1 programs', () => {
  assert.equal(tests.length, 72);
});

for (const t of tests) {
  test(`${t.suite}/${t.name} (instrumented, then recorded and replayed)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wts-rec-'));
    try {
      const file = join(dir, `${t.name}.rec`);
      const live = await run(t, { recordFile: file });
      assert.equal(live.problem, undefined, `${live.problem}\n${live.stderr}`);
      assert.equal(live.exitCode, t.exitCode, `exit code\n${live.stderr}`);
      if (t.stdout !== undefined) assert.equal(live.stdout, t.stdout);
      assert.ok(live.fuel > 0n);
      // The replay gets no preopened directories: every answer comes from the recording.
      const again = await run(t, { replayFile: file }, false);
      assert.equal(again.problem, undefined, again.problem);
      assert.equal(again.exitCode, live.exitCode);
      assert.equal(again.stdout, live.stdout);
      assert.equal(again.stderr, live.stderr);
      assert.equal(again.fuel, live.fuel, 'identical fuel on replay');
      assert.deepEqual(again.events.map((e) => plainJson(e)), live.events.map((e) => plainJson(e)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
