// Debugging C (fixtures/c/debugme.wasm, -O0 -g) through the bundled adapter process: breakpoints
// at the right lines (found by LINE-MARK comments), stacks with source names and lines, C
// variables from DWARF (ints, structs, pointers, arrays, strings), conditions, hit counts,
// logpoints, stepping over/into/out (recursion included), function and instruction breakpoints,
// memory reads, disassembly, writes that change what the program prints.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  buildOnce, children, collectOutput, fixtures, frames, launchAndStop, markLine, readMemory, scopeVars, startClient, stepAndStop,
} from './dap-harness';

before(() => buildOnce());

const src = join(fixtures, 'c/debugme.c');
const program = join(fixtures, 'c/debugme.wasm');
const L = (mark: string) => markLine(src, mark);

// The same program built by clang-14 and by a much newer LLVM (fixtures/build-llvm-wasm.mjs):
// other DWARF, other prologues, another wasi-libc.
for (const [build, program] of [['clang-14', join(fixtures, 'c/debugme.wasm')], ['LLVM 22', join(fixtures, 'c/debugme-llvm.wasm')]]) {
  test(`${build}: a breakpoint in add stops at its line, with the C call stack, the arguments of each call and the callers' variables`, async () => {
    const dc = await startClient();
    try {
      const functions: DebugProtocol.Event[] = [];
      dc.on('wasiscope/functions', (e: DebugProtocol.Event) => functions.push(e));
      const { stopped, bps } = await launchAndStop(dc, { program }, src, [{ line: L('add_body') }]);
      // The CodeLens figures up to the stop arrive with it.
      const live = functions.at(-1)?.body;
      assert.equal(live?.final, false);
      assert.equal(live.functions.find((f: { name: string }) => f.name === 'square')?.calls, 5);
      assert.equal(bps[0].verified, true);
      assert.equal(bps[0].line, L('add_body'));
      assert.equal(stopped.body.reason, 'breakpoint');
      assert.deepEqual(stopped.body.hitBreakpointIds, [bps[0].id]);
      const fr = await frames(dc);
      assert.deepEqual(fr.slice(0, 3).map((f) => [f.name, f.line]), [
        ['add', L('add_body')],
        ['sum_array', L('sum_array_call_add')],
        ['main', L('main_call_sum_array')],
      ]);
      const vars = await scopeVars(dc, fr[0].id, 'Locals');
      assert.equal(vars.a.value, '0');
      assert.equal(vars.b.value, '3');
      assert.equal(vars.a.type, 'int');
      // Callers' C variables, read at their frame bases (found from the stack pointer and the prologues).
      const caller = await scopeVars(dc, fr[1].id, 'Locals');
      assert.deepEqual([caller.count?.value, caller.total?.value, caller.i?.value], ['5', '0', '0'], JSON.stringify(caller));
      const inMain = await scopeVars(dc, fr[2].id, 'Locals');
      assert.equal(inMain.squares?.value, '52', JSON.stringify(inMain));
      assert.deepEqual(Object.values(await children(dc, inMain.numbers)), ['3', '1', '4', '1', '5']);
      const w = await dc.evaluateRequest({ expression: 'values[1] + count', frameId: fr[1].id, context: 'watch' });
      assert.equal(w.body.result, '6', 'expressions in a caller frame see its variables');
      // A caller's variable can be set too (it is in memory): sum_array now stops after 3 values.
      const callerScope = (await dc.scopesRequest({ frameId: fr[1].id })).body.scopes.find((sc) => sc.name === 'Locals')!;
      const set = await dc.setVariableRequest({ variablesReference: callerScope.variablesReference, name: 'count', value: '3' });
      assert.equal(set.body.value, '3');
      assert.equal((await scopeVars(dc, fr[1].id, 'Locals')).count.value, '3');
      assert.equal((await scopeVars(dc, fr[0].id, 'Locals')).b.value, '3', 'the top frame is untouched');
      const wasmLocals = await scopeVars(dc, fr[1].id, 'Locals (wasm)');
      assert.match(Object.values(wasmLocals)[0].value, /caller frames are not captured/);
      await stepAndStop(dc, 'continue');
      const again = await scopeVars(dc, (await frames(dc))[0].id, 'Locals');
      assert.deepEqual([again.a.value, again.b.value], ['3', '1']);
      const ev = await dc.evaluateRequest({ expression: 'a * 10 + b', frameId: (await frames(dc))[0].id, context: 'watch' });
      assert.equal(ev.body.result, '31');
    } finally {
      await dc.stop();
    }
  });
}

