// Turns one run's RuntimeEvents plus the figures the runtime knows at the end (exit code, fuel per
// function, memory sizes, wall time) into the ExecutionReport. Memory held is bounded: events are
// aggregated as they arrive (per host function, per path), and the listed items (paths, security
// events, anomalies, growth events) are capped with an "omitted" count, never silently dropped.
import type { AnomalyEvent, CapabilityEvent, DecodedValue, MemoryEvent, RuntimeEvent, SecurityEvent, TrapInfo } from '../runtime/events';
import { MetricSummary } from '../metrics/metric-summary';
import type { ModuleTimerTotals } from '../metrics/module-metrics';
import { pathsInArgs } from './call-paths';
import { bigintToJson, percentOf } from './fuel-number';
import {
  REPORT_SCHEMA_VERSION,
  type ExecutionReport,
  type JsonValue,
  type ReportAnomaly,
  type ReportCapabilityFunction,
  type ReportFunction,
  type ReportHostFunctionCost,
  type ReportMemoryGrowth,
  type ReportMetricsStats,
  type ReportPath,
  type ReportSecurityEvent,
} from './report';

export const WASM_PAGE_BYTES = 65536;

export interface RunRecorderOptions {
  /** Module path or name, echoed in the report. */
  module?: string;
  args?: string[];
  /** Deterministic runs: module metric timers are in fuel. */
  deterministic?: boolean;
  /** How many hot functions `performance.hotFunctions` lists (default 10). */
  hotFunctionCount?: number;
  /** Fuel charged per host call when the runtime gives no figure (default 1n: the `call`). */
  hostCallFuelCost?: bigint;
  /** Caps on listed items (defaults: 1000 paths, 1000 security events, 1000 anomalies, 10000 grows). */
  maxPaths?: number;
  maxSecurityEvents?: number;
  maxAnomalies?: number;
  maxGrowthEvents?: number;
}

/** Per-function figures from the instrumentation. */
export interface FunctionFuelInput {
  name: string;
  index?: number;
  fuelExclusive: bigint;
  calls: number | bigint;
}

export interface RunFinishInput {
  exitCode: number;
  trap?: TrapInfo;
  fuelConsumed: bigint;
  functions: readonly FunctionFuelInput[];
  /** Default memory (index 0) sizes; 0 for a module without memory. */
  memory: { initialBytes: number; finalBytes: number };
  operatorClassFuel?: Record<string, bigint>;
  /** Set when operatorClassFuel is an estimate rather than a count: how it was computed. */
  operatorClassEstimate?: { method: string };
  /** Wall-clock duration of the run. */
  wallMs: number;
  /** Fuel the runtime attributes to host functions, keyed `module.func` (overrides the default). */
  hostFunctionFuel?: Record<string, bigint>;
  /** Direct module metrics: how they were collected, the host's counters and timer totals. */
  metrics?: { mode: 'buffered' | 'live'; stats?: ReportMetricsStats; timers?: readonly ModuleTimerTotals[] };
  traceId?: string;
}

interface HostAcc {
  module: string;
  func: string;
  calls: number;
  errors: number;
  denied: number;
  durationUs: number;
  errnos: Map<string, number>;
}

interface PathAcc {
  functions: Set<string>;
  count: number;
  errors: number;
  denied: number;
}

export class RunRecorder {
  private readonly opts: RunRecorderOptions;
  private readonly host = new Map<string, HostAcc>();
  /** The same accumulators by module, then function: no key string built per event. */
  private readonly hostByModule = new Map<string, Map<string, HostAcc>>();
  private readonly paths = new Map<string, PathAcc>();
  private pathsOmitted = 0;
  private readonly security: ReportSecurityEvent[] = [];
  private securityOmitted = 0;
  private readonly anomalies: ReportAnomaly[] = [];
  private anomaliesOmitted = 0;
  private readonly grows: ReportMemoryGrowth[] = [];
  private growsOmitted = 0;
  private peakGrowPages = -1;
  private readonly metrics = new MetricSummary();
  private stdoutBytes = 0;
  private stderrBytes = 0;
  private capabilityCalls = 0;
  private capabilityErrors = 0;
  private capabilityDenied = 0;

  constructor(options: RunRecorderOptions = {}) {
    this.opts = options;
  }

