// Checks of the operator table and the scanner: unique names, the Wasmtime cost model, every
// entry round-trips through encode -> scan, and the table agrees with wabt's assembler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_OPS, lookupOp, opByName, type OpInfo } from './opcodes';
import { ByteWriter } from './byte-writer';
import { newCursor, scanInstr } from './instr-scanner';
import { WasmDecodeError } from './errors';

/** Encode `op` with sample immediates, returning the expected cursor fields. */
function encodeSample(w: ByteWriter, op: OpInfo): { idx?: number; idx2?: number; offset?: number; lane?: number } {
  w.op(op);
  switch (op.imm) {
    case 'none':
      return {};
    case 'blocktype':
      w.s33(-1);
      return { idx: -1 };
    case 'label': case 'func': case 'local': case 'global': case 'table': case 'mem':
    case 'data': case 'elem': case 'type': case 'tag':
      w.u32(300);
      return { idx: 300 };
    case 'br_table':
      w.u32(2); w.u32(1); w.u32(200); w.u32(7);
      return { idx: 2, idx2: 7 };
    case 'call_indirect': case 'data_mem': case 'mem_mem': case 'elem_table': case 'table_table':
      w.u32(5); w.u32(129);
      return { idx: 5, idx2: 129 };
    case 'memarg':
      w.u32(0x42); w.u32(1); w.u64(70000n);
      return { idx: 2, idx2: 1, offset: 70000 };
    case 'memarg_lane':
      w.u32(3); w.u64(16n); w.u8(1);
      return { idx: 3, idx2: 0, offset: 16, lane: 1 };
    case 'i32':
      w.s32(-123456);
      return { idx: -123456 };
    case 'i64':
      w.s64(-(2n ** 63n));
      return {};
    case 'f32':
      w.f32(1.5);
      return {};
    case 'f64':
      w.f64(-2.25);
      return {};
    case 'v128': case 'shuffle':
      for (let i = 0; i < 16; i++) w.u8(i);
      return {};
    case 'lane':
      w.u8(3);
      return { lane: 3 };
    case 'select_t':
      w.u32(1); w.u8(0x7e);
      return { idx: 1, idx2: 0x7e };
    case 'heaptype':
      w.u8(0x70);
      return { idx: -16 };
    case 'try_table':
      w.u8(0x40); w.u32(2); w.u8(0); w.u32(4); w.u32(1); w.u8(2); w.u32(0);
      return { idx: -64, idx2: 2 };
    case 'atomic_fence':
      w.u8(0);
      return {};
  }
}

test('operator names are unique and lookups agree', () => {
  const names = new Set<string>();
  for (const op of ALL_OPS) {
    assert.ok(!names.has(op.name), op.name);
    names.add(op.name);
    assert.equal(opByName(op.name), op);
    assert.equal(lookupOp(op.prefix, op.code), op);
  }
  assert.ok(ALL_OPS.length > 500, `only ${ALL_OPS.length} operators`);
});

test('costs follow the Wasmtime default model', () => {
  const free = new Set(['nop', 'drop', 'block', 'loop', 'unreachable', 'return', 'else', 'end']);
  for (const op of ALL_OPS) assert.equal(op.cost, free.has(op.name) ? 0 : 1, op.name);
});

test('trap flags cover the usual suspects', () => {
  for (const n of ['i32.load', 'i32.div_s', 'i64.rem_u', 'i32.trunc_f64_u', 'call_indirect', 'unreachable',
    'memory.copy', 'table.get', 'i32.atomic.rmw.add', 'v128.load8_lane']) {
    assert.equal(opByName(n)?.mayTrap, true, n);
  }
  for (const n of ['i32.add', 'i32.trunc_sat_f32_s', 'memory.grow', 'local.get', 'br']) {
    assert.ok(!opByName(n)?.mayTrap, n);
  }
  assert.equal(opByName('i64.load32_u')?.naturalAlign, 2);
  assert.equal(opByName('v128.load8x8_s')?.naturalAlign, 3);
  assert.equal(opByName('i32.atomic.rmw16.cmpxchg_u')?.naturalAlign, 1);
  assert.equal(opByName('v128.store')?.naturalAlign, 4);
});

