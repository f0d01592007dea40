// What a run needs to know: the launch configuration of a `wasi` debug session and the flags of
// `wasiscope run` both become a RunOptions. It mirrors the `configurationAttributes.launch`
// schema in package.json (keep them in step); paths here are already absolute.

export type PreopenMode = 'ro' | 'rw';

export interface PreopenSpec {
  /** Directory on the host. */
  hostPath: string;
  /** Name the module sees (e.g. `/sandbox` or `.`). */
  guestPath: string;
  mode: PreopenMode;
}

/** What the module may use. Anything not granted is answered with ENOTCAPABLE and a security event. */
export interface CapabilityPolicy {
  /** Environment variable names the module may see (`*` for all given). Default: all given. */
  env?: string[];
  /** Clocks: realtime/monotonic/process/thread time. Default true. */
  clocks?: boolean;
  /** random_get. Default true. */
  random?: boolean;
  /** Reading stdin. Default true. */
  stdin?: boolean;
  /** Sockets on preopened listeners. Default false. */
  sockets?: boolean;
}

export interface RunOptions {
  /** Absolute path of the `.wasm` (or `.wat`) module. */
  program: string;
  /** Arguments after argv[0] (argv[0] is the program's base name). */
  args: string[];
  env: Record<string, string>;
  /** Working directory for resolving relative paths in the options. */
  cwd: string;
  preopens: PreopenSpec[];
  /** Bytes to feed on stdin, or a host file path to read them from. */
  stdin?: { data?: Uint8Array; file?: string };
  /** Fuel limit: the run traps with "out of fuel" past it. */
  fuelLimit?: bigint;
  /** Virtual clocks advancing with fuel and seeded random. */
  deterministic?: boolean;
  seed?: number;
  policy?: CapabilityPolicy;
  /** Write a recording of every host result here. */
  recordFile?: string;
  /** Replay host results from this recording instead of touching the host. */
  replayFile?: string;
  /** Write the hash-chained JSON-lines audit trail here. */
  auditFile?: string;
  /** Compare capabilities against this baseline (drift/anomalies). */
  baselineFile?: string;
  /** Write the JSON execution report here. */
  reportFile?: string;
  /** Write a speedscope fuel profile here. */
  profileFile?: string;
  /** Fail (exit code) when the run burns more fuel than this. */
  fuelBudget?: bigint;
  /** Fuel units between live fuel samples (gauges); 0 disables sampling. */
  sampleEvery?: bigint;
  /**
   * Sample the call stack at adaptive fuel intervals (RunResult.stacks) for the fuel profile and
   * function-level spans. Off when unset in runModule; observed runs turn it on for a profile,
   * function spans and the debugger's end-of-run trace.
   */
  sampleStacks?: boolean;
  /**
   * Function-level spans (from the sampled stacks) under `_start`; call paths below `minFuel`
   * (default: 1% of the run's fuel) are aggregated into summary spans, never dropped.
   */
  functionSpans?: { minFuel?: bigint };
  /** Write the complete trace (the span graph, JSON) here. */
  traceFile?: string;
  /** W3C traceparent to join. */
  traceparent?: string;
  /** Transaction span name. */
  transaction?: string;
  /** OTLP/HTTP traces endpoint. */
  otlpEndpoint?: string;
  serviceName?: string;
}
