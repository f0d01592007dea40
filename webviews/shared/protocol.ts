// The typed messages between the extension and the three webviews (gauges, audit, spans), and the
// state each webview keeps with setState/getState. Both sides import this file and nothing else
// crosses the boundary. Every message is `{ method, params }`; each message type has an `is(msg)`
// guard so a receiver never trusts a string compare of its own.
//
// Wire shapes mirror debug-adapter/runtime/events.ts and debug-adapter/telemetry/complete-trace.ts
// but are plain JSON: postMessage cannot carry bigints, so fuel travels as a number (exact up to
// 2^53, which is years of execution; the panels only display it).

/** A decoded argument or result, as JSON (bigints already turned into numbers or strings). */
export type WireValue = string | number | boolean | null | WireValue[] | { [k: string]: WireValue };

// ---------------------------------------------------------------------------------------------
// Payloads

/** One fuel sample (`wasiscope/fuel`): fuel consumed so far at a wall time since the run began. */
export interface FuelSample {
  consumed: number;
  elapsedMs: number;
}

/** One `memory.grow` (`MemoryEvent`); `afterPages` is -1 when the grow failed. */
export interface MemorySample {
  memory: number;
  beforePages: number;
  afterPages: number;
  fuel: number;
}

/** A capability event (`wasiscope/capability`), decoded. */
export interface CapabilityRow {
  seq: number;
  fuel: number;
  time: number;
  module: string;
  func: string;
  args: Record<string, WireValue>;
  results: Record<string, WireValue>;
  errno: number;
  errnoName: string;
  durationUs: number;
  denied: boolean;
}

export interface SecurityRow {
  reason: 'capability-denied' | 'sandbox-escape' | 'bad-fd' | 'memory-fault';
  message: string;
  capabilitySeq: number;
}

/** An anomaly (`wasiscope/anomaly`): drift from the baseline or the policy, with its evidence. */
export interface AnomalyRow {
  anomaly: 'outside-policy' | 'new-path' | 'new-capability' | 'rate-burst';
  message: string;
  evidence: Record<string, WireValue>;
  capabilitySeq: number;
}

/** The parts of a saved baseline (`wasiscope baseline`, format `wasiscope-baseline`) the panel compares. */
export interface BaselineSummary {
  /** Where it came from, for the header (a file name). */
  source: string;
  calls: number;
  functions: Record<string, number>;
  paths: string[];
}

/** Mirrors TraceNode in debug-adapter/telemetry/complete-trace.ts. */
export type TraceAttributeValue = string | number | boolean | (string | number | boolean | null)[];

export interface TraceNodeEvent {
  name: string;
  timeMs: number;
  attributes: Record<string, TraceAttributeValue>;
}

export interface TraceNode {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  startMs: number;
  durationMs: number;
  startTimeUnixMs: number;
  depth: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage?: string;
  attributes: Record<string, TraceAttributeValue>;
  events: TraceNodeEvent[];
  droppedEvents: number;
  children: string[];
}

export interface TraceEdge {
  from: string;
  to: string;
  kind: 'child' | 'then';
}

/** Mirrors CompleteTrace (`wasiscope/trace`). */
export interface CompleteTrace {
  traceId: string;
  rootSpanIds: string[];
  remoteParentSpanId?: string;
  startTimeUnixMs: number;
  durationMs: number;
  spanCount: number;
  nodes: TraceNode[];
  edges: TraceEdge[];
}

/** Counts over calls that are not sent as rows (a panel catching up on a long run gets the last
 *  MAX_AUDIT_ROWS rows and these totals for the calls before them). */
export interface AuditTotals {
  calls: number;
  failed: number;
  denied: number;
  functions: Record<string, number>;
  paths: string[];
}

export type SessionStatus = 'idle' | 'running' | 'paused' | 'exited';

/** Session start: every panel clears what it shows. */
export interface SessionInfo {
  /** The debug session's name (launch configuration). */
  name: string;
  /** The module path, for headers. */
  program: string;
  /** The launch configuration's fuel limit, when there is one (the gauges show how close the run is). */
  fuelLimit?: number;
}

export interface StatusInfo {
  status: SessionStatus;
  exitCode?: number;
}

/** The audit table's filter, kept in the webview state and reported to the host. */
export interface AuditFilter {
  /** Substring matched against `func`, decoded args, results and the errno name (case-insensitive). */
  text: string;
  /** `all` rows, only failed calls (errno != 0), only denied calls, or only calls with a security event or anomaly. */
  show: 'all' | 'errors' | 'denied' | 'flagged';
}

export type WebviewName = 'gauges' | 'audit' | 'spans';

// ---------------------------------------------------------------------------------------------
// Messages

export interface Message<M extends string, P> {
  readonly method: M;
  readonly params: P;
}

/** A message type: its method name, a constructor and a guard. */
export class MessageType<M extends string, P> {
  constructor(readonly method: M) {}

  create(params: P): Message<M, P> {
    return { method: this.method, params };
  }

