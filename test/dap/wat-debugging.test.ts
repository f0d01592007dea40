// Debugging WebAssembly text (fixtures/wat/*.wat, compiled in-process) through the bundled adapter
// process: breakpoints on WAT lines, recursion in the stack, wasm locals and globals by their
// $names, stepping, setting a local (spilled at the site, reloaded), linear memory, the operand
// stack note; then pause, stop on entry, capability-denied stops and the custom events.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  buildOnce, collectOutput, fixtures, frames, launchAndStop, markLine, readMemory, root, scopeVars, startClient, stepAndStop,
} from './dap-harness';

before(() => buildOnce());

const fac = join(fixtures, 'wat/fac.wat');
const loops = join(fixtures, 'wat/loops.wat');

test('fac.wat: breakpoint on a WAT line, recursion in the stack, $n by name, stepping in and out', async () => {
  const dc = await startClient();
  try {
    const F = (m: string) => markLine(fac, m);
    const { bps } = await launchAndStop(dc, { program: fac }, fac, [{ line: F('fac_recurse') }]);
    assert.equal(bps[0].verified, true);
    let fr = await frames(dc);
    assert.deepEqual(fr.map((f) => [f.name, f.line]), [['fac', F('fac_recurse')], ['_start', F('start_call_fac')]]);
    let locals = await scopeVars(dc, fr[0].id, 'Locals');
    assert.equal(locals.$n.value, '20');
    assert.equal(locals.$n.type, 'i64');
    // The site before `call $fac` holds its operands: n and n - 1.
    const stack = await scopeVars(dc, fr[0].id, 'Operand stack');
    assert.deepEqual(Object.values(stack).map((v) => [v.name, v.value, v.type]), [['[0]', '20', 'i64'], ['[1]', '19', 'i64']]);
    await stepAndStop(dc, 'continue');
    fr = await frames(dc);
    assert.deepEqual(fr.map((f) => f.name), ['fac', 'fac', '_start']);
    assert.equal((await scopeVars(dc, fr[0].id, 'Locals')).$n.value, '19');
    await dc.setBreakpointsRequest({ source: { path: fac }, breakpoints: [] });
    await stepAndStop(dc, 'stepIn');
    fr = await frames(dc);
    assert.deepEqual(fr.slice(0, 2).map((f) => [f.name, f.line]), [['fac', F('fac_entry')], ['fac', F('fac_recurse')]]);
    assert.equal(fr.length, 4);
    assert.equal((await scopeVars(dc, fr[0].id, 'Locals')).$n.value, '18');
    await stepAndStop(dc, 'next');
    assert.equal((await frames(dc))[0].line, F('fac_entry') + 1);
    await stepAndStop(dc, 'stepOut');
    fr = await frames(dc);
    assert.equal(fr.length, 3);
    assert.deepEqual([fr[0].name, fr[0].line], ['fac', F('fac_recurse') + 1], 'the instruction after the call');
  } finally {
    await dc.stop();
  }
});

test('fac.wat: setting a local at a site changes what the function computes', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    await launchAndStop(dc, { program: fac }, fac, [{ line: markLine(fac, 'fac_entry') }]);
    const fr = await frames(dc);
    const sc = await dc.scopesRequest({ frameId: fr[0].id });
    const set = await dc.setVariableRequest({ variablesReference: sc.body.scopes[0].variablesReference, name: '$n', value: '5' });
    assert.equal(set.body.value, '5');
    assert.equal((await dc.evaluateRequest({ expression: '$n * 2', frameId: fr[0].id, context: 'repl' })).body.result, '10');
    await dc.setBreakpointsRequest({ source: { path: fac }, breakpoints: [] });
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(out.text('stdout'), /^fac\(20\) = 120\n$/);
  } finally {
    await dc.stop();
  }
});

test('loops.wat: locals and globals by $name, memory holds the data segment', async () => {
  const dc = await startClient();
  try {
    await launchAndStop(dc, { program: loops }, loops, [{ line: markLine(loops, 'grid_inner'), hitCondition: '2' }]);
    const fr = await frames(dc);
    assert.deepEqual(fr.map((f) => f.name), ['grid', '_start']);
    const l = await scopeVars(dc, fr[0].id, 'Locals');
    assert.deepEqual(['$rows', '$cols', '$r', '$c', '$sum'].map((n) => l[n]?.value), ['7', '10', '0', '1', '0']);
    const g = await scopeVars(dc, fr[0].id, 'Globals');
    assert.equal(g.$iterations.value, '1');
    assert.equal(g.$scale.value, '3');
    const labels = await readMemory(dc, '0x100', 4);
    assert.equal(labels.data.toString('latin1'), 'grid');
    const e = await dc.evaluateRequest({ expression: '$iterations + $scale * u8[256]', frameId: fr[0].id, context: 'watch' });
    assert.equal(e.body.result, String(1 + 3 * 'g'.charCodeAt(0)));
  } finally {
    await dc.stop();
  }
});

test('pause stops a running module where it is; no DWARF is said, not hidden', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    await Promise.all([dc.configurationSequence(), dc.launch({ program: join(fixtures, 'c/spin.wasm'), sampleEvery: 100000 })]);
    for (let i = 0; i < 100 && !out.text('stdout').includes('spinning'); i++) await new Promise((r) => setTimeout(r, 20));
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.pauseRequest({ threadId: 1 });
    assert.equal((await stopped).body.reason, 'pause');
    const fr = await frames(dc);
    assert.ok(fr.some((f) => /^(__original_main|main|step)$/.test(f.name)), fr.map((f) => f.name).join(' '));
    const locals = await scopeVars(dc, fr[0].id, 'Locals');
    assert.match(Object.values(locals)[0].value, /source-level variables are not available for this module \(no DWARF types\); showing wasm locals/);
    // Running again: a breakpoint set now takes effect at the next fuel sample.
    await dc.continueRequest({ threadId: 1 });
    const hit = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'step' }] });
    assert.equal(fb.body.breakpoints[0].verified, true);
    assert.equal((await hit).body.reason, 'function breakpoint');
    assert.equal((await frames(dc))[0].name, 'step');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    // Then ended by the user: a runaway module always ends.
    await dc.continueRequest({ threadId: 1 });
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await terminated;
  } finally {
    await dc.stop();
  }
});

