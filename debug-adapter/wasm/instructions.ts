// Full decoding of code into instruction objects, and encoding back, for tools and the printer
// (the hot paths use instr-scanner.ts instead). Driven by the operator table: every ImmKind has
// one decode case and one encode case here, and nothing else.
//
// Re-encoding uses minimal LEB128s; bodies whose original bytes used padded LEB128s (as some
// linkers emit for relocatable call/global indices) re-encode shorter but decode to equal objects.

import { ByteWriter } from './byte-writer';
import { WasmDecodeError } from './errors';
import { leb, readS32, readS33, readS64, readU32, readU64 } from './leb128';
import { newCursor, scanInstr, type InstrCursor } from './instr-scanner';
import type { OpInfo } from './opcodes';
import type { LocalDecl, Module, RefType, ValType } from './module';
import { writeLocals, writeValType } from './writer';
import { readLocals } from './reader';

/** s33 block type (-64 empty, -1 i32 ... >= 0 type index) or a long-form reference type. */
export type BlockType = number | RefType;

export interface Memarg {
  /** Alignment exponent (log2 bytes). */
  align: number;
  memory: number;
  offset: bigint;
}

export interface CatchClause {
  /** 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref. */
  kind: number;
  tag: number;
  label: number;
}

/**
 * One decoded instruction. Which fields are set depends on `op.imm`:
 * - label, func, local, global, table, mem, data, elem, type, tag: `index`.
 * - call_indirect: `index` type, `index2` table. data_mem: `index` data, `index2` memory.
 *   mem_mem / table_table: `index` destination, `index2` source. elem_table: `index` elem, `index2` table.
 * - br_table: `labels` (targets) and `index` (default).
 * - blocktype: `blockType`. try_table: `blockType` and `catches`.
 * - memarg: `memarg`. memarg_lane: `memarg` and `lane`. lane: `lane`.
 * - i32: `value` (number). i64: `value` (bigint). f32/f64/v128/shuffle: `bytes` (raw little-endian).
 * - select_t: `types`. heaptype: `heapType` (s33).
 */
export interface Instr {
  op: OpInfo;
  /** Offset of the first opcode byte in the decoded buffer (module-relative for module code); -1 if new. */
  offset: number;
  index?: number;
  index2?: number;
  labels?: number[];
  blockType?: BlockType;
  catches?: CatchClause[];
  memarg?: Memarg;
  lane?: number;
  value?: number | bigint;
  bytes?: Uint8Array;
  types?: ValType[];
  heapType?: number;
}

function blockTypeAt(bytes: Uint8Array, p: number, limit: number): BlockType {
  const b = bytes[p];
  if (b === 0x63 || b === 0x64) {
    const heap = readS33(bytes, p + 1, limit);
    return { nullable: b === 0x63, heap };
  }
  return readS33(bytes, p, limit);
}

function memargAt(bytes: Uint8Array, p: number, limit: number): Memarg {
  let align = readU32(bytes, p, limit);
  p = leb.end;
  let memory = 0;
  if (align & 0x40) {
    align &= ~0x40;
    memory = readU32(bytes, p, limit);
    p = leb.end;
  }
  const offset = readU64(bytes, p, limit);
  return { align, memory, offset };
}

function valTypeAt(bytes: Uint8Array, p: number, limit: number): ValType {
  const b = bytes[p];
  if (b === 0x63 || b === 0x64) {
    const heap = readS33(bytes, p + 1, limit);
    return { nullable: b === 0x63, heap };
  }
  leb.end = p + 1;
  return b;
}