  is(msg: unknown): msg is Message<M, P> {
    return (
      typeof msg === 'object' &&
      msg !== null &&
      (msg as { method?: unknown }).method === this.method &&
      typeof (msg as { params?: unknown }).params === 'object' &&
      (msg as { params?: unknown }).params !== null
    );
  }
}

// Host -> every webview
export const SessionStart = new MessageType<'session/start', SessionInfo>('session/start');
export const SessionStatusChanged = new MessageType<'session/status', StatusInfo>('session/status');

// Host -> gauges (from `wasiscope/fuel` and memory events). Batched: the host may coalesce.
export const GaugesSample = new MessageType<'gauges/sample', { samples: FuelSample[] }>('gauges/sample');
export const GaugesMemory = new MessageType<'gauges/memory', { events: MemorySample[] }>('gauges/memory');

// Host -> audit (from `wasiscope/capability`, security events, `wasiscope/anomaly`, the launch's baseline)
export const AuditCapability = new MessageType<'audit/capability', { events: CapabilityRow[]; earlier?: AuditTotals }>('audit/capability');
export const AuditSecurity = new MessageType<'audit/security', { events: SecurityRow[] }>('audit/security');
export const AuditAnomaly = new MessageType<'audit/anomaly', { events: AnomalyRow[] }>('audit/anomaly');
export const AuditBaseline = new MessageType<'audit/baseline', { baseline: BaselineSummary | null }>('audit/baseline');

// Host -> spans (from `wasiscope/trace`)
export const SpansTrace = new MessageType<'spans/trace', { trace: CompleteTrace }>('spans/trace');

// Webview -> host
/** Sent once the script runs; the host answers by replaying what the session has produced so far. */
export const WebviewReady = new MessageType<'webview/ready', { view: WebviewName }>('webview/ready');
/** The user changed the audit filter (the host may remember it for the next session). */
export const AuditFilterChanged = new MessageType<'audit/filter', { filter: AuditFilter }>('audit/filter');
/** The user picked a span (the host may reveal its source location). */
export const SpansSelect = new MessageType<'spans/select', { spanId: string; name: string; attributes: Record<string, TraceAttributeValue> }>(
  'spans/select',
);

export type HostToGauges =
  | Message<'session/start', SessionInfo>
  | Message<'session/status', StatusInfo>
  | Message<'gauges/sample', { samples: FuelSample[] }>
  | Message<'gauges/memory', { events: MemorySample[] }>;

export type HostToAudit =
  | Message<'session/start', SessionInfo>
  | Message<'session/status', StatusInfo>
  | Message<'audit/capability', { events: CapabilityRow[]; earlier?: AuditTotals }>
  | Message<'audit/security', { events: SecurityRow[] }>
  | Message<'audit/anomaly', { events: AnomalyRow[] }>
  | Message<'audit/baseline', { baseline: BaselineSummary | null }>;

export type HostToSpans = Message<'session/start', SessionInfo> | Message<'session/status', StatusInfo> | Message<'spans/trace', { trace: CompleteTrace }>;

export type WebviewToHost =
  | Message<'webview/ready', { view: WebviewName }>
  | Message<'audit/filter', { filter: AuditFilter }>
  | Message<'spans/select', { spanId: string; name: string; attributes: Record<string, TraceAttributeValue> }>;

// ---------------------------------------------------------------------------------------------
// Persisted state (acquireVsCodeApi().setState), restored when the panel is shown again or revived
// by a serializer after a reload. Bounded: a run with a million host calls must not be written
// into the state on every message.

export const MAX_SAMPLES = 240;
export const MAX_AUDIT_ROWS = 2000;

export interface GaugesState {
  session: SessionInfo | null;
  status: SessionStatus;
  exitCode?: number;
  samples: FuelSample[];
  memory: MemorySample[];
}

export interface AuditState {
  session: SessionInfo | null;
  status: SessionStatus;
  /** The most recent rows, at most MAX_AUDIT_ROWS. */
  rows: CapabilityRow[];
  /** All calls seen, including those no longer kept in `rows`. */
  totalCalls: number;
  /** Calls that failed (errno != 0) and calls the policy denied, over the whole run. */
  failedCalls: number;
  deniedCalls: number;
  /** Calls per function over the whole run (drift needs all, not just the kept rows). */
  functions: Record<string, number>;
  paths: string[];
  security: SecurityRow[];
  anomalies: AnomalyRow[];
  baseline: BaselineSummary | null;
  filter: AuditFilter;
}

export interface SpansState {
  session: SessionInfo | null;
  trace: CompleteTrace | null;
  collapsed: string[];
  selected: string | null;
  /** The time range the axis shows, ms since the trace start; null for the whole trace. */
  zoom: [number, number] | null;
}

/** The part of the VS Code webview API a webview uses; `S` is its state type. */
export interface WebviewApi<S> {
  postMessage(msg: WebviewToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}

/** Guest paths a capability call touched (the same keys the WASI host's anomaly detector reads). */
export const PATH_KEYS = ['guest_path', 'old_guest_path', 'new_guest_path'] as const;
