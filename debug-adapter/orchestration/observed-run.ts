// One observed run, as the CLI and the debug adapter both need it: the module runs in the runtime
// worker while this side feeds every event to the report recorder, the tracer (OpenTelemetry),
// the audit trail on disk and the caller's own listener; at the end it writes the report and the
// fuel profile and rebuilds the complete trace. Same engine for terminal, CI and VS Code.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { RuntimeEvent } from '../runtime/events';
import type { RunOptions } from '../runtime/run-options';
import type { RunResult } from '../runtime/run-result';
import { startRun, type DebugRunOptions, type RunHandle } from '../runtime/worker-run';
import { AuditLogWriter } from '../wasi/audit-log';
import { RunRecorder } from '../telemetry/run-recorder';
import { serializeReport, type ExecutionReport } from '../telemetry/report';
import { RunTracer, type ShutdownResult } from '../telemetry/tracing';
import { buildSpeedscopeProfile } from '../telemetry/profile';
import { buildCompleteTrace } from '../telemetry/complete-trace';

export type CompleteTrace = ReturnType<typeof buildCompleteTrace>;

export interface ObservedRunOutcome {
  result: RunResult;
  report: ExecutionReport;
  trace: CompleteTrace;
  export: ShutdownResult;
  warnings: string[];
  /** Set when a fuel budget was given and the run burned more. */
  overBudget?: { budget: bigint; consumed: bigint };
}

export interface ObservedRun {
  readonly handle: RunHandle;
  readonly outcome: Promise<ObservedRunOutcome>;
}

/** The module may see TRACEPARENT unless the policy lists env names without it. */
function traceEnvAllowed(options: RunOptions): boolean {
  const allow = options.policy?.env;
  return allow === undefined || allow.includes('*') || allow.includes('TRACEPARENT');
}

/** `debug` runs the module under the debugger (the DAP session's runs); the rest is the same. */
export function startObservedRun(
  options: RunOptions,
  listener: (e: RuntimeEvent) => void,
  hostEnv: NodeJS.ProcessEnv = process.env,
  debug?: DebugRunOptions,
): ObservedRun {
  const warnings: string[] = [];
  const recorder = new RunRecorder({ module: options.program, args: options.args, deterministic: options.deterministic === true });
  const tracer = new RunTracer({
    traceparent: options.traceparent,
    tracesEndpoint: undefined,
    endpoint: options.otlpEndpoint,
    serviceName: options.serviceName,
    transactionName: options.transaction,
    env: hostEnv,
    deterministic: options.deterministic === true || options.replayFile !== undefined,
    onWarning: (m) => warnings.push(m),
  });
  tracer.startRun({ module: basename(options.program), args: options.args });
  const env = traceEnvAllowed(options) ? { ...options.env, ...tracer.moduleEnv() } : options.env;
  const runOptions: RunOptions = { ...options, env };
  const audit = options.auditFile
    ? new AuditLogWriter(options.auditFile, { meta: { module: basename(options.program), args: options.args } })
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
    const report = recorder.finish({
      exitCode: result.exitCode,
      trap: result.trap,
      fuelConsumed: result.fuelConsumed,
      functions: result.functions,
      memory: { initialBytes: result.memory.initialBytes, finalBytes: result.memory.finalBytes },
      wallMs: result.wallMs,
      traceId: tracer.traceId,
    });
    if (result.loadError) (report as ExecutionReport & { loadError?: string }).loadError = result.loadError;
    tracer.finishRun({ exitCode: result.exitCode, trap: result.trap, fuelConsumed: result.fuelConsumed, memoryPeakBytes: report.memory.peakBytes });
    const exported = await tracer.shutdown();
    warnings.push(...(exported.warnings ?? []));
    const trace = buildCompleteTrace(tracer.finishedSpans());
    if (options.reportFile) writeFileSync(options.reportFile, serializeReport(report));
    if (options.profileFile) {
      const profile = buildSpeedscopeProfile({ name: basename(options.program), functions: result.functions });
      writeFileSync(options.profileFile, JSON.stringify(profile));
    }
    const overBudget =
      options.fuelBudget !== undefined && result.fuelConsumed > options.fuelBudget
        ? { budget: options.fuelBudget, consumed: result.fuelConsumed }
        : undefined;
    return { result, report, trace, export: exported, warnings, overBudget };
  });
  return { handle, outcome };
}
