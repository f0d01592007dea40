// The controlling side of a debugged run, what the DAP session drives (as mock-debug's session
// drives its MockRuntime): loads the module's debug information, starts the observed run with the
// debug engine in the worker, binds breakpoints to sites (while the module runs, without asking
// the worker), sends commands and awaits replies, and turns worker and runtime events into plain
// callbacks. It never speaks DAP and never shows wasm bytes to the session.

import type { RuntimeEvent } from '../runtime/events';
import type { RunOptions } from '../runtime/run-options';
import type { RunResult } from '../runtime/run-result';
import { startObservedRun, type ObservedRun, type ObservedRunOutcome } from '../orchestration/observed-run';
import type {
  DebugCommandName, DebugCommands, DebugEvent, DebugRequest, ExceptionFilters, FrameInfo, MemoryRead, StopInfo,
  VarRef, VariableView, WorkerBreakpoint,
} from './debug-protocol';
import { parseExpression, parseLogMessage } from './expression';
import { loadModuleDebugInfo, type DisassembledInstruction, type FunctionSource, type ModuleDebugView } from './module-debug-info';
import type { StepMode } from './step-logic';
import { parseHitCondition } from './hit-condition';

export interface BreakpointRequest {
  line?: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface BreakpointView {
  id: number;
  verified: boolean;
  message?: string;
  path?: string;
  line?: number;
  /** For instruction breakpoints: the bound address. */
  instructionReference?: string;
}

export interface FrameView {
  id: number;
  name: string;
  /** The source file on this machine, when known. */
  path?: string;
  line: number;
  column: number;
  instructionPointerReference: string;
  /** Library code (no source on this machine). */
  subtle: boolean;
}

export interface StopView {
  reason: StopInfo['reason'];
  description?: string;
  text?: string;
  hitBreakpointIds: number[];
  exception?: StopInfo['exception'];
}

export interface DebugRuntimeListener {
  output(category: 'stdout' | 'stderr' | 'console' | 'important', text: string, where?: { path?: string; line?: number }): void;
  stopped(stop: StopView): void;
  breakpointChanged(bp: BreakpointView): void;
  /** Custom events (`wasiscope/fuel`, `wasiscope/functions`, ...): JSON-safe bodies. */
  custom(event: string, body: unknown): void;
  exited(exitCode: number): void;
  terminated(): void;
}

export interface DebugLaunch {
  options: RunOptions;
  stopOnEntry: boolean;
}

interface BoundBreakpoint {
  id: number;
  kind: 'source' | 'function' | 'instruction';
  offsets: number[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  view: BreakpointView;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Bigints to numbers (or strings past 2^53), byte arrays to numbers lists: bodies for JSON. */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonSafe(x);
    return o;
  }
  return v;
}

export class WasiDebugRuntime {
  private view?: ModuleDebugView;
  private run?: ObservedRun;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private nextBpId = 1;
  private sourceBps = new Map<string, BoundBreakpoint[]>();
  private functionBps: BoundBreakpoint[] = [];
  private instructionBps: BoundBreakpoint[] = [];
  private filters: ExceptionFilters = { traps: true, outOfFuel: true, capabilityDenied: false, anomaly: false };
  private state: 'idle' | 'ready' | 'running' | 'stopped' | 'ended' = 'idle';
  private stop?: StopInfo;
  private readyWaiter?: (r: { ok: true } | { ok: false; error: string }) => void;
  private lastFuelEvent = 0;
  private sources: FunctionSource[] = [];
  private finalOutcome?: ObservedRunOutcome;
  private ended?: Promise<void>;

  constructor(private readonly listener: DebugRuntimeListener) {}

  get isStopped(): boolean {
    return this.state === 'stopped';
  }

  get module(): ModuleDebugView | undefined {
    return this.view;
  }

