// The debug engine, in the runtime worker. Breakpoints are instrumentation sites (see the debug
// mode of instrument/): a site checks its function's `dbg` global and, when the host armed it,
// spills the frame's locals into scratch globals and calls `site(F, offset)` here. This decides
// whether to stop (breakpoint with condition/hit count, logpoint, step, pause); to stop it posts
// 'stopped' and blocks in Atomics.wait, serving inspection commands (variables, evaluate, memory)
// that the controller sends on a MessagePort, until continue or a step. Traps, out-of-fuel and
// capability denials stop the same way (without locals: those frames are not at a site).
// V8's debugger is never enabled, so code that is not armed runs at full speed.

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { InstrumentedModule } from '../instrument/types';
import {
  HOOK_SITE, dbgExportName, globalExportName, memoryExportName, scratchExportName, type ScratchType,
} from '../instrument/types';
import { resolveFrame } from '../instrument/refund';
import type { FuelMeter, WasmGlobalLike, WasmInstanceLike } from '../runtime/fuel-meter';
import type { RuntimeEvent, TrapInfo } from '../runtime/events';
import type { RuntimeDebugHooks } from '../runtime/module-runner';
import { parseWasmFrames } from '../runtime/trap-decoder';
import { CONTROL, STATE_PAUSE, STATE_RUN, STATE_TERMINATE } from '../runtime/worker-protocol';
import { parseModule } from '../wasm/reader';
import { customSections, I32, I64, F32, F64, V128, type ValType } from '../wasm/module';
import { decodeNameSection } from '../wasm/name-section';
import type {
  DebugEvent, DebugRequest, DebugStart, ExceptionFilters, FrameInfo, MemoryRead, StopInfo, StopReason, VarRef,
  VariableView, WorkerBreakpoint,
} from './debug-protocol';
import { readDwarfVariables, subprogramAt, varsInScope, type DwarfSubprogram, type DwarfVariable, type DwarfVariables } from './dwarf-variables';
import { entryPointers, stackUse, type StackUse } from './frame-bases';
import { evaluate, parseExpression, parseLogMessage, truthy, type EvalEnv, type Expr } from './expression';
import { parseHitCondition, hitMatches, type HitCondition } from './hit-condition';
import { stepArming, stepStopsAt, type StepMode, type StepStart } from './step-logic';
import {
  EvalError, arrayLength, childrenOf, encodeScalar, formatValue, hasChildren, hex, resolveType, rvalue,
  valueTypeName, type CType, type Value,
} from './values';

/** Thrown out of a hook when the controller asked to end the run. */
export class TerminatedError extends Error {
  constructor() {
    super('terminated by the user');
    this.name = 'TerminatedError';
  }
}

interface BreakpointState {
  bp: WorkerBreakpoint;
  condition?: Expr;
  hit?: HitCondition;
  log?: (string | Expr)[];
  hits: number;
}

interface Stopped {
  info: StopInfo;
  /** Values handed out as `value` refs (children to expand), with the expression that names them. */
  handles: { value: Value; expr?: string }[];
}

const FUNCTIONS_EVERY_MS = 250;
const SCRATCH_TYPES: Record<number, ScratchType> = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64' };

export class DebugEngine {
  private im!: InstrumentedModule;
  private meter!: FuelMeter;
  private exports: Record<string, unknown> = {};
  private dbg: (WasmGlobalLike | undefined)[] = [];
  private armedNow = new Uint8Array(0);
  private bpFuncs = new Set<number>();
  private bps = new Map<number, BreakpointState[]>();
  private filters: ExceptionFilters = { traps: true, outOfFuel: true, capabilityDenied: false, anomaly: false };
  private pendingStop: 'pause' | 'entry' | undefined;
  private step: StepStart | undefined;
  private stopped: Stopped | undefined;
  private dirty = false;
  private lastFunctions = 0;
  private configured = false;
  private names?: { locals: Map<number, Map<number, string>>; globals: Map<number, string> };
  private globalTypes: { type: ValType; mutable: boolean }[] = [];
  private dwarf?: DwarfVariables;
  /** The module as parsed (bodies and types, for reading prologues). */
  private mod?: ReturnType<typeof parseModule>;
  /** Index of the `__stack_pointer` global, -1 when the module names none. */
  private spGlobal = -1;
  private stackUses = new Map<number, StackUse | null>();

  constructor(
    private readonly start: DebugStart,
    private readonly port: MessagePort,
    private readonly ctl: Int32Array,
    private readonly post: (e: DebugEvent) => void,
    private readonly flush: () => void,
  ) {
    // Deep stacks must survive in traps' stack traces (the call stack view).
    Error.stackTraceLimit = 500;
  }

  /** What module-runner calls; see RuntimeDebugHooks. */
  hooks(): RuntimeDebugHooks {
    return {
      bytes: this.start.bytes,
      instrument: { debug: { sites: this.start.sites, locals: this.start.locals } },
      hookImports: () => ({ [HOOK_SITE]: (f: number, off: number) => this.onSite(f, off) }),
      onInstance: (instance, im, meter) => this.onInstance(instance, im, meter),
      onEvent: (e) => this.onEvent(e),
      onTrap: (trap, error) => this.onTrap(trap, error),
    };
  }

