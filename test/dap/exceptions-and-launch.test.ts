// The adapter as a process (DebugClient against dist/debugAdapter.js): output and exit codes,
// stops on traps and at the fuel limit with the original location, capability denials, and
// launch configurations that are refused with a message saying what to fix.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildOnce, collectOutput, fixtures, markLine, runToExit, startClient } from './dap-harness';

before(() => buildOnce());

const trapC = join(fixtures, 'c/trap.c');

test('a C program and a WAT program run to their end: stdout as output events, the exit code in exited', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    const functions: DebugProtocol.Event[] = [];
    dc.on('wasiscope/functions', (e: DebugProtocol.Event) => functions.push(e));
    assert.equal(await runToExit(dc, { program: join(fixtures, 'c/debugme.wasm') }), 0);
    assert.match(out.text('stdout'), /^hello from debugme\nsquares=52 total=14 fact=120 average=2\.80\n/);
    // The CodeLens data: each C function's fuel and calls at the line where it starts.
    const final = functions.map((e) => e.body).find((b) => b.final);
    const add = final.functions.find((f: { name: string }) => f.name === 'add');
    const debugmeC = join(fixtures, 'c/debugme.c');
    assert.deepEqual([add.calls, add.file, add.line], [5, debugmeC, markLine(debugmeC, 'add_body') - 1]);
    assert.equal(final.functions.find((f: { name: string }) => f.name === 'factorial').calls, 5);
  } finally {
    await dc.stop();
  }
  const dw = await startClient();
  try {
    const out = collectOutput(dw);
    assert.equal(await runToExit(dw, { program: join(fixtures, 'wat/trap.wat') }), 0);
    assert.match(out.text('stdout'), /usage: trap.wasm/);
  } finally {
    await dw.stop();
  }
});

test('a trap stops with its kind at the trapping line (C), then the run ends with 134', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.configurationSequence(), dc.launch({ program: join(fixtures, 'c/trap.wasm'), args: ['div0'] })]);
    const ev = await stopped;
    assert.equal(ev.body.reason, 'exception');
    assert.equal(ev.body.description, 'integer divide by zero');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const top = st.body.stackFrames[0];
    assert.equal(top.name, 'divide');
    assert.equal(top.line, markLine(trapC, 'divide'));
    assert.ok(top.source?.path?.endsWith('trap.c'));
    assert.deepEqual(st.body.stackFrames.slice(0, 2).map((f) => f.name), ['divide', 'main']);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'integer divide by zero');
    // The trapping frame's wasm locals are gone (not spilled): the variables say so instead of
    // showing nothing. Its C variables live in memory (-O0): they are read at its frame base.
    const scopes = await dc.scopesRequest({ frameId: top.id });
    const byName = (vs: { name: string; value: string }[]) => Object.fromEntries(vs.map((v) => [v.name, v.value]));
    const cVars = byName((await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables);
    assert.deepEqual([cVars.a, cVars.b], ['7', '0'], JSON.stringify(cVars));
    const wasmScope = scopes.body.scopes.find((sc) => sc.name === 'Locals (wasm)')!;
    const wasmVars = await dc.variablesRequest({ variablesReference: wasmScope.variablesReference });
    assert.match(wasmVars.body.variables[0].value, /not available/);
    const mainScopes = await dc.scopesRequest({ frameId: st.body.stackFrames[1].id });
    const mainVars = byName((await dc.variablesRequest({ variablesReference: mainScopes.body.scopes[0].variablesReference })).body.variables);
    assert.equal(mainVars.zero, '0', JSON.stringify(mainVars));
    assert.match(mainVars.mode ?? '', /div0/, JSON.stringify(mainVars));
    assert.match(out.text('stdout'), /dividing by zero/);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 134);
  } finally {
    await dc.stop();
  }
});

test('a denied capability stops inside libc: the C frames below show their variables, optimized libc frames say why not', async () => {
  const dc = await startClient();
  try {
    const src = join(fixtures, 'c/clockstop.c');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized')
        .then(() => dc.setExceptionBreakpointsRequest({ filters: ['traps', 'capabilityDenied'] }))
        .then(() => dc.configurationDoneRequest()),
      dc.launch({ program: join(fixtures, 'c/clockstop.wasm'), policy: { clocks: false } }),
    ]);
    assert.equal((await stopped).body.description, 'capability denied');
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const at = (name: string) => frames.findIndex((f) => f.name === name);
    assert.ok(at('stamp') > 0 && at('main') > at('stamp'), frames.map((f) => f.name).join(' < '));
    assert.equal(frames[at('stamp')].line, markLine(src, 'stamp_clock'));
    const cVars = async (i: number) => {
      const scopes = (await dc.scopesRequest({ frameId: frames[i].id })).body.scopes;
      const vs = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
      return Object.fromEntries(vs.map((v) => [v.name, v.value]));
    };
    const stamp = await cVars(at('stamp'));
    assert.deepEqual([stamp.tag, stamp.scaled], ['7', '7000'], JSON.stringify(stamp));
    assert.equal((await cVars(at('main'))).tag, '7');
    // The innermost frame is libc's (-O2): its variables live in wasm locals no site spilled.
    // Values read anyway would be another frame's: each says why it has none instead.
    for (const v of Object.values(await cVars(0))) assert.match(v, /^<.*(not captured|location list|not available|optimized)/, v);
  } finally {
    await dc.stop();
  }
});

