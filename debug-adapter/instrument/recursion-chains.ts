// Which functions get a recursion clone: a defined function whose only calls are direct calls to
// itself (fib, a recursive tree walk, Ackermann...). Per-function accounting normally costs every
// call a flush of the caller's exclusive fuel and a read-modify-write of the callee's call count;
// for a self-recursive function that is most of the work (fib: 1.8x over plain against 1.2x for
// fuel alone). A clone F' runs the recursion instead: the original F, entered from elsewhere,
// starts a *chain* at each self-call (calls F' instead), and F' calls only F'. All the chain's fuel
// is F's, so F' neither flushes nor keeps a mark; it counts its own entries in the low bits of a
// chain-relative fuel register (`chainFuel = (fuel - chainBase) << CHAIN_SHIFT | calls`), which is
// threaded through the chain exactly like the fuel global elsewhere, so counting is one add that
// the fuel charge already does. The outer F decodes it when the chain returns. The host
// (runtime/fuel-meter.ts) decodes it at any moment a chain is live (hooks, traps) and keeps both
// parts in range: the chain's deadline is clamped to CHAIN_WINDOW past its base, and every hook
// rebases the chain and takes its call count out.
//
// Not cloned (the function is instrumented as usual): any other call, call_indirect/call_ref, tail
// calls, memory.grow (a call to the host), exception handling anywhere in the module (a handler
// catching a stack overflow would land with the chain's fuel undecoded), debug mode, and bodies
// whose total cost could overflow the call-count bits between two checks.

import { newCursor, scanInstr } from '../wasm/instr-scanner';
import type { FunctionBody } from '../wasm/module';
import { op } from '../wasm/opcodes';

/** Bits of the chain register that count calls; fuel relative to the chain's base sits above them. */
export const CHAIN_SHIFT = 24;
/** Mask of the call-count bits. */
export const CHAIN_COUNT_MASK = (1n << BigInt(CHAIN_SHIFT)) - 1n;
/**
 * Fuel a chain may run past its base before a check calls the host (which rebases it): keeps the
 * relative fuel far from 2^(64-CHAIN_SHIFT) and the calls (at most one per unit of fuel, a `call`
 * costs 1) below 2^CHAIN_SHIFT together with MAX_BODY_COST.
 */
export const CHAIN_WINDOW = 1n << 22n;
/** Bodies costing more than this (all operators, once each) are not cloned: see CHAIN_WINDOW. */
const MAX_BODY_COST = 1 << 22;

const CALL = op('call');
const DISQUALIFY = new Set(
  ['call_indirect', 'call_ref', 'return_call', 'return_call_indirect', 'return_call_ref', 'memory.grow',
    'try', 'catch', 'catch_all', 'delegate', 'throw', 'rethrow', 'try_table', 'throw_ref'].map((n) => op(n)),
);
const EH = new Set(['try', 'catch', 'catch_all', 'delegate', 'throw', 'rethrow', 'try_table', 'throw_ref'].map((n) => op(n)));

const cur = newCursor();

/**
 * Whether `call f` may appear in bytes[from, to): a byte search (LEBs may be padded, as linkers
 * write them), so a hit inside another immediate is possible; the scan that follows decides.
 */
function mayCall(bytes: Uint8Array, from: number, to: number, f: number): boolean {
  const code = CALL.code;
  // indexOf is native: the search over a 12 MB code section takes a few ms instead of ~25.
  for (let i = bytes.indexOf(code, from); i >= 0 && i < to; i = bytes.indexOf(code, i + 1)) {
    let v = 0;
    let shift = 0;
    let k = i + 1;
    for (; k < to && k < i + 6; k++) {
      const x = bytes[k];
      v += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) break;
    }
    if (v === f) return true;
  }
  return false;
}

/**
 * Original indices of the defined functions to clone, ascending. `bodies[i]` is defined function
 * `importedFuncs + i` of `bytes`. Clones duplicate code, so together they may copy at most
 * `maxCloneBytes` of it (default: an eighth of all the bodies, or 64 KiB in a smaller module); past that, functions are left as
 * they are (in index order: a module made mostly of self-recursive functions does not double).
 */
export function findRecursionChains(bytes: Uint8Array, bodies: FunctionBody[], importedFuncs: number, maxCloneBytes?: number): number[] {
  const out: number[] = [];
  let budget = maxCloneBytes ?? Math.max(64 * 1024, bodies.reduce((n, b) => n + (b.end - b.start), 0) / 8);
  for (let i = 0; i < bodies.length; i++) {
    const b = bodies[i];
    const f = importedFuncs + i;
    if (!mayCall(bytes, b.codeStart, b.end, f)) continue;
    let self = false;
    let ok = true;
    let cost = 0;
    for (let pos = b.codeStart; pos < b.end && ok; pos = cur.end) {
      scanInstr(bytes, pos, b.end, cur);
      const o = cur.op;
      cost += o.cost;
      if (o === CALL) {
        if (cur.idx === f) self = true;
        else ok = false;
      } else if (DISQUALIFY.has(o)) ok = false;
    }
    if (ok && self && cost <= MAX_BODY_COST && b.end - b.start <= budget) {
      out.push(f);
      budget -= b.end - b.start;
    }
  }
  return out;
}

/** True when `o` is an exception-handling operator (a module with one gets no chains). */
export function isExceptionOp(o: ReturnType<typeof op>): boolean {
  return EH.has(o);
}
