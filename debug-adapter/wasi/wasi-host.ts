// WasiHost: the wasi_snapshot_preview1 host a runtime wires into WebAssembly.instantiate. It owns
// the fd table, the sandbox, the policy, the clocks and random source, and it audits every call:
// each becomes a CapabilityEvent (seq, fuel, time, decoded arguments and results, errno,
// duration), followed by the SecurityEvents and AnomalyEvents it raised. It can record every
// call's results, or replay them from a recording without touching the host.
//
//   const host = new WasiHost({ args, env, preopens, stdout, stderr, onEvent, fuel });
//   const instance = await WebAssembly.instantiate(module, { ...host.imports, ...other });
//   const exitCode = host.run(instance);   // binds memory, calls _start, catches proc_exit
import { performance } from 'node:perf_hooks';
import type { AnomalyEvent, CapabilityEvent, RuntimeEvent, SecurityEvent } from '../runtime/events';
import type { PreopenSpec } from '../runtime/run-options';
import { DIR_INHERITING_RIGHTS, DIR_RIGHTS, E, errnoName, STDIN_RIGHTS, STDOUT_RIGHTS, WASI_FUNCTIONS, WASI_MODULE, WRITE_RIGHTS, type WasiFunctionName } from './wasi-abi';
import { ProcExit, WasiError } from './wasi-error';
import { GuestMemory } from './guest-memory';
import { FdTable } from './fd-table';
import { Sandbox, type DirHandle, type SandboxBackend } from './sandbox-resolver';
import type { DirCacheStats } from './dir-cache';
import { FileIdentity, identityKey } from './file-identity';
import { RealClock, VirtualClock, type ClockSource } from './clocks';
import { HostRandom, SeededRandom, type RandomSource } from './seeded-random';
import { policyView, type CapabilityPolicy, type PolicyView } from './capability-policy';
import { StdinSource, type StdinOption } from './stdin-source';
import { Call, type HostCore } from './call-context';
import { AnomalyDetector, type AnomalyOptions, type Baseline } from './anomaly-detector';
import { inputDigest, ReplayDivergenceError, sameRaw, type Divergence, type RecordedCall, type Recorder, type Replayer } from './record-replay';
import type { HostFunction, WasmInstance, WasmMemory } from './wasm-types';
import * as fdCalls from './fd-calls';
import * as pathCalls from './path-calls';
import * as miscCalls from './misc-calls';
import * as fs from 'node:fs';

// Imported bindings the per-call path uses, read once: under tsx (CommonJS) every read of an
// imported name is a getter call, and these run for each of ~190k calls in a syscall-heavy run.
const SUCCESS = E.SUCCESS;
const nameOfErrno = errnoName;
const MODULE = WASI_MODULE;
const CallState = Call;
const perf = performance;

export interface DeterministicOptions {
  /** Seed of random_get's generator. */
  seed: bigint | number;
  /** Virtual realtime at fuel 0, ns since the Unix epoch (default 2000-01-01). */
  epochNs?: bigint;
  /** Virtual nanoseconds per unit of fuel (default 1). */
  nsPerFuel?: bigint;
}

export interface WasiHostOptions {
  /** argv, argv[0] included. */
  args: string[];
  env: Record<string, string>;
  preopens: PreopenSpec[];
  stdin?: StdinOption;
  stdout?: (data: Uint8Array) => void;
  stderr?: (data: Uint8Array) => void;
  policy?: CapabilityPolicy;
  /** Virtual clocks advancing with fuel, seeded random, virtual inode numbers and file times. */
  deterministic?: DeterministicOptions;
  /** Fuel consumed so far (0n when not instrumented); can also be set later with setFuel. */
  fuel?: () => bigint;
  /** Receives capability, security and anomaly events as calls happen. */
  onEvent?: (e: RuntimeEvent) => void;
  /** Profile of a known-good run: enables new-path/new-capability/rate-burst anomalies. */
  baseline?: Baseline;
  anomaly?: AnomalyOptions;
  record?: Recorder;
  /** Answer every call from this recording; preopens are not opened, nothing on the host is touched. */
  replay?: Replayer;
  /** Sandbox backend (default: procfs where Linux offers it, else path). */
  sandbox?: SandboxBackend | 'auto';
}

type Impl = (h: HostCore, c: Call, ...args: never[]) => number;

const IMPLS: Record<WasiFunctionName, Impl> = { ...fdCalls, ...pathCalls, ...miscCalls } as unknown as Record<WasiFunctionName, Impl>;