/** Build the Instr for the instruction the cursor was just filled with. */
export function instrFromCursor(bytes: Uint8Array, c: InstrCursor, limit: number): Instr {
  const op = c.op;
  const p = c.immStart;
  const ins: Instr = { op, offset: c.start };
  switch (op.imm) {
    case 'none':
    case 'atomic_fence':
      break;
    case 'label': case 'func': case 'local': case 'global': case 'table': case 'mem':
    case 'data': case 'elem': case 'type': case 'tag':
      ins.index = c.idx;
      break;
    case 'call_indirect': case 'data_mem': case 'mem_mem': case 'elem_table': case 'table_table':
      ins.index = c.idx;
      ins.index2 = c.idx2;
      break;
    case 'br_table': {
      const n = readU32(bytes, p, limit);
      let q = leb.end;
      const labels: number[] = [];
      for (let i = 0; i < n; i++) {
        labels.push(readU32(bytes, q, limit));
        q = leb.end;
      }
      ins.labels = labels;
      ins.index = c.idx2;
      break;
    }
    case 'blocktype':
      ins.blockType = blockTypeAt(bytes, p, limit);
      break;
    case 'try_table': {
      ins.blockType = blockTypeAt(bytes, p, limit);
      const n = readU32(bytes, leb.end, limit);
      let q = leb.end;
      const catches: CatchClause[] = [];
      for (let i = 0; i < n; i++) {
        const kind = bytes[q++];
        let tag = 0;
        if (kind < 2) {
          tag = readU32(bytes, q, limit);
          q = leb.end;
        }
        const label = readU32(bytes, q, limit);
        q = leb.end;
        catches.push({ kind, tag, label });
      }
      ins.catches = catches;
      break;
    }
    case 'memarg':
      ins.memarg = memargAt(bytes, p, limit);
      break;
    case 'memarg_lane':
      ins.memarg = memargAt(bytes, p, limit);
      ins.lane = c.lane;
      break;
    case 'lane':
      ins.lane = c.lane;
      break;
    case 'i32':
      ins.value = readS32(bytes, p, limit);
      break;
    case 'i64':
      ins.value = readS64(bytes, p, limit);
      break;
    case 'f32': case 'f64': case 'v128': case 'shuffle':
      ins.bytes = bytes.slice(p, c.end);
      break;
    case 'select_t': {
      const n = readU32(bytes, p, limit);
      let q = leb.end;
      const types: ValType[] = [];
      for (let i = 0; i < n; i++) {
        types.push(valTypeAt(bytes, q, limit));
        q = leb.end;
      }
      ins.types = types;
      break;
    }
    case 'heaptype':
      ins.heapType = c.idx;
      break;
  }
  return ins;
}

/**
 * Decode instructions from `start` through the `end` that closes the expression (inclusive).
 * `limit` bounds the scan (the body end). Offsets in the result are positions in `bytes`.
 */
export function decodeExpr(bytes: Uint8Array, start: number, limit: number): Instr[] {
  const out: Instr[] = [];
  const c = newCursor();
  let depth = 1;
  let p = start;
  while (depth > 0) {
    scanInstr(bytes, p, limit, c);
    out.push(instrFromCursor(bytes, c, limit));
    const k = c.op.control;
    if (k === 'block' || k === 'loop' || k === 'if' || k === 'try' || k === 'try_table') depth++;
    else if (k === 'end' || k === 'delegate') depth--;
    p = c.end;
  }
  if (p !== limit) throw new WasmDecodeError(p, 'section size mismatch', 'bytes after the final end of the expression');
  return out;
}

export interface DecodedBody {
  locals: LocalDecl[];
  instrs: Instr[];
}

/**
 * Fully decode the body of defined function `defIndex` (0 = first non-imported function).
 * Uses the replacement bytes when the body was replaced (offsets are then relative to them).
 */
export function decodeBody(m: Module, defIndex: number): DecodedBody {
  const b = m.bodies[defIndex];
  if (!b) throw new Error(`no function body ${defIndex} (the module defines ${m.bodies.length})`);
  if (b.replacement) {
    const { locals, codeStart } = readLocals(b.replacement);
    return { locals, instrs: decodeExpr(b.replacement, codeStart, b.replacement.length) };
  }
  return { locals: b.locals, instrs: decodeExpr(m.bytes, b.codeStart, b.end) };
}

