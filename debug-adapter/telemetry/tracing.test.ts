// Span structure and parentage on synthetic event streams, traceparent in and out, aggregation
// of function spans below a threshold (counts add up), host-call span caps, and the complete trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanStatusCode } from '@opentelemetry/api';
import type { CapabilityEvent, RuntimeEvent } from '../runtime/events';
import { RunTracer, WasiscopeAttr } from './tracing';
import { parseTraceparent } from './trace-context';
import { buildCompleteTrace } from './complete-trace';
import { countNodes, type CallTreeNode } from './call-tree';

const T0 = 1_700_000_000_000;

/** A clock the test controls: ms since the epoch, advanced by hand. */
function fakeClock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function cap(seq: number, func: string, time: number, extra: Partial<CapabilityEvent> = {}): CapabilityEvent {
  return {
    kind: 'capability', seq, fuel: BigInt(seq * 100), time, module: 'wasi_snapshot_preview1', func,
    args: { fd: 1 }, results: {}, errno: 0, errnoName: 'ESUCCESS', durationUs: 250, denied: false, ...extra,
  };
}

function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}
function one(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = byName(spans, name);
  assert.equal(found.length, 1, `exactly one span named ${name}, got ${found.length}`);
  return found[0];
}
const idOf = (s: ReadableSpan): string => s.spanContext().spanId;
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const ms = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;

