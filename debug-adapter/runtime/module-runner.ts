// Runs one module on the current thread: load -> instrument -> instantiate with the WASI host,
// the fuel hooks and the module-metrics host -> `_start` -> figures. Every observation leaves as a
// RuntimeEvent through `sink`; nothing here knows about DAP, VS Code or the CLI. The runtime
// worker calls this; tests may call it directly.
import { basename } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { instrument } from '../instrument/instrument';
import type { InstrumentOptions, InstrumentedModule } from '../instrument/types';
import { HOOK_MODULE } from '../instrument/types';
import { WasiHost, wasiSignature, Recorder, Replayer, ReplayDivergenceError, loadBaseline, WASI_MODULE, WASI_FUNCTIONS, type Baseline } from '../wasi';
import { ModuleMetricsHost, METRICS_IMPORT_MODULE } from '../metrics/module-metrics';
import { FuelMeter, OutOfFuelError, type WasmInstanceLike } from './fuel-meter';
import type { RuntimeEvent, TrapInfo } from './events';
import type { RunOptions } from './run-options';
import type { RunResult, FunctionFigures } from './run-result';
import { loadModule, ModuleLoadError } from './load-module';
import { WasmDecodeError } from '../wasm/errors';
import { parseModule } from '../wasm/reader';
import { StackSampler } from './stack-sampler';
import { OutputCoalescer } from './output-coalescer';

/** Exit status of a run that trapped (as Wasmtime reports it: 128 + SIGABRT). */
export const TRAP_EXIT_CODE = 134;
const PAGE = 65536;
const FLUSHING_KINDS = new Set<RuntimeEvent['kind']>(['stop', 'exit', 'fuel', 'security', 'anomaly']);
const METRIC_FUNCS = new Set(['emit_metric', 'start_timer', 'stop_timer', 'record_gauge']);

export interface RunControlHooks {
  /** Called at every fuel sample (sampleEvery); may block (pause) or throw to stop. */
  onSample?(consumed: bigint): void;
  /** Set when the module runs under the debugger (debug/debug-engine.ts provides these). */
  debug?: RuntimeDebugHooks;
  /**
   * Receives the function that flushes coalesced output; call it before reporting a stop that
   * does not travel as a RuntimeEvent (a breakpoint), so the console shows output up to there.
   */
  onOutputFlush?(flush: () => void): void;
}

/**
 * How the debugger plugs into a run: the bytes and sites to instrument, the site hook, and the
 * moments it may stop the run (before the entry point, at a runtime event, after a trap).
 */
export interface RuntimeDebugHooks {
  /** The module bytes, already loaded (and compiled from .wat) by the controller. */
  bytes?: Uint8Array;
  /** Extra instrumentation options (the debug sites). */
  instrument?: InstrumentOptions;
  /** Host functions the debug instrumentation imports, merged into the hook import module. */
  hookImports(): Record<string, (...args: never[]) => unknown>;
  /** After instantiation, before the entry point runs; may block (waiting for configurationDone). */
  onInstance(instance: WasmInstanceLike, im: InstrumentedModule, meter: FuelMeter): void;
  /** Every runtime event, right after the sink got it (a capability denial may stop the run there). */
  onEvent?(e: RuntimeEvent): void;
  /** The run trapped or ran out of fuel; the instance is still there to look at. May block. */
  onTrap?(trap: TrapInfo, error: unknown): void;
}

export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

interface ImportEntry {
  module: string;
  name: string;
  kind: string;
}