test('a WAT trap stops at its line; with the traps filter off the run just ends', async () => {
  const wat = join(fixtures, 'wat/trap.wat');
  const dc = await startClient();
  try {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.configurationSequence(), dc.launch({ program: wat, args: ['unreachable'] })]);
    const ev = await stopped;
    assert.equal(ev.body.description, 'unreachable');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(st.body.stackFrames[0].name, 'unreachable');
    assert.equal(st.body.stackFrames[0].line, markLine(wat, 'unreachable'));
    assert.equal(st.body.stackFrames[1].name, '_start');
  } finally {
    await dc.stop();
  }
  const dn = await startClient();
  try {
    const exited = dn.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await Promise.all([
      dn.waitForEvent('initialized').then(() => dn.setExceptionBreakpointsRequest({ filters: [] })).then(() => dn.configurationDoneRequest()),
      dn.launch({ program: wat, args: ['div0'] }),
    ]);
    assert.equal((await exited).body.exitCode, 134);
  } finally {
    await dn.stop();
  }
});

test('out of fuel stops where the limit was reached (fuel as a string of digits)', async () => {
  const dc = await startClient();
  try {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.configurationSequence(), dc.launch({ program: join(fixtures, 'c/spin.wasm'), fuel: '2000000' })]);
    const ev = await stopped;
    assert.equal(ev.body.reason, 'exception');
    assert.equal(ev.body.description, 'out of fuel');
    assert.match(ev.body.text ?? '', /consumed \d+ of the 2000000 allowed/);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.ok(st.body.stackFrames.length >= 1);
    assert.match(st.body.stackFrames.map((f) => f.name).join(' '), /main|step/);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 134);
  } finally {
    await dc.stop();
  }
});

test('bad launch configurations end the launch with a message that says what to fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-dap-'));
  writeFileSync(join(dir, 'not.wasm'), 'hello');
  writeFileSync(join(dir, 'imp.wasm'), Buffer.from('0061736d010000000105016000017f020b0103656e7603666f6f0000', 'hex'));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /"program" is missing/],
    [{ program: join(dir, 'missing.wasm') }, /program not found/],
    [{ program: join(dir, 'not.wasm') }, /not a WebAssembly module/],
    [{ program: join(dir, 'imp.wasm') }, /imports what this WASI host does not provide: env\.foo/],
    [{ program: join(fixtures, 'c/fib.wasm'), preopens: [{ path: join(dir, 'nope') }] }, /preopened directory does not exist/],
    [{ program: join(fixtures, 'c/fib.wasm'), fuel: 'lots' }, /"fuel" must be a non-negative integer or a string of digits/],
    [{ program: join(fixtures, 'c/fib.wasm'), args: 'x' }, /"args" must be an array of strings/],
    [{ program: join(fixtures, 'c/fib.wasm'), preopens: [{ path: dir, mode: 'rwx' }] }, /mode must be "ro" or "rw"/],
    [{ program: 'c/fib.wasm', cwd: join(dir, 'nowhere') }, /"cwd" is not a directory/],
  ];
  const dc = await startClient();
  try {
    await dc.initializeRequest();
    for (const [args, re] of cases) {
      await assert.rejects(dc.launchRequest(args as DebugProtocol.LaunchRequestArguments), (e: Error) => {
        assert.match(e.message, re);
        return true;
      });
    }
  } finally {
    await dc.stop();
  }
});

test('relative paths resolve against cwd', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    assert.equal(await runToExit(dc, { program: 'wat/fac.wat', cwd: fixtures }), 0);
    assert.match(out.text('stdout'), /fac\(20\)/);
  } finally {
    await dc.stop();
  }
});

test('direct module metrics reach VS Code as wasiscope/metric events (live, and buffered when deterministic)', async () => {
  for (const deterministic of [false, true]) {
    const dc = await startClient();
    try {
      const metrics: DebugProtocol.Event[] = [];
      dc.on('wasiscope/metric', (e: DebugProtocol.Event) => metrics.push(e));
      assert.equal(await runToExit(dc, { program: join(fixtures, 'c/metrics.wasm'), deterministic }), 0);
      const names = new Set(metrics.map((e) => (e.body as { name: string }).name));
      assert.ok(metrics.length > 0, 'metric events arrived');
      assert.ok(names.size >= 2, `metric names: ${[...names].join(', ')}`);
      for (const e of metrics) assert.match((e.body as { metric: string }).metric, /^(counter|gauge|timer)$/);
    } finally {
      await dc.stop();
    }
  }
});
