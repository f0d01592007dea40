// The expression evaluator on a fake frame: C variables over DWARF-like types in a small memory,
// wasm locals and globals, memory views, operators, errors, logpoint templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateText, parseExpression, parseLogMessage, truthy, type EvalEnv } from './expression';
import { formatValue, childrenOf, rvalue, type CType, type Value } from './values';

const int: CType = { kind: 'base', name: 'int', size: 4, enc: 'signed' };
const uint: CType = { kind: 'base', name: 'unsigned int', size: 4, enc: 'unsigned' };
const char: CType = { kind: 'base', name: 'char', size: 1, enc: 'char' };
const dbl: CType = { kind: 'base', name: 'double', size: 8, enc: 'float' };
const point: CType = { kind: 'struct', name: 'point', size: 8, members: [{ name: 'x', offset: 0, type: int }, { name: 'y', offset: 4, type: int }] };
const pointPtr: CType = { kind: 'pointer', name: '', size: 4, to: point };
const ints5: CType = { kind: 'array', name: '', elem: int, count: 5 };
const charPtr: CType = { kind: 'pointer', name: '', size: 4, to: { kind: 'const', name: '', of: char } };

function env(): EvalEnv & { mem: Uint8Array } {
  const mem = new Uint8Array(256);
  const dv = new DataView(mem.buffer);
  [3, 1, 4, 1, 5].forEach((v, i) => dv.setInt32(16 + 4 * i, v, true));
  dv.setInt32(40, 2, true); // origin.x
  dv.setInt32(44, -3, true); // origin.y
  dv.setUint32(48, 40, true); // where = &origin
  mem.set(new TextEncoder().encode('hello\0'), 64);
  dv.setUint32(52, 64, true); // message
  dv.setFloat64(56, 2.5, true);
  dv.setUint32(72, 4000000000, true);
  const vars: Record<string, Value> = {
    numbers: { k: 'obj', addr: 16, type: ints5 },
    origin: { k: 'obj', addr: 40, type: point },
    where: { k: 'obj', addr: 48, type: pointPtr },
    message: { k: 'obj', addr: 52, type: charPtr },
    average: { k: 'obj', addr: 56, type: dbl },
    big: { k: 'obj', addr: 72, type: uint },
  };
  const locals: Value[] = [{ k: 'int', v: 7n, bits: 32, signed: true }, { k: 'int', v: -1n, bits: 64, signed: true }];
  const globals: Value[] = [{ k: 'int', v: 1024n, bits: 32, signed: true }];
  return {
    mem,
    bytes: () => mem,
    lookup: (n) => vars[n] ?? (n === 'n' ? locals[0] : undefined),
    dollar: (n) => (n === 'n' ? locals[0] : n === 'sp' ? globals[0] : undefined),
    local: (i) => locals[i],
    global: (i) => globals[i],
  };
}

const show = (src: string, e = env()) => formatValue(e, rvalue(e, evaluateText(src, e)));

test('C variables: members, arrow, index, deref, address-of, pointer arithmetic', () => {
  const e = env();
  assert.equal(show('origin.x', e), '2');
  assert.equal(show('origin.y * 2', e), '-6');
  assert.equal(show('where->y', e), '-3');
  assert.equal(show('(*where).x', e), '2');
  assert.equal(show('numbers[2]', e), '4');
  assert.equal(show('*(numbers + 4)', e), '5');
  assert.equal(show('&numbers[1] - &numbers[0]', e), '1');
  assert.equal(show('message', e), '0x40 "hello"');
  assert.equal(show('message[1]', e), "101 'e'");
  assert.equal(show('average * 2', e), '5');
  assert.equal(show('big + 1', e), '4000000001');
  assert.equal(formatValue(e, evaluateText('origin', e)), '{x: 2, y: -3}');
  assert.equal(formatValue(e, evaluateText('numbers', e)), '[3, 1, 4, 1, 5]');
  assert.deepEqual(childrenOf(evaluateText('origin', e)).map((c) => c.name), ['x', 'y']);
});

test('wasm locals, globals and memory views', () => {
  const e = env();
  assert.equal(show('$n + locals[0]', e), '14');
  assert.equal(show('locals[1]', e), '-1');
  assert.equal(show('globals[0]', e), '1024');
  assert.equal(show('$sp', e), '1024');
  assert.equal(show('i32[16] + i32[20]', e), '4');
  assert.equal(show('memory[64]', e), '104');
  assert.equal(show('u32[72]', e), '4000000000');
  assert.equal(show('i32[72]', e), '-294967296');
  assert.equal(show('f64[56]', e), '2.5');
});

test('operators, precedence, literals and conditions', () => {
  const e = env();
  assert.equal(show('1 + 2 * 3', e), '7');
  assert.equal(show('(1 + 2) * 3', e), '9');
  assert.equal(show('0x10 | 1', e), '17');
  assert.equal(show('-7 / 2', e), '-3');
  assert.equal(show('-7 % 2', e), '-1');
  assert.equal(show('1 << 4 >> 2', e), '4');
  assert.equal(show("'a'", e), '97');
  assert.equal(show('numbers[2] == 4 && where->x > 1 ? 10 : 20', e), '10');
  assert.equal(show('!0 + ~0', e), '0');
  assert.equal(show('2147483647 + 1', e), '-2147483648');
  assert.equal(truthy(evaluateText('numbers[1] != 1', e), e), false);
  assert.equal(truthy(evaluateText('where', e), e), true);
});

test('errors say what is wrong, with positions', () => {
  const e = env();
  assert.throws(() => evaluateText('nope + 1', e), /no variable named 'nope'/);
  assert.throws(() => evaluateText('1 / 0', e), /division by zero/);
  assert.throws(() => evaluateText('origin.z', e), /no member 'z'/);
  assert.throws(() => evaluateText('i32[1000]', e), /outside linear memory/);
  assert.throws(() => parseExpression('1 +'), /unexpected end/);
  assert.throws(() => parseExpression('a = 1'), /unexpected '=' at 2/);
  assert.throws(() => parseExpression('(1'), /expected '\)'/);
  assert.throws(() => evaluateText('origin + 1', e), /needs numbers or pointers/);
});

test('logpoint templates: text and {expressions}, braces escaped', () => {
  const parts = parseLogMessage('x={origin.x} {{literal}} n={$n}');
  assert.equal(parts.length, 4);
  assert.equal(parts[0], 'x=');
  assert.equal(parts[2], ' {literal} n=');
  assert.throws(() => parseLogMessage('open {x'), /unclosed/);
});
