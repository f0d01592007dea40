// Streaming rewrite of one function body: scans the original instructions once (scanInstr, no
// per-instruction objects), copies original byte slices between injection points and writes the
// injected fuel, deadline and accounting code, recording offset-map points as it goes.
//
// Each function gets two i64 locals: `f`, a copy of the fuel global kept in a register, and `m`,
// the "mark" (fuel when this frame last became the innermost one). What a live run starts with
// (K = the run's cost, F = original function index, off = original offset):
//   entry:        fc_F += 1; f = m = fuel; if (f >= deadline) slow(F, off)
//   loop header:  if (f >= deadline) slow(F, off)
//   after a call or at an exception handler: f = m = fuel   (the callee flushed its own share)
//   then:         f += K, and `fuel = f` too when the run holds an observation point (an operator
//                 that may trap, a call, memory.grow, a frame exit): the global is exact whenever
//                 anyone (a trap handler, the host, a callee) can look at it, and runs that nobody
//                 can observe only touch the register.
// Before an instruction that leaves the frame (call, return, br to the function label, the final
// end, throw, tail calls):   fx_F += f - m   (then m = f when the frame may continue: br_if/br_table).
// `slow` is an injected function that syncs nothing (the check syncs `fuel = f` first), calls the
// host's deadline hook and traps (`unreachable`) when the hook says stop, so out-of-fuel is a real
// trap no wasm exception handler can catch. Frames suspended at a call have flushed, so when a
// trap unwinds, `fuel - sum(fx)` is exactly the innermost frame's unflushed share.
//
// Bytes are written straight into the output buffer (one capacity check per run): this loop runs
// for every instruction of multi-megabyte modules.

import type { ByteWriter } from '../wasm/byte-writer';
import { WasmDecodeError } from '../wasm/errors';
import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { op } from '../wasm/opcodes';
import type { FunctionBody } from '../wasm/module';
import { readU32, leb } from '../wasm/leb128';
import type { OffsetMapBuilder } from './offset-map';
import { RunSplitter, Step } from './run-splitter';
import { SITE_FIXED_BYTES, emitSite, type StackCapture } from './debug-sites';
import { CHAIN_SHIFT } from './recursion-chains';

/** V8's limit on the parameters and locals of one function (kV8MaxWasmFunctionLocals). */
const MAX_ENGINE_LOCALS = 50000;

/** One unit of fuel in a chain register (the call-count bits sit below it). */
const CHAIN_UNIT = 2 ** CHAIN_SHIFT;
const CHAIN_SHIFT_BYTE = CHAIN_SHIFT; // i64.const operand (< 64: one LEB byte)

// Opcode bytes of what we emit, taken from the one operator table.
const GLOBAL_GET = op('global.get').code;
const GLOBAL_SET = op('global.set').code;
const LOCAL_GET = op('local.get').code;
const LOCAL_SET = op('local.set').code;
const LOCAL_TEE = op('local.tee').code;
const I32_CONST = op('i32.const').code;
const I64_CONST = op('i64.const').code;
const I64_ADD = op('i64.add').code;
const I64_SUB = op('i64.sub').code;
const I64_GE_U = op('i64.ge_u').code;
const I64_AND = op('i64.and').code;
const I64_SHR_U = op('i64.shr_u').code;
const IF = op('if').code;
const END = op('end').code;
const CALL = op('call').code;
const EMPTY_BLOCK = 0x40;
const I64 = 0x7e;

const OP_CALL = op('call');
const OP_RETURN_CALL = op('return_call');
const OP_REF_FUNC = op('ref.func');

// Step flags as module constants (read once, not through the module namespace per instruction).
const S_CUT = Step.CutAfter;
const S_DEAD = Step.DeadAfter;
const S_LOOP = Step.LoopHeader;
const S_FLUSH = Step.Flush;
const S_FLUSH_RESET = Step.FlushReset;
const S_RESET = Step.ResetAfter;
const S_FUNC_END = Step.FuncEnd;
const S_LIVE = Step.Live;
const S_GROW = Step.MemoryGrow;
const S_ENDS_RUN = S_CUT | S_DEAD | S_FUNC_END;