  // ---- lifecycle ----

  private onInstance(instance: WasmInstanceLike, im: InstrumentedModule, meter: FuelMeter): void {
    this.im = im;
    this.meter = meter;
    this.exports = instance.exports;
    this.dbg = [];
    for (let i = 0; i < im.definedFuncs; i++) this.dbg.push(this.exports[dbgExportName(im.importedFuncs + i)] as WasmGlobalLike | undefined);
    this.armedNow = new Uint8Array(im.definedFuncs);
    const m = parseModule(im.original, { checkBodies: false });
    for (const imp of m.imports) if (imp.desc.kind === 'global') this.globalTypes.push({ type: imp.desc.global.type, mutable: imp.desc.global.mutable });
    for (const g of m.globals) this.globalTypes.push({ type: g.type.type, mutable: g.type.mutable });
    const ns = customSections(m, 'name')[0];
    let locals = new Map<number, Map<number, string>>();
    let globals = new Map<number, string>();
    if (ns) {
      try {
        const d = decodeNameSection(ns.content);
        locals = d.locals;
        globals = d.globals;
      } catch {
        /* names are a nicety */
      }
    }
    this.names = { locals, globals };
    this.mod = m;
    this.spGlobal = -1;
    for (const [i, n] of globals) if (n === '__stack_pointer') this.spGlobal = i;
    this.stackUses.clear();
    this.post({ kind: 'ready', placedSites: im.debug?.sites.length ?? 0, warnings: im.warnings });
    // Wait for configurationDone: breakpoints are bound before the first instruction runs.
    this.serve(() => this.configured);
  }

  /** Called at every fuel sample (the only time a running module looks at the controller). */
  onSample(): void {
    const state = Atomics.load(this.ctl, CONTROL.STATE);
    if (state === STATE_TERMINATE) throw new TerminatedError();
    if (Atomics.load(this.ctl, CONTROL.DEBUG_PENDING) !== 0) {
      Atomics.store(this.ctl, CONTROL.DEBUG_PENDING, 0);
      this.drain();
    }
    if (state === STATE_PAUSE) {
      Atomics.store(this.ctl, CONTROL.STATE, STATE_RUN);
      this.pendingStop ??= 'pause';
      this.rearm('all');
    }
    const now = Date.now();
    if (now - this.lastFunctions >= FUNCTIONS_EVERY_MS && this.im) {
      this.lastFunctions = now;
      this.post({ kind: 'functions', consumed: this.meter.consumed(), functions: this.meter.perFunction() });
    }
  }

  // ---- the site hook ----

