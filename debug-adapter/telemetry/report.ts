// The execution report of one run (the seed ADR's ExecutionReport) as plain JSON data, plus the few
// lines the CLI prints on stderr. The fields named by the WASI host issue are a contract that later
// issues add to but never rename: `exitCode`, `fuel.consumed`, `memory.peakBytes`, and top-level
// `functions: [{name, fuelExclusive, calls}]`.
//
// Bigints (fuel) are JSON numbers when they are safe integers and decimal strings beyond 2^53 - 1
// (see fuel-number.ts); read them back with `parseFuel`. Times are milliseconds (numbers),
// host-call durations microseconds. Lists are sorted so two reports of the same run diff cleanly.
import type { CodeLocation } from '../runtime/events';
import { formatBytes, formatInteger, parseFuel, type JsonBigint } from './fuel-number';

export const REPORT_SCHEMA_VERSION = 1;

/** A decoded value made JSON-safe (bigints converted as above). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface ReportTrap {
  kind: string;
  message: string;
  location?: CodeLocation;
}

export interface ReportMemoryGrowth {
  /** Fuel consumed when the grow happened. */
  fuel: JsonBigint;
  /** Memory index (0 = the default memory). */
  memory: number;
  beforePages: number;
  /** -1 when the grow failed. */
  afterPages: number;
  failed: boolean;
}

export interface ReportMemory {
  initialBytes: number;
  /** Peak size of the default memory (index 0) over the run. */
  peakBytes: number;
  finalBytes: number;
  growthEvents: ReportMemoryGrowth[];
  /** Growth events counted in `peakBytes` but not listed (the list is capped). */
  growthEventsOmitted: number;
}

export interface ReportFunction {
  name: string;
  /** Function index in the original module, when known. */
  index?: number;
  fuelExclusive: JsonBigint;
  calls: number;
  /** Share of `fuel.consumed`, in percent (2 decimals); null when no fuel was consumed. */
  fuelPercent: number | null;
}

export interface ReportFuel {
  consumed: JsonBigint;
  /**
   * Per-operator-class breakdown (`numeric.int`, `memory.load`, `call`...); adds up to `consumed`.
   * See `byOperatorClassInfo` for how it was obtained.
   */
  byOperatorClass?: Record<string, JsonBigint>;
  /** Present with `byOperatorClass`: `estimated: true` when it is not a count (and the method used). */
  byOperatorClassInfo?: { estimated: boolean; method: string };
  /** Sum of the functions' exclusive fuel (equals `consumed` when every unit is attributed). */
  attributedToFunctions: JsonBigint;
}

export interface ReportHostFunctionCost {
  /** `module.func`, e.g. `wasi_snapshot_preview1.fd_write`. */
  name: string;
  module: string;
  func: string;
  calls: number;
  errors: number;
  denied: number;
  /** Sum of the host-side durations in microseconds (0 in deterministic mode). */
  totalDurationUs: number;
  meanDurationUs: number;
  /**
   * Fuel attributed to the host function: what the runtime reported for it, else the cost of its
   * `call` instructions (Wasmtime's model charges a host function as its call: 1 per call).
   */
  fuelAttributed: JsonBigint;
}

export interface ReportHotFunction {
  name: string;
  fuelExclusive: JsonBigint;
  calls: number;
  fuelPercent: number | null;
}

export interface ReportPerformance {
  /** The top functions by exclusive fuel. */
  hotFunctions: ReportHotFunction[];
  /** Fuel per wall-clock millisecond; null when the run took no measurable time. */
  fuelRatePerMs: number | null;
  /** Time spent inside host calls (ms), and its share of the total time (percent, or null). */
  hostTimeMs: number;
  hostTimePercent: number | null;
}

export interface ReportCapabilityFunction {
  name: string;
  module: string;
  func: string;
  count: number;
  errors: number;
  denied: number;
  /** How many calls ended with each errno name (ESUCCESS included). */
  errnos: Record<string, number>;
}