/** Says, before anything runs, which imports this host cannot give (with what to do about it). */
export function checkImports(imports: readonly ImportEntry[]): void {
  const wasi = new Set<string>(WASI_FUNCTIONS);
  const bad: ImportEntry[] = [];
  for (const imp of imports) {
    if (imp.module === WASI_MODULE && imp.kind === 'function' && wasi.has(imp.name)) continue;
    if (imp.module === METRICS_IMPORT_MODULE && imp.kind === 'function' && METRIC_FUNCS.has(imp.name)) continue;
    bad.push(imp);
  }
  if (bad.length > 0) {
    const more = bad.length > 10 ? ` and ${bad.length - 10} more` : '';
    const hints = new Set<string>();
    for (const imp of bad) {
      if (imp.kind === 'memory') hints.add('a module gets its own memory here: link it without --import-memory (a wasi-threads build imports a shared one, which this host does not run)');
      else if (imp.kind !== 'function') hints.add('define the imported tables, globals and tags in the module');
      else if (imp.module === WASI_MODULE) hints.add(`${WASI_MODULE} has no function ${imp.name} (another WASI version?)`);
      else hints.add('build for wasm32-wasip1 (wasm32-wasi) or link the missing functions into the module');
    }
    throw new LaunchError(
      `the module imports what this WASI host does not provide: ${bad.slice(0, 10).map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ')}${more}. ` +
        `Wasiscope runs wasi_snapshot_preview1 core modules (plus the wasiscope_metrics API); ${[...hints].join('; ')}.`,
    );
  }
}

/** Refuses WASI imports declared with another shape than preview1's (another ABI version). */
function checkWasiSignatures(bytes: Uint8Array): void {
  const m = parseModule(bytes, { checkBodies: false });
  const bad: string[] = [];
  for (const imp of m.imports) {
    if (imp.module !== WASI_MODULE || imp.desc.kind !== 'func') continue;
    if (!(WASI_FUNCTIONS as readonly string[]).includes(imp.name)) continue;
    const t = m.types[imp.desc.type];
    const want = wasiSignature(imp.name as (typeof WASI_FUNCTIONS)[number]);
    if (!t || t.params.length !== want.params || t.results.length !== want.results) {
      const got = t ? `${t.params.length} parameter(s), ${t.results.length} result(s)` : 'an unknown type';
      bad.push(`${imp.name} is imported with ${got} but preview1's takes ${want.params} and returns ${want.results}`);
    }
  }
  if (bad.length > 0) {
    throw new LaunchError(`the module's WASI imports do not match wasi_snapshot_preview1: ${bad.join('; ')}; rebuild it for wasm32-wasip1`);
  }
}

function checkPreopens(options: RunOptions): void {
  for (const p of options.preopens) {
    let ok = false;
    try {
      ok = statSync(p.hostPath).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new LaunchError(`preopened directory does not exist: ${p.hostPath} (for ${p.guestPath}); create it or fix "preopens"`);
    }
  }
}

function stdinBytes(options: RunOptions): Uint8Array | undefined {
  if (!options.stdin) return undefined;
  if (options.stdin.data) return options.stdin.data;
  if (options.stdin.file) {
    if (!existsSync(options.stdin.file)) throw new LaunchError(`stdin file does not exist: ${options.stdin.file}`);
    return new Uint8Array(readFileSync(options.stdin.file));
  }
  return undefined;
}

function errorResult(message: string): RunResult {
  return { exitCode: 1, fuelConsumed: 0n, functions: [], memory: { initialBytes: 0, peakBytes: 0, finalBytes: 0 }, wallMs: 0, loadError: message };
}

export interface PreparedModule {
  im: InstrumentedModule;
  module: WebAssembly.Module;
  watText?: string;
}

/**
 * Load, validate and instrument; throws LaunchError/ModuleLoadError with a message for the user.
 * `debug` gives bytes already loaded and the debug-mode instrumentation options.
 */