/** A direct call for the arities WASI uses (a spread call is a slower builtin). */
function callImpl(impl: Impl, h: HostCore, c: Call, raw: Array<number | bigint>): number {
  const f = impl as (h: HostCore, c: Call, ...a: Array<number | bigint>) => number;
  switch (raw.length) {
    case 0: return f(h, c);
    case 1: return f(h, c, raw[0]);
    case 2: return f(h, c, raw[0], raw[1]);
    case 3: return f(h, c, raw[0], raw[1], raw[2]);
    case 4: return f(h, c, raw[0], raw[1], raw[2], raw[3]);
    case 5: return f(h, c, raw[0], raw[1], raw[2], raw[3], raw[4]);
    case 6: return f(h, c, raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]);
    default: return f(h, c, ...raw);
  }
}

const NO_FUEL = (): bigint => 0n;

/**
 * The shape of a preview1 function as the host implements it: how many parameters it takes and
 * whether it returns an errno (every function but proc_exit). A module importing it with another
 * shape was built against a different ABI and is refused at launch.
 */
export function wasiSignature(name: WasiFunctionName): { params: number; results: number } {
  return { params: Math.max(0, IMPLS[name].length - 2), results: name === 'proc_exit' ? 0 : 1 };
}
/** Stands in for the memory of a module that exports none: zero bytes long. */
const NO_MEMORY: WasmMemory = { buffer: new ArrayBuffer(0), grow: () => -1 };
const TIME_ORIGIN = performance.timeOrigin;
const NO_NOTES: ReadonlyArray<{ reason: SecurityEvent['reason']; message: string }> = [];

export class WasiHost {
  /** Pass to WebAssembly.instantiate (merge with other import modules). */
  readonly imports: { [WASI_MODULE]: Record<WasiFunctionName, HostFunction> };
  private readonly mem = new GuestMemory();
  private readonly fds = new FdTable();
  private readonly core: HostCore;
  private readonly onEvent: (e: RuntimeEvent) => void;
  private readonly detector: AnomalyDetector;
  private readonly recorder?: Recorder;
  private readonly replayer?: Replayer;
  private readonly clock: ClockSource;
  private fuelFn: () => bigint;
  private seq = 0;
  private outCapture: Array<['stdout' | 'stderr', Uint8Array]> | null = null;
  private finished = false;
  /** The first divergence a replay met, if any. */
  divergence?: Divergence;

  constructor(private readonly o: WasiHostOptions) {
    this.fuelFn = o.fuel ?? NO_FUEL;
    this.onEvent = o.onEvent ?? ((): void => undefined);
    this.recorder = o.record;
    this.replayer = o.replay;
    if (this.recorder && this.replayer) throw new Error('WasiHost: record and replay at the same time');
    const det = o.deterministic;
    const virtual = det ? new VirtualClock(() => this.fuelFn(), { epochNs: det.epochNs, nsPerFuel: det.nsPerFuel }) : undefined;
    this.clock = virtual ?? new RealClock();
    const random: RandomSource = det ? new SeededRandom(det.seed) : new HostRandom();
    const identity = new FileIdentity(det !== undefined, () => (virtual ? virtual.realtimeNs() : 0n), virtual?.epochNs ?? 0n);
    const policy: PolicyView = policyView(o.policy);
    const env: Array<[string, string]> = [];
    const withheld: string[] = [];
    for (const [k, v] of Object.entries(o.env)) (policy.envVisible(k) ? env.push([k, v]) : withheld.push(k));
    const sandbox = new Sandbox(this.replayer ? 'path' : (o.sandbox ?? 'auto'));
    const stdoutFn = o.stdout ?? ((): void => undefined);
    const stderrFn = o.stderr ?? ((): void => undefined);
    this.core = {
      mem: this.mem,
      fds: this.fds,
      sandbox,
      identity,
      clock: this.clock,
      random,
      policy,
      args: [...o.args],
      env,
      withheldEnv: withheld,
      stdin: new StdinSource(o.stdin),
      output: (stream, data) => {
        if (this.outCapture) this.outCapture.push([stream, data]);
        (stream === 'stdout' ? stdoutFn : stderrFn)(data);
      },
    };
    this.detector = new AnomalyDetector(o.baseline, o.anomaly);
    this.fds.stdio('stdin', STDIN_RIGHTS);
    this.fds.stdio('stdout', STDOUT_RIGHTS);
    this.fds.stdio('stderr', STDOUT_RIGHTS);
    if (!this.replayer) o.preopens.forEach((p, i) => this.preopen(p, i));
    this.recorder?.start({
      deterministic: det !== undefined,
      args: [...o.args],
      env: env.map(([k]) => k),
      preopens: o.preopens.map((p) => `${p.guestPath} (${p.mode})`),
      sandbox: sandbox.backend,
    });
    const table = {} as Record<WasiFunctionName, HostFunction>;
    for (const name of WASI_FUNCTIONS) {
      const impl = IMPLS[name];
      if (!impl) throw new Error(`WasiHost: no implementation of ${name}`);
      table[name] = (...raw: Array<number | bigint>): number => this.invoke(name, impl, raw);
    }
    this.imports = { [WASI_MODULE]: table };
  }