function writeBlockType(w: ByteWriter, t: BlockType): void {
  if (typeof t === 'number') w.s33(t);
  else writeValType(w, t);
}

function need<T>(v: T | undefined, ins: Instr, what: string): T {
  if (v === undefined) throw new Error(`${ins.op.name}: missing ${what}`);
  return v;
}

/** Encode one instruction (opcode and immediates, minimal LEB128s). */
export function encodeInstr(w: ByteWriter, ins: Instr): void {
  const op = ins.op;
  w.op(op);
  switch (op.imm) {
    case 'none':
      return;
    case 'atomic_fence':
      w.u8(0);
      return;
    case 'label': case 'func': case 'local': case 'global': case 'table': case 'mem':
    case 'data': case 'elem': case 'type': case 'tag':
      w.u32(need(ins.index, ins, 'index'));
      return;
    case 'call_indirect': case 'data_mem': case 'mem_mem': case 'elem_table': case 'table_table':
      w.u32(need(ins.index, ins, 'index'));
      w.u32(need(ins.index2, ins, 'index2'));
      return;
    case 'br_table': {
      const labels = need(ins.labels, ins, 'labels');
      w.u32(labels.length);
      for (const l of labels) w.u32(l);
      w.u32(need(ins.index, ins, 'default label (index)'));
      return;
    }
    case 'blocktype':
      writeBlockType(w, need(ins.blockType, ins, 'blockType'));
      return;
    case 'try_table': {
      writeBlockType(w, need(ins.blockType, ins, 'blockType'));
      const cs = need(ins.catches, ins, 'catches');
      w.u32(cs.length);
      for (const c of cs) {
        w.u8(c.kind);
        if (c.kind < 2) w.u32(c.tag);
        w.u32(c.label);
      }
      return;
    }
    case 'memarg':
    case 'memarg_lane': {
      const m = need(ins.memarg, ins, 'memarg');
      if (m.memory !== 0) {
        w.u32(m.align | 0x40);
        w.u32(m.memory);
      } else w.u32(m.align);
      w.u64(m.offset);
      if (op.imm === 'memarg_lane') w.u8(need(ins.lane, ins, 'lane'));
      return;
    }
    case 'lane':
      w.u8(need(ins.lane, ins, 'lane'));
      return;
    case 'i32':
      w.s32(Number(need(ins.value, ins, 'value')));
      return;
    case 'i64':
      w.s64(BigInt(need(ins.value, ins, 'value')));
      return;
    case 'f32': case 'f64': case 'v128': case 'shuffle': {
      const bytes = need(ins.bytes, ins, 'bytes');
      const len = op.imm === 'f32' ? 4 : op.imm === 'f64' ? 8 : 16;
      if (bytes.length !== len) throw new Error(`${op.name}: expected ${len} immediate bytes, got ${bytes.length}`);
      w.bytes(bytes);
      return;
    }
    case 'select_t': {
      const types = need(ins.types, ins, 'types');
      w.u32(types.length);
      for (const t of types) writeValType(w, t);
      return;
    }
    case 'heaptype':
      w.s33(need(ins.heapType, ins, 'heapType'));
      return;
  }
}

export function encodeExpr(w: ByteWriter, instrs: readonly Instr[]): void {
  for (const ins of instrs) encodeInstr(w, ins);
}

/** Encode a body's bytes (locals declaration + code, without the size prefix): replacement bytes. */
export function encodeBody(body: DecodedBody): Uint8Array {
  const w = new ByteWriter(64 + body.instrs.length * 3);
  writeLocals(w, body);
  encodeExpr(w, body.instrs);
  return w.finish();
}

/** Constructors for the immediates of new constants (raw little-endian bytes). */
export function f32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return b;
}

export function f64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}