test('span tree: transaction > module > _start > host calls and runtime spans, with attributes', async () => {
  const clock = fakeClock();
  const warnings: string[] = [];
  const tracer = new RunTracer({ env: {}, clock: clock.now, onWarning: (w) => warnings.push(w), serviceName: 'demo' });
  tracer.startRun({ module: '/tmp/fib.wasm', args: ['10'] });
  clock.advance(1);
  const start = tracer.startExportCall('_start');
  const events: RuntimeEvent[] = [
    cap(1, 'fd_write', T0 + 2, { results: { nwritten: 5 } }),
    { kind: 'span', phase: 'start', spanId: 'r1', name: 'phase:load', attributes: { step: 1 }, time: T0 + 3 },
    cap(2, 'path_open', T0 + 4, { args: { fd: 3, path: '../etc/passwd', oflags: ['CREAT'] }, errno: 76, errnoName: 'ENOTCAPABLE', denied: true }),
    { kind: 'security', reason: 'sandbox-escape', message: 'path escapes the preopen', capabilitySeq: 2 },
    { kind: 'anomaly', anomaly: 'new-path', message: 'never seen', evidence: { path: '../etc/passwd' }, capabilitySeq: 2 },
    { kind: 'span', phase: 'start', spanId: 'r2', parentSpanId: 'r1', name: 'phase:inner', attributes: {}, time: T0 + 5 },
    { kind: 'span', phase: 'end', spanId: 'r2', name: 'phase:inner', attributes: { ok: true }, time: T0 + 6 },
    { kind: 'span', phase: 'end', spanId: 'r1', name: 'phase:load', attributes: {}, time: T0 + 7 },
    { kind: 'memory', memory: 0, beforePages: 1, afterPages: 2, fuel: 300n },
    { kind: 'metric', metric: 'counter', name: 'items', value: 3, fuel: 300n },
    cap(3, 'fd_read', T0 + 8, { errno: 44, errnoName: 'ENOENT' }),
  ];
  for (const e of events) tracer.onEvent(e);
  clock.advance(10);
  tracer.endExportCall(start, { fuelConsumed: 900n });
  tracer.finishRun({ exitCode: 0, fuelConsumed: 1000n, memoryPeakBytes: 131072 });
  const result = await tracer.shutdown();
  assert.deepEqual(result, { endpoint: null, exported: 0, failed: 0, timedOut: false, warnings: [] });
  assert.deepEqual(warnings, []);

  const spans = tracer.finishedSpans();
  assert.equal(spans.length, 8);
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
  const tx = one(spans, 'wasiscope run fib.wasm');
  const mod = one(spans, 'execute fib.wasm');
  const call = one(spans, '_start');
  const write = one(spans, 'wasi_snapshot_preview1.fd_write');
  const open = one(spans, 'wasi_snapshot_preview1.path_open');
  const read = one(spans, 'wasi_snapshot_preview1.fd_read');
  const load = one(spans, 'phase:load');
  const inner = one(spans, 'phase:inner');
  assert.equal(parentOf(tx), undefined);
  assert.equal(parentOf(mod), idOf(tx));
  assert.equal(parentOf(call), idOf(mod));
  assert.equal(parentOf(write), idOf(call));
  assert.equal(parentOf(load), idOf(call));
  assert.equal(parentOf(open), idOf(load), 'a host call inside a runtime span is its child');
  assert.equal(parentOf(inner), idOf(load));
  assert.equal(parentOf(read), idOf(call));

  // Semantic conventions and our figures.
  assert.equal(tx.resource.attributes['service.name'], 'demo');
  assert.deepEqual(tx.attributes['process.command_args'], ['/tmp/fib.wasm', '10']);
  assert.equal(tx.attributes['process.exit.code'], 0);
  assert.equal(tx.attributes[WasiscopeAttr.fuelConsumed], 1000);
  assert.equal(tx.attributes[WasiscopeAttr.memoryPeakBytes], 131072);
  assert.equal(tx.attributes[WasiscopeAttr.capabilityCalls], 3);
  assert.equal(tx.attributes[WasiscopeAttr.capabilityErrors], 2);
  assert.equal(tx.attributes[WasiscopeAttr.capabilityDenied], 1);
  assert.equal(tx.attributes[WasiscopeAttr.securityEvents], 1);
  assert.equal(tx.attributes[WasiscopeAttr.anomalies], 1);
  assert.equal(mod.attributes[WasiscopeAttr.memoryGrowCount], 1);
  assert.equal(mod.events.filter((e) => e.name === 'wasiscope.memory.grow').length, 1);
  assert.equal(call.attributes['code.function.name'], '_start');
  assert.equal(call.attributes[WasiscopeAttr.fuelConsumed], 900);
  assert.equal(call.events.filter((e) => e.name === 'wasiscope.metric').length, 1);

  assert.equal(write.attributes['code.function.name'], 'wasi_snapshot_preview1.fd_write');
  assert.equal(write.attributes[WasiscopeAttr.hostErrnoName], 'ESUCCESS');
  assert.equal(write.attributes['error.type'], undefined);
  assert.equal(write.attributes[WasiscopeAttr.hostResults], 'nwritten=5');
  assert.equal(ms(write.startTime), T0 + 2);
  assert.equal(ms(write.endTime), T0 + 2.25);

  assert.equal(open.attributes['file.path'], '../etc/passwd');
  assert.equal(open.attributes['error.type'], 'ENOTCAPABLE');
  assert.equal(open.attributes[WasiscopeAttr.hostDenied], true);
  assert.equal(open.attributes[WasiscopeAttr.hostArgs], 'fd=3, path="../etc/passwd", oflags=[CREAT]');
  assert.equal(open.status.code, SpanStatusCode.ERROR);
  assert.deepEqual(open.events.map((e) => e.name), ['wasiscope.security', 'wasiscope.anomaly']);
  assert.equal(read.attributes['error.type'], 'ENOENT');
  assert.equal(read.status.code, SpanStatusCode.UNSET, 'an errno is not by itself a span error');
  assert.equal(inner.attributes.ok, true);
  assert.equal(ms(inner.startTime), T0 + 5);

  // Children lie inside their parents.
  for (const s of spans) {
    const p = spans.find((x) => idOf(x) === parentOf(s));
    if (!p) continue;
    assert.ok(ms(s.startTime) >= ms(p.startTime), `${s.name} starts inside ${p.name}`);
  }
});