  private preopen(p: PreopenSpec, index: number): void {
    let dir: DirHandle;
    try {
      dir = this.core.sandbox.openRoot(p.hostPath);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message;
      throw new Error(`cannot preopen ${p.hostPath} as ${p.guestPath}: ${why}`);
    }
    const withheld = p.mode === 'ro' ? WRITE_RIGHTS : 0;
    this.fds.add({
      kind: 'dir',
      filetype: 3,
      rightsBase: DIR_RIGHTS & ~withheld,
      rightsInheriting: DIR_INHERITING_RIGHTS & ~withheld,
      policyWithheld: withheld,
      fdflags: 0,
      guestPath: p.guestPath,
      preopenName: p.guestPath,
      osfd: dir.osfd,
      dir,
      position: 0,
      preopenIndex: index,
      depth: [],
      identityKey: identityKey(fs.fstatSync(dir.osfd, { bigint: true })),
    });
  }

  /** Which sandbox backend guards paths ('procfs' or 'path'). */
  get sandboxBackend(): SandboxBackend {
    return this.core.sandbox.backend;
  }

  /** The walked-directory cache's counters (procfs backend; undefined otherwise). */
  get dirCacheStats(): Readonly<DirCacheStats> | undefined {
    return this.core.sandbox.dirCacheStats;
  }

  /** The runtime's fuel counter, when it is only known after instantiation. */
  setFuel(fuel: () => bigint): void {
    this.fuelFn = fuel;
  }

  bind(memory: WasmMemory): void {
    this.mem.bind(memory);
  }

  /**
   * Binds the instance's memory, runs `init` (the module's start function, when the runtime runs
   * it: it may call WASI, proc_exit included), then `_start`; returns the exit code (proc_exit's,
   * or 0).
   */
  run(instance: WasmInstance, init?: () => void): number {
    this.bindInstance(instance);
    const start = instance.exports._start;
    if (typeof start !== 'function') throw new Error('the module exports no _start function (a reactor? call initialize())');
    let code = 0;
    try {
      init?.();
      (start as () => void)();
    } catch (e) {
      if (e instanceof ProcExit) code = e.code;
      else {
        this.finish(undefined);
        throw e;
      }
    }
    this.finish(code);
    return code;
  }

  /** For reactors: binds memory and calls `_initialize` if there is one. */
  initialize(instance: WasmInstance): void {
    this.bindInstance(instance);
    const init = instance.exports._initialize;
    if (typeof init === 'function') (init as () => void)();
  }

  private bindInstance(instance: WasmInstance): void {
    const memory = instance.exports.memory as WasmMemory | undefined;
    // A module without memory can still run (and call proc_exit, sched_yield...): every pointer it
    // passes is then out of bounds of an empty memory, which answers EFAULT, as it should.
    this.bind(memory && typeof memory === 'object' && 'buffer' in memory ? memory : NO_MEMORY);
  }

  /**
   * Ends the run on the host side: closes the recording (with the exit code), checks that a replay
   * consumed the whole recording (throws ReplayDivergenceError otherwise, when the run exited
   * normally), closes every fd. Idempotent; run() calls it.
   */
  finish(exitCode: number | undefined): void {
    if (this.finished) return;
    this.finished = true;
    if (exitCode === undefined || this.divergence) this.replayer?.close();
    this.fds.closeAll();
    this.core.sandbox.close();
    this.recorder?.close(exitCode);
    if (this.replayer && exitCode !== undefined && !this.divergence) {
      const left = this.replayer.peek();
      this.replayer.close();
      if (left) {
        this.divergence = {
          seq: left.seq,
          func: left.func,
          what: 'missing-calls',
          expected: left.func,
          actual: 'end of run',
          message: `the run ended but the recording continues with ${left.func} (call ${left.seq})`,
        };
        throw new ReplayDivergenceError(this.divergence);
      }
    }
  }