  private siteIndex(off: number): number {
    const s = this.start.sites;
    let lo = 0;
    let hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] === off) return mid;
      if (s[mid] < off) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private onSite(f: number, off: number): number {
    this.dirty = false;
    let reason: StopReason | undefined;
    const hitIds: number[] = [];
    let frames: FrameInfo[] | undefined;
    if (this.pendingStop) {
      reason = this.pendingStop;
      this.pendingStop = undefined;
    } else {
      const list = this.bps.get(off);
      if (list) {
        for (const b of list) {
          if (!this.breakpointHit(b, f, off)) continue;
          hitIds.push(b.bp.id);
          reason ??= b.bp.reason as StopReason;
        }
      }
      if (!reason && this.step) {
        frames = this.captureFrames(undefined, f, off);
        const si = this.siteIndex(off);
        const hit = { depth: frames.length, line: si >= 0 ? this.start.siteLines[si] : 0, flags: si >= 0 ? this.start.siteFlags[si] : 0, funcIndex: f };
        if (stepStopsAt(this.step, hit)) reason = 'step';
      }
    }
    if (reason) {
      this.stopAt({
        reason,
        frames: frames ?? this.captureFrames(undefined, f, off),
        localsCaptured: true,
        hitBreakpointIds: hitIds,
        fuel: this.meter.consumed(),
      });
    }
    return this.dirty ? 1 : 0;
  }

  /** Condition, hit count and logpoint of one breakpoint at a hit; true when it stops. */
  private breakpointHit(b: BreakpointState, f: number, off: number): boolean {
    const info: StopInfo = { reason: 'breakpoint', frames: [{ funcIndex: f, offset: off }], localsCaptured: true, hitBreakpointIds: [], fuel: 0n };
    const withFrame = <T>(fn: () => T): T => {
      const saved = this.stopped;
      this.stopped = { info, handles: [] };
      try {
        return fn();
      } finally {
        this.stopped = saved;
      }
    };
    if (b.condition) {
      let ok: boolean;
      try {
        ok = withFrame(() => truthy(evaluate(b.condition!, this.frameEnv(0)), this.memoryAccess()));
      } catch (e) {
        this.post({ kind: 'breakpointError', breakpointId: b.bp.id, message: `condition '${b.bp.condition}' could not be evaluated: ${(e as Error).message}` });
        ok = true;
      }
      if (!ok) return false;
    }
    b.hits++;
    if (b.hit && !hitMatches(b.hit, b.hits)) return false;
    if (b.log) {
      const text = withFrame(() =>
        b.log!.map((p) => {
          if (typeof p === 'string') return p;
          try {
            return formatValue(this.memoryAccess(), rvalue(this.memoryAccess(), evaluate(p, this.frameEnv(0))));
          } catch (e) {
            return `<${(e as Error).message}>`;
          }
        }).join(''),
      );
      this.flush(); // the log line comes after the output written before it
      this.post({ kind: 'log', breakpointId: b.bp.id, text });
      return false;
    }
    return true;
  }

  // ---- exceptional stops ----

  private onEvent(e: RuntimeEvent): void {
    if (!this.configured || this.stopped) return;
    if (e.kind === 'security' && e.reason === 'capability-denied' && this.filters.capabilityDenied) {
      this.exceptionStop('capabilityDenied', 'capability denied', e.message, undefined);
    } else if (e.kind === 'anomaly' && this.filters.anomaly) {
      this.exceptionStop('anomaly', `anomaly: ${e.anomaly}`, e.message, undefined);
    }
  }

  private onTrap(trap: TrapInfo, error: unknown): void {
    if (!this.configured || error instanceof TerminatedError) return;
    const fuel = trap.kind === 'out of fuel';
    if (fuel ? !this.filters.outOfFuel : !this.filters.traps) return;
    if (trap.kind === 'host exception' && !fuel) return;
    const stack = error instanceof Error ? error.stack : undefined;
    this.exceptionStop(fuel ? 'outOfFuel' : 'traps', trap.kind, trap.message, stack, trap.location ? { funcIndex: trap.location.funcIndex, offset: trap.location.offset } : undefined);
  }

  private exceptionStop(filter: keyof ExceptionFilters, kind: string, message: string, stack: string | undefined, top?: FrameInfo): void {
    const frames = this.captureFrames(stack);
    if (top && (frames.length === 0 || frames[0].funcIndex !== top.funcIndex)) frames.unshift(top);
    else if (top) frames[0] = top;
    this.stopAt({
      reason: 'exception',
      frames,
      localsCaptured: false,
      hitBreakpointIds: [],
      description: kind,
      text: message,
      exception: { filter, kind, message },
      fuel: this.meter.consumed(),
    });
  }

  // ---- stopping and serving ----

  /** The module's frames, innermost first, as original (function, offset). */
  private captureFrames(stack?: string, topFunc?: number, topOffset?: number): FrameInfo[] {
    let s = stack;
    if (s === undefined) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = Infinity;
      s = new Error().stack;
      Error.stackTraceLimit = limit;
    }
    const out: FrameInfo[] = [];
    const nImp = this.im.importedFuncs;
    for (const fr of parseWasmFrames(s)) {
      const r = resolveFrame(this.im, fr.funcIndex, fr.offset);
      if (r.funcIndex < nImp) continue;
      out.push({ funcIndex: r.funcIndex, offset: r.offset });
    }
    if (topFunc !== undefined && topOffset !== undefined) {
      if (out.length && out[0].funcIndex === topFunc) out[0] = { funcIndex: topFunc, offset: topOffset };
      else out.unshift({ funcIndex: topFunc, offset: topOffset });
    }
    return out;
  }

  private stopAt(info: StopInfo): void {
    this.step = undefined;
    this.rearm(undefined);
    this.flush();
    this.stopped = { info, handles: [] };
    // The CodeLens shows the figures up to this stop (samples may not have come yet).
    this.lastFunctions = Date.now();
    this.post({ kind: 'functions', consumed: this.meter.consumed(), functions: this.meter.perFunction() });
    this.post({ kind: 'stopped', stop: info });
    let resumed = false;
    this.resumeMode = undefined;
    this.serve(() => {
      resumed = this.resumeMode !== undefined;
      return resumed;
    });
    const mode = this.resumeMode;
    this.resumeMode = undefined;
    this.stopped = undefined;
    if (mode && mode !== 'continue') {
      const top = info.frames[0];
      const si = top ? this.siteIndex(top.offset) : -1;
      this.step = { mode, depth: info.frames.length, line: si >= 0 ? this.start.siteLines[si] : -1, funcIndex: top?.funcIndex ?? -1 };
      this.rearm(stepArming(mode, info.frames.map((fr) => fr.funcIndex)));
    }
  }

  private resumeMode: 'continue' | StepMode | undefined;

  /** Serve commands, blocking, until `done()` says so (or the controller terminates the run). */
  private serve(done: () => boolean): void {
    for (;;) {
      const wake = Atomics.load(this.ctl, CONTROL.WAKE);
      if (Atomics.load(this.ctl, CONTROL.STATE) === STATE_TERMINATE) throw new TerminatedError();
      Atomics.store(this.ctl, CONTROL.DEBUG_PENDING, 0);
      this.drain();
      if (done()) return;
      Atomics.wait(this.ctl, CONTROL.WAKE, wake, 1000);
    }
  }

  private drain(): void {
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (!m) return;
      const req = m.message as DebugRequest;
      try {
        const body = this.handle(req);
        this.post({ kind: 'reply', seq: req.seq, ok: true, body });
      } catch (e) {
        if (e instanceof TerminatedError) throw e;
        this.post({ kind: 'reply', seq: req.seq, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private requireStopped(): Stopped {
    if (!this.stopped) throw new Error('the module is running; pause it first');
    return this.stopped;
  }

  private handle(req: DebugRequest): unknown {
    switch (req.cmd) {
      case 'configure':
        this.filters = req.filters;
        this.setBreakpoints(req.breakpoints);
        if (req.stopOnEntry) {
          this.pendingStop = 'entry';
          this.rearm('all');
        }
        this.configured = true;
        return { ok: true };
      case 'setBreakpoints':
        this.setBreakpoints(req.breakpoints);
        return { ok: true };
      case 'setFilters':
        this.filters = req.filters;
        return { ok: true };
      case 'resume':
        this.requireStopped();
        this.resumeMode = req.mode;
        return { ok: true };
      case 'variables':
        return this.variables(req.ref, req.start, req.count);
      case 'setVariable':
        return this.setVariable(req.ref, req.name, req.value);
      case 'evaluate':
        return this.evaluateRequest(req.expression, req.frame);
      case 'readMemory':
        return this.readMemory(req.address, req.count);
      case 'writeMemory':
        return this.writeMemory(req.address, req.data);
    }
  }

  // ---- breakpoints and arming ----

  private setBreakpoints(list: WorkerBreakpoint[]): void {
    this.bps.clear();
    this.bpFuncs.clear();
    for (const bp of list) {
      const st: BreakpointState = { bp, hits: 0 };
      try {
        if (bp.condition?.trim()) st.condition = parseExpression(bp.condition);
        if (bp.hitCondition?.trim()) st.hit = parseHitCondition(bp.hitCondition);
        if (bp.logMessage !== undefined) st.log = parseLogMessage(bp.logMessage);
      } catch (e) {
        this.post({ kind: 'breakpointError', breakpointId: bp.id, message: (e as Error).message });
      }
      for (const off of bp.offsets) {
        let l = this.bps.get(off);
        if (!l) this.bps.set(off, (l = []));
        l.push(st);
        const f = this.funcAt(off);
        if (f >= 0) this.bpFuncs.add(f);
      }
    }
    if (this.im) this.rearm(this.step ? stepArming(this.step.mode, []) : this.pendingStop ? 'all' : undefined);
  }

  /** Original function index containing original offset `off`, or -1. */
  private funcAt(off: number): number {
    const starts = this.im?.origCodeStarts;
    const ends = this.im?.origBodyEnds;
    if (!starts || !ends) return -1;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.im.origBodyStarts[mid] <= off) {
        if (off < ends[mid]) return this.im.importedFuncs + mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return -1;
  }

  /** Arm functions with breakpoints, plus `extra` (a step's functions, or all for pause/step-in). */
  private rearm(extra: 'all' | Set<number> | undefined): void {
    if (!this.im) return;
    const nImp = this.im.importedFuncs;
    for (let i = 0; i < this.dbg.length; i++) {
      const f = nImp + i;
      const want = extra === 'all' || this.bpFuncs.has(f) || (extra !== undefined && extra.has(f)) ? 1 : 0;
      if (this.armedNow[i] !== want) {
        const g = this.dbg[i];
        if (g) g.value = want;
        this.armedNow[i] = want;
      }
    }
  }

  // ---- values ----

  private memoryAccess(): { bytes(): Uint8Array | undefined } {
    return { bytes: () => this.memoryBytes() };
  }

  private memoryBytes(): Uint8Array | undefined {
    const mem = (this.exports[memoryExportName(0)] ?? this.exports.memory) as { buffer: ArrayBuffer } | undefined;
    return mem ? new Uint8Array(mem.buffer) : undefined;
  }

  private localCount(f: number): number {
    return this.im.debug?.localTypes[f - this.im.importedFuncs]?.length ?? 0;
  }

  private localType(f: number, i: number): number {
    return this.im.debug?.localTypes[f - this.im.importedFuncs]?.[i] ?? 0;
  }

  /** A local of the top frame, read from the scratch globals it was spilled to. */
  private localValue(f: number, i: number): Value | undefined {
    const d = this.im.debug;
    if (!d) return undefined;
    const def = f - this.im.importedFuncs;
    const t = d.localTypes[def]?.[i];
    const slot = d.localSlots[def]?.[i];
    if (t === undefined || slot === undefined || slot < 0) return undefined;
    if (t === V128) {
      const lo = (this.exports[scratchExportName('i64', slot)] as WasmGlobalLike).value as bigint;
      const hi = (this.exports[scratchExportName('i64', slot + 1)] as WasmGlobalLike).value as bigint;
      return { k: 'v128', lo: BigInt.asUintN(64, lo), hi: BigInt.asUintN(64, hi) };
    }
    const st = SCRATCH_TYPES[t];
    const g = this.exports[scratchExportName(st, slot)] as WasmGlobalLike | undefined;
    if (!g) return undefined;
    return wasmValue(t, g.value);
  }

  private writeLocal(f: number, i: number, v: Value): void {
    const d = this.im.debug;
    const def = f - this.im.importedFuncs;
    const t = d?.localTypes[def]?.[i];
    const slot = d?.localSlots[def]?.[i];
    if (!d || t === undefined || slot === undefined || slot < 0 || d.localReload[def]?.[i] !== 1) {
      throw new EvalError(`local ${i} is not captured for writing in this function${this.start.hasDwarf ? ' (at -O0, C variables live in memory: set them in Locals)' : ''}`);
    }
    if (t === V128) throw new EvalError('v128 locals cannot be set from the debugger');
    const g = this.exports[scratchExportName(SCRATCH_TYPES[t], slot)] as WasmGlobalLike;
    g.value = toWasm(t, v);
    this.dirty = true;
  }

  private globalValue(i: number): Value | undefined {
    const t = this.globalTypes[i];
    const g = this.exports[globalExportName(i)] as WasmGlobalLike | undefined;
    if (!t || !g || typeof t.type !== 'number' || !(t.type in SCRATCH_TYPES)) return undefined;
    return wasmValue(t.type, g.value);
  }

  private localIndexByName(f: number, name: string): number {
    const m = this.names?.locals.get(f);
    if (!m) return -1;
    for (const [i, n] of m) if (n === name) return i;
    return -1;
  }

  private globalIndexByName(name: string): number {
    for (const [i, n] of this.names?.globals ?? []) if (n === name) return i;
    return -1;
  }

  private dwarfVars(): DwarfVariables {
    this.dwarf ??= readDwarfVariables(this.im.original);
    return this.dwarf;
  }

  /**
   * The value of a DWARF variable in the top frame (or a global); in another frame, `frameBase`
   * is that frame's (see frameBaseOf).
   */
  private dwarfValue(v: DwarfVariable, f: number, frameBase?: number): Value {
    const loc = v.location;
    const type: CType = v.type ?? { kind: 'void', name: 'void' };
    if (frameBase !== undefined && (loc.kind === 'wasm' || loc.kind === 'wasmAddr')) {
      // Only the top frame at a site spilled its locals: the scratch copies hold another frame's.
      throw new EvalError(`it lives in a wasm ${loc.space} of this frame, which is not captured here (optimized code?)`);
    }
    const wasmVar = (space: string, index: number): Value => {
      const x = space === 'local' ? this.localValue(f, index) : space === 'global' ? this.globalValue(index) : undefined;
      if (!x) throw new EvalError(`its ${space} ${index} is not available here`);
      return x;
    };
    switch (loc.kind) {
      case 'addr':
        return { k: 'obj', addr: loc.addr, type };
      case 'fbreg': {
        if (frameBase !== undefined) return { k: 'obj', addr: frameBase + loc.offset, type };
        const fn = subprogramAt(this.dwarfVars(), this.stopped?.info.frames[0]?.offset ?? -1);
        if (!fn?.frameBase) throw new EvalError('the frame base is not known');
        const base = wasmVar(fn.frameBase.space, fn.frameBase.index);
        return { k: 'obj', addr: Number(base.k === 'int' ? BigInt.asUintN(32, base.v) : 0n) + loc.offset, type };
      }
      case 'wasmAddr': {
        const a = wasmVar(loc.space, loc.index);
        return { k: 'obj', addr: a.k === 'int' ? Number(BigInt.asUintN(32, a.v)) : 0, type };
      }
      case 'wasm': {
        const x = wasmVar(loc.space, loc.index);
        const r = resolveType(type);
        if (r?.kind === 'pointer' && x.k === 'int') return { k: 'ptr', addr: Number(BigInt.asUintN(32, x.v)), to: r.to, type };
        if (r?.kind === 'base' && x.k === 'int' && r.enc !== 'float') {
          const signed = r.enc === 'signed' || r.enc === 'char';
          return { k: 'int', v: signed ? BigInt.asIntN(r.size * 8, x.v) : BigInt.asUintN(r.size * 8, x.v), bits: r.size * 8, signed, type };
        }
        if (x.k === 'float') return { ...x, type };
        return x;
      }
      case 'unsupported':
        throw new EvalError(loc.why);
    }
  }

  /** How function `f` moves the stack pointer (cached), or undefined when it cannot be followed. */
  private stackUseOf(f: number): StackUse | undefined {
    const def = f - this.im.importedFuncs;
    const m = this.mod;
    if (!m || this.spGlobal < 0 || def >= m.bodies.length) return undefined;
    // A host frame (an import such as the WASI call a capability stop is in) leaves the module's
    // stack pointer as it found it.
    if (def < 0) return { frameSize: 0, baseLocal: -1, storeAt: -1, restoreAt: Infinity };
    let u = this.stackUses.get(f);
    if (u === undefined) {
      u = stackUse(this.im.original, m.bodies[def], m.types[m.funcs[def]].params.length, this.spGlobal) ?? null;
      this.stackUses.set(f, u);
    }
    return u ?? undefined;
  }

  /**
   * The DWARF frame base of frame `k` of the current stop, from the stack pointer now and the
   * prologues of the frames inside it (frame-bases.ts): at -O0, where C variables live in memory,
   * this shows the variables of frames whose locals were not spilled. A string says why not.
   */
  private frameBaseOf(k: number): { fn: DwarfSubprogram; base: number } | string {
    const frames = this.requireStopped().info.frames;
    const fr = frames[k];
    const fn = fr && subprogramAt(this.dwarfVars(), fr.offset);
    if (!fn) return 'no DWARF description of this function (library code?)';
    if (this.spGlobal < 0) return 'the module names no __stack_pointer global';
    const spNow = this.globalValue(this.spGlobal);
    if (!spNow || spNow.k !== 'int') return 'the stack pointer is not readable';
    const entry = entryPointers(frames.slice(0, k + 1), Number(BigInt.asUintN(32, spNow.v)), (f) => this.stackUseOf(f))[k];
    const u = this.stackUseOf(fr.funcIndex);
    if (entry === undefined || !u) return 'a frame inside this one moves the stack pointer in a way the debugger does not follow (optimized code?)';
    const fb = fn.frameBase;
    if (fb?.space === 'local' && fb.index === u.baseLocal) return { fn, base: (entry - u.frameSize) >>> 0 };
    if (fb?.space === 'global' && fb.index === this.spGlobal) {
      const moved = u.storeAt >= 0 && fr.offset > u.storeAt && fr.offset <= u.restoreAt;
      return { fn, base: (moved ? entry - u.frameSize : entry) >>> 0 };
    }
    return 'the frame base is not the one its prologue computes (optimized code?)';
  }

  /** Names visible in frame `frame` for expressions. */
  private frameEnv(frame: number): EvalEnv {
    const st = this.stopped;
    const fr = st?.info.frames[frame];
    const top = frame === 0 && st?.info.localsCaptured === true && fr !== undefined;
    const f = fr?.funcIndex ?? -1;
    const mem = this.memoryAccess();
    return {
      bytes: mem.bytes,
      lookup: (name) => {
        if (top && this.start.hasDwarf) {
          const fn = subprogramAt(this.dwarfVars(), fr.offset);
          const v = fn && varsInScope(fn, fr.offset).find((x) => x.name === name);
          if (v) return this.dwarfValue(v, f);
        } else if (fr && this.start.hasDwarf) {
          // Another frame: its C variables through its frame base, when it can be found.
          const b = this.frameBaseOf(frame);
          const v = typeof b !== 'string' ? varsInScope(b.fn, fr.offset).find((x) => x.name === name) : undefined;
          if (v && typeof b !== 'string') return this.dwarfValue(v, f, b.base);
        }
        if (top) {
          const i = this.localIndexByName(f, name);
          if (i >= 0) return this.localValue(f, i);
        }
        if (this.start.hasDwarf) {
          const g = this.dwarfVars().globals.find((x) => x.name === name);
          if (g) return this.dwarfValue(g, f);
        }
        const gi = this.globalIndexByName(name);
        return gi >= 0 ? this.globalValue(gi) : undefined;
      },
      dollar: (name) => {
        if (top) {
          const i = this.localIndexByName(f, name);
          if (i >= 0) return this.localValue(f, i);
        }
        const gi = this.globalIndexByName(name);
        return gi >= 0 ? this.globalValue(gi) : undefined;
      },
      local: (i) => (top ? this.localValue(f, i) : undefined),
      global: (i) => this.globalValue(i),
    };
  }

  private view(name: string, lv: Value, expr?: string): VariableView {
    const st = this.requireStopped();
    const mem = this.memoryAccess();
    // Scalars in memory are shown (and expanded, for pointers) by their value; aggregates stay objects.
    const agg = lv.k === 'obj' && ['struct', 'union', 'array'].includes(resolveType(lv.type)?.kind ?? '');
    let v = lv;
    if (lv.k === 'obj' && !agg) {
      try {
        v = rvalue(mem, lv);
      } catch (e) {
        return { name, value: `<${(e as Error).message}>`, type: valueTypeName(lv), evaluateName: expr, readOnly: true };
      }
    }
    const out: VariableView = { name, value: formatValue(mem, v), type: valueTypeName(lv), evaluateName: expr };
    if (hasChildren(v)) {
      out.ref = { kind: 'value', key: st.handles.push({ value: v, expr }) - 1 };
      const n = arrayLength(v);
      if (n !== undefined && n > 100) out.indexed = n;
    }
    if (v.k === 'ptr' && v.addr !== 0) out.memoryReference = hex(v.addr);
    else if (v.k === 'obj') out.memoryReference = hex(v.addr);
    else if (v.k === 'int' && !v.type && v.bits === 32 && v.v > 0n) out.memoryReference = hex(v.v);
    return out;
  }

  private note(text: string): VariableView {
    return { name: 'ℹ', value: text, note: true, readOnly: true };
  }

  private localName(f: number, i: number): string {
    const n = this.names?.locals.get(f)?.get(i);
    return n ? `$${n}` : `local${i}`;
  }

  private variables(ref: VarRef, start = 0, count = 0): VariableView[] {
    const st = this.requireStopped();
    const frames = st.info.frames;
    const why = st.info.reason === 'exception'
      ? 'locals are not available: this stop is not at a breakpoint site (the frame was not spilled)'
      : 'locals of caller frames are not captured (only the innermost frame spills its locals at a site)';
    switch (ref.kind) {
      case 'locals': {
        const fr = frames[ref.frame];
        if (!fr || ref.frame !== 0 || !st.info.localsCaptured) return [this.note(why)];
        const out: VariableView[] = [];
        if (!this.start.hasDwarf && !this.start.isWat) out.push(this.note('source-level variables are not available for this module (no DWARF types); showing wasm locals'));
        const n = this.localCount(fr.funcIndex);
        let skipped = 0;
        for (let i = 0; i < n; i++) {
          const v = this.localValue(fr.funcIndex, i);
          const name = this.localName(fr.funcIndex, i);
          const expr = name.startsWith('$') ? name : `locals[${i}]`;
          if (v) out.push(this.view(name, v, expr));
          else if (this.localType(fr.funcIndex, i) === 0) out.push({ name, value: '<reference type: not captured>', readOnly: true });
          else skipped++;
        }
        if (skipped > 0) out.push(this.note(`${skipped} of ${n} wasm locals are not captured in this function: only those its DWARF variables use (C variables are in Locals)`));
        return out;
      }
      case 'source': {
        const fr = frames[ref.frame];
        if (!this.start.hasDwarf) return [this.note('source-level variables are not available for this module (no DWARF types); see Locals (wasm)')];
        if (!fr) return [this.note(why)];
        // The top frame at a site reads its spilled locals; any other frame, its frame base.
        let base: number | undefined;
        let fn: DwarfSubprogram | undefined;
        if (ref.frame === 0 && st.info.localsCaptured) fn = subprogramAt(this.dwarfVars(), fr.offset);
        else {
          const b = this.frameBaseOf(ref.frame);
          if (typeof b === 'string') return [this.note(`${why}; its C variables: ${b}`)];
          ({ fn, base } = b);
        }
        if (!fn) return [this.note('no DWARF description of this function (library code?); see Locals (wasm)')];
        const vars = varsInScope(fn, fr.offset);
        if (vars.length === 0) return [this.note('this function has no variables')];
        return vars.map((v) => {
          try {
            return this.view(v.name, this.dwarfValue(v, fr.funcIndex, base), v.name);
          } catch (e) {
            return { name: v.name, value: `<${(e as Error).message}>`, readOnly: true };
          }
        });
      }
      case 'stack': {
        const fr = frames[ref.frame];
        const cap = fr && ref.frame === 0 && st.info.localsCaptured ? this.im.debug?.siteStacks.get(fr.offset) : undefined;
        if (!cap) {
          return [this.note(this.start.isWat || !st.info.localsCaptured || ref.frame !== 0
            ? 'operand stack not captured at this site'
            : 'operand stack not captured at this site (empty at statement starts of -O0 code)')];
        }
        return Array.from(cap.types, (t, i) => {
          const g = this.exports[scratchExportName(SCRATCH_TYPES[t], cap.slots[i])] as WasmGlobalLike;
          return { ...this.view(`[${i}]`, wasmValue(t, g.value), undefined), readOnly: true };
        });
      }
      case 'globals': {
        const out: VariableView[] = [];
        for (let i = 0; i < this.globalTypes.length; i++) {
          const v = this.globalValue(i);
          const n = this.names?.globals.get(i);
          const name = n ? `$${n}` : `global${i}`;
          if (v) out.push({ ...this.view(name, v, n ? `$${n}` : `globals[${i}]`), readOnly: !this.globalTypes[i].mutable });
          else out.push({ name, value: `<${typeText(this.globalTypes[i].type)}>`, readOnly: true });
        }
        return out;
      }
      case 'sourceGlobals': {
        if (!this.start.hasDwarf) return [this.note('no DWARF: see Globals (wasm)')];
        return this.dwarfVars().globals.map((g) => {
          try {
            return this.view(g.name, this.dwarfValue(g, frames[0]?.funcIndex ?? -1), g.name);
          } catch (e) {
            return { name: g.name, value: `<${(e as Error).message}>`, readOnly: true };
          }
        });
      }
      case 'value': {
        const h = st.handles[ref.key];
        if (!h) throw new Error('this value is no longer available');
        const kids = childrenOf(h.value, start, count > 0 ? count : 1000);
        return kids.map((c) => {
          const expr = h.expr === undefined ? undefined : c.name === '*' ? `*(${h.expr})` : c.name.startsWith('[') ? `${h.expr}${c.name}` : `${h.expr}.${c.name}`;
          return this.view(c.name === '*' ? `*${h.expr ?? ''}` : c.name, c.value, expr);
        });
      }
    }
  }

  private evaluateRequest(expression: string, frame: number): VariableView {
    this.requireStopped();
    const v = evaluate(parseExpression(expression), this.frameEnv(frame));
    return this.view(expression, v, expression);
  }

  private setVariable(ref: VarRef, name: string, text: string): VariableView {
    const st = this.requireStopped();
    const env = this.frameEnv(0);
    const value = rvalue(env, evaluate(parseExpression(text), env));
    const f = st.info.frames[0]?.funcIndex ?? -1;
    switch (ref.kind) {
      case 'locals': {
        if (!st.info.localsCaptured || ref.frame !== 0) throw new Error('locals of this frame are not captured');
        const n = this.localCount(f);
        for (let i = 0; i < n; i++) {
          if (this.localName(f, i) !== name) continue;
          this.writeLocal(f, i, value);
          return this.view(name, this.localValue(f, i)!, name);
        }
        throw new Error(`no local ${name}`);
      }
      case 'globals': {
        for (let i = 0; i < this.globalTypes.length; i++) {
          const n = this.names?.globals.get(i);
          if ((n ? `$${n}` : `global${i}`) !== name) continue;
          if (!this.globalTypes[i].mutable) throw new Error(`${name} is immutable`);
          const g = this.exports[globalExportName(i)] as WasmGlobalLike;
          g.value = toWasm(this.globalTypes[i].type as number, value);
          return this.view(name, this.globalValue(i)!, name);
        }
        throw new Error(`no global ${name}`);
      }
      case 'source':
      case 'sourceGlobals': {
        if (ref.kind === 'source' && (ref.frame !== 0 || !st.info.localsCaptured)) {
          // Another frame's C variable: in memory at its frame base.
          const b = this.frameBaseOf(ref.frame);
          if (typeof b === 'string') throw new Error(b);
          const fr = st.info.frames[ref.frame];
          const v = varsInScope(b.fn, fr.offset).find((x) => x.name === name);
          if (!v) throw new Error(`no variable ${name}`);
          const target = this.dwarfValue(v, fr.funcIndex, b.base);
          if (target.k !== 'obj') throw new Error(`${name} is not in memory in this frame: it cannot be set here`);
          this.writeObject(target, value);
          return this.view(name, this.dwarfValue(v, fr.funcIndex, b.base), name);
        }
        const fn = ref.kind === 'source' ? subprogramAt(this.dwarfVars(), st.info.frames[0].offset) : undefined;
        const v = ref.kind === 'source' ? fn && varsInScope(fn, st.info.frames[0].offset).find((x) => x.name === name) : this.dwarfVars().globals.find((x) => x.name === name);
        if (!v) throw new Error(`no variable ${name}`);
        if (v.location.kind === 'wasm' && v.location.space === 'local') {
          this.writeLocal(f, v.location.index, value);
        } else {
          const target = this.dwarfValue(v, f);
          if (target.k !== 'obj') throw new Error(`${name} cannot be assigned`);
          this.writeObject(target, value);
        }
        return this.view(name, this.dwarfValue(v, f), name);
      }
      case 'value': {
        const h = st.handles[ref.key];
        const c = h && childrenOf(h.value).find((x) => x.name === name || `*${h.expr ?? ''}` === name);
        if (!c) throw new Error(`no member ${name}`);
        this.writeObject(c.value, value);
        return this.view(name, c.value);
      }
      case 'stack':
        throw new Error('the operand stack is not captured');
    }
  }

  private writeObject(target: Value, value: Value): void {
    if (target.k !== 'obj') throw new EvalError('only objects in memory can be assigned');
    const bytes = encodeScalar(value, target.type);
    const mem = this.memoryBytes();
    if (!mem || target.addr < 0 || target.addr + bytes.length > mem.length) throw new EvalError('address outside linear memory');
    mem.set(bytes, target.addr);
  }

  private readMemory(address: number, count: number): MemoryRead {
    const mem = this.memoryBytes();
    if (!mem) throw new Error('the module has no linear memory');
    const from = Math.max(0, Math.min(address, mem.length));
    const to = Math.max(from, Math.min(address + count, mem.length));
    return { address, data: mem.slice(from, to), unreadable: count - (to - from) };
  }

  private writeMemory(address: number, data: Uint8Array): { written: number } {
    const mem = this.memoryBytes();
    if (!mem) throw new Error('the module has no linear memory');
    if (address < 0 || address + data.length > mem.length) throw new Error(`0x${address.toString(16)}+${data.length} is outside linear memory (${mem.length} bytes)`);
    mem.set(data, address);
    return { written: data.length };
  }
}

function typeText(t: ValType | number): string {
  if (t === I32) return 'i32';
  if (t === I64) return 'i64';
  if (t === F32) return 'f32';
  if (t === F64) return 'f64';
  if (t === V128) return 'v128';
  return 'ref';
}

/** A wasm value of type `t` as the JS API gives it (number or bigint). */
function wasmValue(t: number, raw: unknown): Value {
  switch (t) {
    case I32:
      return { k: 'int', v: BigInt(raw as number), bits: 32, signed: true };
    case I64:
      return { k: 'int', v: raw as bigint, bits: 64, signed: true };
    case F32:
      return { k: 'float', v: raw as number, bits: 32 };
    default:
      return { k: 'float', v: raw as number, bits: 64 };
  }
}

/** A value converted to what the JS API wants for a wasm value of type `t`. */
function toWasm(t: number, v: Value): number | bigint {
  const num = v.k === 'float' ? v.v : v.k === 'int' ? Number(v.v) : v.k === 'ptr' ? v.addr : NaN;
  const big = v.k === 'int' ? v.v : v.k === 'ptr' ? BigInt(v.addr) : v.k === 'float' && Number.isFinite(v.v) ? BigInt(Math.trunc(v.v)) : undefined;
  if (t === I32) {
    if (big === undefined) throw new EvalError('not a number');
    return Number(BigInt.asIntN(32, big));
  }
  if (t === I64) {
    if (big === undefined) throw new EvalError('not a number');
    return BigInt.asIntN(64, big);
  }
  if (Number.isNaN(num) && v.k !== 'float') throw new EvalError('not a number');
  return num;
}