test('conditions, hit counts and logpoints are evaluated at the site', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    let bps: DebugProtocol.Breakpoint[] = [];
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        bps = (await dc.setBreakpointsRequest({
          source: { path: src },
          breakpoints: [
            { line: L('square_body'), hitCondition: '== 3' },
            { line: L('add_body'), condition: 'b == 1 && a > 3' },
            { line: L('add_return'), logMessage: 'sum={sum} a+b={a + b}' },
            { line: L('translate_body'), condition: 'dx +' },
          ],
        })).body.breakpoints;
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program }),
    ]);
    assert.equal(bps[3].verified, false);
    assert.match(bps[3].message ?? '', /Invalid condition: unexpected end/);
    await stopped;
    let fr = await frames(dc);
    assert.equal(fr[0].line, L('square_body'));
    assert.equal((await scopeVars(dc, fr[0].id, 'Locals')).x.value, '4', 'the third call of square');
    await stepAndStop(dc, 'continue');
    fr = await frames(dc);
    assert.equal(fr[0].line, L('add_body'));
    const v = await scopeVars(dc, fr[0].id, 'Locals');
    assert.deepEqual([v.a.value, v.b.value], ['8', '1']);
    assert.equal(out.text('console').match(/sum=\d+ a\+b=\d+/g)?.join(' '), 'sum=3 a+b=3 sum=4 a+b=4 sum=8 a+b=8');
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(out.text('console'), /sum=14 a\+b=14/);
  } finally {
    await dc.stop();
  }
});

test('a breakpoint on a line without code moves to the next line that has code, and says so', async () => {
  const dc = await startClient();
  try {
    const { bps } = await launchAndStop(dc, { program }, src, [{ line: L('main_no_code') }, { line: 10_000 }]);
    assert.equal(bps[0].verified, true);
    assert.equal(bps[0].line, L('main_call_sum_array'));
    assert.match(bps[0].message ?? '', /has no code: bound to line/);
    assert.equal(bps[1].verified, false);
    assert.match(bps[1].message ?? '', /No code at or after line 10000/);
    assert.equal((await frames(dc))[0].line, L('main_call_sum_array'));
  } finally {
    await dc.stop();
  }
});

test('step over, into and out land on the right lines', async () => {
  const dc = await startClient();
  try {
    await launchAndStop(dc, { program }, src, [{ line: L('main_call_square') }]);
    await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [] });
    const at = async () => (await frames(dc)).map((f) => `${f.name}:${f.line}`).slice(0, 3).join(' < ');
    await stepAndStop(dc, 'next');
    assert.equal(await at(), `main:${L('main_after_square')} < _start:0 < _start.command_export:0`);
    await stepAndStop(dc, 'next');
    assert.match(await at(), /^main:51 /, 'the for loop increment');
    await stepAndStop(dc, 'next');
    assert.match(await at(), new RegExp(`^main:${L('main_call_square')} `));
    const into = await stepAndStop(dc, 'stepIn');
    assert.equal(into.body.reason, 'step');
    assert.match(await at(), new RegExp(`^square:${L('square_body')} < main:${L('main_call_square')}`));
    await stepAndStop(dc, 'stepOut');
    assert.match(await at(), new RegExp(`^main:${L('main_call_square')} `), 'back on the call line');
    await stepAndStop(dc, 'next');
    assert.match(await at(), new RegExp(`^main:${L('main_after_square')} `));
  } finally {
    await dc.stop();
  }
});