  /** Load, instrument, instantiate; resolves once the module waits for configurationDone (or with the launch error). */
  async launch(launch: DebugLaunch): Promise<{ ok: true } | { ok: false; error: string }> {
    let view: ModuleDebugView;
    try {
      view = await loadModuleDebugInfo(launch.options.program, launch.options.cwd);
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    this.view = view;
    for (const w of view.info.warnings) this.listener.output('console', `wasiscope: ${w}\n`);
    this.sources = view.functionSources();
    this.stopOnEntry = launch.stopOnEntry;
    const ready = new Promise<{ ok: true } | { ok: false; error: string }>((r) => (this.readyWaiter = r));
    const t0 = performance.now();
    this.run = startObservedRun(launch.options, (e) => this.onRuntimeEvent(e), process.env, {
      start: view.info.start,
      onDebugEvent: (e) => this.onDebugEvent(e),
    });
    this.ended = this.run.outcome.then(
      (outcome) => this.onEnd(outcome),
      (e: unknown) => {
        this.listener.output('stderr', `wasiscope: the run failed: ${e instanceof Error ? e.message : String(e)}\n`);
        this.finish(1);
      },
    );
    this.run.handle.done.then((r) => {
      if (this.state === 'idle') this.readyWaiter?.({ ok: false, error: r.loadError ?? `the module ended before it could be debugged (exit ${r.exitCode})` });
      // The final figures as soon as the module is done (the report and trace take longer).
      else if (!r.loadError) this.listener.custom('wasiscope/functions', this.functionFigures(r, true));
    });
    const r = await ready;
    this.launchMs = performance.now() - t0;
    if (r.ok) this.state = 'ready';
    return r;
  }

  /** Milliseconds from starting the worker to the module waiting for configurationDone. */
  launchMs = 0;
  private stopOnEntry = false;

  /** configurationDone: send breakpoints and filters, let the module run. */
  async configurationDone(): Promise<void> {
    if (this.state !== 'ready') return;
    this.state = 'running';
    await this.request('configure', { breakpoints: this.workerBreakpoints(), filters: this.filters, stopOnEntry: this.stopOnEntry });
  }

  // ---- breakpoints ----

  setSourceBreakpoints(path: string, requests: BreakpointRequest[]): BreakpointView[] {
    const view = this.view;
    const list: BoundBreakpoint[] = requests.map((r) => {
      const id = this.nextBpId++;
      const bp: BoundBreakpoint = { id, kind: 'source', offsets: [], condition: r.condition, hitCondition: r.hitCondition, logMessage: r.logMessage, view: { id, verified: false, path } };
      const bad = this.checkExpressions(r);
      if (bad) {
        bp.view = { id, verified: false, path, line: r.line, message: bad };
        return bp;
      }
      if (!view || r.line === undefined) {
        bp.view = { id, verified: false, path, line: r.line, message: 'No module is loaded yet.' };
        return bp;
      }
      const b = view.bindLine(path, r.line);
      if (!b.bound) bp.view = { id, verified: false, path, line: r.line, message: b.message };
      else {
        bp.offsets = b.offsets;
        bp.view = { id, verified: true, path, line: b.line, message: b.moved ? `Line ${b.requestedLine} has no code: bound to line ${b.line}.` : undefined };
      }
      return bp;
    });
    this.sourceBps.set(path, list);
    this.pushBreakpoints();
    return list.map((b) => b.view);
  }

  setFunctionBreakpoints(requests: { name: string; condition?: string; hitCondition?: string }[]): BreakpointView[] {
    this.functionBps = requests.map((r) => {
      const id = this.nextBpId++;
      const bp: BoundBreakpoint = { id, kind: 'function', offsets: [], condition: r.condition, hitCondition: r.hitCondition, view: { id, verified: false } };
      const bad = this.checkExpressions(r);
      if (bad) bp.view.message = bad;
      else if (!this.view) bp.view.message = 'No module is loaded yet.';
      else {
        const b = this.view.bindFunction(r.name);
        if ('error' in b) bp.view.message = b.error;
        else {
          bp.offsets = [b.offset];
          const src = this.view.sourceAt(b.offset);
          bp.view = { id, verified: true, path: src?.path, line: src?.line, instructionReference: hexAddr(b.offset) };
        }
      }
      return bp;
    });
    this.pushBreakpoints();
    return this.functionBps.map((b) => b.view);
  }

  setInstructionBreakpoints(requests: { instructionReference: string; offset?: number; condition?: string; hitCondition?: string }[]): BreakpointView[] {
    this.instructionBps = requests.map((r) => {
      const id = this.nextBpId++;
      const bp: BoundBreakpoint = { id, kind: 'instruction', offsets: [], condition: r.condition, hitCondition: r.hitCondition, view: { id, verified: false } };
      const addr = parseAddress(r.instructionReference) + (r.offset ?? 0);
      const bad = this.checkExpressions(r);
      if (bad) bp.view.message = bad;
      else if (!this.view || !Number.isFinite(addr)) bp.view.message = `Not an address: ${r.instructionReference}.`;
      else if (!this.view.isInstruction(addr)) bp.view.message = `0x${addr.toString(16)} is not the start of an instruction of this module.`;
      else if (!this.view.isSite(addr)) {
        bp.view.message = `0x${addr.toString(16)} is not a breakpoint site (sites are statement starts, function entries, return points and loop headers): this breakpoint cannot bind.`;
        bp.view.instructionReference = hexAddr(addr);
      } else {
        bp.offsets = [addr];
        const src = this.view.sourceAt(addr);
        bp.view = { id, verified: true, instructionReference: hexAddr(addr), path: src?.path, line: src?.line };
      }
      return bp;
    });
    this.pushBreakpoints();
    return this.instructionBps.map((b) => b.view);
  }

  setExceptionFilters(filters: ExceptionFilters): void {
    this.filters = filters;
    if (this.state === 'running' || this.state === 'stopped') void this.request('setFilters', { filters }).catch(() => undefined);
  }

  private checkExpressions(r: { condition?: string; hitCondition?: string; logMessage?: string }): string | undefined {
    try {
      if (r.condition?.trim()) parseExpression(r.condition);
      if (r.logMessage !== undefined) parseLogMessage(r.logMessage);
    } catch (e) {
      return `Invalid ${r.logMessage !== undefined && !r.condition ? 'log message' : 'condition'}: ${(e as Error).message}`;
    }
    if (r.hitCondition?.trim() && !parseHitCondition(r.hitCondition)) return `Invalid hit count '${r.hitCondition}': use N, >= N, > N, == N, < N, <= N or % N.`;
    return undefined;
  }

  private allBreakpoints(): BoundBreakpoint[] {
    return [...[...this.sourceBps.values()].flat(), ...this.functionBps, ...this.instructionBps];
  }

  private workerBreakpoints(): WorkerBreakpoint[] {
    return this.allBreakpoints()
      .filter((b) => b.offsets.length > 0)
      .map((b) => ({
        id: b.id,
        offsets: b.offsets,
        condition: b.condition,
        hitCondition: b.hitCondition,
        logMessage: b.logMessage,
        reason: b.kind === 'function' ? 'function breakpoint' : b.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint',
      }));
  }

  private pushBreakpoints(): void {
    if (this.state === 'running' || this.state === 'stopped') void this.request('setBreakpoints', { breakpoints: this.workerBreakpoints() }).catch(() => undefined);
  }

  // ---- execution control ----

  async resume(mode: 'continue' | StepMode): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'running';
    this.stop = undefined;
    await this.request('resume', { mode });
  }

