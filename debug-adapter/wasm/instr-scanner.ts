// Allocation-free instruction scanner for hot paths (instrumentation, offset maps, fuel
// accounting): fills a caller-owned cursor with the operator, its byte range and its small
// immediates, without creating any object per instruction. Full decoding into instruction
// objects lives in instructions.ts; both are driven by the operator table in opcodes.ts.

import { WasmDecodeError, hex } from './errors';
import * as opcodes from './opcodes';
import type { ImmKind, OpInfo } from './opcodes';
import * as leb128 from './leb128';

// Imported bindings copied into module constants: when this file runs as CommonJS (tsx, some
// bundles) every imported name is a getter call, which costs more than the scan itself.
const { IMM_KINDS, OPS_FC, OPS_FD, OPS_FE, OPS_MAIN, UNSUPPORTED_PREFIXES } = opcodes;
const { leb, readS32, readS33, readU32, readU64Num, s64Width } = leb128;

/**
 * The instruction at `start`, as filled in by scanInstr. Meaning of `idx` / `idx2` by immediate kind:
 * - blocktype (block/loop/if/try): idx = s33 block type (-64 empty, -1 i32, -2 i64, -3 f32, -4 f64,
 *   -5 v128, -16 funcref, -17 externref, >= 0 type index; -28/-29 = (ref ht)/(ref null ht) with the
 *   heap type in idx2). try_table: same, plus idx2 = number of catch clauses (unless -28/-29).
 * - label: idx = depth. br_table: idx = number of targets (without the default), idx2 = default depth.
 * - func: function index. call_indirect: idx = type index, idx2 = table index. type: type index.
 * - local / global / table / tag / data / elem / mem: that index in idx.
 * - memarg: idx = alignment exponent (flag bit 6 removed), idx2 = memory index, `offset` = offset.
 * - memarg_lane: as memarg, `lane` = lane byte. lane: `lane` = lane byte.
 * - i32: idx = the constant (signed). i64/f32/f64/v128/shuffle: not decoded (bytes at immStart..end).
 * - heaptype: idx = s33 heap type (-16 func, -17 extern, ... or >= 0 type index).
 * - select_t: idx = number of types, idx2 = first type's leading byte.
 * - data_mem: idx = data index, idx2 = memory. mem_mem / table_table: idx = destination, idx2 = source.
 * - elem_table: idx = element index, idx2 = table index.
 * Fields not listed for a kind are left as they were (stale); don't read them.
 */
export interface InstrCursor {
  op: OpInfo;
  /** Offset of the first opcode byte (the prefix byte for prefixed operators). */
  start: number;
  /** Offset of the first immediate byte. */
  immStart: number;
  /** Offset just after the last immediate byte: where the next instruction starts. */
  end: number;
  idx: number;
  idx2: number;
  /** memarg offset (exact up to 2^53). */
  offset: number;
  /** Lane index for lane / memarg_lane operators. */
  lane: number;
}

/** A cursor to reuse across calls (its `op` is a placeholder until the first scan). */
export function newCursor(): InstrCursor {
  return { op: OPS_MAIN[0x01] as OpInfo, start: 0, immStart: 0, end: 0, idx: 0, idx2: 0, offset: 0, lane: 0 };
}

const enum K {
  none, blocktype, label, br_table, func, call_indirect, local, global, table, memarg, mem, i32, i64,
  f32, f64, v128, lane, memarg_lane, shuffle, select_t, heaptype, data, elem, data_mem, mem_mem,
  elem_table, table_table, type, tag, try_table, atomic_fence,
}

function kindCodes(ops: readonly (OpInfo | undefined)[]): Uint8Array {
  const out = new Uint8Array(ops.length);
  ops.forEach((o, i) => {
    if (o) out[i] = IMM_KINDS.indexOf(o.imm as ImmKind);
  });
  return out;
}
const KIND_MAIN = kindCodes(OPS_MAIN);
const KIND_FC = kindCodes(OPS_FC);
const KIND_FD = kindCodes(OPS_FD);
const KIND_FE = kindCodes(OPS_FE);

function need(bytes: Uint8Array, p: number, n: number, limit: number, start: number, what: string): void {
  if (p + n > limit || p + n > bytes.length) {
    throw new WasmDecodeError(start, 'unexpected end', `${what} immediate runs past the end of the code`);
  }
}

/**
 * Decode the instruction at `pos` (which must be < `limit`, the end of the body) into `out`.
 * Throws WasmDecodeError (with the offending offset) for unknown opcodes and truncated or
 * malformed immediates.
 */
