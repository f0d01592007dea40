// The one typed event union the runtime emits. Everything downstream (DAP session, CLI, reports,
// telemetry, webviews) consumes these. All code locations are ORIGINAL (pre-instrumentation)
// byte offsets into the module as the user built it, so nothing downstream knows code was rewritten.

/** A code location in the original module. `offset` is a module-relative byte offset. */
export interface CodeLocation {
  /** Index in the original module's function index space (imports first). */
  funcIndex: number;
  /** Name from the name section (or `$func<N>` when there is none). */
  funcName: string;
  /** Byte offset in the original module, module-relative (as V8 reports; DWARF addresses are
   *  code-section-payload-relative and source-map/ converts them). */
  offset: number;
}

/** A decoded argument of a host call, for display: paths as strings, flags by name. */
export type DecodedValue = string | number | bigint | boolean | null | string[] | { [k: string]: DecodedValue };

/** One exercise of a capability: a WASI (or other host) call, decoded. */
export interface CapabilityEvent {
  kind: 'capability';
  /** 1-based sequence number, dense within a run. */
  seq: number;
  /** Fuel consumed when the call was made. */
  fuel: bigint;
  /** Wall time (ms since the Unix epoch), or virtual time in deterministic mode. */
  time: number;
  /** Import module, e.g. `wasi_snapshot_preview1`. */
  module: string;
  /** Function name, e.g. `path_open`. */
  func: string;
  /** Decoded arguments by name. */
  args: Record<string, DecodedValue>;
  /** Decoded results (e.g. `opened_fd`, `nwritten`), when the call succeeded. */
  results: Record<string, DecodedValue>;
  /** WASI errno number (0 = success). */
  errno: number;
  /** Errno name, e.g. `ESUCCESS`, `ENOTCAPABLE`. */
  errnoName: string;
  /** Duration of the host call in microseconds (0 in deterministic mode). */
  durationUs: number;
  /** True when the capability policy denied the call. */
  denied: boolean;
}

export interface SecurityEvent {
  kind: 'security';
  /** What happened: a denied capability, an escape attempt through `..`/symlinks, a bad fd... */
  reason: 'capability-denied' | 'sandbox-escape' | 'bad-fd' | 'memory-fault';
  message: string;
  /** The capability event that caused it. */
  capabilitySeq: number;
}

export interface AnomalyEvent {
  kind: 'anomaly';
  anomaly: 'outside-policy' | 'new-path' | 'new-capability' | 'rate-burst';
  message: string;
  /** The evidence: the offending call(s) and the baseline figure compared against. */
  evidence: Record<string, DecodedValue>;
  capabilitySeq: number;
}

export interface FuelSampleEvent {
  kind: 'fuel';
  consumed: bigint;
  /** Wall ms since run start. */
  elapsedMs: number;
}

export interface MemoryEvent {
  kind: 'memory';
  /** Index of the memory (0 for the default memory). */
  memory: number;
  /** Pages before and after the grow; `after` is -1 when the grow failed. */
  beforePages: number;
  afterPages: number;
  fuel: bigint;
}

export interface OutputEvent {
  kind: 'output';
  stream: 'stdout' | 'stderr';
  data: Uint8Array;
}

export interface StopEvent {
  kind: 'stop';
  reason: 'breakpoint' | 'step' | 'pause' | 'entry' | 'trap' | 'out-of-fuel' | 'capability-denied' | 'anomaly';
  location: CodeLocation;
  message?: string;
}

export interface TrapInfo {
  /** `unreachable`, `integer divide by zero`, `out of bounds memory access`, `out of fuel`, ... */
  kind: string;
  message: string;
  location?: CodeLocation;
}

export interface ExitEvent {
  kind: 'exit';
  /** The module's exit code (proc_exit or 0 on return); non-zero on trap. */
  exitCode: number;
  trap?: TrapInfo;
  fuelConsumed: bigint;
}

export interface SpanEvent {
  kind: 'span';
  phase: 'start' | 'end';
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
  time: number;
}

export interface MetricEvent {
  kind: 'metric';
  metric: 'counter' | 'gauge' | 'timer';
  name: string;
  value: number;
  fuel: bigint;
}

export type RuntimeEvent =
  | CapabilityEvent
  | SecurityEvent
  | AnomalyEvent
  | FuelSampleEvent
  | MemoryEvent
  | OutputEvent
  | StopEvent
  | ExitEvent
  | SpanEvent
  | MetricEvent;

export type RuntimeEventListener = (event: RuntimeEvent) => void;
