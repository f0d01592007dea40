// The debug channel between the controlling thread (debug-runtime.ts, driven by the DAP session)
// and the debug engine in the runtime worker (debug-engine.ts). Commands travel on a MessagePort
// that the worker drains with receiveMessageOnPort while it is paused (blocked in Atomics.wait),
// or at its next fuel sample while it runs; events and replies travel back with the runtime's
// own worker messages, so they stay ordered with output events. No DAP types here: offsets are
// ORIGINAL module offsets, values are already formatted text.

import type { FunctionFigures } from '../runtime/run-result';
import type { StepMode } from './step-logic';

/** Which exceptional events stop the run (the session's exception breakpoint filters). */
export interface ExceptionFilters {
  traps: boolean;
  outOfFuel: boolean;
  capabilityDenied: boolean;
  anomaly: boolean;
}

/** What the worker needs, besides the RunOptions, to run a module under the debugger. */
export interface DebugStart {
  /** The module bytes (a .wat program already compiled), so the worker does not load it again. */
  bytes: Uint8Array;
  /** Breakpoint sites: original offsets of instructions that get a check, ascending. */
  sites: Uint32Array;
  /** Per site: a key of its source line (0 = none; never a step target). */
  siteLines: Int32Array;
  /** Per site: SITE flags (step-logic.ts). */
  siteFlags: Uint8Array;
  /** The module has DWARF (so "no source-level variables" is worth saying when it does not). */
  hasDwarf: boolean;
  /** The program is WebAssembly text (the operand stack at a site is not known to be empty). */
  isWat: boolean;
  /**
   * Per original function index, the locals a site spills (and reloads) when not all of them:
   * for functions DWARF describes, the ones DWARF reads (see instrument/debug-sites.ts for why).
   */
  locals?: Record<number, { spill: number[]; reload: number[] }>;
}

export interface WorkerBreakpoint {
  id: number;
  /** Original offsets of the sites it is bound to. */
  offsets: number[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  /** How the stop is reported: 'breakpoint', 'function breakpoint', 'instruction breakpoint'. */
  reason: string;
}

/** What a variables list refers to. `value` keys are valid until the run resumes. */
export type VarRef =
  | { kind: 'locals'; frame: number }
  | { kind: 'source'; frame: number }
  | { kind: 'stack'; frame: number }
  | { kind: 'globals' }
  | { kind: 'sourceGlobals' }
  | { kind: 'value'; key: number };

export interface VariableView {
  name: string;
  value: string;
  type?: string;
  /** Set when the value can be expanded. */
  ref?: VarRef;
  /** Number of indexed children (arrays), for paging. */
  indexed?: number;
  /** A linear-memory address the value points at (pointers, i32 locals): opens the memory view. */
  memoryReference?: string;
  evaluateName?: string;
  /** A note rather than a value ("not captured at this site"). */
  note?: boolean;
  readOnly?: boolean;
}

export interface FrameInfo {
  /** Original function index; -1 for a frame the module did not define (host code). */
  funcIndex: number;
  /** Original module offset: the site for the top frame, the call for callers. */
  offset: number;
}

export type StopReason = 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'step' | 'pause' | 'entry' | 'exception';

export interface StopInfo {
  reason: StopReason;
  frames: FrameInfo[];
  /** The top frame's locals were spilled at a site (so they can be read and written). */
  localsCaptured: boolean;
  hitBreakpointIds: number[];
  /** Short text (the trap kind, "capability denied"...). */
  description?: string;
  /** Longer text (the trap message). */
  text?: string;
  /** For exception stops: which filter and what happened. */
  exception?: { filter: keyof ExceptionFilters; kind: string; message: string };
  /** Fuel consumed when the run stopped. */
  fuel: bigint;
}

export interface MemoryRead {
  address: number;
  data: Uint8Array;
  /** Bytes past the end of memory that were asked for. */
  unreadable: number;
}

/** Commands and the reply body each one gets. */
export interface DebugCommands {
  /** Sent once before the module runs (configurationDone). */
  configure: { args: { breakpoints: WorkerBreakpoint[]; filters: ExceptionFilters; stopOnEntry: boolean }; reply: { ok: true } };
  setBreakpoints: { args: { breakpoints: WorkerBreakpoint[] }; reply: { ok: true } };
  setFilters: { args: { filters: ExceptionFilters }; reply: { ok: true } };
  resume: { args: { mode: 'continue' | StepMode }; reply: { ok: true } };
  variables: { args: { ref: VarRef; start?: number; count?: number }; reply: VariableView[] };
  setVariable: { args: { ref: VarRef; name: string; value: string }; reply: VariableView };
  evaluate: { args: { expression: string; frame: number }; reply: VariableView };
  readMemory: { args: { address: number; count: number }; reply: MemoryRead };
  writeMemory: { args: { address: number; data: Uint8Array }; reply: { written: number } };
}

export type DebugCommandName = keyof DebugCommands;

export type DebugRequest = {
  [K in DebugCommandName]: { seq: number; cmd: K } & DebugCommands[K]['args'];
}[DebugCommandName];

export type DebugEvent =
  /** The module is instrumented, compiled and instantiated; waiting for `configure`. */
  | { kind: 'ready'; placedSites: number; warnings: string[] }
  | { kind: 'stopped'; stop: StopInfo }
  | { kind: 'log'; breakpointId: number; text: string }
  | { kind: 'breakpointError'; breakpointId: number; message: string }
  | { kind: 'functions'; consumed: bigint; functions: FunctionFigures[] }
  | { kind: 'reply'; seq: number; ok: true; body: unknown }
  | { kind: 'reply'; seq: number; ok: false; error: string };
