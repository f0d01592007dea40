// The runtime end to end on committed fixtures: output, exit codes, traps, fuel limits, exact
// per-function sums, launch errors that say what to fix, and the worker (a runaway module can
// always be ended).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runModule, TRAP_EXIT_CODE } from './module-runner';
import { startRun } from './worker-run';
import type { RuntimeEvent } from './events';
import type { RunOptions } from './run-options';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function opts(program: string, extra: Partial<RunOptions> = {}): RunOptions {
  return { program: join(fixtures, program), args: [], env: {}, cwd: fixtures, preopens: [], ...extra };
}

function collect(): { events: RuntimeEvent[]; sink: (e: RuntimeEvent) => void; stdout: () => string } {
  const events: RuntimeEvent[] = [];
  return {
    events,
    sink: (e) => events.push(e),
    stdout: () => Buffer.concat(events.flatMap((e) => (e.kind === 'output' && e.stream === 'stdout' ? [e.data] : []))).toString(),
  };
}

test('a C program runs to exit 0 with its output, and the exclusive figures sum to the total', async () => {
  const c = collect();
  const r = await runModule(opts('c/fib.wasm'), c.sink);
  assert.equal(r.loadError, undefined);
  assert.equal(r.exitCode, 0);
  assert.equal(c.stdout(), 'fib(30) = 832040\n');
  assert.ok(r.fuelConsumed > 0n);
  const sum = r.functions.reduce((s, f) => s + f.fuelExclusive, 0n);
  assert.equal(sum, r.fuelConsumed);
  const fib = r.functions.find((f) => f.name === 'fib');
  assert.ok(fib, 'fib is named from the name section');
  assert.ok(fib.calls > 1_000_000n, `fib calls: ${fib.calls}`);
  const exit = c.events.at(-1);
  assert.equal(exit?.kind, 'exit');
});

test('capability events carry decoded arguments and the fuel at the call', async () => {
  const c = collect();
  const r = await runModule(opts('c/fib.wasm'), c.sink);
  const caps = c.events.filter((e) => e.kind === 'capability');
  assert.ok(caps.length > 0);
  const write = caps.find((e) => e.kind === 'capability' && e.func === 'fd_write');
  assert.ok(write && write.kind === 'capability');
  assert.ok(write.fuel > 0n && write.fuel <= r.fuelConsumed);
  assert.deepEqual(caps.map((e) => (e.kind === 'capability' ? e.seq : 0)), caps.map((_, i) => i + 1));
});

test('a trap ends the run with 134, the trap kind and the original location', async () => {
  const c = collect();
  const r = await runModule(opts('c/trap.wasm', { args: ['div0'] }), c.sink);
  assert.equal(r.exitCode, TRAP_EXIT_CODE);
  assert.match(r.trap?.kind ?? '', /divide by zero/);
  assert.ok(r.trap?.location, 'trap location is known');
  assert.equal(r.functions.reduce((s, f) => s + f.fuelExclusive, 0n), r.fuelConsumed);
});

test('an infinite loop stops with "out of fuel" at the limit, saying where', async () => {
  const c = collect();
  const r = await runModule(opts('c/spin.wasm', { fuelLimit: 5_000_000n }), c.sink);
  assert.equal(r.exitCode, TRAP_EXIT_CODE);
  assert.equal(r.trap?.kind, 'out of fuel');
  assert.match(r.trap?.message ?? '', /consumed \d+ of the 5000000 allowed, in \S+ at original offset 0x/);
  assert.ok(r.fuelConsumed >= 5_000_000n);
});

test('an endless start function is metered too: the limit stops it, naming the function', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-start-'));
  const wat = join(dir, 'start-loop.wat');
  writeFileSync(wat, '(module (func $init (loop $l (br $l))) (func (export "_start")) (memory (export "memory") 1) (start $init))');
  const r = await runModule({ program: wat, args: [], env: {}, cwd: dir, preopens: [], fuelLimit: 200_000n }, () => undefined);
  assert.equal(r.exitCode, TRAP_EXIT_CODE);
  assert.equal(r.trap?.kind, 'out of fuel');
  assert.equal(r.trap?.location?.funcName, 'init');
  assert.equal(r.functions.find((f) => f.name === 'init')?.fuelExclusive, r.fuelConsumed);
});

test('a start function that calls proc_exit ends the run with that exit code (not a trap), before _start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-start-'));
  const wat = join(dir, 'start-exit.wat');
  writeFileSync(wat, `(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (func $init (call $exit (i32.const 3)))
    (func (export "_start") (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
    (memory (export "memory") 1)
    (start $init))`);
  const events: RuntimeEvent[] = [];
  const r = await runModule({ program: wat, args: [], env: {}, cwd: dir, preopens: [] }, (e) => events.push(e));
  assert.equal(r.exitCode, 3);
  assert.equal(r.trap, undefined);
  const calls = events.flatMap((e) => (e.kind === 'capability' ? [e.func] : []));
  assert.deepEqual(calls, ['proc_exit'], '_start never ran');
});

