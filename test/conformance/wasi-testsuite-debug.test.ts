// The public WASI testsuite under the debugger: every program launched through the real adapter
// (DebugClient over stdio, debug-mode instrumentation with breakpoint sites everywhere its DWARF or
// entries say), with a function breakpoint on `main`. Where it binds (every C and Rust program:
// wasi-libc's name for C's main, Rust's demangled `<crate>::main`) the run stops there with a
// stack and readable scopes; then it continues and must end exactly as the testsuite says (exit
// code, stdout): sites, spills and the stop must not change what a program does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildOnce, collectOutput, startClient } from '../dap/dap-harness';
import { listTests, SUITE_ROOT } from '../wasi/testsuite-runner';

before(() => buildOnce());

function makeWritable(p: string): void {
  const st = statSync(p);
  chmodSync(p, st.mode | 0o200);
  if (st.isDirectory()) for (const n of readdirSync(p)) makeWritable(join(p, n));
}

const tests = listTests();
let stoppedInMain = 0;

for (const t of tests) {
  test(`${t.suite}/${t.name} under the debugger`, async () => {
    const scratch = mkdtempSync(join(tmpdir(), `wtsd-${t.name}-`));
    const dc = await startClient();
    try {
      const preopens = t.dirs.map((d) => {
        const copy = join(scratch, basename(d));
        cpSync(join(SUITE_ROOT, t.suite, d), copy, { recursive: true });
        makeWritable(copy);
        return { path: copy, guest: d, mode: 'rw' };
      });
      const out = collectOutput(dc);
      const exited = dc.waitForEvent('exited', 60_000) as Promise<DebugProtocol.ExitedEvent>;
      let bound = false;
      const stopped = new Promise<DebugProtocol.StoppedEvent>((resolve) => dc.once('stopped', resolve));
      await Promise.all([
        dc.waitForEvent('initialized').then(async () => {
          const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
          bound = r.body.breakpoints[0].verified;
          await dc.configurationDoneRequest();
        }),
        dc.launch({ program: t.wasm, args: t.args, env: t.env, cwd: scratch, preopens }),
      ]);
      if (bound) {
        const st = await stopped;
        assert.equal(st.body.reason, 'function breakpoint');
        const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
        assert.match(frames[0].name, /^(main|__original_main|__main_argc_argv|\w+::main)$/);
        for (const scope of (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes) {
          const vars = await dc.variablesRequest({ variablesReference: scope.variablesReference });
          assert.ok(Array.isArray(vars.body.variables));
        }
        if (frames[1]) {
          // A caller (libc's startup code, no DWARF): its scopes answer with a reason, not an error.
          for (const scope of (await dc.scopesRequest({ frameId: frames[1].id })).body.scopes) {
            await dc.variablesRequest({ variablesReference: scope.variablesReference });
          }
        }
        stoppedInMain++;
        // A few steps of each kind; the program must still end as it should.
        for (const kind of ['next', 'stepIn', 'next', 'stepOut', 'next'] as const) {
          const again = new Promise<DebugProtocol.StoppedEvent | undefined>((resolve) => {
            dc.once('stopped', resolve);
            dc.once('terminated', () => resolve(undefined));
          });
          if (kind === 'next') await dc.nextRequest({ threadId: 1 });
          else if (kind === 'stepIn') await dc.stepInRequest({ threadId: 1 });
          else await dc.stepOutRequest({ threadId: 1 });
          const st2 = await again;
          if (!st2) break;
          assert.equal(st2.body.reason, 'step');
          const fr = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
          assert.ok(fr.length > 0);
        }
        await dc.continueRequest({ threadId: 1 }).catch(() => undefined);
      }
      const code = (await exited).body.exitCode;
      assert.equal(code, t.exitCode, out.text());
      if (t.stdout !== undefined) assert.equal(out.text('stdout'), t.stdout);
    } finally {
      await dc.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

test('the C and Rust programs stopped in main (C: main or the name wasi-libc gives it; Rust: <crate>::main)', () => {
  const n = tests.filter((t) => t.suite === 'c' || t.suite === 'rust').length;
  assert.ok(stoppedInMain >= n, `${stoppedInMain} stops, ${n} C and Rust programs`);
});
