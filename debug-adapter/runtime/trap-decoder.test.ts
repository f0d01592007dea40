// Trap decoding: V8 stack formats (named and unnamed frames), trap kinds from V8 messages, and the
// innermost original frame of an instrumented module mapped back to original offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrument } from '../instrument/instrument';
import { decodeTrap, parseWasmFrames, trapKind } from './trap-decoder';

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

test('wasm frames are read from both V8 frame formats, innermost first', () => {
  const stack = [
    'RuntimeError: divide by zero',
    '    at $div (wasm://wasm/my-mod-0f1e2d3c:wasm-function[7]:0x1a2)',
    '    at wasm://wasm/0f1e2d3c:wasm-function[3]:0x54',
    '    at Object.<anonymous> (/x/y.js:3:15)',
  ].join('\n');
  assert.deepEqual(parseWasmFrames(stack), [
    { script: 'my-mod-0f1e2d3c', funcIndex: 7, offset: 0x1a2 },
    { script: '0f1e2d3c', funcIndex: 3, offset: 0x54 },
  ]);
  assert.deepEqual(parseWasmFrames(undefined), []);
});

test('trap kinds use the spec wording', () => {
  assert.equal(trapKind('divide by zero'), 'integer divide by zero');
  assert.equal(trapKind('remainder by zero'), 'integer divide by zero');
  assert.equal(trapKind('divide result unrepresentable'), 'integer overflow');
  assert.equal(trapKind('memory access out of bounds'), 'out of bounds memory access');
  assert.equal(trapKind('unreachable'), 'unreachable');
  assert.equal(trapKind('float unrepresentable in integer range'), 'invalid conversion to integer');
  assert.equal(trapKind('null function or function signature mismatch'), 'indirect call type mismatch');
  assert.equal(trapKind('Maximum call stack size exceeded'), 'call stack exhausted');
});

test('a real trap in an instrumented module decodes to the original function and instruction', () => {
  const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../instrument/testdata/fuel.wasm', import.meta.url))));
  const im = instrument(bytes);
  const inst = new WA.Instance(new WA.Module(im.bytes), { env: { host: () => 0, reenter: () => 0 }, __wasiscope: { deadline: () => 0, memory_grow: () => undefined } });
  let info;
  try {
    (inst.exports.divDeep as (a: number, b: number) => number)(1, 0);
  } catch (e) {
    info = decodeTrap(im, e);
  }
  assert.ok(info);
  assert.equal(info.kind, 'integer divide by zero');
  assert.equal(info.location?.funcName, 'div');
  assert.equal(bytes[info.location?.offset as number], 0x6d, 'i32.div_s in the original module');
  const rec = (() => {
    try {
      (inst.exports.fib as (n: number) => number)(1e9);
    } catch (e) {
      return decodeTrap(im, e);
    }
  })();
  assert.equal(rec?.kind, 'call stack exhausted');
  assert.equal(rec?.location?.funcName, 'fib');
});