test('traceparent in: the run joins the given trace; out: the module gets a child of the run', async () => {
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  for (const opts of [{ traceparent: parent, env: {} }, { env: { TRACEPARENT: parent, TRACESTATE: 'vendor=abc' } }]) {
    const exporter = new InMemorySpanExporter();
    const tracer = new RunTracer({ ...opts, exporter });
    tracer.startRun({ module: 'm.wasm' });
    const out = parseTraceparent(tracer.moduleTraceparent());
    assert.ok(out, 'module traceparent is valid');
    assert.equal(out.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(out.traceFlags, 1);
    assert.equal(tracer.joinedTrace?.parentId, '00f067aa0ba902b7');
    const env = tracer.moduleEnv();
    assert.equal(env.TRACEPARENT, tracer.moduleTraceparent());
    if ('TRACEPARENT' in opts.env) assert.equal(env.TRACESTATE, 'vendor=abc');
    tracer.finishRun({ exitCode: 0, fuelConsumed: 1n });
    const res = await tracer.shutdown();
    assert.equal(res.exported, 2);
    const spans = tracer.finishedSpans();
    const tx = one(spans, 'wasiscope run m.wasm');
    const mod = one(spans, 'execute m.wasm');
    assert.equal(tx.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(parentOf(tx), '00f067aa0ba902b7');
    assert.equal(tx.parentSpanContext?.isRemote, true);
    assert.equal(out.parentId, idOf(mod), 'TRACEPARENT names the module-execution span');
    assert.equal(parentOf(mod), idOf(tx));
    const graph = buildCompleteTrace(spans);
    assert.equal(graph.remoteParentSpanId, '00f067aa0ba902b7');
    assert.deepEqual(graph.rootSpanIds, [idOf(tx)]);
  }
});

test('an invalid traceparent starts a new trace with a warning; an unsampled one is recorded but not exported', async () => {
  const warnings: string[] = [];
  const t1 = new RunTracer({ env: { TRACEPARENT: '00-zzzz-01' }, onWarning: (w) => warnings.push(w) });
  t1.startRun({ module: 'm.wasm' });
  assert.equal(t1.joinedTrace, null);
  assert.match(warnings[0], /invalid traceparent/);
  assert.equal(parseTraceparent(t1.moduleTraceparent())?.traceFlags, 1);
  t1.finishRun({ exitCode: 0, fuelConsumed: 0n });
  await t1.shutdown();

  const exporter = new InMemorySpanExporter();
  const t2 = new RunTracer({ env: {}, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', exporter });
  t2.startRun({ module: 'm.wasm' });
  assert.equal(parseTraceparent(t2.moduleTraceparent())?.traceFlags, 0, 'the sampling decision propagates');
  t2.finishRun({ exitCode: 0, fuelConsumed: 0n });
  const res = await t2.shutdown();
  assert.equal(t2.finishedSpans().length, 2, 'recorded locally for the report and span tree');
  assert.equal(res.exported, 0);
  assert.equal(exporter.getFinishedSpans().length, 0);
});

test('a trap and a non-zero exit mark the spans as errors', async () => {
  const tracer = new RunTracer({ env: {}, transactionName: 'tx-42' });
  tracer.startRun({ module: 'trap.wasm' });
  const h = tracer.startExportCall('_start');
  const trap = { kind: 'unreachable', message: 'unreachable executed' };
  tracer.endExportCall(h, { trap });
  tracer.finishRun({ exitCode: 134, trap, fuelConsumed: 5n });
  await tracer.shutdown();
  const spans = tracer.finishedSpans();
  const tx = one(spans, 'tx-42');
  assert.equal(tx.attributes[WasiscopeAttr.transaction], 'tx-42');
  assert.equal(tx.attributes['error.type'], 'unreachable');
  assert.equal(tx.status.code, SpanStatusCode.ERROR);
  assert.equal(one(spans, '_start').status.code, SpanStatusCode.ERROR);
});

/** A random call tree (deterministic): about `n` nodes, fuel decreasing with depth. */
function randomTree(n: number, seed: number): CallTreeNode[] {
  let s = seed;
  const r = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const nodes: CallTreeNode[] = [];
  const roots: CallTreeNode[] = [];
  for (let i = 0; i < n; i++) {
    const node: CallTreeNode = { name: `f${i % 37}`, funcIndex: i % 37, calls: 1 + Math.floor(r() * 100), fuelInclusive: 0n, children: [] };
    if (nodes.length === 0 || r() < 0.05) roots.push(node);
    else nodes[Math.floor(r() * nodes.length)].children.push(node);
    nodes.push(node);
  }
  // Inclusive fuel = own + children, computed bottom-up (children were pushed after parents).
  for (let i = nodes.length - 1; i >= 0; i--) {
    const own = BigInt(1 + Math.floor(r() * 1000));
    nodes[i].fuelInclusive = own + nodes[i].children.reduce((a, c) => a + c.fuelInclusive, 0n);
  }
  return roots;
}

function checkAggregation(spans: ReadableSpan[], total: number): { fnSpans: number; aggregated: number } {
  const fnSpans = spans.filter((s) => s.attributes[WasiscopeAttr.fuelInclusive] !== undefined).length;
  const summaries = spans.filter((s) => s.name === 'aggregated functions');
  const aggregated = summaries.reduce((a, s) => a + Number(s.attributes[WasiscopeAttr.aggregatedCount]), 0);
  assert.equal(fnSpans + aggregated, total, 'every node is a span or counted in a summary span');
  // One summary span per parent at most.
  const parents = summaries.map(parentOf);
  assert.equal(new Set(parents).size, parents.length);
  return { fnSpans, aggregated };
}

test('function spans below a fuel threshold are aggregated per parent, and the counts add up', async () => {
  const tree = randomTree(600, 7);
  const total = countNodes(tree);
  const clock = fakeClock();
  const tracer = new RunTracer({ env: {}, clock: clock.now });
  tracer.startRun({ module: 'm.wasm' });
  const h = tracer.startExportCall('_start');
  clock.advance(100);
  tracer.endExportCall(h);
  const stats = tracer.addFunctionSpans(tree, { parent: h, minFuel: 2000n });
  tracer.finishRun({ exitCode: 0, fuelConsumed: 1n });
  await tracer.shutdown();
  assert.equal(stats.totalNodes, total);
  assert.equal(stats.spans + stats.aggregatedNodes, total);
  assert.ok(stats.spans > 0 && stats.aggregatedNodes > 0, 'the threshold splits this tree');
  const spans = tracer.finishedSpans();
  const { fnSpans } = checkAggregation(spans, total);
  assert.equal(fnSpans, stats.spans);

  // Fuel is conserved at every parent: kept children + the summary = all children.
  const start = one(spans, '_start');
  const fuelOf = (s: ReadableSpan): bigint => BigInt((s.attributes[WasiscopeAttr.fuelInclusive] ?? s.attributes[WasiscopeAttr.aggregatedFuel]) as number);
  const rootFuel = tree.reduce((a, n) => a + n.fuelInclusive, 0n);
  const underStart = spans.filter((s) => parentOf(s) === idOf(start));
  assert.equal(underStart.reduce((a, s) => a + fuelOf(s), 0n), rootFuel);
  for (const s of spans.filter((x) => x.attributes[WasiscopeAttr.fuelInclusive] !== undefined)) {
    const kids = spans.filter((x) => parentOf(x) === idOf(s));
    if (kids.length === 0) continue;
    const kidsFuel = kids.reduce((a, k) => a + fuelOf(k), 0n);
    assert.equal(kidsFuel + BigInt(s.attributes[WasiscopeAttr.fuelExclusive] as number), fuelOf(s), s.name);
    for (const k of kids) {
      assert.ok(ms(k.startTime) >= ms(s.startTime) - 1e-6 && ms(k.endTime) <= ms(s.endTime) + 1e-6, 'fuel-proportional times nest');
    }
  }
  // Every kept function span is at or above the threshold.
  for (const s of spans) if (s.attributes[WasiscopeAttr.fuelInclusive] !== undefined) assert.ok(Number(s.attributes[WasiscopeAttr.fuelInclusive]) >= 2000);
});

test('a span budget and a time threshold also aggregate without losing nodes', async () => {
  const tree = randomTree(400, 11);
  const total = countNodes(tree);
  for (const opts of [{ maxSpans: 25 }, { minDurationMs: 0.5 }, { minFuel: 10n ** 12n }]) {
    const clock = fakeClock();
    const tracer = new RunTracer({ env: {}, clock: clock.now });
    tracer.startRun({ module: 'm.wasm' });
    const stats = tracer.addFunctionSpans(tree, { ...opts, startTime: T0, endTime: T0 + 50 });
    tracer.finishRun({ exitCode: 0, fuelConsumed: 1n });
    await tracer.shutdown();
    assert.equal(stats.spans + stats.aggregatedNodes, total, Object.keys(opts).join());
    checkAggregation(tracer.finishedSpans(), total);
    if ('maxSpans' in opts) assert.equal(stats.spans, 25);
    if ('minFuel' in opts) assert.equal(stats.spans, 0);
  }
});

test('host calls past the span cap become per-function summary spans that count them', async () => {
  const tracer = new RunTracer({ env: {}, maxHostCallSpans: 5 });
  tracer.startRun({ module: 'm.wasm' });
  const h = tracer.startExportCall('_start', T0);
  for (let i = 1; i <= 20; i++) tracer.onEvent(cap(i, i % 2 ? 'fd_write' : 'fd_read', T0 + i, { denied: i === 20, errno: i === 20 ? 76 : 0 }));
  tracer.endExportCall(h, { endTime: T0 + 100 });
  tracer.finishRun({ exitCode: 0, fuelConsumed: 1n, endTime: T0 + 101 });
  await tracer.shutdown();
  const spans = tracer.finishedSpans();
  const single = spans.filter((s) => s.attributes[WasiscopeAttr.hostSeq] !== undefined);
  const summaries = spans.filter((s) => s.name.endsWith('(aggregated)'));
  assert.equal(single.length, 5);
  assert.equal(summaries.length, 2);
  assert.equal(single.length + summaries.reduce((a, s) => a + Number(s.attributes[WasiscopeAttr.aggregatedCount]), 0), 20);
  assert.equal(summaries.reduce((a, s) => a + Number(s.attributes[WasiscopeAttr.aggregatedDenied]), 0), 1);
  for (const s of summaries) assert.equal(parentOf(s), idOf(one(spans, '_start')));
  const root = one(spans, 'wasiscope run m.wasm');
  assert.equal(root.attributes[WasiscopeAttr.capabilityCalls], 20);
});

test('deterministic runs place host calls at arrival, not at their virtual time', async () => {
  const clock = fakeClock();
  const tracer = new RunTracer({ env: {}, clock: clock.now, deterministic: true });
  tracer.startRun({ module: 'm.wasm' });
  clock.advance(5);
  tracer.onEvent(cap(1, 'clock_time_get', 42, { durationUs: 0 }));
  tracer.finishRun({ exitCode: 0, fuelConsumed: 1n });
  await tracer.shutdown();
  const s = one(tracer.finishedSpans(), 'wasi_snapshot_preview1.clock_time_get');
  assert.equal(ms(s.startTime), T0 + 5);
});

test('the complete trace rebuilds the tree as plain JSON nodes and edges', async () => {
  const clock = fakeClock();
  const tracer = new RunTracer({ env: {}, clock: clock.now });
  tracer.startRun({ module: 'm.wasm' });
  const h = tracer.startExportCall('_start');
  tracer.onEvent(cap(1, 'fd_write', T0 + 1));
  tracer.onEvent(cap(2, 'fd_write', T0 + 2));
  clock.advance(10);
  tracer.endExportCall(h);
  tracer.finishRun({ exitCode: 0, fuelConsumed: 1n });
  await tracer.shutdown();
  const spans = tracer.finishedSpans();
  const g = buildCompleteTrace(spans);
  assert.equal(g.traceId, tracer.traceId);
  assert.equal(g.spanCount, spans.length);
  assert.equal(g.nodes.length, 5);
  assert.deepEqual(g.nodes.map((n) => [n.name, n.depth]), [
    ['wasiscope run m.wasm', 0],
    ['execute m.wasm', 1],
    ['_start', 2],
    ['wasi_snapshot_preview1.fd_write', 3],
    ['wasi_snapshot_preview1.fd_write', 3],
  ]);
  assert.equal(g.edges.filter((e) => e.kind === 'child').length, 4);
  assert.equal(g.edges.filter((e) => e.kind === 'then').length, 1);
  assert.equal(g.durationMs, 10);
  assert.equal(g.nodes[3].startMs, 1);
  assert.equal(g.nodes[3].durationMs, 0.25);
  assert.equal(g.nodes[0].attributes['process.exit.code'], 0);
  const byId = new Map(g.nodes.map((n) => [n.spanId, n]));
  for (const n of g.nodes) for (const c of n.children) assert.equal(byId.get(c)?.parentSpanId, n.spanId);
  // Plain data: survives JSON unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(g)), g);
});
