// One observed run, as the CLI and the debug adapter both need it: the module runs in the runtime
// worker while this side feeds every event to the report recorder, the tracer (OpenTelemetry),
// the audit trail on disk and the caller's own listener; at the end it writes the report, the
// fuel profile (with sampled call stacks) and the complete trace, and adds function-level spans
// when asked. Same engine for terminal, CI and VS Code.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { RuntimeEvent } from '../runtime/events';
import { loadModule } from '../runtime/load-module';
import type { RunOptions } from '../runtime/run-options';
import type { RunResult } from '../runtime/run-result';
import { startRun, type DebugRunOptions, type RunHandle } from '../runtime/worker-run';
import { AuditLogWriter } from '../wasi/audit-log';
import { RunRecorder } from '../telemetry/run-recorder';
import { serializeReport, type ExecutionReport } from '../telemetry/report';
import { RunTracer, type FunctionSpanStats, type ShutdownResult } from '../telemetry/tracing';
import { buildSpeedscopeProfile } from '../telemetry/profile';
import { buildCompleteTrace } from '../telemetry/complete-trace';
import { callTreeFromStacks, type CallTreeNode, type WeightedStack } from '../telemetry/call-tree';
import { OPERATOR_CLASS_METHOD, estimateOperatorClassFuel, staticOperatorMix } from '../telemetry/operator-classes';

export type CompleteTrace = ReturnType<typeof buildCompleteTrace>;

export interface ObservedRunOutcome {
  result: RunResult;
  report: ExecutionReport;
  trace: CompleteTrace;
  export: ShutdownResult;
  warnings: string[];
  /** Set when a fuel budget was given and the run burned more. */
  overBudget?: { budget: bigint; consumed: bigint };
  /** What function-level spans were made, when they were asked for. */
  functionSpans?: FunctionSpanStats & { minFuel: bigint; source: 'sampled-stacks' | 'functions' };
}

export interface ObservedRun {
  readonly handle: RunHandle;
  readonly outcome: Promise<ObservedRunOutcome>;
}

/** Function spans without a threshold fold call paths under 1% of the run's fuel. */
export const DEFAULT_FUNCTION_SPAN_SHARE = 100n;

/**
 * The module sees TRACEPARENT (the module-execution span) when the policy names it, or when the
 * run is part of a distributed trace (it joined one, or exports its spans) and the policy does not
 * list env names without it. Otherwise its environment is exactly what it was given: a debug
 * session or a plain run does not change what a module that reads its environment computes.
 */
function traceEnvAllowed(options: RunOptions, tracer: RunTracer): boolean {
  const allow = options.policy?.env;
  if (allow?.includes('TRACEPARENT')) return true;
  if (tracer.joinedTrace === null && !tracer.exporting) return false;
  return allow === undefined || allow.includes('*');
}

/**
 * What the worker is asked for: stack sampling defaults on when something uses the stacks (a
 * profile, function spans, the debugger's end-of-run trace), off otherwise so plain runs pay
 * nothing; debugger runs get function spans in their trace unless the launch says otherwise.
 */
export function effectiveOptions(options: RunOptions, debugging: boolean): RunOptions {
  const functionSpans = options.functionSpans ?? (debugging ? {} : undefined);
  const sampleStacks = options.sampleStacks ?? (options.profileFile !== undefined || functionSpans !== undefined);
  return { ...options, functionSpans, sampleStacks };
}

/** The sampled stacks as weighted stacks for the profile and the call tree. */
function weightedStacks(result: RunResult): WeightedStack[] {
  return (result.stacks ?? []).map((s) => ({ frames: s.frames, weight: s.fuel, samples: s.samples, funcIndices: s.funcIndices }));
}

/**
 * The call tree for function spans: from the sampled stacks, or, for a run too short to be
 * sampled, each function on its own (exact fuel and calls, no nesting) so nothing is dropped.
 */
function functionTree(result: RunResult): { roots: CallTreeNode[]; source: 'sampled-stacks' | 'functions' } {
  if (result.stacks && result.stacks.length > 0) return { roots: callTreeFromStacks(weightedStacks(result)), source: 'sampled-stacks' };
  const roots = result.functions
    .filter((f) => f.fuelExclusive > 0n)
    .map((f): CallTreeNode => ({ name: f.name, funcIndex: f.index, calls: Number(f.calls), fuelInclusive: f.fuelExclusive, fuelExclusive: f.fuelExclusive, children: [] }));
  return { roots, source: 'functions' };
}

