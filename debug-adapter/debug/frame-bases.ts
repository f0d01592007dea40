// Frame bases of the frames below the top one, so the debugger can show a caller's C variables.
// Only the top frame spills its locals at a site; a caller's locals are gone from reach. But at
// -O0 clang keeps every C variable in linear memory at an offset from the frame base, and the
// frame base is where the function's prologue moved the shadow-stack pointer:
//
//   global.get $__stack_pointer ; i32.const N ; i32.sub ; local.set $fb ; [local.get $fb ; global.set $__stack_pointer]
//
// So from the stack pointer now and each frame's prologue (its frame size N and whether it stored
// the moved pointer back), the stack pointer at every frame's entry, and with it every frame base,
// follows by walking the frames outwards. A function whose code moves the stack pointer in any
// other way (an alloca, a shrink-wrapped -O2 prologue) ends the walk: its callers get no values
// rather than wrong ones.

import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { op } from '../wasm/opcodes';
import type { FunctionBody } from '../wasm/module';

/** What a function does to the shadow-stack pointer. */
export interface StackUse {
  /** Bytes its prologue takes below the pointer it was entered with (0 when it takes none). */
  frameSize: number;
  /** The local its prologue leaves `pointer - frameSize` in (the DWARF frame base), or -1. */
  baseLocal: number;
  /** Offsets of its stores to the pointer: the prologue's, then the epilogue's restore (at most these two). */
  storeAt: number;
  restoreAt: number;
}

const GLOBAL_GET = op('global.get');
const GLOBAL_SET = op('global.set');
const LOCAL_GET = op('local.get');
const LOCAL_SET = op('local.set');
const LOCAL_TEE = op('local.tee');
const I32_CONST = op('i32.const');
const I32_SUB = op('i32.sub');
const I32_ADD = op('i32.add');

/** A value the prologue computes: the entry pointer plus `sp`, or a constant, or unknown. */
type Sym = { sp: number } | { c: number } | undefined;

/**
 * How the function in `body` (of module `bytes`, with `params` parameters) uses the stack pointer
 * global `sp`; undefined when it moves it in a way this reading does not follow.
 */
export function stackUse(bytes: Uint8Array, body: FunctionBody, params: number, sp: number): StackUse | undefined {
  const c = newCursor();
  // Every store to the pointer in the whole body.
  const stores: number[] = [];
  for (let p = body.codeStart; p < body.end; p = c.end) {
    scanInstr(bytes, p, body.end, c);
    if (c.op === GLOBAL_SET && c.idx === sp) stores.push(c.start);
  }
  if (stores.length > 2) return undefined;
  // The prologue: straight-line code before anything this reading does not model.
  const locals = new Map<number, Sym>();
  const stack: Sym[] = [];
  let baseLocal = -1;
  let frameSize = 0;
  let prologueStore = -1;
  for (let p = body.codeStart; p < body.end; p = c.end) {
    scanInstr(bytes, p, body.end, c);
    const o = c.op;
    if (o === GLOBAL_GET) stack.push(c.idx === sp ? { sp: 0 } : undefined);
    else if (o === I32_CONST) stack.push({ c: c.idx });
    else if (o === LOCAL_GET) stack.push(locals.has(c.idx) ? locals.get(c.idx) : c.idx >= params ? { c: 0 } : undefined);
    else if (o === LOCAL_SET || o === LOCAL_TEE) {
      const v = stack[stack.length - 1];
      if (o === LOCAL_SET) stack.pop();
      locals.set(c.idx, v);
      if (v && 'sp' in v && v.sp < 0 && baseLocal < 0) {
        baseLocal = c.idx;
        frameSize = -v.sp;
      }
    } else if (o === I32_SUB || o === I32_ADD) {
      const b = stack.pop();
      const a = stack.pop();
      const sign = o === I32_SUB ? -1 : 1;
      stack.push(a && 'sp' in a && b && 'c' in b ? { sp: a.sp + sign * b.c } : a && 'c' in a && b && 'c' in b ? { c: (a.c + sign * b.c) | 0 } : undefined);
    } else if (o === GLOBAL_SET) {
      const v = stack.pop();
      if (c.idx === sp) {
        // The prologue's store must be the frame base it computed.
        if (!v || !('sp' in v) || v.sp !== -frameSize || c.start !== stores[0]) return undefined;
        prologueStore = c.start;
        break;
      }
    } else break;
  }
  if (stores.length > 0 && prologueStore < 0) return undefined;
  return { frameSize, baseLocal, storeAt: stores[0] ?? -1, restoreAt: stores[1] ?? Infinity };
}

/**
 * The stack pointer at the entry of each frame (innermost first), from the pointer now; a frame
 * that cannot be followed, and every frame outside it, gets undefined.
 */
export function entryPointers(frames: readonly { funcIndex: number; offset: number }[], spNow: number, use: (funcIndex: number) => StackUse | undefined): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let sp: number | undefined = spNow;
  for (const fr of frames) {
    const u: StackUse | undefined = sp === undefined ? undefined : use(fr.funcIndex);
    if (sp === undefined || !u) {
      sp = undefined;
      out.push(undefined);
      continue;
    }
    // Between its prologue's store and its epilogue's restore, the frame holds the pointer
    // `frameSize` below where it found it.
    if (u.storeAt >= 0 && fr.offset > u.storeAt && fr.offset <= u.restoreAt) sp = (sp + u.frameSize) >>> 0;
    out.push(sp);
  }
  return out;
}
