// Splits a function body into straight-line runs: the one place that decides where fuel is
// charged, where the deadline is checked and where per-function accounting must flush. The
// rewriter (body-rewriter.ts) and the trap refund analysis (refund.ts) both drive it, so a refund
// always agrees with the code that was emitted.
//
// A run is a maximal sequence of instructions where, barring a trap, executing the first one means
// executing all of them. A new run starts after every instruction that can transfer control or
// be a branch target's predecessor: loop headers, if/else arms, ends of blocks that are branched
// to, after conditional branches, after calls (so a host sees exact fuel at the call) and after
// memory.grow (which becomes a call). Code after an unconditional transfer is dead until its block
// closes: nothing is injected there (it never runs), but it is still copied (validation needs it).

import type { InstrCursor } from '../wasm/instr-scanner';
import { leb, readU32 } from '../wasm/leb128';

/** Flags returned by RunSplitter.step for one instruction. */
export const enum Step {
  /** A new run starts after this instruction. */
  CutAfter = 1,
  /** The code after this instruction is unreachable until its block closes. */
  DeadAfter = 2,
  /** Check the deadline right after this instruction (a loop header). */
  LoopHeader = 4,
  /** Flush this frame's exclusive fuel just before this instruction (it may leave the frame). */
  Flush = 8,
  /** Also reset the mark after that flush (the frame may continue: br_if/br_table to the function label). */
  FlushReset = 16,
  /** Reset the mark after this instruction (a callee ran and flushed its own fuel). */
  ResetAfter = 32,
  /** The function's final `end`. */
  FuncEnd = 64,
  /** This instruction is live (executes on some path); only live instructions are charged. */
  Live = 128,
  /** memory.grow: replaced by a call to the injected reporting function. */
  MemoryGrow = 256,
}

const K_FUNC = 0;
const K_BLOCK = 1;
const K_LOOP = 2;
const K_IF = 3;
const K_TRY = 4;
const K_TRY_TABLE = 5;

export class RunSplitter {
  private kind: Uint8Array = new Uint8Array(64);
  private openedLive: Uint8Array = new Uint8Array(64);
  private targeted: Uint8Array = new Uint8Array(64);
  private hasElse: Uint8Array = new Uint8Array(64);
  private thenLive: Uint8Array = new Uint8Array(64);
  private depth = 0;
  private live = true;
  /** Reference mode: every instruction is its own run. */
  private everyInstr = false;
  /** A try_table appeared: its catch labels are not tracked, so every block end is a cut. */
  private conservativeEnds = false;
  /** Cost (Wasmtime model) of the live instructions stepped so far in the current run. */
  runCost = 0;


  /** Start a new function body. */
  reset(everyInstr: boolean): void {
    this.depth = 1;
    this.kind[0] = K_FUNC;
    this.openedLive[0] = 1;
    this.targeted[0] = 0;
    this.live = true;
    this.everyInstr = everyInstr;
    this.conservativeEnds = false;
    this.runCost = 0;
  }

  private push(kind: number): void {
    const d = this.depth;
    if (d === this.kind.length) {
      this.kind = growU8(this.kind);
      this.openedLive = growU8(this.openedLive);
      this.targeted = growU8(this.targeted);
      this.hasElse = growU8(this.hasElse);
      this.thenLive = growU8(this.thenLive);
    }
    this.kind[d] = kind;
    this.openedLive[d] = this.live ? 1 : 0;
    this.targeted[d] = 0;
    this.hasElse[d] = 0;
    this.thenLive[d] = 0;
    this.depth = d + 1;
  }

  /** Mark label `rel` (relative depth) as a branch target; true when it is the function's label. */
  private target(rel: number): boolean {
    const i = this.depth - 1 - rel;
    if (i <= 0) return true;
    this.targeted[i] = 1;
    return false;
  }