test('function breakpoints, recursion, and stepping over a recursive call', async () => {
  const dc = await startClient();
  try {
    const fb = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    let fbps: DebugProtocol.Breakpoint[] = [];
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        fbps = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'factorial' }, { name: 'no_such_function' }] })).body.breakpoints;
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program }),
    ]);
    assert.equal(fbps[0].verified, true);
    assert.equal(fbps[0].line, L('factorial_test'), 'after the prologue');
    assert.equal(fbps[1].verified, false);
    assert.match(fbps[1].message ?? '', /No function named no_such_function/);
    assert.equal((await fb).body.reason, 'function breakpoint');
    let fr = await frames(dc);
    assert.deepEqual(fr.slice(0, 2).map((f) => [f.name, f.line]), [['factorial', L('factorial_test')], ['main', L('main_call_factorial')]]);
    assert.equal((await scopeVars(dc, fr[0].id, 'Locals')).n.value, '5');
    await stepAndStop(dc, 'continue');
    fr = await frames(dc);
    assert.deepEqual(fr.slice(0, 3).map((f) => [f.name, f.line]), [['factorial', L('factorial_test')], ['factorial', L('factorial_recurse')], ['main', L('main_call_factorial')]]);
    assert.equal((await scopeVars(dc, fr[0].id, 'Locals')).n.value, '4');
    assert.equal((await scopeVars(dc, fr[1].id, 'Locals')).n.value, '5', 'the recursing caller has its own n');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const lines = async () => (await frames(dc)).slice(0, 2).map((f) => `${f.name}:${f.line}`).join(' < ');
    await stepAndStop(dc, 'next');
    assert.equal(await lines(), `factorial:${L('factorial_recurse')} < factorial:${L('factorial_recurse')}`);
    await stepAndStop(dc, 'next');
    assert.equal(await lines(), `factorial:${L('factorial_recurse') + 1} < factorial:${L('factorial_recurse')}`, 'the recursive call was stepped over');
    await stepAndStop(dc, 'next');
    assert.equal(await lines(), `factorial:${L('factorial_recurse')} < main:${L('main_call_factorial')}`, 'returned into the caller');
    await stepAndStop(dc, 'stepOut');
    assert.match(await lines(), new RegExp(`^main:${L('main_call_factorial')} `));
  } finally {
    await dc.stop();
  }
});

test('C variables: arrays, structs, pointers, strings, globals; memory reads match the data', async () => {
  const dc = await startClient();
  try {
    await launchAndStop(dc, { program }, src, [{ line: L('main_call_sum_array') }]);
    const fr = await frames(dc);
    const v = await scopeVars(dc, fr[0].id, 'Locals');
    assert.ok(v.numbers, `locals: ${Object.keys(v).join(', ')}`);
    assert.equal(v.numbers.value, '[3, 1, 4, 1, 5]');
    assert.equal(v.numbers.type, 'int[5]');
    assert.deepEqual(await children(dc, v.numbers), { '[0]': '3', '[1]': '1', '[2]': '4', '[3]': '1', '[4]': '5' });
    assert.equal(v.origin.value, '{x: 2, y: 3}');
    assert.equal(v.origin.type, 'struct point');
    assert.equal(v.squares.value, '52');
    assert.match(v.where.type ?? '', /struct point \*/);
    const pointee = await dc.variablesRequest({ variablesReference: v.where.variablesReference });
    assert.deepEqual(await children(dc, pointee.body.variables[0]), { x: '2', y: '3' });
    assert.match(v.message.value, /^0x[0-9a-f]+ "hello from debugme"$/);
    assert.ok(v.message.memoryReference);
    const mem = await readMemory(dc, v.message.memoryReference!, 19);
    assert.equal(mem.data.toString('latin1'), 'hello from debugme\0');
    const g = await scopeVars(dc, fr[0].id, 'Globals');
    assert.equal(g.global_counter.value, '5');
    assert.equal(g.global_origin.value, '{x: 7, y: -7}');
    assert.equal(g.greeting.value, '"hello from debugme"');
    const wasmGlobals = await scopeVars(dc, fr[0].id, 'Globals (wasm)');
    assert.ok(Number(wasmGlobals.$__stack_pointer.value) > 0);
    const evals: [string, string][] = [['where->y', '3'], ['numbers[2] * 10', '40'], ['origin.x + global_origin.y', '-5'], ['*where', '{x: 2, y: 3}'], ['i32[&numbers[4]]', '5']];
    for (const [e, want] of evals) assert.equal((await dc.evaluateRequest({ expression: e, frameId: fr[0].id, context: 'watch' })).body.result, want, e);
    await assert.rejects(dc.evaluateRequest({ expression: 'nope', frameId: fr[0].id, context: 'hover' }), /no variable named 'nope'/);
    // writeMemory: the bytes land in linear memory (and the C string shows them).
    const w = (await dc.customRequest('writeMemory', { memoryReference: v.message.memoryReference!, data: Buffer.from('HELLO').toString('base64') } satisfies DebugProtocol.WriteMemoryArguments)) as DebugProtocol.WriteMemoryResponse;
    assert.equal(w.body?.bytesWritten, 5);
    assert.equal((await dc.evaluateRequest({ expression: 'message', frameId: fr[0].id, context: 'watch' })).body.result.replace(/^0x[0-9a-f]+ /, ''), '"HELLO from debugme"');
    // Past the end of memory: the rest is unreadable, not an error.
    const end = await readMemory(dc, '0x1fff0', 64);
    assert.equal(end.unreadable, 48);
    assert.equal(end.data.length, 16);
  } finally {
    await dc.stop();
  }
});