export async function prepareModule(options: RunOptions, debug?: Pick<RuntimeDebugHooks, 'bytes' | 'instrument'>): Promise<PreparedModule> {
  const loaded = debug?.bytes ? { bytes: debug.bytes, watText: undefined } : await loadModule(options.program);
  let im: InstrumentedModule;
  try {
    im = instrument(loaded.bytes, debug?.instrument);
  } catch (e) {
    // A module that uses what the instrumenter cannot handle is not invalid: say which.
    const unsupported = e instanceof WasmDecodeError && e.kind === 'unsupported';
    throw new ModuleLoadError(`${options.program} ${unsupported ? 'cannot be instrumented' : 'is not a valid WebAssembly module'}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(im.bytes);
  } catch (e) {
    // Say what the ORIGINAL module did wrong when the engine rejects it.
    let why = e instanceof Error ? e.message : String(e);
    try {
      await WebAssembly.compile(loaded.bytes);
    } catch (orig) {
      why = orig instanceof Error ? orig.message : String(orig);
    }
    throw new ModuleLoadError(`${options.program} does not validate: ${why}`);
  }
  const imports = WebAssembly.Module.imports(module).filter((i) => i.module !== HOOK_MODULE);
  checkImports(imports);
  checkWasiSignatures(loaded.bytes);
  if (!WebAssembly.Module.exports(module).some((e) => e.name === '_start' && e.kind === 'function')) {
    const reactor = WebAssembly.Module.exports(module).some((e) => e.name === '_initialize');
    throw new LaunchError(
      `${options.program} exports no _start function${reactor ? ' (it is a WASI reactor, a library)' : ''}: ` +
        'Wasiscope runs WASI commands; build it with a main function (wasm32-wasi command model, the default)',
    );
  }
  return { im, module, watText: loaded.watText };
}

/**
 * Runs the module to its end. Never throws: launch problems come back as `loadError`, traps as
 * `trap` with exit code 134, proc_exit's code as `exitCode`.
 */
export async function runModule(options: RunOptions, sinkRaw: (e: RuntimeEvent) => void, control: RunControlHooks = {}): Promise<RunResult> {
  const t0 = performance.now();
  let sink = sinkRaw;
  let prepared: PreparedModule;
  let stdin: Uint8Array | undefined;
  let baseline: Baseline | undefined;
  try {
    checkPreopens(options);
    stdin = stdinBytes(options);
    if (options.baselineFile) {
      try {
        baseline = loadBaseline(options.baselineFile);
      } catch (e) {
        throw new LaunchError(`cannot read the baseline ${options.baselineFile}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (options.replayFile && !existsSync(options.replayFile)) throw new LaunchError(`recording to replay does not exist: ${options.replayFile}`);
    prepared = await prepareModule(options, control.debug);
  } catch (e) {
    return errorResult(e instanceof Error ? e.message : String(e));
  }
  const { im, module } = prepared;
  const debug = control.debug;
  if (debug?.onEvent) {
    const plain = sink;
    const onEvent = debug.onEvent;
    sink = (e) => {
      plain(e);
      onEvent(e);
    };
  }

  let memory: WebAssembly.Memory | undefined;
  let initialBytes = 0;
  let peakBytes = 0;
  const sampler = options.sampleStacks ? new StackSampler(im) : undefined;
  const meter = new FuelMeter(im, {
    limit: options.fuelLimit,
    onDeadline: sampler?.onDeadline,
    sampleEvery: options.sampleEvery ?? 10_000_000n,
    onSample: ({ consumed }) => {
      sink({ kind: 'fuel', consumed, elapsedMs: performance.now() - t0 });
      control.onSample?.(consumed);
    },
    onMemoryGrow: (g) => {
      if (g.afterPages >= 0 && g.memory === 0) peakBytes = Math.max(peakBytes, g.afterPages * PAGE);
      sink({ kind: 'memory', memory: g.memory, beforePages: g.beforePages, afterPages: g.afterPages, fuel: g.fuel });
    },
  });
  // What WASI and metrics calls stamp their events with (read on every call: the fast reader).
  const fuel = meter.atHostCall;
  // Output is coalesced; stops, exits, samples and security findings flush it first, so the user
  // sees all output up to that moment (capability events do not: every write would flush).
  const inner = sink;
  const coalescer = new OutputCoalescer(inner);
  sink = (e: RuntimeEvent): void => {
    // Capability events (nearly every event) never flush: skip the set lookup for them.
    if (e.kind !== 'capability' && FLUSHING_KINDS.has(e.kind)) coalescer.flush();
    inner(e);
  };
  const output = (stream: 'stdout' | 'stderr') => (data: Uint8Array): void => coalescer.write(stream, data);
  control.onOutputFlush?.(() => coalescer.flush());
  let host: WasiHost;
  let metrics: ModuleMetricsHost;
  try {
    host = new WasiHost({
      args: [basename(options.program), ...options.args],
      env: options.env,
      preopens: options.preopens,
      stdin,
      stdout: output('stdout'),
      stderr: output('stderr'),
      policy: options.policy,
      deterministic: options.deterministic ? { seed: options.seed ?? 0 } : undefined,
      fuel,
      onEvent: sink,
      baseline,
      record: options.recordFile ? new Recorder(options.recordFile) : undefined,
      replay: options.replayFile ? new Replayer(options.replayFile) : undefined,
    });
    metrics = new ModuleMetricsHost({ mode: options.deterministic ? 'buffered' : 'live', getFuel: fuel, onMetric: sink });
  } catch (e) {
    return errorResult(e instanceof Error ? e.message : String(e));
  }

  let instance: WebAssembly.Instance;
  try {
    const hooks = debug ? { [HOOK_MODULE]: { ...meter.imports[HOOK_MODULE], ...debug.hookImports() } } : meter.imports;
    instance = await WebAssembly.instantiate(module, {
      ...(host.imports as unknown as WebAssembly.Imports),
      ...(hooks as unknown as WebAssembly.Imports),
      ...(metrics.importObject() as unknown as WebAssembly.Imports),
    });
  } catch (e) {
    host.finish(undefined);
    return errorResult(`the module could not be instantiated: ${e instanceof Error ? e.message : String(e)}`);
  }
  meter.bind(instance, { deferStart: true });
  sampler?.start(meter);
  const mem = instance.exports.memory;
  if (mem instanceof WebAssembly.Memory) {
    memory = mem;
    initialBytes = mem.buffer.byteLength;
    peakBytes = initialBytes;
    metrics.attachMemory(() => mem.buffer);
  }

  let exitCode = 0;
  let trap: TrapInfo | undefined;
  try {
    debug?.onInstance(instance as unknown as WasmInstanceLike, im, meter);
    // The start function (if any) runs in the host's run, metered, so a limit or a pause reaches
    // it too, its WASI calls see the memory, and a proc_exit there is an exit like any other.
    exitCode = host.run(instance as unknown as Parameters<WasiHost['run']>[0], () => meter.runStart());
  } catch (e) {
    if (e instanceof ReplayDivergenceError) {
      trap = { kind: 'replay divergence', message: e.message };
      exitCode = 1;
    } else {
      const settled = meter.settle(e);
      trap = settled.trap;
      try {
        debug?.onTrap?.(trap, e);
      } catch {
        /* ended while stopped at the trap: the trap stays what is reported */
      }
      exitCode = TRAP_EXIT_CODE;
      if (!(settled.error instanceof OutOfFuelError) && !(e instanceof WebAssembly.RuntimeError) && !(e instanceof RangeError)) {
        // A host-side failure (a bug, not the module's fault): keep the message.
        trap = { ...trap, kind: trap.kind || 'host error' };
      }
      try {
        host.finish(undefined);
      } catch {
        /* the trap is what matters */
      }
    }
  }
  // Buffered metrics reach the sink through onMetric as drain() replays them (once).
  metrics.drain();
  const fuelConsumed = meter.consumed();
  const functions: FunctionFigures[] = meter.perFunction().map((f) => ({ index: f.index, name: f.name, fuelExclusive: f.fuelExclusive, calls: f.calls }));
  const finalBytes = memory ? memory.buffer.byteLength : 0;
  peakBytes = Math.max(peakBytes, finalBytes);
  sink({ kind: 'exit', exitCode, trap, fuelConsumed });
  return {
    exitCode,
    trap,
    fuelConsumed,
    functions,
    memory: { initialBytes, peakBytes, finalBytes },
    wallMs: performance.now() - t0,
    metrics: { mode: metrics.mode, stats: metrics.stats, timers: metrics.timerTotals() },
    ...sampler?.result(),
    ...(prepared.watText !== undefined ? { watBytes: im.original } : {}),
  };
}