test('stop on entry; custom events carry per-function fuel with source lines, capabilities and the trace', async () => {
  const dc = await startClient();
  try {
    const events = new Map<string, DebugProtocol.Event[]>();
    for (const name of ['wasiscope/functions', 'wasiscope/capability', 'wasiscope/trace', 'wasiscope/fuel']) {
      events.set(name, []);
      dc.on(name, (e: DebugProtocol.Event) => events.get(name)!.push(e));
    }
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.configurationSequence(), dc.launch({ program: fac, stopOnEntry: true })]);
    assert.equal((await stopped).body.reason, 'entry');
    const fr = await frames(dc);
    assert.deepEqual([fr[0].name, fr[0].line], ['_start', markLine(fac, 'start_first')]);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    await terminated;
    const final = events.get('wasiscope/functions')!.map((e) => e.body).find((b) => b.final);
    assert.ok(final, 'final per-function figures');
    const facFig = final.functions.find((f: { name: string }) => f.name === 'fac');
    assert.equal(facFig.calls, 20, 'fac(20) down to fac(1)');
    assert.ok(facFig.fuel > 0);
    assert.equal(facFig.file, fac);
    assert.equal(facFig.line, markLine(fac, 'fac_entry') - 1, 'the (func line');
    assert.equal(final.functions.reduce((s: number, f: { fuel: number }) => s + f.fuel, 0), final.total);
    const caps = events.get('wasiscope/capability')!.map((e) => e.body);
    assert.deepEqual(caps.map((c) => c.func), ['fd_write', 'fd_write']);
    assert.equal(events.get('wasiscope/trace')!.length, 1);
  } finally {
    await dc.stop();
  }
});

test('a denied capability stops inside the call when the filter is on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-cap-'));
  const dc = await startClient();
  try {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized')
        .then(() => dc.setExceptionBreakpointsRequest({ filters: ['traps', 'capabilityDenied'] }))
        .then(() => dc.configurationDoneRequest()),
      dc.launch({ program: join(fixtures, 'c/syscalls.wasm'), args: ['/sandbox', '1', '1'], preopens: [{ path: dir, guest: '/sandbox' }], policy: { clocks: false } }),
    ]);
    const ev = await stopped;
    assert.equal(ev.body.reason, 'exception');
    assert.equal(ev.body.description, 'capability denied');
    assert.match(ev.body.text ?? '', /clock/);
    const fr = await frames(dc);
    assert.ok(fr.length > 0 && fr.some((f) => f.name === 'main' || /clock/.test(f.name)), fr.map((f) => f.name).join(' '));
  } finally {
    await dc.stop();
  }
});

test('restart runs the module again from the start with the same breakpoints', async () => {
  const dc = await startClient();
  try {
    const F = (m: string) => markLine(fac, m);
    await launchAndStop(dc, { program: fac }, fac, [{ line: F('fac_base') }]);
    assert.equal((await scopeVars(dc, (await frames(dc))[0].id, 'Locals')).$n.value, '1');
    const again = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.restartRequest({});
    assert.equal((await again).body.reason, 'breakpoint');
    const fr = await frames(dc);
    assert.equal(fr.length, 21);
    assert.equal(fr[0].line, F('fac_base'));
  } finally {
    await dc.stop();
  }
});

test('a start function is debuggable: a breakpoint in it stops, with the start function on the stack, then the run goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-start-'));
  const wat = join(dir, 'start.wat');
  writeFileSync(wat, [
    '(module $with_start',
    '  (global $n (mut i32) (i32.const 0))',
    '  (func $init',
    '    i32.const 41',
    '    global.set $n ;; LINE-MARK: init_set',
    '  )',
    '  (func (export "_start"))',
    '  (memory (export "memory") 1)',
    '  (start $init))',
    '',
  ].join('\n'));
  const dc = await startClient();
  try {
    const line = markLine(wat, 'init_set');
    const { bps } = await launchAndStop(dc, { program: wat }, wat, [{ line }]);
    assert.equal(bps[0].verified, true);
    const fr = await frames(dc);
    assert.deepEqual(fr.map((f) => [f.name, f.line]), [['init', line]]);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
  } finally {
    await dc.stop();
  }
});

test('a module without names: frames and function breakpoints call its functions $func<N>, as the report does', async () => {
  const dc = await startClient();
  try {
    const program = join(root, 'test/dap/testdata/anonymous.wasm');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    let fbps: DebugProtocol.Breakpoint[] = [];
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        fbps = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: '$func1' }, { name: 'func[2]' }, { name: '$func9' }, { name: '#0' }] })).body.breakpoints;
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program }),
    ]);
    assert.deepEqual(fbps.map((b) => b.verified), [true, true, false, false], JSON.stringify(fbps));
    assert.match(fbps[2].message ?? '', /No function named \$func9/);
    assert.equal((await stopped).body.reason, 'function breakpoint');
    assert.deepEqual((await frames(dc)).map((f) => f.name), ['$func2']);
    await stepAndStop(dc, 'continue');
    assert.deepEqual((await frames(dc)).map((f) => f.name), ['$func1', '$func2']);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
  } finally {
    await dc.stop();
  }
});
