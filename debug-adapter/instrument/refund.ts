// Where an instrumented frame stopped, seen from the original module: the original instruction,
// whether the stop was inside injected code, and the fuel a trap must give back. A run is charged
// when it starts; when an instruction in the middle of it traps, the operators after it never ran.
// The refund replays the same RunSplitter the rewriter used over the original body, so it always
// agrees with the emitted code. Costs nothing until a trap happens.

import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { RunSplitter, Step } from './run-splitter';
import type { InstrumentedModule } from './types';

/** A frame of the instrumented module, resolved to the original one. */
export interface OriginalFrame {
  /** Function index in the original module, or -1 for an injected function (hooks, slow path, grow). */
  funcIndex: number;
  /** Original module offset of the instruction (for injected code: the instruction it precedes). */
  offset: number;
  /** The frame stopped in code the instrumenter injected (a deadline check, a flush, a prologue). */
  injected: boolean;
}

/** Map an output function index and module offset (as in a V8 stack frame) to the original. */
export function resolveFrame(im: InstrumentedModule, outFunc: number, outOffset: number): OriginalFrame {
  const nImp = im.importedFuncs;
  let funcIndex = -1;
  if (outFunc < nImp) funcIndex = outFunc;
  else if (outFunc >= nImp + im.funcShift && outFunc < nImp + im.funcShift + im.definedFuncs) funcIndex = outFunc - im.funcShift;
  if (funcIndex < 0 && im.chains) {
    // A recursion clone runs its original's code: report the original, at its offsets.
    const c = im.chains;
    const k = c.outFuncs.indexOf(outFunc);
    if (k >= 0) {
      const f = c.funcs[k];
      if (outOffset < c.newCodeStarts[k] || outOffset >= c.newBodyEnds[k]) {
        return { funcIndex: f, offset: im.origCodeStarts[f - nImp], injected: true };
      }
      return { funcIndex: f, offset: c.map.toOriginal(outOffset), injected: c.map.isInjected(outOffset) };
    }
  }
  if (funcIndex < nImp) return { funcIndex, offset: -1, injected: funcIndex < 0 };
  const def = funcIndex - nImp;
  const codeStart = im.newCodeStarts[def];
  if (outOffset < codeStart || outOffset >= im.newBodyEnds[def]) {
    // Before the first instruction (V8 reports the body start for a stack overflow at entry).
    return { funcIndex, offset: im.origCodeStarts[def], injected: true };
  }
  const offset = im.map.toOriginal(outOffset);
  return { funcIndex, offset, injected: im.map.isInjected(outOffset) };
}

const cur = newCursor();
const splitter = new RunSplitter();

/**
 * Fuel charged but not consumed when the frame `f` trapped: the costs of the operators after the
 * trapping one in its run. Zero when the frame stopped in injected code (checks run before the
 * charge they guard) or at a run's last instruction (calls, branches).
 */
export function trapRefund(im: InstrumentedModule, f: OriginalFrame): number {
  if (f.injected || f.funcIndex < im.importedFuncs) return 0;
  const def = f.funcIndex - im.importedFuncs;
  const bytes = im.original;
  const end = im.origBodyEnds[def];
  let pos = im.origCodeStarts[def];
  splitter.reset(im.mode === 'reference');
  let found = false;
  let refund = 0;
  while (pos < end) {
    scanInstr(bytes, pos, end, cur);
    const flags = splitter.step(bytes, cur);
    if (found) refund += cur.op.cost;
    else if (cur.start === f.offset) found = true;
    else if (cur.start > f.offset) return 0; // not an instruction boundary: nothing sensible to give back
    pos = cur.end;
    if ((flags & (Step.CutAfter | Step.DeadAfter | Step.FuncEnd)) !== 0) {
      if (found) return refund;
      splitter.runCost = 0;
    }
  }
  return refund;
}