export function scanInstr(bytes: Uint8Array, pos: number, limit: number, out: InstrCursor): void {
  if (limit > bytes.length) limit = bytes.length; // a limit past the buffer must not read undefined
  if (pos >= limit) throw new WasmDecodeError(pos, 'unexpected end', 'expected an instruction (missing end?)');
  const b0 = bytes[pos];
  let op: OpInfo | undefined;
  let kind: number;
  let p: number;
  if (b0 < 0xfb || b0 === 0xff) {
    op = OPS_MAIN[b0];
    if (op === undefined) unknownOpcode(b0, -1, pos);
    kind = KIND_MAIN[b0];
    p = pos + 1;
  } else {
    const code = readU32(bytes, pos + 1, limit);
    p = leb.end;
    if (b0 === 0xfc) {
      op = code < OPS_FC.length ? OPS_FC[code] : undefined;
      kind = KIND_FC[code];
    } else if (b0 === 0xfd) {
      op = code < OPS_FD.length ? OPS_FD[code] : undefined;
      kind = KIND_FD[code];
    } else if (b0 === 0xfe) {
      op = code < OPS_FE.length ? OPS_FE[code] : undefined;
      kind = KIND_FE[code];
    } else {
      kind = 0;
    }
    if (op === undefined) unknownOpcode(b0, code, pos);
  }
  out.op = op;
  out.start = pos;
  out.immStart = p;
  // Single-byte LEB128s are by far the most common immediates: they are decoded inline, and
  // everything longer goes through the checked readers.
  let x: number;
  switch (kind) {
    case K.none:
      break;
    case K.label:
    case K.func:
    case K.local:
    case K.global:
    case K.table:
    case K.mem:
    case K.data:
    case K.elem:
    case K.type:
    case K.tag:
      if (p < limit && (x = bytes[p]) < 0x80) {
        out.idx = x;
        p++;
      } else {
        out.idx = readU32(bytes, p, limit);
        p = leb.end;
      }
      break;
    case K.i32:
      if (p < limit && (x = bytes[p]) < 0x80) {
        out.idx = (x << 25) >> 25;
        p++;
      } else {
        out.idx = readS32(bytes, p, limit);
        p = leb.end;
      }
      break;
    case K.memarg:
      if (p + 1 < limit && (x = bytes[p]) < 0x40 && bytes[p + 1] < 0x80) {
        out.idx = x;
        out.idx2 = 0;
        out.offset = bytes[p + 1];
        p += 2;
      } else {
        p = memarg(bytes, p, limit, out);
      }
      break;
    case K.blocktype:
      if (p < limit && (x = bytes[p]) < 0x80 && x !== 0x63 && x !== 0x64) {
        out.idx = (x << 25) >> 25;
        p++;
      } else {
        p = blockType(bytes, p, limit, out);
      }
      break;
    case K.i64:
      p += s64Width(bytes, p, limit);
      break;
    case K.f32:
      need(bytes, p, 4, limit, pos, 'f32');
      p += 4;
      break;
    case K.f64:
      need(bytes, p, 8, limit, pos, 'f64');
      p += 8;
      break;
    case K.br_table: {
      const n = readU32(bytes, p, limit);
      p = leb.end;
      if (n > limit - p) {
        throw new WasmDecodeError(p, 'br_table too long', `${n} targets but only ${limit - p} bytes left`);
      }
      for (let i = 0; i < n; i++) {
        if (bytes[p] < 0x80 && p < limit) p++;
        else {
          readU32(bytes, p, limit);
          p = leb.end;
        }
      }
      out.idx = n;
      out.idx2 = readU32(bytes, p, limit);
      p = leb.end;
      break;
    }
    case K.call_indirect:
    case K.data_mem:
    case K.mem_mem:
    case K.elem_table:
    case K.table_table:
      out.idx = readU32(bytes, p, limit);
      out.idx2 = readU32(bytes, leb.end, limit);
      p = leb.end;
      break;
    case K.v128:
    case K.shuffle:
      need(bytes, p, 16, limit, pos, op.imm);
      p += 16;
      break;
    case K.lane:
      need(bytes, p, 1, limit, pos, 'lane');
      out.lane = bytes[p++];
      break;
    case K.memarg_lane:
      p = memarg(bytes, p, limit, out);
      need(bytes, p, 1, limit, pos, 'lane');
      out.lane = bytes[p++];
      break;
    case K.select_t: {
      const n = readU32(bytes, p, limit);
      p = leb.end;
      if (n > limit - p) {
        throw new WasmDecodeError(p, 'select type list too long', `${n} types but only ${limit - p} bytes left`);
      }
      out.idx = n;
      out.idx2 = n > 0 ? bytes[p] : 0;
      for (let i = 0; i < n; i++) p = valType(bytes, p, limit);
      break;
    }
    case K.heaptype:
      out.idx = readS33(bytes, p, limit);
      p = leb.end;
      break;
    case K.try_table: {
      p = blockType(bytes, p, limit, out);
      const n = readU32(bytes, p, limit);
      p = leb.end;
      if (n > limit - p) {
        throw new WasmDecodeError(p, 'try_table catch list too long', `${n} clauses but only ${limit - p} bytes left`);
      }
      if (out.idx !== -28 && out.idx !== -29) out.idx2 = n;
      for (let i = 0; i < n; i++) {
        if (p >= limit) throw new WasmDecodeError(p, 'unexpected end', 'try_table catch clause is truncated');
        const k = bytes[p++];
        if (k > 3) throw new WasmDecodeError(p - 1, 'bad try_table catch kind', `${hex(k)} (expected 0-3)`);
        if (k < 2) {
          readU32(bytes, p, limit);
          p = leb.end;
        }
        readU32(bytes, p, limit);
        p = leb.end;
      }
      break;
    }
    case K.atomic_fence:
      need(bytes, p, 1, limit, pos, 'atomic.fence');
      if (bytes[p] !== 0) throw new WasmDecodeError(p, 'bad atomic.fence', `reserved byte is ${hex(bytes[p])}, expected 0x00`);
      p++;
      break;
    default:
      throw new WasmDecodeError(pos, 'internal error', `immediate kind ${kind} not handled`);
  }
  out.end = p;
}