/** Module-wide facts the rewriter needs; built once by instrument.ts. */
export interface RewriteContext {
  bytes: Uint8Array;
  /** Charge every operator on its own (the reference mode). */
  reference: boolean;
  /** Emit per-function exclusive fuel and call counts. */
  perFunction: boolean;
  fuelGlobal: number;
  deadlineGlobal: number;
  /** Output index of the injected function that calls the deadline hook and traps on "stop". */
  deadlineSlow: number;
  /** Original number of imported functions; defined functions shift by `funcShift`. */
  importedFuncs: number;
  funcShift: number;
  /** Output function index of the grow-and-report function for each memory index. */
  growFuncs: number[];
  /** Sizes of the original index spaces: an index at or past them must be refused, since the
   * entities the instrumenter appends would otherwise make an invalid module valid. */
  funcCount: number;
  globalCount: number;
  typeCount: number;
  out: ByteWriter;
  map: OffsetMapBuilder;
  /** Debug mode: breakpoint sites to inject (debug-sites.ts). */
  debug?: DebugRewrite;
  /** Recursion chains (recursion-chains.ts): the chain globals and the chain-enter function. */
  chain?: ChainGlobals;
  /** Set when a body uses exception handling (chains are then redone without: see recursion-chains.ts). */
  sawExceptions: boolean;
}

/** Output indices of what recursion chains use (recursion-chains.ts). */
export interface ChainGlobals {
  /** i64: fuel when the live chain started (or was last rebased by the host). */
  base: number;
  /** i64: `(fuel - base) << CHAIN_SHIFT | calls`, the chain's register copy when observable. */
  fuel: number;
  /** i64: the chain's check limit, `min(deadline - base, CHAIN_WINDOW) << CHAIN_SHIFT`. */
  limit: number;
  /** i32: original index of the function whose chain is live, -1 when none. */
  func: number;
  /** `(param i64 fuel) (param i32 func)`: starts a chain (sets the four globals). */
  enter: number;
}

/** How a body is rewritten: as usual, as a chain's outer function, or as its clone. */
export const enum ChainRole {
  None = 0,
  /** The original of a cloned function: its self-calls start a chain (call the clone). */
  Outer = 1,
  /** The clone: charges into the chain register, never flushes, counts its entries. */
  Clone = 2,
}

/** Debug mode's state across bodies (bodies are rewritten in offset order, so one cursor serves). */
export interface DebugRewrite {
  /** Requested site offsets, ascending. */
  sites: Uint32Array;
  /** Index of the next site not yet passed. */
  cursor: number;
  /** Output index of the site hook import. */
  siteHook: number;
  /** Global index of defined function 0's arming global. */
  dbgBase: number;
  /** Offsets where a site was placed, ascending. */
  placed: number[];
  /** The spill/reload sequences of defined function `def`. */
  code(def: number): { spill: Uint8Array; reload: Uint8Array };
  /** The operand stack capture at site `off` of defined function `def`, when typed. */
  stack(def: number, off: number): StackCapture | undefined;
  /** Bytes of the largest stack capture of defined function `def`. */
  maxStackBytes(def: number): number;
}

/** Per-body counts, summed into InstrumentStats. */
export interface RewriteCounts {
  runs: number;
  checks: number;
  flushes: number;
}

// Imported functions called per instruction, bound once: under a per-file CommonJS transform (tsx)
// every use of an imported name is a property getter call.
const scan = scanInstr;

const cur = newCursor();
const sub = newCursor();
const splitter = new RunSplitter();
let pendBuf: Int32Array = new Int32Array(64);

function growI32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function putU32(b: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p++] = v;
  return p;
}

