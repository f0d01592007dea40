// OpenTelemetry spans for one run, built with the OpenTelemetry SDK and exported over OTLP/HTTP
// (JSON) when an endpoint is configured. The tree:
//
//   transaction span (the run, or the launch's named transaction; may join a remote traceparent)
//   └─ module-execution span (its context is the TRACEPARENT the module sees)
//      ├─ exported function call spans (`_start`, ...) and spans the runtime reports (SpanEvent)
//      │  ├─ host call spans (one per CapabilityEvent; past a cap, one summary span per function)
//      │  └─ function-level spans from a call tree, when asked (below a fuel/time threshold,
//      │     aggregated into one summary span per parent with a count: never silently dropped)
//
// Every span is also kept in memory (for the report and the span tree view) whether exported or
// not. Times are explicit: host calls are placed at their event time, or, in deterministic mode
// (virtual clocks), at the wall time the tracer receives them. No global OpenTelemetry state is
// touched: the provider is private to the run, so runs (and tests) do not interfere.
import { summarize } from './capability-text';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { ExportResultCode, TraceState, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider,
  createAlwaysRecordSampler,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_CODE_FUNCTION_NAME, ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { AnomalyEvent, CapabilityEvent, DecodedValue, RuntimeEvent, SecurityEvent, SpanEvent, TrapInfo } from '../runtime/events';
import { pathsInArgs } from './call-paths';
import { countNodes, exclusiveFuel, type CallTreeNode } from './call-tree';
import { bigintToJson } from './fuel-number';
import { resolveExporterConfig, type Env, type ExporterOptions, type ResolvedExporterConfig } from './otel-config';
import { formatTraceparent, parseTraceparent, type TraceParent } from './trace-context';

// Incubating semantic conventions are copied, as the semantic-conventions package advises, rather
// than imported from its unstable entry point.
const ATTR_PROCESS_EXIT_CODE = 'process.exit.code';
const ATTR_PROCESS_COMMAND_ARGS = 'process.command_args';
const ATTR_FILE_PATH = 'file.path';

/** Attribute names of our own, under the `wasiscope.` namespace. */
export const WasiscopeAttr = {
  fuelConsumed: 'wasiscope.fuel.consumed',
  fuelAtCall: 'wasiscope.fuel',
  fuelInclusive: 'wasiscope.fuel.inclusive',
  fuelExclusive: 'wasiscope.fuel.exclusive',
  memoryPeakBytes: 'wasiscope.memory.peak_bytes',
  memoryGrowCount: 'wasiscope.memory.grow_count',
  module: 'wasiscope.module',
  transaction: 'wasiscope.transaction',
  deterministic: 'wasiscope.deterministic',
  export: 'wasiscope.export',
  capabilityCalls: 'wasiscope.capability.calls',
  capabilityErrors: 'wasiscope.capability.errors',
  capabilityDenied: 'wasiscope.capability.denied',
  securityEvents: 'wasiscope.security.events',
  anomalies: 'wasiscope.anomalies',
  trapKind: 'wasiscope.trap.kind',
  trapMessage: 'wasiscope.trap.message',
  hostModule: 'wasiscope.host.module',
  hostFunction: 'wasiscope.host.function',
  hostSeq: 'wasiscope.host.seq',
  hostArgs: 'wasiscope.host.args',
  hostResults: 'wasiscope.host.results',
  hostErrno: 'wasiscope.host.errno',
  hostErrnoName: 'wasiscope.host.errno_name',
  hostDenied: 'wasiscope.host.denied',
  hostDurationUs: 'wasiscope.host.duration_us',
  securityReason: 'wasiscope.security.reason',
  functionIndex: 'wasiscope.function.index',
  functionCalls: 'wasiscope.function.calls',
  functionSamples: 'wasiscope.function.samples',
  timing: 'wasiscope.timing',
  aggregatedCount: 'wasiscope.aggregated.count',
  aggregatedTopLevel: 'wasiscope.aggregated.top_level',
  aggregatedCalls: 'wasiscope.aggregated.calls',
  aggregatedSamples: 'wasiscope.aggregated.samples',
  aggregatedFuel: 'wasiscope.aggregated.fuel',
  aggregatedFunctions: 'wasiscope.aggregated.functions',
  aggregatedReason: 'wasiscope.aggregated.reason',
  aggregatedErrors: 'wasiscope.aggregated.errors',
  aggregatedDenied: 'wasiscope.aggregated.denied',
  unterminated: 'wasiscope.span.unterminated',
  runtimeSpanId: 'wasiscope.runtime.span_id',
} as const;

export const TRACER_NAME = 'wasiscope';
export const TRACER_VERSION = '0.1.0';

export interface RunTracerOptions extends ExporterOptions {
  /** Name of the transaction span (a launch's named transaction); default `wasiscope run <module>`. */
  transactionName?: string;
  /** Join this trace (launch option); else the env's TRACEPARENT. Invalid values are warned about. */
  traceparent?: string;
  tracestate?: string;
  /** Environment to read OTEL_* and TRACEPARENT from (default process.env). */
  env?: Env;
  /** Deterministic runs carry virtual times: host-call spans are placed at arrival instead. */
  deterministic?: boolean;
  /** Host calls traced one span each before switching to per-function summary spans (default 2000). */
  maxHostCallSpans?: number;
  /** Extra resource attributes. */
  resourceAttributes?: Record<string, AttributeValue>;
  /** Send spans here instead of OTLP/HTTP (another backend, or tests). */
  exporter?: SpanExporter;
  /** Called once per warning (bad traceparent, unreachable collector...). */
  onWarning?: (message: string) => void;
  /** Wall clock in ms since the epoch (default: a sub-ms clock anchored to Date.now()). */
  clock?: () => number;
}

export interface RunStartInfo {
  /** Module path or name. */
  module: string;
  args?: readonly string[];
  /** ms since the epoch; default now. */
  startTime?: number;
  attributes?: Attributes;
}

export interface RunEndInfo {
  exitCode: number;
  trap?: TrapInfo;
  fuelConsumed: bigint;
  memoryPeakBytes?: number;
  endTime?: number;
}

export interface ExportCallHandle {
  readonly name: string;
  readonly spanId: string;
}

export interface ExportCallEnd {
  endTime?: number;
  /** Fuel consumed by this call. */
  fuelConsumed?: bigint;
  trap?: TrapInfo;
}

export interface FunctionSpanOptions {
  /** Nodes whose inclusive fuel is below this are aggregated. */
  minFuel?: bigint;
  /** Nodes whose (measured, else fuel-proportional) duration is below this are aggregated. */
  minDurationMs?: number;
  /** Upper bound on function spans created; past it, nodes are aggregated (default 5000). */
  maxSpans?: number;
  /** Parent span: an export call (default: the innermost open span, else the module span). */
  parent?: ExportCallHandle;
  /** Interval the tree's roots share when nodes carry no measured times (default: the parent's). */
  startTime?: number;
  endTime?: number;
}

export interface FunctionSpanStats {
  /** Nodes in the input tree. */
  totalNodes: number;
  /** Function spans created (one per kept node). */
  spans: number;
  /** Summary spans created. */
  summarySpans: number;
  /** Nodes folded into summary spans (`spans + aggregatedNodes === totalNodes`). */
  aggregatedNodes: number;
}

export interface ShutdownResult {
  /** Where spans were sent (null: nowhere). */
  endpoint: string | null;
  /** Spans the collector accepted. */
  exported: number;
  /** Spans whose export failed. */
  failed: number;
  /** True when the collector did not finish within the timeout. */
  timedOut: boolean;
  warnings: string[];
}

interface OpenEntry {
  span: Span;
  spanId: string;
  startMs: number;
  endMs?: number;
  kind: 'module' | 'export' | 'runtime';
}

interface PendingHostSpan {
  span: Span;
  seq: number;
  endMs: number;
  ended: boolean;
}

interface HostAggregate {
  parent: OpenEntry;
  module: string;
  func: string;
  count: number;
  errors: number;
  denied: number;
  durationUs: number;
  firstStart: number;
  lastEnd: number;
  firstSeq: number;
  lastSeq: number;
  firstFuel: bigint;
  lastFuel: bigint;
}

/** Keeps every finished span of the run, sampled or not (the report and span tree need them). */
class CollectingProcessor implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Counts what the real exporter achieved, so shutdown can say it instead of failing silently. */
class CountingExporter implements SpanExporter {
  exported = 0;
  failed = 0;
  lastError: string | undefined;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const done = (r: ExportResult): void => {
      if (r.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      else {
        this.failed += spans.length;
        this.lastError = r.error?.message ?? 'export failed';
      }
      resultCallback(r);
    };
    try {
      this.inner.export(spans, done);
    } catch (e) {
      done({ code: ExportResultCode.FAILED, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
}

/**
 * Sub-millisecond wall clock anchored to Date.now() when the tracer is made: host-call events carry
 * Date.now()-based times, and performance.timeOrigin drifts from Date.now() in long-lived processes
 * (the debug adapter), which would put host calls outside their parent spans.
 */
function anchoredClock(): () => number {
  const offset = Date.now() - performance.now();
  return () => offset + performance.now();
}

export class RunTracer {
  readonly config: ResolvedExporterConfig;
  private readonly opts: RunTracerOptions;
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly collector = new CollectingProcessor();
  private readonly counting: CountingExporter | null;
  private readonly clock: () => number;
  private readonly warnings: string[] = [];
  private readonly parentContext: Context;
  private readonly joined: TraceParent | null;

  private transaction: OpenEntry | null = null;
  private moduleEntry: OpenEntry | null = null;
  private readonly stack: OpenEntry[] = [];
  private readonly runtimeSpans = new Map<string, OpenEntry>();
  private readonly endedExports = new Map<string, OpenEntry>();
  private pending: PendingHostSpan | null = null;
  private hostSpanCount = 0;
  private readonly hostAggregates = new Map<string, HostAggregate>();
  /** The aggregate the previous host call went to (null once flushed). */
  private lastAggregate: HostAggregate | null = null;
  private capabilityCalls = 0;
  private capabilityErrors = 0;
  private capabilityDenied = 0;
  private securityEvents = 0;
  private anomalies = 0;
  private memoryGrows = 0;
  private finished = false;
  private shutdownResult: Promise<ShutdownResult> | null = null;

  constructor(options: RunTracerOptions = {}) {
    this.opts = options;
    const env = options.env ?? process.env;
    this.clock = options.clock ?? anchoredClock();
    this.config = resolveExporterConfig(options, env);
    for (const w of this.config.warnings) this.warn(w);

    // Join an existing trace: explicit option first, then the environment.
    let parentCtx: Context = ROOT_CONTEXT;
    let joined: TraceParent | null = null;
    const tpRaw = options.traceparent ?? env.TRACEPARENT;
    if (tpRaw !== undefined && tpRaw.trim() !== '') {
      joined = parseTraceparent(tpRaw);
      if (!joined) this.warn(`ignoring invalid traceparent ${JSON.stringify(tpRaw)}: starting a new trace`);
      else {
        const ts = options.tracestate ?? env.TRACESTATE;
        parentCtx = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: joined.traceId,
          spanId: joined.parentId,
          traceFlags: joined.traceFlags & TraceFlags.SAMPLED,
          isRemote: true,
          traceState: ts ? new TraceState(ts) : undefined,
        });
      }
    }
    this.joined = joined;
    this.parentContext = parentCtx;

    const processors: SpanProcessor[] = [this.collector];
    const inner: SpanExporter | null =
      options.exporter ??
      (this.config.url
        ? new OTLPTraceExporter({ url: this.config.url, headers: this.config.headers, timeoutMillis: this.config.timeoutMs, keepAlive: false })
        : null);
    this.counting = inner ? new CountingExporter(inner) : null;
    if (this.counting) {
      processors.push(
        new BatchSpanProcessor({
          exporter: this.counting,
          // Spans leave during long runs, but a run's spans are never dropped for queue size.
          maxQueueSize: 1 << 20,
          maxExportBatchSize: 512,
          scheduledDelayMillis: 1000,
          exportTimeoutMillis: this.config.timeoutMs,
        }),
      );
    }
    const resource = defaultResource().merge(
      resourceFromAttributes({
        ...this.config.resourceAttributes,
        [ATTR_SERVICE_NAME]: this.config.serviceName,
        [ATTR_SERVICE_VERSION]: this.config.resourceAttributes[ATTR_SERVICE_VERSION] ?? TRACER_VERSION,
        ...(options.resourceAttributes ?? {}),
      }),
    );
    this.provider = new TracerProvider({
      resource,
      // Record everything locally; export follows the parent's sampling decision (W3C).
      sampler: createAlwaysRecordSampler(new ParentBasedSampler({ root: new AlwaysOnSampler() })),
      spanProcessors: processors,
      spanLimits: { attributeValueLengthLimit: 4096, eventCountLimit: 1024 },
    });
    this.tracer = this.provider.getTracer(TRACER_NAME, TRACER_VERSION);
  }

  /** The trace this run joined, when it joined one. */
  get joinedTrace(): TraceParent | null {
    return this.joined;
  }

  /** Spans leave this process: an OTLP endpoint or exporter is configured. */
  get exporting(): boolean {
    return this.opts.exporter !== undefined || this.config.url !== null;
  }

  get traceId(): string {
    return this.requireModule().span.spanContext().traceId;
  }

  /** Starts the transaction and module-execution spans. Call once, before the module runs. */
  startRun(info: RunStartInfo): void {
    if (this.transaction) throw new Error('startRun called twice');
    const start = info.startTime ?? this.clock();
    const base = basename(info.module);
    const txName = this.opts.transactionName ?? `wasiscope run ${base}`;
    const txAttrs: Attributes = {
      [ATTR_PROCESS_COMMAND_ARGS]: [info.module, ...(info.args ?? [])],
      [WasiscopeAttr.module]: info.module,
      ...(info.attributes ?? {}),
    };
    if (this.opts.transactionName !== undefined) txAttrs[WasiscopeAttr.transaction] = this.opts.transactionName;
    if (this.opts.deterministic !== undefined) txAttrs[WasiscopeAttr.deterministic] = this.opts.deterministic;
    const tx = this.tracer.startSpan(txName, { kind: SpanKind.INTERNAL, startTime: start, attributes: txAttrs }, this.parentContext);
    this.transaction = { span: tx, spanId: tx.spanContext().spanId, startMs: start, kind: 'module' };
    const mod = this.tracer.startSpan(
      `execute ${base}`,
      { kind: SpanKind.INTERNAL, startTime: start, attributes: { [WasiscopeAttr.module]: info.module } },
      trace.setSpan(ROOT_CONTEXT, tx),
    );
    this.moduleEntry = { span: mod, spanId: mod.spanContext().spanId, startMs: start, kind: 'module' };
    this.stack.push(this.moduleEntry);
  }

  /** The `traceparent` the module should see (TRACEPARENT): the module-execution span's context. */
  moduleTraceparent(): string {
    const ctx = this.requireModule().span.spanContext();
    return formatTraceparent(ctx.traceId, ctx.spanId, ctx.traceFlags);
  }

  /** The `tracestate` to pass along, when the joined trace had one. */
  moduleTracestate(): string | undefined {
    const ts = this.requireModule().span.spanContext().traceState?.serialize();
    return ts ? ts : undefined;
  }

  /** TRACEPARENT (and TRACESTATE) for the module's environment, when the policy allows it. */
  moduleEnv(): Record<string, string> {
    const env: Record<string, string> = { TRACEPARENT: this.moduleTraceparent() };
    const ts = this.moduleTracestate();
    if (ts) env.TRACESTATE = ts;
    return env;
  }

  /** A span for a call into an exported function (e.g. `_start`), child of the innermost open span. */
  startExportCall(name: string, startTime?: number): ExportCallHandle {
    this.closePending();
    const parent = this.top();
    const start = Math.max(startTime ?? this.clock(), parent.startMs);
    const span = this.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, startTime: start, attributes: { [ATTR_CODE_FUNCTION_NAME]: name, [WasiscopeAttr.export]: true } },
      trace.setSpan(ROOT_CONTEXT, parent.span),
    );
    const entry: OpenEntry = { span, spanId: span.spanContext().spanId, startMs: start, kind: 'export' };
    this.stack.push(entry);
    return { name, spanId: entry.spanId };
  }

  endExportCall(handle: ExportCallHandle, end: ExportCallEnd = {}): void {
    const i = this.stack.findIndex((e) => e.spanId === handle.spanId);
    if (i < 0) return;
    const entry = this.stack[i];
    this.closePending();
    // Anything opened inside the call and never closed ends with it.
    while (this.stack.length - 1 > i) this.endEntry(this.stack[this.stack.length - 1], end.endTime, true);
    if (end.fuelConsumed !== undefined) entry.span.setAttribute(WasiscopeAttr.fuelConsumed, bigintToJson(end.fuelConsumed));
    if (end.trap) setTrap(entry.span, end.trap);
    this.endEntry(entry, end.endTime, false);
  }

  /** Feed every RuntimeEvent of the run here (in order). */
  onEvent(e: RuntimeEvent): void {
    if (!this.moduleEntry || this.finished) return;
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
        this.memoryGrows++;
        this.moduleEntry.span.addEvent(
          'wasiscope.memory.grow',
          { 'wasiscope.memory.index': e.memory, 'wasiscope.memory.before_pages': e.beforePages, 'wasiscope.memory.after_pages': e.afterPages, [WasiscopeAttr.fuelAtCall]: bigintToJson(e.fuel) },
          this.clock(),
        );
        break;
      case 'metric':
        this.top().span.addEvent(
          'wasiscope.metric',
          { 'wasiscope.metric.kind': e.metric, 'wasiscope.metric.name': e.name, 'wasiscope.metric.value': e.value, [WasiscopeAttr.fuelAtCall]: bigintToJson(e.fuel) },
          this.clock(),
        );
        break;
      case 'span':
        this.onRuntimeSpan(e);
        break;
      default:
        break;
    }
  }

  /**
   * Function-level spans from a calling-context tree, under `options.parent` (or the innermost open
   * span). Nodes below the threshold, or past `maxSpans`, are folded into one summary span per
   * parent whose attributes count them; `spans + aggregatedNodes === totalNodes` always holds.
   */
  addFunctionSpans(roots: readonly CallTreeNode[], options: FunctionSpanOptions = {}): FunctionSpanStats {
    const parentEntry = options.parent ? this.findEntry(options.parent.spanId) : this.top();
    if (!parentEntry) throw new Error(`unknown parent span ${options.parent?.spanId}`);
    const stats: FunctionSpanStats = { totalNodes: countNodes(roots), spans: 0, summarySpans: 0, aggregatedNodes: 0 };
    const maxSpans = options.maxSpans ?? 5000;
    const rootStart = options.startTime ?? parentEntry.startMs;
    const rootEnd = Math.max(options.endTime ?? parentEntry.endMs ?? this.clock(), rootStart);
    let rootFuel = 0n;
    for (const r of roots) rootFuel += r.fuelInclusive;

    // Breadth-first, so a span budget keeps the top of the tree and folds the deep parts.
    interface Group {
      parent: Span;
      nodes: readonly CallTreeNode[];
      start: number;
      end: number;
      fuel: bigint;
    }
    const queue: Group[] = [{ parent: parentEntry.span, nodes: roots, start: rootStart, end: rootEnd, fuel: rootFuel }];
    for (let qi = 0; qi < queue.length; qi++) {
      const g = queue[qi];
      const width = g.end - g.start;
      let cursor = g.start;
      const folded: CallTreeNode[] = [];
      let foldedStart = Number.POSITIVE_INFINITY;
      let foldedEnd = g.start;
      for (const node of g.nodes) {
        const measured = node.startTime !== undefined && node.endTime !== undefined;
        const share = g.fuel > 0n ? Number((node.fuelInclusive * 1_000_000n) / g.fuel) / 1_000_000 : 0;
        const start = measured ? node.startTime! : cursor;
        const end = measured ? Math.max(node.endTime!, start) : cursor + width * share;
        if (!measured) cursor = end;
        const below =
          (options.minFuel !== undefined && node.fuelInclusive < options.minFuel) ||
          (options.minDurationMs !== undefined && end - start < options.minDurationMs);
        if (below || stats.spans >= maxSpans) {
          folded.push(node);
          foldedStart = Math.min(foldedStart, start);
          foldedEnd = Math.max(foldedEnd, end);
          continue;
        }
        const attrs: Attributes = {
          [ATTR_CODE_FUNCTION_NAME]: node.name,
          // A tree from sampled stacks knows how often a path was sampled, not how often it was called.
          [node.samples !== undefined ? WasiscopeAttr.functionSamples : WasiscopeAttr.functionCalls]: node.samples ?? node.calls,
          [WasiscopeAttr.fuelInclusive]: bigintToJson(node.fuelInclusive),
          [WasiscopeAttr.fuelExclusive]: bigintToJson(exclusiveFuel(node)),
          [WasiscopeAttr.timing]: measured ? 'measured' : 'fuel-proportional',
        };
        if (node.funcIndex !== undefined) attrs[WasiscopeAttr.functionIndex] = node.funcIndex;
        const span = this.tracer.startSpan(node.name, { kind: SpanKind.INTERNAL, startTime: start, attributes: attrs }, trace.setSpan(ROOT_CONTEXT, g.parent));
        span.end(end);
        stats.spans++;
        if (node.children.length > 0) queue.push({ parent: span, nodes: node.children, start, end, fuel: node.fuelInclusive });
      }
      if (folded.length > 0) {
        let count = 0;
        let calls = 0;
        let fuel = 0n;
        const names = new Set<string>();
        for (const n of folded) {
          count += countNodes([n]);
          calls += n.calls;
          fuel += n.fuelInclusive;
          if (names.size < 32) names.add(n.name);
        }
        const byBudget = stats.spans >= maxSpans;
        const span = this.tracer.startSpan(
          'aggregated functions',
          {
            kind: SpanKind.INTERNAL,
            startTime: foldedStart === Number.POSITIVE_INFINITY ? g.start : foldedStart,
            attributes: {
              [WasiscopeAttr.aggregatedCount]: count,
              [WasiscopeAttr.aggregatedTopLevel]: folded.length,
              [folded[0].samples !== undefined ? WasiscopeAttr.aggregatedSamples : WasiscopeAttr.aggregatedCalls]: calls,
              [WasiscopeAttr.aggregatedFuel]: bigintToJson(fuel),
              [WasiscopeAttr.aggregatedFunctions]: [...names],
              [WasiscopeAttr.aggregatedReason]: byBudget ? 'span-limit' : 'below-threshold',
            },
          },
          trace.setSpan(ROOT_CONTEXT, g.parent),
        );
        span.end(Math.max(foldedEnd, foldedStart === Number.POSITIVE_INFINITY ? g.start : foldedStart));
        stats.summarySpans++;
        stats.aggregatedNodes += count;
      }
    }
    return stats;
  }

  /** Ends every open span with the run's figures. Call once, after the last event. */
  finishRun(info: RunEndInfo): void {
    if (this.finished) return;
    const mod = this.requireModule();
    const tx = this.transaction!;
    const end = info.endTime ?? this.clock();
    this.closePending();
    while (this.stack.length > 1) this.endEntry(this.stack[this.stack.length - 1], end, true);
    this.flushHostAggregates(mod);
    this.finished = true;
    const attrs: Attributes = {
      [ATTR_PROCESS_EXIT_CODE]: info.exitCode,
      [WasiscopeAttr.fuelConsumed]: bigintToJson(info.fuelConsumed),
      [WasiscopeAttr.capabilityCalls]: this.capabilityCalls,
      [WasiscopeAttr.capabilityErrors]: this.capabilityErrors,
      [WasiscopeAttr.capabilityDenied]: this.capabilityDenied,
      [WasiscopeAttr.securityEvents]: this.securityEvents,
      [WasiscopeAttr.anomalies]: this.anomalies,
      [WasiscopeAttr.memoryGrowCount]: this.memoryGrows,
    };
    if (info.memoryPeakBytes !== undefined) attrs[WasiscopeAttr.memoryPeakBytes] = info.memoryPeakBytes;
    for (const e of [mod, tx]) {
      e.span.setAttributes(attrs);
      if (info.trap) setTrap(e.span, info.trap);
      else if (info.exitCode !== 0) e.span.setStatus({ code: SpanStatusCode.ERROR, message: `exit code ${info.exitCode}` });
    }
    mod.span.end(Math.max(end, mod.startMs));
    this.stack.length = 0;
    tx.span.end(Math.max(end, tx.startMs));
  }

  /** Every span of the run that has ended so far (all of them after finishRun). */
  finishedSpans(): ReadableSpan[] {
    return [...this.collector.spans];
  }

  /**
   * Flushes spans to the collector and shuts the SDK down, within the timeout. Never throws and
   * never hangs: an unreachable collector becomes a warning in the result (and onWarning).
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<ShutdownResult> {
    if (this.shutdownResult) return this.shutdownResult;
    this.shutdownResult = this.doShutdown(options.timeoutMs ?? this.config.timeoutMs);
    return this.shutdownResult;
  }

  private async doShutdown(timeoutMs: number): Promise<ShutdownResult> {
    if (this.moduleEntry && !this.finished) {
      this.warn('tracer shut down before the run finished: open spans were ended');
      this.finishRun({ exitCode: -1, fuelConsumed: 0n });
    }
    const endpoint = this.opts.exporter ? '(custom exporter)' : this.config.url;
    let timedOut = false;
    let error: string | undefined;
    const done = this.provider.shutdown().then(
      () => 'done' as const,
      (e: unknown) => {
        error = errorText(e);
        return 'done' as const;
      },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A little past the exporter's own timeout, so its clearer failure usually wins the race.
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs + 500);
      timer.unref?.();
    });
    const outcome = await Promise.race([done, expired]);
    if (timer) clearTimeout(timer);
    // The batch processor gives up with a bare "Timeout" when the collector never answers.
    if (outcome === 'timeout' || error === 'Timeout') timedOut = true;
    const exported = this.counting?.exported ?? 0;
    const failed = this.counting?.failed ?? 0;
    const sampled = this.collector.spans.filter((s) => (s.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0).length;
    if (this.counting) {
      const lost = sampled - exported;
      if (timedOut) this.warn(`trace export to ${endpoint} did not finish within ${timeoutMs} ms: ${lost} of ${sampled} spans not confirmed`);
      else if (failed > 0 || error) {
        this.warn(`trace export to ${endpoint} failed for ${Math.max(lost, failed)} of ${sampled} spans: ${this.counting.lastError ?? error ?? 'unknown error'}`);
      }
    }
    return { endpoint, exported, failed, timedOut, warnings: [...this.warnings] };
  }

  private onCapability(e: CapabilityEvent): void {
    this.closePending();
    this.capabilityCalls++;
    if (e.errno !== 0) this.capabilityErrors++;
    if (e.denied) this.capabilityDenied++;
    const parent = this.top();
    const durMs = e.durationUs / 1000;
    let start: number;
    let end: number;
    if (this.opts.deterministic) {
      end = this.clock();
      start = end - durMs;
    } else {
      start = e.time;
      end = e.time + durMs;
    }
    if (start < parent.startMs) {
      end += parent.startMs - start;
      start = parent.startMs;
    }
    if (this.hostSpanCount >= (this.opts.maxHostCallSpans ?? 2000)) {
      // Calls come in runs of the same function: the last aggregate is checked before any key is built.
      let a: HostAggregate | undefined = this.lastAggregate ?? undefined;
      if (!a || a.parent !== parent || a.func !== e.func || a.module !== e.module) {
        const key = `${parent.spanId}|${e.module}.${e.func}`;
        a = this.hostAggregates.get(key);
        if (a) this.lastAggregate = a;
      }
      if (!a) {
        const created: HostAggregate = {
          parent, module: e.module, func: e.func, count: 1, errors: e.errno !== 0 ? 1 : 0, denied: e.denied ? 1 : 0,
          durationUs: e.durationUs, firstStart: start, lastEnd: end, firstSeq: e.seq, lastSeq: e.seq, firstFuel: e.fuel, lastFuel: e.fuel,
        };
        this.hostAggregates.set(`${parent.spanId}|${e.module}.${e.func}`, created);
        this.lastAggregate = created;
      } else {
        a.count++;
        if (e.errno !== 0) a.errors++;
        if (e.denied) a.denied++;
        a.durationUs += e.durationUs;
        a.lastEnd = Math.max(a.lastEnd, end);
        a.lastSeq = e.seq;
        a.lastFuel = e.fuel;
      }
      return;
    }
    this.hostSpanCount++;
    const name = `${e.module}.${e.func}`;
    const attrs: Attributes = {
      [ATTR_CODE_FUNCTION_NAME]: name,
      [WasiscopeAttr.hostModule]: e.module,
      [WasiscopeAttr.hostFunction]: e.func,
      [WasiscopeAttr.hostSeq]: e.seq,
      [WasiscopeAttr.fuelAtCall]: bigintToJson(e.fuel),
      [WasiscopeAttr.hostErrno]: e.errno,
      [WasiscopeAttr.hostErrnoName]: e.errnoName,
      [WasiscopeAttr.hostDenied]: e.denied,
      [WasiscopeAttr.hostDurationUs]: e.durationUs,
      [WasiscopeAttr.hostArgs]: summarize(e.args),
    };
    if (Object.keys(e.results).length > 0) attrs[WasiscopeAttr.hostResults] = summarize(e.results);
    const paths = pathsInArgs(e.args);
    if (paths.length > 0) attrs[ATTR_FILE_PATH] = paths[0];
    if (e.errno !== 0) attrs[ATTR_ERROR_TYPE] = e.errnoName;
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: start, attributes: attrs }, trace.setSpan(ROOT_CONTEXT, parent.span));
    if (e.denied) span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.errnoName}: denied by the capability policy` });
    // Kept open until the next event: a security or anomaly event about this call may follow.
    this.pending = { span, seq: e.seq, endMs: end, ended: false };
  }

  private onSecurity(e: SecurityEvent): void {
    this.securityEvents++;
    const attrs: Attributes = { [WasiscopeAttr.securityReason]: e.reason, 'wasiscope.security.message': e.message, [WasiscopeAttr.hostSeq]: e.capabilitySeq };
    if (this.pending && this.pending.seq === e.capabilitySeq) {
      this.pending.span.addEvent('wasiscope.security', attrs, this.pending.endMs);
      this.pending.span.setAttribute(WasiscopeAttr.securityReason, e.reason);
      this.pending.span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.reason}: ${e.message}` });
    } else {
      this.requireModule().span.addEvent('wasiscope.security', attrs, this.clock());
    }
  }

  private onAnomaly(e: AnomalyEvent): void {
    this.anomalies++;
    const attrs: Attributes = {
      'wasiscope.anomaly.kind': e.anomaly,
      'wasiscope.anomaly.message': e.message,
      'wasiscope.anomaly.evidence': summarize(e.evidence),
      [WasiscopeAttr.hostSeq]: e.capabilitySeq,
    };
    if (this.pending && this.pending.seq === e.capabilitySeq) this.pending.span.addEvent('wasiscope.anomaly', attrs, this.pending.endMs);
    else this.requireModule().span.addEvent('wasiscope.anomaly', attrs, this.clock());
  }

  private onRuntimeSpan(e: SpanEvent): void {
    this.closePending();
    const time = this.opts.deterministic ? this.clock() : e.time;
    if (e.phase === 'start') {
      const parent = (e.parentSpanId !== undefined ? this.runtimeSpans.get(e.parentSpanId) : undefined) ?? this.top();
      const start = Math.max(time, parent.startMs);
      const span = this.tracer.startSpan(
        e.name,
        { kind: SpanKind.INTERNAL, startTime: start, attributes: { ...e.attributes, [WasiscopeAttr.runtimeSpanId]: e.spanId } },
        trace.setSpan(ROOT_CONTEXT, parent.span),
      );
      const entry: OpenEntry = { span, spanId: span.spanContext().spanId, startMs: start, kind: 'runtime' };
      this.runtimeSpans.set(e.spanId, entry);
      this.stack.push(entry);
    } else {
      const entry = this.runtimeSpans.get(e.spanId);
      if (!entry) return;
      entry.span.setAttributes(e.attributes);
      this.endEntry(entry, time, false);
      this.runtimeSpans.delete(e.spanId);
    }
  }

  private endEntry(entry: OpenEntry, endTime: number | undefined, unterminated: boolean): void {
    this.closePending();
    this.flushHostAggregates(entry);
    if (unterminated) entry.span.setAttribute(WasiscopeAttr.unterminated, true);
    const end = Math.max(endTime ?? this.clock(), entry.startMs);
    entry.endMs = end;
    entry.span.end(end);
    const i = this.stack.indexOf(entry);
    if (i >= 0) this.stack.splice(i, 1);
    // Ended export calls stay findable, so function spans can be added under them afterwards.
    if (entry.kind === 'export') this.endedExports.set(entry.spanId, entry);
  }

  private findEntry(spanId: string): OpenEntry | undefined {
    return this.stack.find((e) => e.spanId === spanId) ?? this.endedExports.get(spanId);
  }

  private flushHostAggregates(parent: OpenEntry): void {
    for (const [key, a] of this.hostAggregates) {
      if (a.parent !== parent) continue;
      this.hostAggregates.delete(key);
      if (this.lastAggregate === a) this.lastAggregate = null;
      const span = this.tracer.startSpan(
        `${a.module}.${a.func} (aggregated)`,
        {
          kind: SpanKind.INTERNAL,
          startTime: a.firstStart,
          attributes: {
            [ATTR_CODE_FUNCTION_NAME]: `${a.module}.${a.func}`,
            [WasiscopeAttr.hostModule]: a.module,
            [WasiscopeAttr.hostFunction]: a.func,
            [WasiscopeAttr.aggregatedCount]: a.count,
            [WasiscopeAttr.aggregatedErrors]: a.errors,
            [WasiscopeAttr.aggregatedDenied]: a.denied,
            [WasiscopeAttr.aggregatedReason]: 'span-limit',
            [WasiscopeAttr.hostDurationUs]: a.durationUs,
            'wasiscope.host.first_seq': a.firstSeq,
            'wasiscope.host.last_seq': a.lastSeq,
            'wasiscope.fuel.first': bigintToJson(a.firstFuel),
            'wasiscope.fuel.last': bigintToJson(a.lastFuel),
          },
        },
        trace.setSpan(ROOT_CONTEXT, a.parent.span),
      );
      span.end(Math.max(a.lastEnd, a.firstStart));
    }
  }

  private closePending(): void {
    const p = this.pending;
    if (p && !p.ended) {
      p.ended = true;
      p.span.end(p.endMs);
    }
    this.pending = null;
  }

  private top(): OpenEntry {
    const t = this.stack[this.stack.length - 1];
    if (!t) throw new Error(this.finished ? 'run already finished' : 'startRun has not been called');
    return t;
  }

  private requireModule(): OpenEntry {
    if (!this.moduleEntry) throw new Error('startRun has not been called');
    return this.moduleEntry;
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.opts.onWarning?.(message);
  }
}

function setTrap(span: Span, trap: TrapInfo): void {
  span.setAttributes({
    [ATTR_ERROR_TYPE]: trap.kind,
    [WasiscopeAttr.trapKind]: trap.kind,
    [WasiscopeAttr.trapMessage]: trap.message,
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message: `trap: ${trap.message || trap.kind}` });
}

/** `fd=3, path="a.txt", oflags=[CREAT]`, capped at 512 characters. */
function basename(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

function errorText(e: unknown): string {
  if (Array.isArray(e)) return e.map(errorText).join('; ');
  return e instanceof Error ? e.message : String(e);
}
