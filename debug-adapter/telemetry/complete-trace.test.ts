// The execution flow graph from hand-made finished spans: ordering, orphans, several traces,
// status and attribute conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HrTime, SpanContext } from '@opentelemetry/api';
import { buildCompleteTrace, type FinishedSpanLike } from './complete-trace';

const TRACE_A = 'a'.repeat(32);
const TRACE_B = 'b'.repeat(32);

function span(
  traceId: string,
  spanId: string,
  name: string,
  startMs: number,
  endMs: number,
  parent?: string,
  extra: Partial<FinishedSpanLike> = {},
): FinishedSpanLike {
  const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
  const ctx: SpanContext = { traceId, spanId, traceFlags: 1 };
  return {
    name,
    kind: 0,
    spanContext: () => ctx,
    parentSpanContext: parent ? { traceId, spanId: parent, traceFlags: 1 } : undefined,
    startTime: hr(startMs),
    endTime: hr(endMs),
    status: { code: 0 },
    attributes: {},
    events: [],
    ...extra,
  };
}

test('nodes come depth-first in start order, with child and sibling edges', () => {
  const spans = [
    span(TRACE_A, '0000000000000003', 'second', 1_000_020, 1_000_030, '0000000000000001'),
    span(TRACE_A, '0000000000000001', 'root', 1_000_000, 1_000_100),
    span(TRACE_A, '0000000000000002', 'first', 1_000_010, 1_000_015, '0000000000000001', {
      status: { code: 2, message: 'boom' },
      attributes: { n: 1, list: ['a', 'b'], flag: true },
      events: [{ name: 'ev', time: [1000, 12_000_000], attributes: { k: 'v' } }],
    }),
    span(TRACE_A, '0000000000000004', 'grandchild', 1_000_011, 1_000_012, '0000000000000002'),
    span(TRACE_B, '0000000000000009', 'other trace', 0, 1),
  ];
  const g = buildCompleteTrace(spans, TRACE_A);
  assert.equal(g.traceId, TRACE_A);
  assert.equal(g.spanCount, 4, 'spans of other traces are left out');
  assert.deepEqual(g.nodes.map((n) => `${n.depth}:${n.name}`), ['0:root', '1:first', '2:grandchild', '1:second']);
  assert.deepEqual(g.rootSpanIds, ['0000000000000001']);
  assert.equal(g.startTimeUnixMs, 1_000_000);
  assert.equal(g.durationMs, 100);
  const first = g.nodes[1];
  assert.equal(first.startMs, 10);
  assert.equal(first.durationMs, 5);
  assert.equal(first.status, 'error');
  assert.equal(first.statusMessage, 'boom');
  assert.deepEqual(first.attributes, { n: 1, list: ['a', 'b'], flag: true });
  assert.deepEqual(first.events, [{ name: 'ev', timeMs: 12, attributes: { k: 'v' } }]);
  assert.equal(first.kind, 'internal');
  assert.deepEqual(g.nodes[0].children, ['0000000000000002', '0000000000000003']);
  assert.deepEqual(g.edges, [
    { from: '0000000000000001', to: '0000000000000002', kind: 'child' },
    { from: '0000000000000001', to: '0000000000000003', kind: 'child' },
    { from: '0000000000000002', to: '0000000000000003', kind: 'then' },
    { from: '0000000000000002', to: '0000000000000004', kind: 'child' },
  ]);
  assert.equal(g.remoteParentSpanId, undefined);
});

test('a span whose parent is missing becomes a root instead of disappearing', () => {
  const g = buildCompleteTrace([
    span(TRACE_A, '0000000000000001', 'root', 0, 10),
    span(TRACE_A, '0000000000000005', 'orphan', 5, 6, '00000000000000ff'),
  ]);
  assert.equal(g.spanCount, 2);
  assert.deepEqual(g.rootSpanIds, ['0000000000000001', '0000000000000005']);
  assert.equal(g.nodes[1].parentSpanId, '00000000000000ff');
});

test('no spans gives an empty graph', () => {
  const g = buildCompleteTrace([]);
  assert.deepEqual(g, { traceId: '', rootSpanIds: [], startTimeUnixMs: 0, durationMs: 0, spanCount: 0, nodes: [], edges: [] });
});
