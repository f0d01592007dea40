// Turns an error thrown out of an instrumented instance (a V8 trap, a stack overflow, a host
// exception) into the TrapInfo of events.ts: the trap kind named the way Wasmtime and the spec
// name it, and the innermost frame of the module as an ORIGINAL CodeLocation (V8 reports
// instrumented offsets; the instrumenter's offset map translates them).

import { resolveFrame, type OriginalFrame } from '../instrument/refund';
import type { InstrumentedModule } from '../instrument/types';
import type { CodeLocation, TrapInfo } from './events';

/** One wasm frame of a V8 stack trace. */
export interface WasmStackFrame {
  /** The `wasm://wasm/...` script id: identifies the module the frame runs. */
  script: string;
  /** Function index in the module V8 ran (the instrumented one). */
  funcIndex: number;
  /** Module-relative byte offset of the instruction (the call, for outer frames). */
  offset: number;
}

const FRAME = /wasm:\/\/wasm\/([^\s:()]+):wasm-function\[(\d+)\]:0x([0-9a-fA-F]+)/;

/** The wasm frames of a V8 `stack` string, innermost first. */
export function parseWasmFrames(stack: string | undefined): WasmStackFrame[] {
  const out: WasmStackFrame[] = [];
  if (!stack) return out;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (m) out.push({ script: m[1], funcIndex: Number(m[2]), offset: parseInt(m[3], 16) });
  }
  return out;
}

/** V8 trap messages (Node 20 / V8 11) -> spec/Wasmtime trap names. */
const KINDS: [RegExp, string][] = [
  [/^unreachable/i, 'unreachable'],
  [/divide by zero|remainder by zero/i, 'integer divide by zero'],
  [/integer overflow|divide result unrepresentable/i, 'integer overflow'],
  [/float unrepresentable/i, 'invalid conversion to integer'],
  [/memory access out of bounds/i, 'out of bounds memory access'],
  [/table index is out of bounds/i, 'undefined element'],
  [/null function or function signature mismatch|signature mismatch/i, 'indirect call type mismatch'],
  [/table access out of bounds|table out of bounds/i, 'out of bounds table access'],
  [/data segment out of bounds|segment has been dropped|data segment/i, 'out of bounds memory access'],
  [/element segment out of bounds|elem segment/i, 'out of bounds table access'],
  [/null (function )?reference|dereferencing a null/i, 'null reference'],
  [/Maximum call stack size exceeded/i, 'call stack exhausted'],
  [/out of fuel/i, 'out of fuel'],
];

/** The trap kind for an error message (the message itself when it is not a known trap). */
export function trapKind(message: string): string {
  for (const [re, kind] of KINDS) if (re.test(message)) return kind;
  return message;
}

// The project compiles without the DOM lib, so the WebAssembly namespace is reached structurally.
const RuntimeErrorClass = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;

/** True for a WebAssembly.RuntimeError (a trap). */
export function isRuntimeError(e: unknown): e is Error {
  return e instanceof RuntimeErrorClass;
}

/** True for errors V8 raises for wasm traps and stack exhaustion (as opposed to host exceptions). */
export function isWasmTrap(e: unknown): boolean {
  return isRuntimeError(e) || (e instanceof RangeError && /call stack/i.test(e.message));
}

/**
 * The frames of `im`'s code in `frames` (innermost first) that belong to original functions
 * (frames in injected helpers such as the grow-and-report function are skipped), with their
 * original offsets. `script` restricts them to one module's frames (see FuelMeter, which learns it).
 */
export function originalFrames(
  im: InstrumentedModule,
  frames: readonly WasmStackFrame[],
  script?: string,
): (OriginalFrame & { outOffset: number })[] {
  const out: (OriginalFrame & { outOffset: number })[] = [];
  for (const f of frames) {
    if (script !== undefined && f.script !== script) continue;
    const r = resolveFrame(im, f.funcIndex, f.offset);
    if (r.funcIndex < 0 || r.funcIndex < im.importedFuncs) continue;
    out.push({ ...r, outOffset: f.offset });
  }
  return out;
}

/** The innermost of originalFrames(). */
export function innermostOriginalFrame(
  im: InstrumentedModule,
  frames: readonly WasmStackFrame[],
  script?: string,
): (OriginalFrame & { outOffset: number }) | undefined {
  return originalFrames(im, frames, script)[0];
}

/** A CodeLocation in the original module. */
export function codeLocation(im: InstrumentedModule, funcIndex: number, offset: number): CodeLocation {
  return { funcIndex, funcName: im.names[funcIndex] ?? `$func${funcIndex}`, offset };
}

/** Decode a thrown error into TrapInfo (location: innermost original frame of `im`, if any). */
export function decodeTrap(im: InstrumentedModule, error: unknown, script?: string): TrapInfo {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const frame = innermostOriginalFrame(im, parseWasmFrames(stack), script);
  const info: TrapInfo = { kind: isWasmTrap(error) ? trapKind(message) : 'host exception', message };
  if (frame) info.location = codeLocation(im, frame.funcIndex, frame.offset);
  return info;
}
