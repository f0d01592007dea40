// Debug mode of the instrumenter: breakpoint sites. At each requested site (an original
// instruction offset) the rewriter injects, before the instruction,
//   global.get $dbg_F  if  <spill locals>  i32.const F  i32.const off  call $site  if <reload> end  end
// `$dbg_F` is an exported i32 global per function that the host sets to 1 to arm the function;
// unarmed, a site costs one global load and a branch. Armed, the frame's locals are copied into
// exported scratch globals (one set per value type, sized by the largest function; a v128 local
// takes two i64 slots; reference-typed locals are not captured) so the host can read them, and
// copied back when the hook returns nonzero (the host changed one). Injected code is not
// charged: fuel figures are the same with and without debug mode.
//
// Which locals a function spills and reloads can be narrowed (InstrumentOptions.debug.locals):
// a reload redefines every local it writes, and at clang -O0 a function has ~200 locals and a
// site per statement, so spilling and reloading all of them makes TurboFan's code for the
// *unarmed* path ~100x slower (measured on lzpack -O0 -g: phis of every local at every site).
// The debugger therefore spills, for functions DWARF describes, only the locals DWARF reads (the
// frame base; C variables live in linear memory at -O0) and reloads none of them.

import { I32, I64, F32, F64, V128, type LocalDecl, type ValType } from '../wasm/module';
import { op } from '../wasm/opcodes';
import type { ScratchType } from './types';

const GLOBAL_GET = op('global.get').code;
const GLOBAL_SET = op('global.set').code;
const LOCAL_GET = op('local.get').code;
const LOCAL_SET = op('local.set').code;
const I32_CONST = op('i32.const').code;
const IF = op('if').code;
const END = op('end').code;
const CALL = op('call').code;
const SIMD = 0xfd;
const V128_CONST = op('v128.const');
const EXTRACT = op('i64x2.extract_lane');
const REPLACE = op('i64x2.replace_lane');

export const SCRATCH_TYPES: readonly ScratchType[] = ['i32', 'i64', 'f32', 'f64'];
export const SCRATCH_OF: Record<number, ScratchType> = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64' };

/** Where each local of a function goes: its type byte (0 = not captured) and scratch slot. */
export interface LocalPlan {
  types: Uint8Array;
  slots: Int32Array;
  /** Scratch slots used per type. */
  counts: Record<ScratchType, number>;
  /** 1 for the spilled locals that are copied back after the hook. */
  reload: Uint8Array;
}

/**
 * Slots for the locals to spill: all of them, or only `only` (indices); `reload` says which
 * spilled locals are copied back (default: all spilled ones).
 */
export function planLocals(params: readonly ValType[], locals: readonly LocalDecl[], only?: readonly number[], reload?: readonly number[]): LocalPlan {
  const all: number[] = [];
  for (const p of params) all.push(typeof p === 'number' ? p : 0);
  for (const l of locals) for (let i = 0; i < l.count; i++) all.push(typeof l.type === 'number' ? l.type : 0);
  const types = new Uint8Array(all.length);
  const slots = new Int32Array(all.length).fill(-1);
  const counts: Record<ScratchType, number> = { i32: 0, i64: 0, f32: 0, f64: 0 };
  const wanted = only ? new Set(only) : undefined;
  const back = new Uint8Array(all.length);
  all.forEach((t, i) => {
    if (wanted && !wanted.has(i)) {
      types[i] = t;
      return;
    }
    back[i] = !reload || reload.includes(i) ? 1 : 0;
    const st = SCRATCH_OF[t];
    if (st) {
      types[i] = t;
      slots[i] = counts[st]++;
    } else if (t === V128) {
      types[i] = t;
      slots[i] = counts.i64;
      counts.i64 += 2;
    }
  });
  return { types, slots, counts, reload: back };
}

