// The DAP session of the `wasi` debugger: DAP requests -> WasiDebugRuntime calls, runtime
// callbacks -> DAP events (mock-debug's split: the runtime never sees DAP types, this class never
// sees wasm bytes). Runs inline in the extension host or as a separate process over stdio
// (debug-adapter-main.ts). Frame and variable handles are valid for one stop.

import {
  Breakpoint, Event, ExitedEvent, Handles, InitializedEvent, LoggingDebugSession, MemoryEvent, OutputEvent,
  Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, InvalidatedEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import type { ExceptionFilters, VarRef, VariableView } from '../debug/debug-protocol';
import { WasiDebugRuntime, parseAddress, hexAddr, type BreakpointView, type StopView } from '../debug/debug-runtime';
import { toRunOptions, type WasiLaunchArguments } from './launch-config';

const THREAD_ID = 1;

/** The exception breakpoint filters, in the order the editor lists them. */
const FILTERS: (DebugProtocol.ExceptionBreakpointsFilter & { filter: keyof ExceptionFilters })[] = [
  { filter: 'traps', label: 'Traps', description: 'Stop when the module traps (unreachable, divide by zero, out-of-bounds access...).', default: true },
  { filter: 'outOfFuel', label: 'Out of fuel', description: 'Stop when the run reaches its fuel limit.', default: true },
  { filter: 'capabilityDenied', label: 'Capability denied', description: 'Stop inside the WASI call the policy denied.', default: false },
  { filter: 'anomaly', label: 'Anomaly detected', description: 'Stop when a capability use differs from the baseline or policy.', default: false },
];

export class WasiDebugSession extends LoggingDebugSession {
  private runtime: WasiDebugRuntime;
  private refs = new Handles<VarRef>();
  private configured!: Promise<void>;
  private markConfigured!: () => void;
  private launchArgs?: WasiLaunchArguments;
  private program = '';
  private lastStop?: StopView;
  private filters: ExceptionFilters = { traps: true, outOfFuel: true, capabilityDenied: false, anomaly: false };
  private sourceBreakpoints = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  private functionBreakpoints?: DebugProtocol.SetFunctionBreakpointsArguments;
  private instructionBreakpoints?: DebugProtocol.SetInstructionBreakpointsArguments;
  private ended = false;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.runtime = this.newRuntime();
    this.resetConfigured();
  }

  private resetConfigured(): void {
    this.configured = new Promise((r) => (this.markConfigured = r));
  }

  /** Events of a replaced runtime (restart) are dropped: only the current run speaks. */
  private generation = 0;

  private newRuntime(): WasiDebugRuntime {
    const gen = ++this.generation;
    const live = () => gen === this.generation;
    return new WasiDebugRuntime({
      output: (category, text, where) => {
        if (!live()) return;
        const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
        if (where?.path) {
          e.body.source = new Source(basename(where.path), this.convertDebuggerPathToClient(where.path));
          e.body.line = where.line !== undefined ? this.convertDebuggerLineToClient(where.line) : undefined;
        }
        this.sendEvent(e);
      },
      stopped: (stop) => {
        if (!live()) return;
        this.lastStop = stop;
        this.refs.reset();
        const e = new StoppedEvent(stop.reason, THREAD_ID, stop.text) as DebugProtocol.StoppedEvent;
        e.body.description = stop.description ?? stop.reason;
        e.body.allThreadsStopped = true;
        if (stop.hitBreakpointIds.length) e.body.hitBreakpointIds = stop.hitBreakpointIds;
        this.sendEvent(e);
      },
      breakpointChanged: (bp) => live() && this.sendEvent(new Event('breakpoint', { reason: 'changed', breakpoint: this.toBreakpoint(bp) })),
      custom: (event, body) => live() && this.sendEvent(new Event(event, body)),
      exited: (code) => live() && this.sendEvent(new ExitedEvent(code)),
      terminated: () => {
        if (!live() || this.ended) return;
        this.ended = true;
        this.sendEvent(new TerminatedEvent());
      },
    });
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    const b: DebugProtocol.Capabilities = (response.body ??= {});
    // The editor sends breakpoints, then configurationDone; the module runs only after that.
    b.supportsConfigurationDoneRequest = true;
    // Breakpoints on functions by name (name section or DWARF).
    b.supportsFunctionBreakpoints = true;
    // Conditions, hit counts and logpoints, evaluated by the engine at the site.
    b.supportsConditionalBreakpoints = true;
    b.supportsHitConditionalBreakpoints = true;
    b.supportsLogPoints = true;
    // Instruction breakpoints at byte offsets (from the disassembly view).
    b.supportsInstructionBreakpoints = true;
    // The module's text form, one instruction per line.
    b.supportsDisassembleRequest = true;
    // Linear memory for the memory inspector.
    b.supportsReadMemoryRequest = true;
    b.supportsWriteMemoryRequest = true;
    // Watches, hovers and the debug console over locals, globals, memory and C variables.
    b.supportsEvaluateForHovers = true;
    // Locals (spilled at the site and reloaded), mutable globals, C variables in memory.
    b.supportsSetVariable = true;
    // Traps, out of fuel, capability denied, anomaly.
    b.exceptionBreakpointFilters = FILTERS.map(({ filter, label, description, default: d }) => ({ filter, label, description, default: d }));
    b.supportsExceptionInfoRequest = true;
    // Restart runs the module again from the start with the same breakpoints.
    b.supportsRestartRequest = true;
    b.supportsTerminateRequest = true;
    // Stack traces come whole; totalFrames lets the editor page them.
    b.supportsDelayedStackTraceLoading = true;
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.markConfigured();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: WasiLaunchArguments): Promise<void> {
    // A client may send no arguments at all: that is a configuration without "program".
    const cfg = toRunOptions((args as WasiLaunchArguments | undefined) ?? {});
    if (!cfg.ok) {
      this.sendErrorResponse(response, { id: 1001, format: `Cannot debug: ${cfg.error}`, showUser: true });
      this.sendEvent(new TerminatedEvent());
      this.ended = true;
      return;
    }
    this.launchArgs = args;
    this.program = cfg.options.program;
    if (this.runtime.module) this.runtime = this.newRuntime();
    const r = await this.runtime.launch({ options: cfg.options, stopOnEntry: cfg.stopOnEntry });
    if (!r.ok) {
      this.sendErrorResponse(response, { id: 1002, format: `Cannot debug ${basename(cfg.options.program)}: ${r.error}`, showUser: true });
      this.sendEvent(new TerminatedEvent());
      this.ended = true;
      return;
    }
    this.sendEvent(new InitializedEvent());
    await this.configured;
    this.runtime.setExceptionFilters(this.filters);
    await this.runtime.configurationDone();
    this.sendResponse(response);
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse): Promise<void> {
    const args = this.launchArgs;
    if (!args) {
      this.sendErrorResponse(response, { id: 1003, format: 'Nothing to restart: the session was never launched.' });
      return;
    }
    const old = this.runtime;
    this.runtime = this.newRuntime(); // from here on the old run's events are dropped
    await old.terminate();
    this.refs.reset();
    const cfg = toRunOptions(args);
    if (!cfg.ok) {
      this.sendErrorResponse(response, { id: 1001, format: cfg.error, showUser: true });
      return;
    }
    const r = await this.runtime.launch({ options: cfg.options, stopOnEntry: cfg.stopOnEntry });
    if (!r.ok) {
      this.sendErrorResponse(response, { id: 1002, format: r.error, showUser: true });
      this.sendEvent(new TerminatedEvent());
      return;
    }
    for (const a of this.sourceBreakpoints.values()) this.applySourceBreakpoints(a);
    if (this.functionBreakpoints) this.runtime.setFunctionBreakpoints(this.functionBreakpoints.breakpoints);
    if (this.instructionBreakpoints) this.runtime.setInstructionBreakpoints(this.instructionBreakpoints.breakpoints);
    this.runtime.setExceptionFilters(this.filters);
    await this.runtime.configurationDone();
    this.sendResponse(response);
  }

  // ---- breakpoints ----

  private toBreakpoint(v: BreakpointView): DebugProtocol.Breakpoint {
    const bp = new Breakpoint(v.verified, v.line !== undefined ? this.convertDebuggerLineToClient(v.line) : undefined) as DebugProtocol.Breakpoint;
    bp.id = v.id;
    if (v.message) bp.message = v.message;
    if (v.path) bp.source = new Source(basename(v.path), this.convertDebuggerPathToClient(v.path));
    if (v.instructionReference) bp.instructionReference = v.instructionReference;
    if (!v.verified) bp.reason = 'failed';
    return bp;
  }

  private applySourceBreakpoints(args: DebugProtocol.SetBreakpointsArguments): BreakpointView[] {
    const path = args.source.path ? this.convertClientPathToDebugger(args.source.path) : '';
    const given: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const reqs = given.map((b) => ({
      line: this.convertClientLineToDebugger(b.line),
      condition: b.condition,
      hitCondition: b.hitCondition,
      logMessage: b.logMessage,
    }));
    return this.runtime.setSourceBreakpoints(path, reqs);
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    if (args.source.path) this.sourceBreakpoints.set(args.source.path, args);
    const views = args.source.path ? this.applySourceBreakpoints(args) : [];
    response.body = { breakpoints: views.map((v) => this.toBreakpoint(v)) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.functionBreakpoints = args;
    response.body = { breakpoints: this.runtime.setFunctionBreakpoints(args.breakpoints).map((v) => this.toBreakpoint(v)) };
    this.sendResponse(response);
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.instructionBreakpoints = args;
    response.body = { breakpoints: this.runtime.setInstructionBreakpoints(args.breakpoints).map((v) => this.toBreakpoint(v)) };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const on = new Set([...(args.filters ?? []), ...(args.filterOptions ?? []).map((f) => f.filterId)]);
    this.filters = { traps: on.has('traps'), outOfFuel: on.has('outOfFuel'), capabilityDenied: on.has('capabilityDenied'), anomaly: on.has('anomaly') };
    this.runtime.setExceptionFilters(this.filters);
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ex = this.lastStop?.exception;
    if (!ex) {
      this.sendErrorResponse(response, { id: 1010, format: 'The module did not stop on an exception.' });
      return;
    }
    response.body = { exceptionId: ex.kind, description: ex.message, breakMode: 'always', details: { message: ex.message, typeName: ex.filter } };
    this.sendResponse(response);
  }

  // ---- execution ----

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, basename(this.program) || 'module')] };
    this.sendResponse(response);
  }

  private async resume(response: DebugProtocol.Response, mode: 'continue' | 'over' | 'in' | 'out'): Promise<void> {
    this.refs.reset();
    if (mode === 'continue') (response as DebugProtocol.ContinueResponse).body = { allThreadsContinued: true };
    this.sendResponse(response);
    try {
      await this.runtime.resume(mode);
    } catch {
      /* the run ended meanwhile */
    }
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    return this.resume(response, 'continue');
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): Promise<void> {
    return this.resume(response, 'over');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> {
    return this.resume(response, 'in');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> {
    return this.resume(response, 'out');
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.runtime.pause();
    this.sendResponse(response);
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.runtime.terminate();
    this.sendResponse(response);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.runtime.terminate();
    this.sendResponse(response);
  }

  // ---- inspection ----

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const all = this.runtime.frames();
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : all.length;
    const frames = all.slice(start, end).map((f) => {
      const sf = new StackFrame(f.id + 1, f.name) as DebugProtocol.StackFrame;
      if (f.path) {
        sf.source = new Source(basename(f.path), this.convertDebuggerPathToClient(f.path));
        sf.line = this.convertDebuggerLineToClient(f.line);
        sf.column = this.convertDebuggerColumnToClient(f.column);
      } else {
        sf.line = 0;
        sf.column = 0;
        sf.presentationHint = 'subtle';
      }
      sf.instructionPointerReference = f.instructionPointerReference;
      return sf;
    });
    response.body = { stackFrames: frames, totalFrames: all.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const frame = args.frameId - 1;
    const scopes: DebugProtocol.Scope[] = [];
    const add = (name: string, ref: VarRef, expensive = false, hint?: string) => {
      const s = new Scope(name, this.refs.create(ref), expensive) as DebugProtocol.Scope;
      if (hint) s.presentationHint = hint;
      scopes.push(s);
    };
    if (this.runtime.hasDwarf) {
      add('Locals', { kind: 'source', frame }, false, 'locals');
      add('Locals (wasm)', { kind: 'locals', frame }, false, 'registers');
    } else add('Locals', { kind: 'locals', frame }, false, 'locals');
    add('Operand stack', { kind: 'stack', frame }, false, 'registers');
    if (this.runtime.hasDwarf) add('Globals', { kind: 'sourceGlobals' }, false, 'globals');
    add(this.runtime.hasDwarf ? 'Globals (wasm)' : 'Globals', { kind: 'globals' }, false, 'globals');
    response.body = { scopes };
    this.sendResponse(response);
  }

  private toVariable(v: VariableView): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = { name: v.name, value: v.value, variablesReference: v.ref ? this.refs.create(v.ref) : 0 };
    if (v.type) out.type = v.type;
    if (v.indexed !== undefined) out.indexedVariables = v.indexed;
    if (v.memoryReference) out.memoryReference = v.memoryReference;
    if (v.evaluateName) out.evaluateName = v.evaluateName;
    if (v.note || v.readOnly) out.presentationHint = { kind: v.note ? 'virtual' : undefined, attributes: ['readOnly'] };
    return out;
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const ref = this.refs.get(args.variablesReference);
    if (!ref) {
      response.body = { variables: [] };
      this.sendResponse(response);
      return;
    }
    try {
      const views = await this.runtime.variables(ref, args.start, args.count);
      response.body = { variables: views.map((v) => this.toVariable(v)) };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1020, format: (e as Error).message });
    }
  }

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    const ref = this.refs.get(args.variablesReference);
    if (!ref) {
      this.sendErrorResponse(response, { id: 1021, format: 'This variable is no longer available.' });
      return;
    }
    try {
      const v = await this.runtime.setVariable(ref, args.name, args.value);
      response.body = { value: v.value, type: v.type, variablesReference: v.ref ? this.refs.create(v.ref) : 0, memoryReference: v.memoryReference };
      this.sendResponse(response);
      if (v.memoryReference) this.sendEvent(new InvalidatedEvent(['variables']));
    } catch (e) {
      this.sendErrorResponse(response, { id: 1022, format: (e as Error).message, showUser: true });
    }
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    if (!this.runtime.isStopped) {
      this.sendErrorResponse(response, { id: 1030, format: 'The module is running: pause it to evaluate expressions.' });
      return;
    }
    try {
      const v = await this.runtime.evaluate(args.expression, args.frameId ? args.frameId - 1 : 0);
      response.body = {
        result: v.value,
        type: v.type,
        variablesReference: v.ref ? this.refs.create(v.ref) : 0,
        indexedVariables: v.indexed,
        memoryReference: v.memoryReference,
      };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1031, format: (e as Error).message, showUser: args.context === 'repl' });
    }
  }

  protected override async readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    const base = parseAddress(args.memoryReference);
    if (!Number.isFinite(base)) {
      this.sendErrorResponse(response, { id: 1040, format: `Not a memory reference: ${args.memoryReference}` });
      return;
    }
    try {
      const address = base + (args.offset ?? 0);
      const r = await this.runtime.readMemory(address, args.count);
      response.body = { address: hexAddr(address), data: Buffer.from(r.data).toString('base64'), unreadableBytes: r.unreadable || undefined };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1041, format: (e as Error).message });
    }
  }

  protected override async writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    const base = parseAddress(args.memoryReference);
    try {
      const address = base + (args.offset ?? 0);
      const data = new Uint8Array(Buffer.from(args.data, 'base64'));
      const r = await this.runtime.writeMemory(address, data);
      response.body = { bytesWritten: r.written };
      this.sendResponse(response);
      this.sendEvent(new MemoryEvent(hexAddr(base), args.offset ?? 0, r.written));
      this.sendEvent(new InvalidatedEvent(['variables']));
    } catch (e) {
      this.sendErrorResponse(response, { id: 1042, format: (e as Error).message, showUser: true });
    }
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    const base = parseAddress(args.memoryReference) + (args.offset ?? 0);
    const list = this.runtime.disassemble(base, args.instructionOffset ?? 0, args.instructionCount);
    let lastFunc = -2;
    response.body = {
      instructions: list.map((ins) => {
        const d: DebugProtocol.DisassembledInstruction = { address: hexAddr(ins.address), instruction: ins.text };
        if (ins.funcIndex >= 0 && ins.funcIndex !== lastFunc) d.symbol = this.runtime.module?.functionName(ins.funcIndex);
        lastFunc = ins.funcIndex;
        if (ins.funcIndex < 0) d.presentationHint = 'invalid';
        if (ins.location?.path) {
          d.location = new Source(basename(ins.location.path), this.convertDebuggerPathToClient(ins.location.path));
          d.line = this.convertDebuggerLineToClient(ins.location.line);
        }
        return d;
      }),
    };
    this.sendResponse(response);
  }
}