/** Signed LEB128 of a non-negative value below 2^31. */
function putS32pos(b: Uint8Array, p: number, v: number): number {
  while (v >= 0x40) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p++] = v;
  return p;
}

/** Signed LEB128 of a negative i32. */
function putS32neg(b: Uint8Array, p: number, v: number): number {
  while (v < -0x40) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>= 7;
  }
  b[p++] = v & 0x7f;
  return p;
}

/** Signed LEB128 of a non-negative integer below 2^53. */
function putS64pos(b: Uint8Array, p: number, v: number): number {
  if (v < 0x80000000) return putS32pos(b, p, v); // the common case, in 32-bit arithmetic
  while (v >= 0x40) {
    b[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[p++] = v;
  return p;
}

function copy(dst: Uint8Array, p: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from;
  if (n < 48) {
    for (let i = 0; i < n; i++) dst[p + i] = src[from + i];
  } else dst.set(src.subarray(from, to), p);
  return p + n;
}

/**
 * Rewrite `body` (function `funcIndex` in the original index space, with `paramCount` parameters)
 * into `ctx.out` as locals declaration + code (no size prefix). Offset-map points are recorded in
 * the coordinates of `ctx.out`; the caller moves them to module offsets.
 */
export function rewriteBody(
  ctx: RewriteContext,
  body: FunctionBody,
  funcIndex: number,
  paramCount: number,
  fxGlobal: number,
  fcGlobal: number,
  counts: RewriteCounts,
  role: ChainRole = ChainRole.None,
  cloneIndex = -1,
): void {
  const bytes = ctx.bytes;
  const w = ctx.out;
  const map = ctx.map;
  const ch = ctx.chain;
  if (role !== ChainRole.None && (!ch || !ctx.perFunction)) throw new Error('internal: a recursion chain without chain globals');
  const clone = role === ChainRole.Clone;
  const outer = role === ChainRole.Outer;
  // A clone keeps the chain register where other code keeps the fuel, and has no mark.
  const fuel = clone ? ch!.fuel : ctx.fuelGlobal;
  const perFn = ctx.perFunction && !clone;
  reSelf = role === ChainRole.None ? -1 : funcIndex;
  reSelfTo = cloneIndex;

  // Locals: the original groups, then one group of two i64 (mark m, scratch t) at the end, so no
  // existing local index moves (DWARF and the name section keep pointing at the right locals).
  let nLocals = 0;
  for (const l of body.locals) nLocals += l.count;
  if (paramCount + nLocals + 2 > MAX_ENGINE_LOCALS) {
    throw new WasmDecodeError(body.start, `function ${funcIndex} has ${paramCount + nLocals} parameters and locals`, `the instrumentation adds 2 and V8 allows at most ${MAX_ENGINE_LOCALS} in a function`, 'unsupported');
  }
  const mLocal = paramCount + nLocals;
  const nLocalsAll = mLocal;
  const fLocal = mLocal + 1;
  readU32(bytes, body.start, body.codeStart);
  const groupsEnd = leb.end;
  w.ensure(body.codeStart - body.start + 16);
  let b = w.buf;
  let p = w.len;
  map.point(body.start, p);
  p = putU32(b, p, body.locals.length + 1);
  p = copy(b, p, bytes, groupsEnd, body.codeStart);
  b[p++] = 2;
  b[p++] = I64;
  w.len = p;

  const end = body.end;
  let pos = body.codeStart;
  let runStart = pos;
  // The prefix kind of the pending run: 0 plain, 1 entry, 2 loop header, 3 after call/handler.
  let prefix = 1;
  let checkOffset = pos;
  // Instructions inside the pending run that must be re-encoded (function indices, memory.grow).
  let pendN = 0;
  // The pending run contains an observation point (an operator that may trap, a call, a frame exit):
  // the fuel global must be current when it runs. Other runs only update the local copy.
  let obs = false;
  splitter.reset(ctx.reference);
  // Debug sites: the next requested offset in this body, and what one costs in bytes here.
  const dbg = ctx.debug;
  let nextSite = -1;
  let siteCode: { spill: Uint8Array; reload: Uint8Array } | undefined;
  let siteBytes = 0;
  let sitesPending = 0;
  if (dbg) {
    while (dbg.cursor < dbg.sites.length && dbg.sites[dbg.cursor] < body.codeStart) dbg.cursor++;
    if (dbg.cursor < dbg.sites.length && dbg.sites[dbg.cursor] < end) {
      nextSite = dbg.sites[dbg.cursor];
      siteCode = dbg.code(funcIndex - ctx.importedFuncs);
      siteBytes = siteCode.spill.length + siteCode.reload.length + SITE_FIXED_BYTES + dbg.maxStackBytes(funcIndex - ctx.importedFuncs);
    }
  }

  while (pos < end) {
    scan(bytes, pos, end, cur);
    const f = splitter.step(bytes, cur);
    const o = cur.op;
    const start = cur.start;
    pos = cur.end;
    const imm = o.imm;
    if (imm === 'try_table') {
      // An exception landing on a try_table label arrives with this frame's register copy of the
      // fuel stale; that landing needs code this instrumenter does not emit (and V8 11 cannot run
      // try_table anyway). Refuse rather than report wrong figures.
      throw new WasmDecodeError(cur.start, 'try_table is not supported by the instrumenter', 'exception handling with exnref, which V8 in Node 20 cannot run either: build with the legacy proposal (LLVM: -mllvm -wasm-use-legacy-eh=true)', 'unsupported');
    }
    if (imm !== 'none' && imm !== 'label' && imm !== 'memarg' && imm !== 'i32') checkIndex(ctx, imm, nLocalsAll);
    const ctl = o.control;
    if (ctl !== undefined && (ctl === 'try' || ctl === 'throw' || ctl === 'rethrow' || ctl === 'catch' || ctl === 'catch_all' || ctl === 'delegate' || ctl === 'throw_ref')) ctx.sawExceptions = true;
    const reenc = o === OP_CALL || o === OP_RETURN_CALL || o === OP_REF_FUNC || (f & S_GROW) !== 0;
    if (o.mayTrap === true || (f & (S_GROW | S_FLUSH)) !== 0) obs = true;
    if (nextSite >= 0 && nextSite <= start) {
      // A site goes before this instruction (when it can run); offsets inside an instruction are skipped.
      const d = dbg!;
      while (d.cursor < d.sites.length && d.sites[d.cursor] < start) d.cursor++;
      if (d.cursor < d.sites.length && d.sites[d.cursor] === start) {
        if ((f & S_LIVE) !== 0) {
          if (pendN === pendBuf.length) pendBuf = growI32(pendBuf);
          pendBuf[pendN++] = ~start;
          sitesPending++;
        }
        while (d.cursor < d.sites.length && d.sites[d.cursor] === start) d.cursor++;
      }
      nextSite = d.cursor < d.sites.length && d.sites[d.cursor] < end ? d.sites[d.cursor] : -1;
    }
    if ((f & S_ENDS_RUN) === 0) {
      if (reenc) {
        if (pendN === pendBuf.length) pendBuf = growI32(pendBuf);
        pendBuf[pendN++] = start;
      }
      continue;
    }
    // The run [runStart, pos) ends with the instruction at `start`.
    const live = (f & S_LIVE) !== 0;
    // A clone charges `cost << CHAIN_SHIFT` into the chain register, plus one call at its entry.
    const cost = clone ? splitter.runCost * CHAIN_UNIT + (prefix === 1 ? 1 : 0) : splitter.runCost;
    splitter.runCost = 0;
    w.ensure(pos - runStart + 224 + 8 * pendN + sitesPending * siteBytes);
    b = w.buf;
    p = w.len;
    map.point(runStart, p);
    if (live) {
      counts.runs++;
      // The run's fuel value is already on the operand stack (just loaded), not in the local.
      let loaded = prefix === 3;
      if (prefix === 1 && clone) {
        // A clone's entry: the register is the global (the caller just stored it), so the slow
        // path needs no sync, and the value is (re)loaded after the check, not in its branch: a
        // register written in a branch costs fib-like code 40% (measured).
        counts.checks++;
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, fuel);
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, ch!.limit);
        b[p++] = I64_GE_U;
        b[p++] = IF;
        b[p++] = EMPTY_BLOCK;
        b[p++] = I32_CONST;
        p = putS32pos(b, p, funcIndex);
        // ~offset: tells the host this is a clone's entry, whose call is not counted yet.
        b[p++] = I32_CONST;
        p = putS32neg(b, p, ~checkOffset);
        b[p++] = CALL;
        p = putU32(b, p, ctx.deadlineSlow);
        b[p++] = END;
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, fuel);
        loaded = true;
      } else if (prefix === 1) {
        counts.checks++;
        if (perFn) {
          b[p++] = GLOBAL_GET;
          p = putU32(b, p, fcGlobal);
          b[p++] = I64_CONST;
          b[p++] = 1;
          b[p++] = I64_ADD;
          b[p++] = GLOBAL_SET;
          p = putU32(b, p, fcGlobal);
        }
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, fuel);
        b[p++] = LOCAL_TEE;
        p = putU32(b, p, fLocal);
        if (perFn) {
          b[p++] = LOCAL_TEE;
          p = putU32(b, p, mLocal);
        }
        p = emitCheckTail(b, p, ctx, fLocal, funcIndex, checkOffset, false, false);
      } else if (prefix === 2) {
        counts.checks++;
        b[p++] = LOCAL_GET;
        p = putU32(b, p, fLocal);
        p = emitCheckTail(b, p, ctx, fLocal, funcIndex, checkOffset, clone, true);
      } else if (prefix === 3 && outer) {
        // The chain this frame started returned: its calls go to this function's count, its fuel
        // (all this function's own) stays in the register; the mark is not reset.
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, ch!.fuel);
        b[p++] = LOCAL_TEE;
        p = putU32(b, p, fLocal);
        b[p++] = I64_CONST;
        p = putS64pos(b, p, CHAIN_UNIT - 1);
        b[p++] = I64_AND;
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, fcGlobal);
        b[p++] = I64_ADD;
        b[p++] = GLOBAL_SET;
        p = putU32(b, p, fcGlobal);
        b[p++] = I32_CONST;
        b[p++] = 0x7f; // -1: no chain is live
        b[p++] = GLOBAL_SET;
        p = putU32(b, p, ch!.func);
        b[p++] = LOCAL_GET;
        p = putU32(b, p, fLocal);
        b[p++] = I64_CONST;
        b[p++] = CHAIN_SHIFT_BYTE;
        b[p++] = I64_SHR_U;
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, ch!.base);
        b[p++] = I64_ADD;
        if (cost === 0) {
          b[p++] = LOCAL_TEE;
          p = putU32(b, p, fLocal);
          b[p++] = GLOBAL_SET;
          p = putU32(b, p, fuel);
        }
      } else if (prefix === 3) {
        // A callee (or an exception handler's thrower) advanced the global: reload the local copy.
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, fuel);
        if (perFn) {
          b[p++] = LOCAL_TEE;
          p = putU32(b, p, mLocal);
        }
        if (cost === 0) {
          b[p++] = LOCAL_SET;
          p = putU32(b, p, fLocal);
        }
      }
      if (cost > 0) {
        if (!loaded) {
          b[p++] = LOCAL_GET;
          p = putU32(b, p, fLocal);
        }
        b[p++] = I64_CONST;
        p = putS64pos(b, p, cost);
        b[p++] = I64_ADD;
        if (obs) {
          b[p++] = LOCAL_TEE;
          p = putU32(b, p, fLocal);
          b[p++] = GLOBAL_SET;
          p = putU32(b, p, fuel);
        } else {
          b[p++] = LOCAL_SET;
          p = putU32(b, p, fLocal);
        }
      } else if (obs && (prefix === 0 || prefix === 2)) {
        // A free run (e.g. a lone `return`, or a loop's `end` then the function's) after runs that
        // only updated the local: sync. (Entry and after-call prefixes just loaded the global.)
        b[p++] = LOCAL_GET;
        p = putU32(b, p, fLocal);
        b[p++] = GLOBAL_SET;
        p = putU32(b, p, fuel);
      }
      map.point(runStart, p);
    }
    // Copy the run up to its last instruction, re-encoding what must change.
    let q = runStart;
    for (let i = 0; i < pendN; i++) {
      const r = pendBuf[i];
      if (r < 0) {
        // A debug site before the instruction at ~r (not charged: fuel is the same as without it).
        const at = ~r;
        p = copy(b, p, bytes, q, at);
        q = at;
        map.point(at, p);
        const def = funcIndex - ctx.importedFuncs;
        p = emitSite(b, p, dbg!.dbgBase + def, siteCode!, funcIndex, at, dbg!.siteHook, dbg!.stack(def, at));
        map.point(at, p);
        dbg!.placed.push(at);
        continue;
      }
      p = copy(b, p, bytes, q, r);
      q = reencode(ctx, b, p, r, end);
      p = reP;
    }
    pendN = 0;
    sitesPending = 0;
    p = copy(b, p, bytes, q, start);
    if (live && outer && reenc && (f & S_FLUSH) !== 0) {
      // A self-call: start a chain instead of flushing (its fuel is this function's too).
      map.point(start, p);
      b[p++] = LOCAL_GET;
      p = putU32(b, p, fLocal);
      b[p++] = I32_CONST;
      p = putS32pos(b, p, funcIndex);
      b[p++] = CALL;
      p = putU32(b, p, ch!.enter);
      map.point(start, p);
    } else if (live && perFn && (f & S_FLUSH) !== 0) {
      map.point(start, p);
      counts.flushes++;
      if (prefix === 1 || (prefix === 3 && !outer)) {
        // The mark was set at this run's start (entry, or after a call): f - m is the run's cost.
        if (cost > 0) {
          b[p++] = GLOBAL_GET;
          p = putU32(b, p, fxGlobal);
          b[p++] = I64_CONST;
          p = putS64pos(b, p, cost);
          b[p++] = I64_ADD;
          b[p++] = GLOBAL_SET;
          p = putU32(b, p, fxGlobal);
        }
      } else {
        // fx += fuel - m
        b[p++] = GLOBAL_GET;
        p = putU32(b, p, fxGlobal);
        b[p++] = LOCAL_GET;
        p = putU32(b, p, fLocal);
        b[p++] = LOCAL_GET;
        p = putU32(b, p, mLocal);
        b[p++] = I64_SUB;
        b[p++] = I64_ADD;
        b[p++] = GLOBAL_SET;
        p = putU32(b, p, fxGlobal);
      }
      if ((f & S_FLUSH_RESET) !== 0) {
        b[p++] = LOCAL_GET;
        p = putU32(b, p, fLocal);
        b[p++] = LOCAL_SET;
        p = putU32(b, p, mLocal);
      }
      map.point(start, p);
    }
    if (reenc) {
      reencode(ctx, b, p, start, end);
      p = reP;
    } else p = copy(b, p, bytes, start, pos);
    w.len = p;
    runStart = pos;
    obs = false;
    if ((f & S_LOOP) !== 0) {
      prefix = 2;
      checkOffset = start;
    } else if ((f & S_RESET) !== 0) prefix = 3;
    else prefix = 0;
  }
  map.point(end, w.len);
  if (runStart !== end) throw new Error(`internal: body of function ${funcIndex} did not end on a run boundary`);
}