export interface ReportPath {
  path: string;
  /** The functions (`func` names) that used the path. */
  functions: string[];
  count: number;
  errors: number;
  denied: number;
}

export interface ReportSecurityEvent {
  reason: string;
  message: string;
  capabilitySeq: number;
}

export interface ReportAnomaly {
  anomaly: string;
  message: string;
  evidence: { [k: string]: JsonValue };
  capabilitySeq: number;
}

export interface ReportCapabilities {
  totalCalls: number;
  errors: number;
  denied: number;
  byFunction: ReportCapabilityFunction[];
  pathsTouched: ReportPath[];
  /** Distinct paths seen beyond the list's cap. */
  pathsOmitted: number;
  securityEvents: ReportSecurityEvent[];
  securityEventsOmitted: number;
  anomalies: ReportAnomaly[];
  anomaliesOmitted: number;
}

export interface ReportMetricCounter {
  name: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  last: number | null;
}

export interface ReportMetricGauge {
  name: string;
  count: number;
  last: number | null;
  min: number | null;
  max: number | null;
  /** Every reading with the fuel at which it was taken, in order (capped; see samplesOmitted). */
  samples: { fuel: JsonBigint; value: number }[];
  samplesOmitted: number;
}

export interface ReportMetricTimer {
  name: string;
  count: number;
  /** In `timerUnit`. */
  total: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Fuel between start and stop, summed (whatever the timerUnit). */
  fuelTotal?: JsonBigint;
  /** Time between start and stop, summed, in ms: wall clock live, the virtual clock when buffered; null when unmeasured. */
  wallMsTotal?: number | null;
}

export interface ReportMetricsStats {
  /** Calls the module made into `wasiscope_metrics`. */
  calls: number;
  /** Calls not recorded because the buffer was full. */
  dropped: number;
  /** Calls whose name was out of bounds of the guest memory. */
  invalidNames: number;
  /** `stop_timer` calls with a handle that was never started (or already stopped). */
  unknownTimerStops: number;
  /** Timers started and never stopped. */
  unclosedTimers: number;
}

export interface ReportMetrics {
  /** Direct module metrics are buffered (deterministic runs) or streamed live. */
  mode: 'buffered' | 'live' | 'none';
  /** Timers measure fuel in buffered mode (so they cannot observe wall time), ms when live. */
  timerUnit: 'fuel' | 'ms';
  counters: ReportMetricCounter[];
  gauges: ReportMetricGauge[];
  timers: ReportMetricTimer[];
  /** Values that were NaN or infinite: counted here, left out of the figures above. */
  nonFiniteValues: number;
  stats?: ReportMetricsStats;
}

export interface ExecutionReport {
  schemaVersion: number;
  module?: string;
  args?: string[];
  deterministic?: boolean;
  /** The module's exit code (proc_exit, 0 on return, non-zero on trap). */
  exitCode: number;
  trap: ReportTrap | null;
  /** Wall-clock duration of the run, ms. */
  totalTimeMs: number;
  memory: ReportMemory;
  fuel: ReportFuel;
  /** Per function, by exclusive fuel (descending). */
  functions: ReportFunction[];
  hostFunctionCosts: ReportHostFunctionCost[];
  performance: ReportPerformance;
  capabilities: ReportCapabilities;
  metrics: ReportMetrics;
  output: { stdoutBytes: number; stderrBytes: number };
  /** The run's trace, when it was traced. */
  traceId?: string;
}