  /**
   * Account for the instruction in `c` (scanned from `bytes`) and return its Step flags. Call
   * `runCost = 0` after acting on a CutAfter/DeadAfter.
   */
  step(bytes: Uint8Array, c: InstrCursor): number {
    const op = c.op;
    const live = this.live;
    let f = live ? Step.Live : 0;
    if (live) this.runCost += op.cost;
    const ctl = op.control;
    if (ctl === undefined) {
      if (op.prefix === 0 && op.code === 0x40) {
        f |= Step.MemoryGrow;
        if (live) f |= Step.CutAfter;
      } else if (live && this.everyInstr) f |= Step.CutAfter;
      return f;
    }
    switch (ctl) {
      case 'block':
        this.push(K_BLOCK);
        break;
      case 'try':
        this.push(K_TRY);
        break;
      case 'try_table':
        this.push(K_TRY_TABLE);
        this.conservativeEnds = true;
        break;
      case 'loop':
        this.push(K_LOOP);
        if (live) f |= Step.CutAfter | Step.LoopHeader;
        break;
      case 'if':
        this.push(K_IF);
        if (live) f |= Step.CutAfter;
        break;
      case 'else': {
        const d = this.depth - 1;
        this.hasElse[d] = 1;
        this.thenLive[d] = live ? 1 : 0;
        this.live = this.openedLive[d] === 1;
        if (this.live) f |= Step.CutAfter;
        break;
      }
      case 'catch':
      case 'catch_all': {
        const d = this.depth - 1;
        this.hasElse[d] = 1;
        this.live = this.openedLive[d] === 1;
        if (this.live) f |= Step.CutAfter | Step.ResetAfter;
        break;
      }
      case 'end':
      case 'delegate': {
        const d = this.depth - 1;
        if (d === 0) {
          f |= Step.FuncEnd;
          if (live) f |= Step.Flush;
          this.depth = 0;
          break;
        }
        this.depth = d;
        if (this.openedLive[d] === 0) {
          this.live = false;
          break;
        }
        const k = this.kind[d];
        let after: boolean;
        let cut: boolean;
        if (ctl === 'delegate') {
          after = true;
          cut = true;
        } else if (k === K_LOOP) {
          after = live;
          cut = this.everyInstr && live;
        } else if (k === K_BLOCK && !this.conservativeEnds) {
          after = live || this.targeted[d] === 1;
          cut = after && (this.targeted[d] === 1 || this.everyInstr);
        } else if (k === K_IF && this.hasElse[d] === 1 && !this.conservativeEnds) {
          after = live || this.thenLive[d] === 1 || this.targeted[d] === 1;
          cut = after;
        } else {
          after = true;
          cut = true;
        }
        this.live = after;
        if (cut) f |= Step.CutAfter;
        break;
      }
      case 'br':
        if (live && this.target(c.idx)) f |= Step.Flush;
        f |= Step.DeadAfter;
        this.live = false;
        break;
      case 'br_if':
      case 'br_on_null':
      case 'br_on_non_null':
        if (live) {
          if (this.target(c.idx)) f |= Step.Flush | Step.FlushReset;
          f |= Step.CutAfter;
        }
        break;
      case 'br_table':
        if (live) {
          let p = c.immStart;
          const n = readU32(bytes, p, c.end);
          p = leb.end;
          let toFunc = false;
          for (let i = 0; i <= n; i++) {
            const l = readU32(bytes, p, c.end);
            p = leb.end;
            if (this.target(l)) toFunc = true;
          }
          if (toFunc) f |= Step.Flush | Step.FlushReset;
        }
        f |= Step.DeadAfter;
        this.live = false;
        break;
      case 'return':
      case 'throw':
      case 'rethrow':
      case 'throw_ref':
      case 'return_call':
      case 'return_call_indirect':
      case 'return_call_ref':
        if (live) f |= Step.Flush;
        f |= Step.DeadAfter;
        this.live = false;
        break;
      case 'unreachable':
        f |= Step.DeadAfter;
        this.live = false;
        break;
      case 'call':
      case 'call_indirect':
      case 'call_ref':
        if (live) f |= Step.Flush | Step.ResetAfter | Step.CutAfter;
        break;
    }
    if (live && this.everyInstr && (f & Step.DeadAfter) === 0) f |= Step.CutAfter;
    return f;
  }
}

function growU8(a: Uint8Array): Uint8Array {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}