/**
 * `i64` on the stack: `global.get deadline; i64.ge_u; if; i32.const F; i32.const off; call slow; end`.
 * In a clone the register is the chain's: compared with the chain limit, and reloaded after the
 * hook (the host rebases the chain there). `sync` stores the register first (not at an entry,
 * where it was just loaded from the global).
 */
function emitCheckTail(b: Uint8Array, p: number, ctx: RewriteContext, fLocal: number, funcIndex: number, checkOffset: number, clone: boolean, sync: boolean): number {
  b[p++] = GLOBAL_GET;
  p = putU32(b, p, clone ? ctx.chain!.limit : ctx.deadlineGlobal);
  b[p++] = I64_GE_U;
  b[p++] = IF;
  b[p++] = EMPTY_BLOCK;
  // The hook reads the global: make it current (runs without observation points only update f).
  // At a function's entry it is: f was just loaded from it.
  const g = clone ? ctx.chain!.fuel : ctx.fuelGlobal;
  if (sync) {
    b[p++] = LOCAL_GET;
    p = putU32(b, p, fLocal);
    b[p++] = GLOBAL_SET;
    p = putU32(b, p, g);
  }
  b[p++] = I32_CONST;
  p = putS32pos(b, p, funcIndex);
  b[p++] = I32_CONST;
  p = putS32pos(b, p, checkOffset);
  b[p++] = CALL;
  p = putU32(b, p, ctx.deadlineSlow);
  if (clone) {
    b[p++] = GLOBAL_GET;
    p = putU32(b, p, g);
    b[p++] = LOCAL_SET;
    p = putU32(b, p, fLocal);
  }
  b[p++] = END;
  return p;
}