/** Pretty JSON with a trailing newline, as written by `--report FILE`. */
export function serializeReport(report: ExecutionReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export interface SummaryOptions {
  /** How many functions to list (default 5). */
  topFunctions?: number;
}

/** A few lines for stderr: fuel, the hottest functions, capabilities used, security, anomalies. */
export function formatReportSummary(report: ExecutionReport, options: SummaryOptions = {}): string {
  const top = options.topFunctions ?? 5;
  const lines: string[] = [];
  const fuel = parseFuel(report.fuel.consumed);
  const rate = report.performance.fuelRatePerMs;
  const mem = report.memory;
  const grows = mem.growthEvents.length + mem.growthEventsOmitted;
  lines.push(
    `wasiscope: exit code ${report.exitCode} · ${formatInteger(fuel)} fuel in ${formatMs(report.totalTimeMs)}` +
      (rate !== null ? ` (${formatInteger(rate)} fuel/ms)` : '') +
      ` · memory peak ${formatBytes(mem.peakBytes)}` +
      (grows > 0 ? ` (${grows} grow${grows === 1 ? '' : 's'})` : ''),
  );
  if (report.trap) {
    const where = report.trap.location ? ` in ${report.trap.location.funcName} at 0x${report.trap.location.offset.toString(16)}` : '';
    lines.push(`  trap: ${report.trap.kind}${where}${report.trap.message && report.trap.message !== report.trap.kind ? `: ${report.trap.message}` : ''}`);
  }
  for (const f of report.functions.slice(0, top)) {
    if (parseFuel(f.fuelExclusive) === 0n) break;
    const pct = f.fuelPercent === null ? '?' : f.fuelPercent.toFixed(1);
    lines.push(`  ${f.name} burned ${pct}% of the fuel in ${formatInteger(f.calls)} call${f.calls === 1 ? '' : 's'}`);
  }
  const caps = report.capabilities;
  if (caps.totalCalls === 0) {
    lines.push('  capabilities: none used');
  } else {
    const parts = [...caps.byFunction]
      .sort((a, b) => b.count - a.count || a.func.localeCompare(b.func))
      .map((c) => {
        const notes: string[] = [];
        if (c.denied > 0) notes.push(`${c.denied} denied`);
        const otherErrors = c.errors - c.denied;
        if (otherErrors > 0) notes.push(`${otherErrors} error${otherErrors === 1 ? '' : 's'}`);
        return `${c.func} ×${formatInteger(c.count)}${notes.length ? ` (${notes.join(', ')})` : ''}`;
      });
    lines.push(`  capabilities: ${formatInteger(caps.totalCalls)} call${caps.totalCalls === 1 ? '' : 's'}: ${parts.join(', ')}`);
    if (caps.pathsTouched.length > 0) {
      const shown = caps.pathsTouched.slice(0, 5).map((p) => (p.denied > 0 ? `${p.path} (denied)` : p.path));
      const more = caps.pathsTouched.length - shown.length + caps.pathsOmitted;
      lines.push(`  paths: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
    }
  }
  const secCount = caps.securityEvents.length + caps.securityEventsOmitted;
  if (secCount > 0) {
    const first = caps.securityEvents[0];
    lines.push(`  security: ${secCount} event${secCount === 1 ? '' : 's'}${first ? `, first: ${first.reason}: ${first.message}` : ''}`);
  }
  const anCount = caps.anomalies.length + caps.anomaliesOmitted;
  if (anCount > 0) {
    const first = caps.anomalies[0];
    lines.push(`  anomalies: ${anCount}${first ? `, first: ${first.anomaly}: ${first.message}` : ''}`);
  }
  const classes = report.fuel.byOperatorClass;
  if (classes && fuel > 0n) {
    const parts = Object.entries(classes)
      .map(([k, v]) => [k, parseFuel(v)] as const)
      .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))
      .slice(0, 4)
      .map(([k, v]) => `${k} ${((Number(v) / Number(fuel)) * 100).toFixed(0)}%`);
    lines.push(`  fuel by operator class${report.fuel.byOperatorClassInfo?.estimated ? ' (estimated)' : ''}: ${parts.join(', ')}`);
  }
  const m = report.metrics;
  if (m.counters.length + m.gauges.length + m.timers.length > 0) {
    lines.push(
      `  module metrics: ${m.counters.length} counter${m.counters.length === 1 ? '' : 's'}, ` +
        `${m.gauges.length} gauge${m.gauges.length === 1 ? '' : 's'}, ${m.timers.length} timer${m.timers.length === 1 ? '' : 's'} (${m.mode})`,
    );
  }
  return lines.join('\n');
}

function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
