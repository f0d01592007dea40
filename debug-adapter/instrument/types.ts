// The instrumenter's public shapes and reserved names: what instrument() returns and what the
// host side (runtime/fuel-meter.ts, runtime/trap-decoder.ts) needs to find its way in the output.

import type { OffsetMap } from './offset-map';

/** Import module of the host hooks. */
export const HOOK_MODULE = '__wasiscope';
/** `(func (param i32 funcIndex) (param i32 originalOffset) (result i32))`: nonzero traps (out of fuel). */
export const HOOK_DEADLINE = 'deadline';
/**
 * `(func (param i32 memidx) (param i64 deltaPages) (param i64 result) (param i64 pagesNow))`, called
 * right after every `memory.grow` (result = old size in pages, or -1 when the grow failed).
 */
export const HOOK_MEMORY_GROW = 'memory_grow';
/**
 * `(func (param i32 func) (param i64 fxExclusive) (param i64 calls))`: only in `counters: 'dump'`
 * modules, called once per defined function by the exported `__wasiscope_counters`.
 */
export const HOOK_COUNTER = 'counter';
/** Exported function of `counters: 'dump'` modules: reports every function's counters. */
export const EXPORT_DUMP = '__wasiscope_counters';
/** Prefix of every export the instrumenter adds; a module exporting such a name is refused. */
export const RESERVED_PREFIX = '__wasiscope_';
/** Mutable i64 global: fuel consumed so far (Wasmtime's default cost model). */
export const EXPORT_FUEL = '__wasiscope_fuel';
/** Mutable i64 global: the hook is called at the first check where fuel >= deadline (unsigned). */
export const EXPORT_DEADLINE = '__wasiscope_deadline';

/**
 * Exported function `(param i32 i32)`: the deadline slow path. Called by the host with (-1, 0) it
 * runs the hook in "probe" mode, which lets the host learn the V8 script id of the instance's
 * frames (to tell its frames from other modules' in a stack trace).
 */
export const EXPORT_PROBE = '__wasiscope_probe';

/** Mutable i64 global: exclusive fuel of function `f` (original index). */
export function fxExportName(f: number): string {
  return `__wasiscope_fx${f}`;
}

/** Mutable i64 global: number of times function `f` (original index) was entered. */
export function fcExportName(f: number): string {
  return `__wasiscope_fc${f}`;
}

export interface InstrumentOptions {
  /**
   * `fast` (default) charges each straight-line run once at its start; `reference` charges every
   * operator on its own. Both give the same figures to the unit; reference exists to prove it.
   */
  mode?: 'fast' | 'reference';
  /** Per-function exclusive fuel and call counts (default true). */
  perFunction?: boolean;
  /**
   * How the host reads per-function counters: `globals` (each an exported WebAssembly.Global) or
   * `dump` (one exported function reports them all through a hook). Default: `globals`, unless
   * the exports would pass V8's limit of 100000 (modules with more than ~50000 functions).
   */
  counters?: 'globals' | 'dump';
}

export interface InstrumentStats {
  inputBytes: number;
  outputBytes: number;
  functions: number;
  /** Live runs charged (one fuel add each). */
  runs: number;
  /** Deadline checks (function entries and loop headers). */
  checks: number;
  /** Exclusive-fuel flushes (before calls and frame exits). */
  flushes: number;
  mapSegments: number;
  ms: number;
}

export interface InstrumentedModule {
  /** The instrumented module. */
  bytes: Uint8Array;
  /** The module as given (kept for names, trap refunds and DWARF). */
  original: Uint8Array;
  mode: 'fast' | 'reference';
  perFunction: boolean;
  /** How per-function counters are read (see InstrumentOptions.counters); `none` without them. */
  counters: 'globals' | 'dump' | 'none';
  /** Original <-> instrumented code offsets (module-relative). */
  map: OffsetMap;
  /** Imported functions of the original module; they keep their indices. */
  importedFuncs: number;
  definedFuncs: number;
  /** Added to a defined function's index (the hooks are imported after the module's imports): 2, or 3 with `counters: 'dump'`. */
  funcShift: number;
  /** Name of each function of the original index space (name section, else `$func<N>`). */
  names: string[];
  /** Per defined function (index - importedFuncs): original body start (locals), first instruction, end. */
  origBodyStarts: Uint32Array;
  origCodeStarts: Uint32Array;
  origBodyEnds: Uint32Array;
  /** Per defined function: the rewritten body's range in `bytes` (locals declaration to end). */
  newCodeStarts: Uint32Array;
  newBodyEnds: Uint32Array;
  /** Content offset of the code section in each module (DWARF addresses are relative to these). */
  originalCodeSectionStart: number;
  instrumentedCodeSectionStart: number;
  /** Number of memories (imported and defined) and the output index of each one's grow function. */
  memories: number;
  /** Output index of the injected deadline slow path (calls the hook, traps on stop). */
  deadlineSlow: number;
  growFuncs: number[];
  /** Things the caller may want to know (stale custom sections...). */
  warnings: string[];
  stats: InstrumentStats;
}
