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
/**
 * Debug mode only: `(func (param i32 funcIndex) (param i32 originalOffset) (result i32))`, called by
 * an armed breakpoint site after it spilled the frame's locals; nonzero reloads them (the host
 * changed one). See debug-sites.ts.
 */
export const HOOK_SITE = 'site';
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

/**
 * Exported function: the module's start function. The start section is removed so the start
 * function runs after the host has bound the fuel meter (FuelMeter.bind runs it, or runStart
 * when bound with deferStart): a fuel limit, samples and pauses apply to it like to any code.
 */
export const EXPORT_START = '__wasiscope_start';

/** Recursion chains (recursion-chains.ts): i64 global, fuel at the live chain's start or last rebase. */
export const EXPORT_CHAIN_BASE = '__wasiscope_chain_base';
/** i64 global: the live chain's register, `(fuel - base) << CHAIN_SHIFT | calls not yet counted`. */
export const EXPORT_CHAIN_FUEL = '__wasiscope_chain_fuel';
/** i64 global: the live chain's check limit, in register units. */
export const EXPORT_CHAIN_LIMIT = '__wasiscope_chain_limit';
/** i32 global: original index of the function whose chain is live, -1 when none. */
export const EXPORT_CHAIN_FUNC = '__wasiscope_chain_func';

/** Mutable i64 global: exclusive fuel of function `f` (original index). */
export function fxExportName(f: number): string {
  return `__wasiscope_fx${f}`;
}

/** Mutable i64 global: number of times function `f` (original index) was entered. */
export function fcExportName(f: number): string {
  return `__wasiscope_fc${f}`;
}

/** Value types of the scratch globals a debug site spills locals into (v128 takes two i64). */
export type ScratchType = 'i32' | 'i64' | 'f32' | 'f64';

/** Debug mode: mutable i32 global; the host sets it to 1 to arm function `f`'s sites. */
export function dbgExportName(f: number): string {
  return `__wasiscope_dbg${f}`;
}

/** Debug mode: scratch global `k` of type `t` (spilled locals). */
export function scratchExportName(t: ScratchType, k: number): string {
  return `__wasiscope_s${t}_${k}`;
}

/** Debug mode: the module's own global `g` (imported or defined), exported so the host can read it. */
export function globalExportName(g: number): string {
  return `__wasiscope_g${g}`;
}

/** Debug mode: memory `m`, exported so the host can read it even when the module does not export it. */
export function memoryExportName(m: number): string {
  return `__wasiscope_mem${m}`;
}

/** What debug mode leaves for the host (InstrumentedModule.debug). */
export interface DebugLayout {
  /** Original offsets where a site check was placed, ascending. */
  sites: Uint32Array;
  /** Requested sites not placed: not an instruction start, or in unreachable code. */
  skipped: number;
  /** Per defined function: each local's value type byte (params first); 0 for a reference type. */
  localTypes: Uint8Array[];
  /** Per defined function: each local's slot in its type's scratch globals; -1 when not spilled. */
  localSlots: Int32Array[];
  /** Per defined function: 1 for the spilled locals a site copies back when the hook asks. */
  localReload: Uint8Array[];
  /**
   * Sites whose operand stack is captured (not empty, typed, numbers only): the value types,
   * bottom first, and each value's scratch slot. The hook may change them: they are pushed back.
   */
  siteStacks: Map<number, { types: Uint8Array; slots: Int32Array }>;
  /** Number of scratch globals of each type. */
  scratch: Record<ScratchType, number>;
  /** Number of module globals exported as `globalExportName(g)`. */
  globals: number;
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
   * the module has 10000 defined functions or more (the exports' size) or the exports would pass
   * V8's limit of 100000.
   */
  counters?: 'globals' | 'dump';
  /**
   * Self-recursive functions run their recursion in a clone that needs no per-call accounting
   * (recursion-chains.ts). Default true; off in debug mode and without per-function counters.
   */
  recursionClones?: boolean;
  /**
   * Debug mode: breakpoint sites at these original instruction offsets (any order; offsets that
   * are not instruction starts or lie in unreachable code are skipped). Injected code is not
   * charged: fuel figures are the same as without debug mode.
   */
  debug?: {
    sites: ArrayLike<number>;
    /**
     * Per original function index: spill only these locals (indices, params first) and reload
     * only `reload` of them (default: all spilled). Functions not listed spill and reload all.
     */
    locals?: Record<number, { spill: number[]; reload?: number[] }>;
  };
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
  /** Added to a defined function's index (the hooks are imported after the module's imports): 2, plus 1 with `counters: 'dump'`, plus 1 in debug mode. */
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
  /** Debug mode's sites and local layouts (only with InstrumentOptions.debug). */
  debug?: DebugLayout;
  /** The module had a start function: it is exported as EXPORT_START and run by FuelMeter, not by V8. */
  deferredStart: boolean;
  /** Recursion clones, when any: which functions, their output indices and code, offsets back to the original's. */
  chains?: RecursionClones;
}

/** The clones of self-recursive functions (recursion-chains.ts), in original index order. */
export interface RecursionClones {
  /** Original index of each cloned function. */
  funcs: Uint32Array;
  /** Output index of each clone. */
  outFuncs: Uint32Array;
  /** Each clone's code range in `bytes` (locals declaration to end). */
  newCodeStarts: Uint32Array;
  newBodyEnds: Uint32Array;
  /** Clone offsets -> the cloned function's original offsets (use toOriginal/isInjected only). */
  map: OffsetMap;
}