  onEvent(e: RuntimeEvent): void {
    switch (e.kind) {
      case 'capability':
        this.onCapability(e);
        break;
      case 'security':
        this.onSecurity(e);
        break;
      case 'anomaly':
        this.onAnomaly(e);
        break;
      case 'memory':
        this.onMemory(e);
        break;
      case 'metric':
        this.metrics.add(e);
        break;
      case 'output':
        if (e.stream === 'stdout') this.stdoutBytes += e.data.byteLength;
        else this.stderrBytes += e.data.byteLength;
        break;
      default:
        // fuel samples, stops, spans and exit carry nothing the report needs beyond finish().
        break;
    }
  }

  /** Builds the report; call once, after the last event. */
  finish(input: RunFinishInput): ExecutionReport {
    const consumed = input.fuelConsumed;
    const functions: ReportFunction[] = input.functions
      .map((f) => {
        const out: ReportFunction = {
          name: f.name,
          fuelExclusive: bigintToJson(f.fuelExclusive),
          calls: Number(f.calls),
          fuelPercent: percentOf(f.fuelExclusive, consumed),
        };
        if (f.index !== undefined) out.index = f.index;
        return { out, fuel: f.fuelExclusive };
      })
      .sort((a, b) => (b.fuel > a.fuel ? 1 : b.fuel < a.fuel ? -1 : (a.out.index ?? 0) - (b.out.index ?? 0) || cmp(a.out.name, b.out.name)))
      .map((x) => x.out);
    let attributed = 0n;
    for (const f of input.functions) attributed += f.fuelExclusive;

    const hostCost = this.opts.hostCallFuelCost ?? 1n;
    const hostFunctionCosts: ReportHostFunctionCost[] = [];
    const byFunction: ReportCapabilityFunction[] = [];
    let hostUs = 0;
    for (const [name, h] of [...this.host].sort((a, b) => cmp(a[0], b[0]))) {
      hostUs += h.durationUs;
      const fuel = input.hostFunctionFuel?.[name] ?? hostCost * BigInt(h.calls);
      hostFunctionCosts.push({
        name,
        module: h.module,
        func: h.func,
        calls: h.calls,
        errors: h.errors,
        denied: h.denied,
        totalDurationUs: h.durationUs,
        meanDurationUs: h.calls ? h.durationUs / h.calls : 0,
        fuelAttributed: bigintToJson(fuel),
      });
      byFunction.push({
        name,
        module: h.module,
        func: h.func,
        count: h.calls,
        errors: h.errors,
        denied: h.denied,
        errnos: Object.fromEntries([...h.errnos].sort((a, b) => cmp(a[0], b[0]))),
      });
    }
    const pathsTouched: ReportPath[] = [...this.paths]
      .sort((a, b) => cmp(a[0], b[0]))
      .map(([path, p]) => ({ path, functions: [...p.functions].sort(), count: p.count, errors: p.errors, denied: p.denied }));

    const peakPages = this.peakGrowPages;
    const peakBytes = Math.max(input.memory.initialBytes, input.memory.finalBytes, peakPages >= 0 ? peakPages * WASM_PAGE_BYTES : 0);
    const hostTimeMs = hostUs / 1000;
    const hot = functions.slice(0, this.opts.hotFunctionCount ?? 10).map((f) => ({
      name: f.name,
      fuelExclusive: f.fuelExclusive,
      calls: f.calls,
      fuelPercent: f.fuelPercent,
    }));

    const report: ExecutionReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      exitCode: input.exitCode,
      trap: input.trap ? { ...input.trap } : null,
      totalTimeMs: input.wallMs,
      memory: {
        initialBytes: input.memory.initialBytes,
        peakBytes,
        finalBytes: input.memory.finalBytes,
        growthEvents: this.grows,
        growthEventsOmitted: this.growsOmitted,
      },
      fuel: {
        consumed: bigintToJson(consumed),
        attributedToFunctions: bigintToJson(attributed),
      },
      functions,
      hostFunctionCosts,
      performance: {
        hotFunctions: hot,
        fuelRatePerMs: input.wallMs > 0 ? Math.round((Number(consumed) / input.wallMs) * 100) / 100 : null,
        hostTimeMs,
        hostTimePercent: input.wallMs > 0 ? Math.round((hostTimeMs / input.wallMs) * 10000) / 100 : null,
      },
      capabilities: {
        totalCalls: this.capabilityCalls,
        errors: this.capabilityErrors,
        denied: this.capabilityDenied,
        byFunction,
        pathsTouched,
        pathsOmitted: this.pathsOmitted,
        securityEvents: this.security,
        securityEventsOmitted: this.securityOmitted,
        anomalies: this.anomalies,
        anomaliesOmitted: this.anomaliesOmitted,
      },
      metrics: this.metrics.toReport(
        input.metrics?.mode ?? (this.metrics.eventCount > 0 ? (this.opts.deterministic ? 'buffered' : 'live') : 'none'),
        (input.metrics?.mode ?? (this.opts.deterministic ? 'buffered' : 'live')) === 'buffered' ? 'fuel' : 'ms',
        input.metrics?.stats,
        input.metrics?.timers,
      ),
      output: { stdoutBytes: this.stdoutBytes, stderrBytes: this.stderrBytes },
    };
    if (input.operatorClassFuel) {
      report.fuel.byOperatorClass = Object.fromEntries(
        Object.entries(input.operatorClassFuel)
          .sort((a, b) => cmp(a[0], b[0]))
          .map(([k, v]) => [k, bigintToJson(v)]),
      );
      report.fuel.byOperatorClassInfo = input.operatorClassEstimate
        ? { estimated: true, method: input.operatorClassEstimate.method }
        : { estimated: false, method: 'counted by the runtime' };
    }
    if (this.opts.module !== undefined) report.module = this.opts.module;
    if (this.opts.args !== undefined) report.args = [...this.opts.args];
    if (this.opts.deterministic !== undefined) report.deterministic = this.opts.deterministic;
    if (input.traceId !== undefined) report.traceId = input.traceId;
    return report;
  }

  private onCapability(e: CapabilityEvent): void {
    let byFunc = this.hostByModule.get(e.module);
    if (!byFunc) this.hostByModule.set(e.module, (byFunc = new Map()));
    let h = byFunc.get(e.func);
    if (!h) {
      const key = `${e.module}.${e.func}`;
      h = this.host.get(key);
      if (!h) {
        h = { module: e.module, func: e.func, calls: 0, errors: 0, denied: 0, durationUs: 0, errnos: new Map() };
        this.host.set(key, h);
      }
      byFunc.set(e.func, h);
    }
    const failed = e.errno !== 0;
    h.calls++;
    h.durationUs += e.durationUs;
    if (failed) h.errors++;
    if (e.denied) h.denied++;
    h.errnos.set(e.errnoName, (h.errnos.get(e.errnoName) ?? 0) + 1);
    this.capabilityCalls++;
    if (failed) this.capabilityErrors++;
    if (e.denied) this.capabilityDenied++;
    for (const path of pathsInArgs(e.args)) {
      let p = this.paths.get(path);
      if (!p) {
        if (this.paths.size >= (this.opts.maxPaths ?? 1000)) {
          this.pathsOmitted++;
          continue;
        }
        p = { functions: new Set(), count: 0, errors: 0, denied: 0 };
        this.paths.set(path, p);
      }
      p.functions.add(e.func);
      p.count++;
      if (failed) p.errors++;
      if (e.denied) p.denied++;
    }
  }

  private onSecurity(e: SecurityEvent): void {
    if (this.security.length >= (this.opts.maxSecurityEvents ?? 1000)) {
      this.securityOmitted++;
      return;
    }
    this.security.push({ reason: e.reason, message: e.message, capabilitySeq: e.capabilitySeq });
  }

  private onAnomaly(e: AnomalyEvent): void {
    if (this.anomalies.length >= (this.opts.maxAnomalies ?? 1000)) {
      this.anomaliesOmitted++;
      return;
    }
    const evidence: { [k: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(e.evidence)) evidence[k] = decodedToJson(v);
    this.anomalies.push({ anomaly: e.anomaly, message: e.message, evidence, capabilitySeq: e.capabilitySeq });
  }

  private onMemory(e: MemoryEvent): void {
    const failed = e.afterPages < 0;
    if (e.memory === 0 && !failed && e.afterPages > this.peakGrowPages) this.peakGrowPages = e.afterPages;
    if (this.grows.length >= (this.opts.maxGrowthEvents ?? 10000)) {
      this.growsOmitted++;
      return;
    }
    this.grows.push({ fuel: bigintToJson(e.fuel), memory: e.memory, beforePages: e.beforePages, afterPages: e.afterPages, failed });
  }
}

/** Decoded host-call values made JSON-safe (bigints as numbers or decimal strings). */
export function decodedToJson(v: DecodedValue): JsonValue {
  if (typeof v === 'bigint') return bigintToJson(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return [...v];
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) out[k] = decodedToJson(x);
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