function blockType(bytes: Uint8Array, p: number, limit: number, out: InstrCursor): number {
  if (p >= limit) throw new WasmDecodeError(p, 'unexpected end', 'block type is truncated');
  const b = bytes[p];
  if (b === 0x63 || b === 0x64) {
    out.idx = b === 0x63 ? -29 : -28;
    out.idx2 = readS33(bytes, p + 1, limit);
    return leb.end;
  }
  out.idx = readS33(bytes, p, limit);
  return leb.end;
}

function memarg(bytes: Uint8Array, p: number, limit: number, out: InstrCursor): number {
  let align = readU32(bytes, p, limit);
  p = leb.end;
  if (align & 0x40) {
    align &= ~0x40;
    out.idx2 = readU32(bytes, p, limit);
    p = leb.end;
  } else {
    out.idx2 = 0;
  }
  out.idx = align;
  out.offset = readU64Num(bytes, p, limit);
  return leb.end;
}

/** Skip one value type (number/vector/reference, including `(ref null? ht)`); returns the next offset. */
export function valType(bytes: Uint8Array, p: number, limit: number): number {
  if (p >= limit) throw new WasmDecodeError(p, 'unexpected end', 'value type is truncated');
  const b = bytes[p];
  if (b === 0x63 || b === 0x64) {
    readS33(bytes, p + 1, limit);
    return leb.end;
  }
  if ((b >= 0x7b && b <= 0x7f) || (b >= 0x69 && b <= 0x74)) return p + 1;
  throw new WasmDecodeError(p, 'bad value type', `byte ${hex(b)} is not a value type`);
}

function unknownOpcode(prefix: number, code: number, pos: number): never {
  if (code < 0) throw new WasmDecodeError(pos, `unknown opcode ${hex(prefix)}`);
  const feature = UNSUPPORTED_PREFIXES.get(prefix);
  if (feature) {
    throw new WasmDecodeError(pos, `unsupported ${feature}`, `sub-opcode ${code}`, 'unsupported');
  }
  throw new WasmDecodeError(pos, `unknown opcode ${hex(prefix)} ${hex(code)}`);
}

/**
 * Walk every instruction of a code expression `[pos, limit)` (a function body after its locals)
 * and return the offset after its final `end`. Checks block nesting so a body whose last `end`
 * is missing or that has trailing bytes is rejected. Calls `visit` for each instruction when given.
 */
export function scanExpr(
  bytes: Uint8Array,
  pos: number,
  limit: number,
  cursor: InstrCursor = newCursor(),
  visit?: (c: InstrCursor) => void,
): number {
  let depth = 1;
  while (depth > 0) {
    scanInstr(bytes, pos, limit, cursor);
    if (visit) visit(cursor);
    const c = cursor.op.control;
    if (c !== undefined) {
      if (c === 'block' || c === 'loop' || c === 'if' || c === 'try' || c === 'try_table') depth++;
      else if (c === 'end' || c === 'delegate') depth--;
    }
    pos = cursor.end;
  }
  return pos;
}