  pause(): void {
    if (this.state === 'running') this.run?.handle.pause();
  }

  async terminate(): Promise<void> {
    if (!this.run || this.state === 'ended') return;
    for (const p of this.pending.values()) p.reject(new Error('the run was terminated'));
    this.pending.clear();
    await this.run.handle.terminate();
    await this.ended;
  }

  // ---- inspection ----

  frames(): FrameView[] {
    const st = this.stop;
    const view = this.view;
    if (!st || !view) return [];
    return st.frames.map((f: FrameInfo, i) => {
      const src = view.sourceAt(f.offset);
      return {
        id: i,
        name: view.functionName(f.funcIndex),
        path: src?.path,
        line: src?.path ? src.line : 0,
        column: src?.path ? Math.max(1, src.column) : 0,
        instructionPointerReference: hexAddr(f.offset),
        subtle: !src?.path,
      };
    });
  }

  frameCount(): number {
    return this.stop?.frames.length ?? 0;
  }

  localsCaptured(frame: number): boolean {
    return frame === 0 && this.stop?.localsCaptured === true;
  }

  get hasDwarf(): boolean {
    return this.view?.info.hasDwarf === true;
  }

  get isWat(): boolean {
    return this.view?.info.isWat === true;
  }

  variables(ref: VarRef, start?: number, count?: number): Promise<VariableView[]> {
    return this.request('variables', { ref, start, count });
  }

  setVariable(ref: VarRef, name: string, value: string): Promise<VariableView> {
    return this.request('setVariable', { ref, name, value });
  }

  evaluate(expression: string, frame: number): Promise<VariableView> {
    return this.request('evaluate', { expression, frame });
  }

  readMemory(address: number, count: number): Promise<MemoryRead> {
    return this.request('readMemory', { address, count });
  }

  writeMemory(address: number, data: Uint8Array): Promise<{ written: number }> {
    return this.request('writeMemory', { address, data });
  }

  disassemble(address: number, instructionOffset: number, count: number): DisassembledInstruction[] {
    return this.view?.disassemble(address, instructionOffset, count) ?? [];
  }

  /** Per-function fuel and calls with where each function starts in the source (the CodeLens data). */
  functionFigures(result: Pick<RunResult, 'functions' | 'fuelConsumed'>, final: boolean): unknown {
    const bySource = new Map(this.sources.map((s) => [s.funcIndex, s]));
    const total = result.fuelConsumed;
    return jsonSafe({
      final,
      program: this.view?.info.program,
      total,
      functions: result.functions
        .filter((f) => f.calls > 0n || f.fuelExclusive > 0n)
        .map((f) => {
          const s = bySource.get(f.index);
          return { index: f.index, name: s?.name ?? f.name, fuel: f.fuelExclusive, calls: f.calls, file: s?.file, line: s?.line };
        }),
    });
  }