test('instruction breakpoints bind at sites only, disassembly shows the module text', async () => {
  const dc = await startClient();
  try {
    const fbps = dc.waitForEvent('initialized').then(async () => {
      const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'translate' }] });
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      const addr = r.body.breakpoints[0].instructionReference!;
      const args: DebugProtocol.SetInstructionBreakpointsArguments = { breakpoints: [{ instructionReference: addr }, { instructionReference: addr, offset: 1 }] };
      const ib = (await dc.customRequest('setInstructionBreakpoints', args)) as DebugProtocol.SetInstructionBreakpointsResponse;
      await dc.configurationDoneRequest();
      return { addr, ib: ib.body.breakpoints };
    });
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([fbps, dc.launch({ program })]);
    const { addr, ib } = await fbps;
    assert.equal(ib[0].verified, true);
    assert.equal(ib[1].verified, false);
    assert.match(ib[1].message ?? '', /not the start of an instruction|not a breakpoint site/);
    assert.equal((await stopped).body.reason, 'instruction breakpoint');
    const fr = await frames(dc);
    assert.equal(fr[0].name, 'translate');
    assert.equal(fr[0].pc, addr);
    assert.equal(fr[0].line, L('translate_body'));
    const dis = await dc.disassembleRequest({ memoryReference: addr, instructionOffset: -3, instructionCount: 8 });
    const ins = dis.body?.instructions ?? [];
    assert.equal(ins.length, 8);
    const here = ins.find((i) => i.address === addr);
    assert.ok(here, 'the stopped instruction is in the listing');
    assert.ok(ins.every((i, k) => k === 0 || parseInt(i.address, 16) > parseInt(ins[k - 1].address, 16)));
    assert.ok(ins.some((i) => /^(local|global|i32)\./.test(i.instruction.trim())));
  } finally {
    await dc.stop();
  }
});

test('setting a C variable writes memory: the program prints the changed total', async () => {
  const dc = await startClient();
  try {
    const out = collectOutput(dc);
    await launchAndStop(dc, { program }, src, [{ line: L('add_return') }]);
    const fr = await frames(dc);
    const sc = await dc.scopesRequest({ frameId: fr[0].id });
    const locals = sc.body.scopes.find((s) => s.name === 'Locals')!;
    const set = await dc.setVariableRequest({ variablesReference: locals.variablesReference, name: 'sum', value: '100' });
    assert.equal(set.body.value, '100');
    await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [] });
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(out.text('stdout'), /squares=52 total=111 /);
  } finally {
    await dc.stop();
  }
});