test('launch problems come back as messages that say what to fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-launch-'));
  writeFileSync(join(dir, 'not.wasm'), 'hello');
  const cases: Array<[RunOptions, RegExp]> = [
    [{ ...opts('c/fib.wasm'), program: join(dir, 'missing.wasm') }, /program not found/],
    [{ ...opts('c/fib.wasm'), program: join(dir, 'not.wasm') }, /not a WebAssembly module/],
    [opts('c/fib.wasm', { preopens: [{ hostPath: join(dir, 'nope'), guestPath: '/s', mode: 'rw' }] }), /preopened directory does not exist/],
  ];
  for (const [o, re] of cases) {
    const r = await runModule(o, () => undefined);
    assert.match(r.loadError ?? '', re);
  }
  // An import no WASI host gives.
  const bytes = Buffer.from('0061736d010000000105016000017f020b0103656e7603666f6f0000', 'hex');
  writeFileSync(join(dir, 'imp.wasm'), bytes);
  const r = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'imp.wasm') }, () => undefined);
  assert.match(r.loadError ?? '', /imports what this WASI host does not provide: env\.foo/);
  assert.match(r.loadError ?? '', /link the missing functions/);
  // An imported memory (a --import-memory or wasi-threads build): the message says what to change.
  writeFileSync(join(dir, 'mem.wasm'), Buffer.from('0061736d01000000020f0103656e76066d656d6f7279020001', 'hex'));
  const m = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'mem.wasm') }, () => undefined);
  assert.match(m.loadError ?? '', /env\.memory \(memory\).*link it without --import-memory/);
});

test('a preopened directory is usable and a .wat program compiles in-process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-pre-'));
  cpSync(join(fixtures, 'c/hello-data'), dir, { recursive: true });
  const c = collect();
  const r = await runModule(opts('c/hello.wasm', { args: ['/data'], preopens: [{ hostPath: dir, guestPath: '/data', mode: 'rw' }] }), c.sink);
  assert.equal(r.loadError, undefined);
  assert.equal(r.exitCode, 0, c.stdout());
  const w = collect();
  const rw = await runModule(opts('wat/fac.wat'), w.sink);
  assert.equal(rw.loadError, undefined);
  assert.equal(rw.exitCode, 0);
});

test('the worker runs a module off-thread and a runaway module can be terminated', async () => {
  const events: RuntimeEvent[] = [];
  const h = startRun(opts('c/fib.wasm'), (e) => events.push(e));
  const r = await h.done;
  assert.equal(r.exitCode, 0, r.loadError);
  assert.ok(events.some((e) => e.kind === 'output'));
  const spin = startRun(opts('c/spin.wasm'), () => undefined);
  await new Promise((res) => setTimeout(res, 300));
  await spin.terminate();
  const rs = await spin.done;
  assert.notEqual(rs.exitCode, 0);
});

test('modules without memory run; runaway recursion is a trap; WAT errors name line and column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-edge-'));
  // No memory, exits through proc_exit(7): no pointer is involved, so it works.
  writeFileSync(
    join(dir, 'exit.wat'),
    '(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))) (func (export "_start") (call $exit (i32.const 7))))',
  );
  const exit = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'exit.wat') }, () => undefined);
  assert.equal(exit.loadError, undefined);
  assert.equal(exit.exitCode, 7);
  // No memory, and fd_write gets pointers into nothing: EFAULT (8), not a host crash.
  writeFileSync(
    join(dir, 'nomem.wat'),
    '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))' +
      ' (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))' +
      ' (func (export "_start") (call $exit (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0)))))',
  );
  const nomem = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'nomem.wat') }, () => undefined);
  assert.equal(nomem.exitCode, 21, 'fd_write answered EFAULT (21)');
  writeFileSync(join(dir, 'rec.wat'), '(module (func $f (export "_start") (call $f)))');
  const rec = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'rec.wat') }, () => undefined);
  assert.equal(rec.exitCode, TRAP_EXIT_CODE);
  assert.match(rec.trap?.kind ?? '', /call stack exhausted/);
  writeFileSync(join(dir, 'bad.wat'), '(module (func (export "_start") unreachable');
  const bad = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'bad.wat') }, () => undefined);
  assert.match(bad.loadError ?? '', /does not compile: line 1, column 44: expected `\)`/);
});

test('a reactor (no _start) is refused with a message that says what to build', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-reactor-'));
  writeFileSync(join(dir, 'r.wat'), '(module (memory (export "memory") 1) (func (export "_initialize")))');
  const r = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'r.wat') }, () => undefined);
  assert.match(r.loadError ?? '', /exports no _start function \(it is a WASI reactor, a library\)/);
});

test('a WASI import declared with another shape than preview1 is refused at launch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-abi-'));
  // fd_write with three parameters instead of four: the missing pointer would otherwise arrive
  // as undefined.
  writeFileSync(
    join(dir, 'abi.wat'),
    '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32) (result i32)))' +
      ' (memory (export "memory") 1) (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1)))))',
  );
  const r = await runModule({ ...opts('c/fib.wasm'), program: join(dir, 'abi.wat') }, () => undefined);
  assert.match(r.loadError ?? '', /fd_write is imported with 3 parameter\(s\), 1 result\(s\) but preview1's takes 4 and returns 1/);
});