test('every operator round-trips through encode -> scan', () => {
  const c = newCursor();
  for (const op of ALL_OPS) {
    const w = new ByteWriter();
    w.u8(0xaa); // the scanner must honour `pos`
    const expected = encodeSample(w, op);
    const bytes = w.finish();
    scanInstr(bytes, 1, bytes.length, c);
    assert.equal(c.op, op, op.name);
    assert.equal(c.start, 1);
    assert.equal(c.end, bytes.length, `${op.name} end`);
    for (const [k, v] of Object.entries(expected)) assert.equal(c[k as 'idx'], v, `${op.name} ${k}`);
    // Every strict prefix of the instruction is truncated and must be reported as such.
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.throws(() => scanInstr(bytes, 1, cut, c), WasmDecodeError, `${op.name} cut at ${cut}`);
    }
  }
});

test('unknown and unsupported opcodes are named with their offset', () => {
  const c = newCursor();
  assert.throws(() => scanInstr(Uint8Array.of(0x01, 0xff), 1, 2, c), /unknown opcode 0xff at byte 0x1/);
  assert.throws(() => scanInstr(Uint8Array.of(0xfd, 0xff, 0x03), 0, 3, c), /unknown opcode 0xfd 0x1ff at byte 0x0/);
  assert.throws(() => scanInstr(Uint8Array.of(0xfb, 0x00), 0, 2, c), /GC proposal.*at byte 0x0/);
  assert.throws(() => scanInstr(Uint8Array.of(0xfe, 0x03, 0x01), 0, 3, c), /bad atomic.fence at byte 0x2/);
});

function hasWabt(): boolean {
  try {
    execFileSync('wat2wasm', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Text-format immediates wabt accepts for each kind (null: wabt 1.0.32 cannot assemble it). */
function watImmediates(op: OpInfo): string | null {
  switch (op.imm) {
    case 'none': return '';
    case 'label': return '0';
    case 'func': return '0';
    case 'local': case 'global': case 'table': case 'mem': case 'data': case 'elem': return '0';
    case 'call_indirect': return '(type 0)';
    case 'memarg': return '';
    case 'memarg_lane': return '1';
    case 'i32': case 'i64': return '-7';
    case 'f32': case 'f64': return '1.5';
    case 'v128': return 'i32x4 1 2 3 4';
    case 'shuffle': return '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15';
    case 'lane': return '1';
    case 'select_t': return '(result i32)';
    case 'heaptype': return 'func';
    case 'data_mem': case 'elem_table': return '0';
    case 'mem_mem': case 'table_table': return '';
    case 'atomic_fence': return '';
    default: return null;
  }
}

test('the table agrees with wabt on opcode bytes and immediate lengths', { skip: !hasWabt() }, () => {
  const skip = new Set(['block', 'loop', 'if', 'else', 'end', 'try', 'catch', 'catch_all', 'delegate',
    'throw', 'rethrow', 'try_table', 'throw_ref', 'call_ref', 'return_call_ref', 'ref.eq',
    'ref.as_non_null', 'br_on_null', 'br_on_non_null', 'select_t', 'br_table']);
  const ops = ALL_OPS.filter((o) => !skip.has(o.name) && watImmediates(o) !== null);
  // wabt 1.0.32 spells two relaxed-SIMD names the pre-standard way.
  const wabtName: Record<string, string> = {
    'i16x8.relaxed_dot_i8x16_i7x16_s': 'i16x8.dot_i8x16_i7x16_s',
    'i32x4.relaxed_dot_i8x16_i7x16_add_s': 'i32x4.dot_i8x16_i7x16_add_s',
  };
  const body = ops.map((o) => `    ${wabtName[o.name] ?? o.name} ${watImmediates(o)}`).join('\n');
  const wat = `(module (type (func)) (memory 1 1 shared) (table 1 funcref) (global (mut i32) (i32.const 0))
  (data "x") (elem func 0)
  (func (local i32)
${body}
  ))`;
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-ops-'));
  writeFileSync(join(dir, 'all.wat'), wat);
  execFileSync('wat2wasm', ['--enable-all', '--no-check', join(dir, 'all.wat'), '-o', join(dir, 'all.wasm')]);
  const bytes = new Uint8Array(readFileSync(join(dir, 'all.wasm')));
  const seen: string[] = [];
  const c = newCursor();
  // Locate the body by its locals declaration "01 01 7f" (one group of one i32) and first opcode.
  let p = -1;
  for (let i = 8; i < bytes.length; i++) {
    if (bytes[i] === 0x01 && bytes[i + 1] === 0x01 && bytes[i + 2] === 0x7f && bytes[i + 3] === 0x00) {
      p = i + 3;
      break;
    }
  }
  for (;;) {
    scanInstr(bytes, p, bytes.length, c);
    if (c.op.name === 'end') break; // the body has no blocks: this is the function's end
    seen.push(c.op.name);
    p = c.end;
  }
  assert.deepEqual(seen, ops.map((o) => o.name));
});