  private request<K extends DebugCommandName>(cmd: K, args: DebugCommands[K]['args']): Promise<DebugCommands[K]['reply']> {
    const send = this.run?.handle.sendDebug;
    if (!send || this.state === 'ended') return Promise.reject(new Error('the module is not running'));
    if (cmd !== 'configure' && cmd !== 'setBreakpoints' && cmd !== 'setFilters' && cmd !== 'resume' && this.state !== 'stopped') {
      return Promise.reject(new Error('the module is running; pause it first'));
    }
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      send({ seq, cmd, ...args } as DebugRequest);
    });
  }

  // ---- events ----

  private onDebugEvent(e: DebugEvent): void {
    switch (e.kind) {
      case 'ready':
        this.readyWaiter?.({ ok: true });
        this.readyWaiter = undefined;
        return;
      case 'stopped':
        this.state = 'stopped';
        this.stop = e.stop;
        this.listener.stopped({
          reason: e.stop.reason,
          description: e.stop.description,
          text: e.stop.text,
          hitBreakpointIds: e.stop.hitBreakpointIds,
          exception: e.stop.exception,
        });
        return;
      case 'log': {
        const bp = this.allBreakpoints().find((b) => b.id === e.breakpointId);
        this.listener.output('console', `${e.text}\n`, bp ? { path: bp.view.path, line: bp.view.line } : undefined);
        return;
      }
      case 'breakpointError': {
        const bp = this.allBreakpoints().find((b) => b.id === e.breakpointId);
        this.listener.output('important', `Breakpoint ${bp?.view.path ? `${bp.view.path}:${bp.view.line}` : e.breakpointId}: ${e.message}\n`);
        return;
      }
      case 'functions':
        this.listener.custom('wasiscope/functions', this.functionFigures({ functions: e.functions, fuelConsumed: e.consumed }, false));
        return;
      case 'reply': {
        const p = this.pending.get(e.seq);
        if (!p) return;
        this.pending.delete(e.seq);
        if (e.ok) p.resolve(e.body);
        else p.reject(new Error(e.error));
        return;
      }
    }
  }

  private onRuntimeEvent(e: RuntimeEvent): void {
    switch (e.kind) {
      case 'output':
        this.listener.output(e.stream, Buffer.from(e.data).toString('utf8'));
        return;
      case 'fuel': {
        const now = Date.now();
        if (now - this.lastFuelEvent < 100) return;
        this.lastFuelEvent = now;
        this.listener.custom('wasiscope/fuel', jsonSafe({ consumed: e.consumed, elapsedMs: e.elapsedMs }));
        return;
      }
      case 'capability':
        this.listener.custom('wasiscope/capability', jsonSafe(e));
        return;
      case 'security':
        this.listener.custom('wasiscope/capability', jsonSafe(e));
        if (e.reason !== 'capability-denied') this.listener.output('important', `wasiscope: ${e.reason}: ${e.message}\n`);
        return;
      case 'anomaly':
        this.listener.custom('wasiscope/anomaly', jsonSafe(e));
        this.listener.output('important', `wasiscope: anomaly (${e.anomaly}): ${e.message}\n`);
        return;
      case 'memory':
        this.listener.custom('wasiscope/memory', jsonSafe(e));
        return;
      case 'metric':
        // Direct module metrics (wasiscope_metrics imports): live as they happen, or, in
        // deterministic runs, all at once after the run.
        this.listener.custom('wasiscope/metric', jsonSafe(e));
        return;
      default:
        return;
    }
  }

  private onEnd(outcome: ObservedRunOutcome): void {
    this.finalOutcome = outcome;
    const r = outcome.result;
    for (const w of outcome.warnings) this.listener.output('console', `wasiscope: ${w}\n`);
    if (this.state === 'idle') {
      // The launch failed (launch() reports it); nothing ran.
      this.state = 'ended';
      return;
    }
    if (r.trap) this.listener.output('stderr', `wasm trap: ${r.trap.kind}${r.trap.message && r.trap.message !== r.trap.kind ? ` (${r.trap.message})` : ''}\n`);
    else if (r.loadError && r.loadError !== 'terminated') this.listener.output('stderr', `wasiscope: ${r.loadError}\n`);
    this.listener.custom('wasiscope/fuel', jsonSafe({ consumed: r.fuelConsumed, elapsedMs: r.wallMs, final: true }));
    this.listener.custom('wasiscope/trace', jsonSafe(outcome.trace));
    this.finish(r.exitCode);
  }

  private finish(exitCode: number): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    for (const p of this.pending.values()) p.reject(new Error('the run ended'));
    this.pending.clear();
    this.listener.exited(exitCode);
    this.listener.terminated();
  }

  /** The final outcome (report, trace), once the run ended. */
  get outcome(): ObservedRunOutcome | undefined {
    return this.finalOutcome;
  }
}

export function hexAddr(n: number): string {
  return `0x${n.toString(16)}`;
}

export function parseAddress(s: string): number {
  const t = s.trim();
  return /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
}