  private invoke(name: WasiFunctionName, impl: Impl, raw: Array<number | bigint>): number {
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      if (typeof v === 'number') raw[i] = v >>> 0;
    }
    const seq = ++this.seq;
    let fuel: bigint;
    try {
      fuel = this.fuelFn();
    } catch {
      fuel = -1n; // a broken fuel reader must not become an exception in the guest
    }
    this.clock.tick();
    if (this.replayer) return this.replay(seq, name, raw, fuel);
    const c = new CallState(name);
    const virtual = this.clock.virtual;
    const t0 = virtual ? 0 : perf.now();
    c.startMs = t0;
    const time = virtual ? this.clock.eventTimeMs() : TIME_ORIGIN + t0;
    const recording = this.recorder !== undefined;
    let input: string | undefined;
    if (recording) {
      input = inputDigest(name, raw, this.mem);
      this.mem.startTracking();
      this.outCapture = [];
    }
    let errno: number;
    let exit: ProcExit | undefined;
    try {
      errno = callImpl(impl, this.core, c, raw);
    } catch (e) {
      if (e instanceof ProcExit) {
        errno = SUCCESS;
        exit = e;
      } else if (e instanceof WasiError) {
        errno = e.errno;
        if (e.security) c.note(e.security, e.message || errnoName(e.errno));
      } else {
        // A host bug must not become a guest-visible exception: answer EIO and say why.
        errno = E.IO;
        c.args.hostError = e instanceof Error ? e.message : String(e);
      }
    }
    const durationUs = virtual ? 0 : Math.round((perf.now() - t0) * 10_000) / 10;
    const ev: CapabilityEvent = {
      kind: 'capability',
      seq,
      fuel,
      time,
      module: MODULE,
      func: name,
      args: c.args,
      results: errno === SUCCESS ? c.results : {},
      errno,
      errnoName: nameOfErrno(errno),
      durationUs,
      denied: c.denied,
    };
    if (recording && this.recorder) {
      const call: RecordedCall = {
        seq,
        func: name,
        raw: [...raw],
        fuel,
        time,
        durationUs,
        errno,
        writes: this.mem.takeWrites(),
        args: ev.args,
        results: ev.results,
        denied: ev.denied,
      };
      if (input !== undefined) call.input = input;
      if (this.outCapture && this.outCapture.length) call.out = this.outCapture;
      if (exit) call.exit = exit.code;
      if (c.security) call.security = c.security;
      this.outCapture = null;
      this.recorder.record(call);
    }
    this.emitCall(ev, c.security ?? NO_NOTES);
    if (exit) throw exit;
    return errno;
  }

  private emitCall(ev: CapabilityEvent, security: ReadonlyArray<{ reason: SecurityEvent['reason']; message: string }>): void {
    this.onEvent(ev);
    for (let i = 0; i < security.length; i++) {
      this.onEvent({ kind: 'security', reason: security[i].reason, message: security[i].message, capabilitySeq: ev.seq });
    }
    if (!this.detector.watches(ev)) return;
    const anomalies: AnomalyEvent[] = this.detector.observe(ev);
    for (let i = 0; i < anomalies.length; i++) this.onEvent(anomalies[i]);
  }

  private diverge(d: Divergence): never {
    this.divergence = d;
    throw new ReplayDivergenceError(d);
  }

  private replay(seq: number, name: WasiFunctionName, raw: Array<number | bigint>, fuel: bigint): number {
    const r = this.replayer as Replayer;
    const rec = r.next();
    if (!rec) {
      return this.diverge({ seq, func: name, what: 'extra-call', expected: 'end of recording', actual: name, message: `${name} was called after the last recorded call` });
    }
    if (rec.func !== name) {
      return this.diverge({ seq, func: name, what: 'function', expected: rec.func, actual: name, message: `expected ${rec.func}, got ${name}` });
    }
    if (!sameRaw(rec.raw, raw)) {
      return this.diverge({ seq, func: name, what: 'arguments', expected: rec.raw, actual: [...raw], message: `arguments differ: expected (${rec.raw.join(', ')}), got (${raw.join(', ')})` });
    }
    const input = inputDigest(name, raw, this.mem);
    if (input !== rec.input) {
      return this.diverge({ seq, func: name, what: 'inputs', expected: rec.input, actual: input, message: 'the guest passed different data (paths or buffers) than when recorded' });
    }
    if (rec.fuel !== fuel) {
      return this.diverge({ seq, func: name, what: 'fuel', expected: rec.fuel, actual: fuel, message: `fuel at the call differs: expected ${rec.fuel}, got ${fuel}` });
    }
    try {
      for (const [ptr, bytes] of rec.writes) this.mem.write(ptr, bytes);
    } catch (e) {
      return this.diverge({ seq, func: name, what: 'memory', expected: 'recorded writes fit in memory', actual: (e as Error).message, message: 'recorded memory writes do not fit the guest memory' });
    }
    for (const [stream, data] of rec.out ?? []) this.core.output(stream, data);
    const ev: CapabilityEvent = {
      kind: 'capability',
      seq,
      fuel,
      time: rec.time,
      module: MODULE,
      func: name,
      args: rec.args,
      results: rec.results,
      errno: rec.errno,
      errnoName: errnoName(rec.errno),
      durationUs: rec.durationUs,
      denied: rec.denied,
    };
    this.emitCall(ev, rec.security ?? []);
    if (rec.exit !== undefined) throw new ProcExit(rec.exit);
    return rec.errno;
  }
}

export { ProcExit };