/** The estimated operator-class breakdown, from the module's code and the run's exclusive fuel. */
async function operatorClassFuel(program: string, result: RunResult, warnings: string[]): Promise<Record<string, bigint> | undefined> {
  if (result.loadError || result.functions.length === 0) return undefined;
  try {
    // A .wat program comes back compiled from the worker: compiling it again here would load the
    // text parser on this thread too.
    const bytes = result.watBytes ?? (await loadModule(program)).bytes;
    const hot = result.functions.filter((f) => f.fuelExclusive > 0n).map((f) => f.index);
    return estimateOperatorClassFuel(result.functions, staticOperatorMix(bytes, hot), result.fuelConsumed);
  } catch (e) {
    warnings.push(`no operator-class breakdown: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** `debug` runs the module under the debugger (the DAP session's runs); the rest is the same. */
export function startObservedRun(
  options: RunOptions,
  listener: (e: RuntimeEvent) => void,
  hostEnv: NodeJS.ProcessEnv = process.env,
  debug?: DebugRunOptions,
): ObservedRun {
  const opts = effectiveOptions(options, debug !== undefined);
  const warnings: string[] = [];
  const recorder = new RunRecorder({ module: opts.program, args: opts.args, deterministic: opts.deterministic === true });
  const tracer = new RunTracer({
    traceparent: opts.traceparent,
    tracesEndpoint: undefined,
    endpoint: opts.otlpEndpoint,
    serviceName: opts.serviceName,
    transactionName: opts.transaction,
    env: hostEnv,
    deterministic: opts.deterministic === true || opts.replayFile !== undefined,
    onWarning: (m) => warnings.push(m),
  });
  tracer.startRun({ module: basename(opts.program), args: opts.args });
  const env = traceEnvAllowed(opts, tracer) ? { ...opts.env, ...tracer.moduleEnv() } : opts.env;
  const runOptions: RunOptions = { ...opts, env };
  const audit = opts.auditFile
    ? new AuditLogWriter(opts.auditFile, { meta: { module: basename(opts.program), args: opts.args } })
    : undefined;
  const call = tracer.startExportCall('_start');
  const handle = startRun(runOptions, (e) => {
    recorder.onEvent(e);
    tracer.onEvent(e);
    if (audit && (e.kind === 'capability' || e.kind === 'security' || e.kind === 'anomaly')) audit.write(e);
    listener(e);
  }, debug);
  const outcome = handle.done.then(async (result): Promise<ObservedRunOutcome> => {
    audit?.close();
    tracer.endExportCall(call, { fuelConsumed: result.fuelConsumed, trap: result.trap });
    const byClass = await operatorClassFuel(opts.program, result, warnings);
    const report = recorder.finish({
      exitCode: result.exitCode,
      trap: result.trap,
      fuelConsumed: result.fuelConsumed,
      functions: result.functions,
      memory: { initialBytes: result.memory.initialBytes, finalBytes: result.memory.finalBytes },
      wallMs: result.wallMs,
      traceId: tracer.traceId,
      metrics: result.metrics,
      operatorClassFuel: byClass,
      operatorClassEstimate: byClass ? { method: OPERATOR_CLASS_METHOD } : undefined,
    });
    if (result.loadError) (report as ExecutionReport & { loadError?: string }).loadError = result.loadError;
    let functionSpans: ObservedRunOutcome['functionSpans'];
    if (opts.functionSpans && !result.loadError) {
      const { roots, source } = functionTree(result);
      const share = result.fuelConsumed / DEFAULT_FUNCTION_SPAN_SHARE;
      const minFuel = opts.functionSpans.minFuel ?? (share > 0n ? share : 1n);
      functionSpans = { ...tracer.addFunctionSpans(roots, { parent: call, minFuel }), minFuel, source };
    }
    tracer.finishRun({ exitCode: result.exitCode, trap: result.trap, fuelConsumed: result.fuelConsumed, memoryPeakBytes: report.memory.peakBytes });
    const exported = await tracer.shutdown();
    warnings.push(...(exported.warnings ?? []));
    const trace = buildCompleteTrace(tracer.finishedSpans());
    if (opts.reportFile) writeFileSync(opts.reportFile, serializeReport(report));
    if (opts.profileFile) {
      const profile = buildSpeedscopeProfile({ name: basename(opts.program), functions: result.functions, stacks: weightedStacks(result), exporter: 'wasiscope' });
      writeFileSync(opts.profileFile, JSON.stringify(profile));
    }
    if (opts.traceFile) writeFileSync(opts.traceFile, JSON.stringify(trace, null, 2) + '\n');
    const overBudget =
      opts.fuelBudget !== undefined && result.fuelConsumed > opts.fuelBudget
        ? { budget: opts.fuelBudget, consumed: result.fuelConsumed }
        : undefined;
    return { result, report, trace, export: exported, warnings, overBudget, functionSpans };
  });
  return { handle, outcome };
}
