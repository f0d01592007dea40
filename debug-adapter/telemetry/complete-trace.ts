// Rebuilds a run's complete trace from its finished spans into an execution flow graph (the seed
// ADR's `complete_trace`): nodes with times relative to the trace start, parent -> child edges and
// sibling "then" edges in start order, as plain JSON a span-tree webview draws without any
// OpenTelemetry code. Works from the SDK's ReadableSpans or any object with the same fields.
import type { Attributes, AttributeValue, HrTime, SpanContext } from '@opentelemetry/api';

/** The fields of a finished span this needs (the SDK's ReadableSpan has them all). */
export interface FinishedSpanLike {
  readonly name: string;
  readonly kind: number;
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: { code: number; message?: string };
  readonly attributes: Attributes;
  readonly events: readonly { name: string; time: HrTime; attributes?: Attributes }[];
  readonly droppedEventsCount?: number;
}

export type TraceAttributeValue = string | number | boolean | (string | number | boolean | null)[];

export interface TraceNodeEvent {
  name: string;
  /** ms since the trace start. */
  timeMs: number;
  attributes: Record<string, TraceAttributeValue>;
}

export interface TraceNode {
  spanId: string;
  /** Absent for a root; set but not in `nodes` when the parent is remote (a joined trace). */
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** ms since the trace start (the earliest span start). */
  startMs: number;
  durationMs: number;
  /** Absolute start, ms since the Unix epoch. */
  startTimeUnixMs: number;
  depth: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage?: string;
  attributes: Record<string, TraceAttributeValue>;
  events: TraceNodeEvent[];
  droppedEvents: number;
  /** Child span ids in start order. */
  children: string[];
}

export interface TraceEdge {
  from: string;
  to: string;
  /** `child`: from is the parent of to. `then`: to is the next sibling started after from. */
  kind: 'child' | 'then';
}

export interface CompleteTrace {
  traceId: string;
  /** Spans with no parent in this set, in start order. */
  rootSpanIds: string[];
  /** The remote span this run joined, when it joined a trace. */
  remoteParentSpanId?: string;
  startTimeUnixMs: number;
  durationMs: number;
  spanCount: number;
  /** Depth-first, parents before children, children in start order. */
  nodes: TraceNode[];
  edges: TraceEdge[];
}

const KINDS: TraceNode['kind'][] = ['internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: TraceNode['status'][] = ['unset', 'ok', 'error'];

/**
 * Builds the graph of one trace. With spans of several traces, `traceId` picks one (default: the
 * trace of the first span).
 */
export function buildCompleteTrace(spans: readonly FinishedSpanLike[], traceId?: string): CompleteTrace {
  const tid = traceId ?? spans[0]?.spanContext().traceId ?? '';
  const mine = spans.filter((s) => s.spanContext().traceId === tid);
  const ids = new Set(mine.map((s) => s.spanContext().spanId));
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const s of mine) {
    t0 = Math.min(t0, hrToMs(s.startTime));
    t1 = Math.max(t1, hrToMs(s.endTime));
  }
  if (mine.length === 0) {
    t0 = 0;
    t1 = 0;
  }

  const bySpan = new Map<string, TraceNode>();
  const childrenOf = new Map<string, TraceNode[]>();
  const roots: TraceNode[] = [];
  let remoteParent: string | undefined;
  for (const s of mine) {
    const ctx = s.spanContext();
    const start = hrToMs(s.startTime);
    const node: TraceNode = {
      spanId: ctx.spanId,
      name: s.name,
      kind: KINDS[s.kind] ?? 'internal',
      startMs: round3(start - t0),
      durationMs: round3(Math.max(0, hrToMs(s.endTime) - start)),
      startTimeUnixMs: round3(start),
      depth: 0,
      status: STATUS[s.status.code] ?? 'unset',
      attributes: cleanAttributes(s.attributes),
      events: s.events.map((e) => ({ name: e.name, timeMs: round3(hrToMs(e.time) - t0), attributes: cleanAttributes(e.attributes ?? {}) })),
      droppedEvents: s.droppedEventsCount ?? 0,
      children: [],
    };
    if (s.status.message) node.statusMessage = s.status.message;
    const parent = s.parentSpanContext?.spanId;
    if (parent) node.parentSpanId = parent;
    bySpan.set(ctx.spanId, node);
    if (parent && ids.has(parent)) {
      const list = childrenOf.get(parent) ?? [];
      list.push(node);
      childrenOf.set(parent, list);
    } else {
      roots.push(node);
      if (parent && s.parentSpanContext?.isRemote) remoteParent = parent;
    }
  }
  // Start order, ties broken by span id, so the graph is the same for the same spans.
  const order = (a: TraceNode, b: TraceNode): number => a.startMs - b.startMs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
  roots.sort(order);

  const nodes: TraceNode[] = [];
  const edges: TraceEdge[] = [];
  const stack: { node: TraceNode; depth: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    node.depth = depth;
    nodes.push(node);
    const kids = (childrenOf.get(node.spanId) ?? []).sort(order);
    node.children = kids.map((k) => k.spanId);
    for (let i = 0; i < kids.length; i++) {
      edges.push({ from: node.spanId, to: kids[i].spanId, kind: 'child' });
      if (i > 0) edges.push({ from: kids[i - 1].spanId, to: kids[i].spanId, kind: 'then' });
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], depth: depth + 1 });
  }

  const out: CompleteTrace = {
    traceId: tid,
    rootSpanIds: roots.map((r) => r.spanId),
    startTimeUnixMs: round3(t0),
    durationMs: round3(t1 - t0),
    spanCount: nodes.length,
    nodes,
    edges,
  };
  if (remoteParent) out.remoteParentSpanId = remoteParent;
  return out;
}

function hrToMs(t: HrTime): number {
  return t[0] * 1000 + t[1] / 1e6;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function cleanAttributes(attrs: Attributes): Record<string, TraceAttributeValue> {
  const out: Record<string, TraceAttributeValue> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const c = cleanValue(v);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

function cleanValue(v: AttributeValue | undefined): TraceAttributeValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : x));
  return v as string | number | boolean;
}