function u32(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function s32(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function simd(out: number[], o: { code: number }, lane?: number): void {
  out.push(SIMD);
  u32(out, o.code);
  if (lane !== undefined) out.push(lane);
}

/** Global index of scratch slot `slot` of type `t`. */
export type ScratchIndex = (t: ScratchType, slot: number) => number;

/** The spill and reload sequences of one function (the same at every site of it). */
export function spillReload(plan: LocalPlan, scratch: ScratchIndex): { spill: Uint8Array; reload: Uint8Array } {
  const spill: number[] = [];
  const reload: number[] = [];
  for (let i = 0; i < plan.types.length; i++) {
    const t = plan.types[i];
    const slot = plan.slots[i];
    if (slot < 0) continue;
    const back = plan.reload[i] === 1;
    if (t === V128) {
      for (const lane of [0, 1]) {
        spill.push(LOCAL_GET);
        u32(spill, i);
        simd(spill, EXTRACT, lane);
        spill.push(GLOBAL_SET);
        u32(spill, scratch('i64', slot + lane));
      }
      if (!back) continue;
      simd(reload, V128_CONST);
      for (let k = 0; k < 16; k++) reload.push(0);
      for (const lane of [0, 1]) {
        reload.push(GLOBAL_GET);
        u32(reload, scratch('i64', slot + lane));
        simd(reload, REPLACE, lane);
      }
      reload.push(LOCAL_SET);
      u32(reload, i);
      continue;
    }
    const st = SCRATCH_OF[t];
    spill.push(LOCAL_GET);
    u32(spill, i);
    spill.push(GLOBAL_SET);
    u32(spill, scratch(st, slot));
    if (!back) continue;
    reload.push(GLOBAL_GET);
    u32(reload, scratch(st, slot));
    reload.push(LOCAL_SET);
    u32(reload, i);
  }
  return { spill: Uint8Array.from(spill), reload: Uint8Array.from(reload) };
}

/** Bytes of a site besides the spill and reload sequences (upper bound). */
export const SITE_FIXED_BYTES = 40;

/** A site's operand stack capture: the block type `[ts] -> [ts]` and each value's scratch global (bottom first). */
export interface StackCapture {
  blockType: number;
  globals: number[];
}

/** Bytes a stack capture adds to a site (upper bound). */
export function stackCaptureBytes(c: StackCapture | undefined): number {
  return c ? 5 + 10 * c.globals.length : 0;
}

/**
 * Write the site check for original offset `off` of function `funcIndex` at `b[p]`; returns the new
 * position. With `stack`, the `if` takes the operand stack as block parameters, pops it into
 * scratch globals before the hook and pushes it back (possibly changed) after.
 */
export function emitSite(
  b: Uint8Array,
  p: number,
  dbgGlobal: number,
  code: { spill: Uint8Array; reload: Uint8Array },
  funcIndex: number,
  off: number,
  siteHook: number,
  stack?: StackCapture,
): number {
  const tmp: number[] = [GLOBAL_GET];
  u32(tmp, dbgGlobal);
  tmp.push(IF);
  if (stack) {
    s32(tmp, stack.blockType);
    for (let k = stack.globals.length - 1; k >= 0; k--) {
      tmp.push(GLOBAL_SET);
      u32(tmp, stack.globals[k]);
    }
  } else tmp.push(0x40);
  for (const x of tmp) b[p++] = x;
  b.set(code.spill, p);
  p += code.spill.length;
  const mid: number[] = [I32_CONST];
  s32(mid, funcIndex);
  mid.push(I32_CONST);
  s32(mid, off);
  mid.push(CALL);
  u32(mid, siteHook);
  mid.push(IF, 0x40);
  for (const x of mid) b[p++] = x;
  b.set(code.reload, p);
  p += code.reload.length;
  b[p++] = END;
  if (stack) {
    const back: number[] = [];
    for (const g of stack.globals) {
      back.push(GLOBAL_GET);
      u32(back, g);
    }
    for (const x of back) b[p++] = x;
  }
  b[p++] = END;
  return p;
}