/** Refuse an index into a space the instrumenter extends (locals, functions, globals, types). */
function checkIndex(ctx: RewriteContext, imm: string, nLocals: number): void {
  const c = cur;
  let limit = -1;
  let what = '';
  let v = c.idx;
  switch (imm) {
    case 'local':
      limit = nLocals;
      what = 'local';
      break;
    case 'func':
      limit = ctx.funcCount;
      what = 'function';
      break;
    case 'global':
      limit = ctx.globalCount;
      what = 'global';
      break;
    case 'call_indirect':
    case 'type':
      limit = ctx.typeCount;
      what = 'type';
      break;
    case 'blocktype':
    case 'try_table':
    case 'heaptype':
      if (v === -28 || v === -29) v = c.idx2;
      if (v < 0) return;
      limit = ctx.typeCount;
      what = 'type';
      break;
    default:
      return;
  }
  if (v >= limit) throw new WasmDecodeError(c.start, `unknown ${what} ${v}`, `only ${limit} ${what}s are defined`);
}

/** Output position after the last `reencode` (a slot instead of a tuple return). */
let reP = 0;
/** In a chain's outer function or clone: calls to `reSelf` (original index) go to `reSelfTo`. */
let reSelf = -1;
let reSelfTo = -1;

/**
 * Re-encode the instruction at `at` (call/return_call/ref.func index, memory.grow) into `b` at
 * `p`; returns the original instruction's end and leaves the output position in `reP`.
 */
function reencode(ctx: RewriteContext, b: Uint8Array, p: number, at: number, limit: number): number {
  scan(ctx.bytes, at, limit, sub);
  const o = sub.op;
  ctx.map.point(at, p);
  if (o === OP_CALL || o === OP_RETURN_CALL || o === OP_REF_FUNC) {
    const idx = sub.idx;
    b[p++] = o.code;
    p = putU32(b, p, idx === reSelf && o === OP_CALL ? reSelfTo : idx < ctx.importedFuncs ? idx : idx + ctx.funcShift);
  } else {
    // memory.grow m -> call $grow_m (same stack effect: delta -> old size or -1).
    const fn = ctx.growFuncs[sub.idx];
    if (fn === undefined) throw new Error(`memory.grow on memory ${sub.idx}, which the module does not have`);
    b[p++] = CALL;
    p = putU32(b, p, fn);
  }
  ctx.map.point(sub.end, p);
  reP = p;
  return sub.end;
}
