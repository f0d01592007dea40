// The execution report against figures computed independently from the same synthetic run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CapabilityEvent, MetricEvent, RuntimeEvent } from '../runtime/events';
import { RunRecorder, WASM_PAGE_BYTES, type FunctionFuelInput } from './run-recorder';
import { formatReportSummary, serializeReport } from './report';
import { parseFuel, bigintToJson } from './fuel-number';

/** Small deterministic PRNG (mulberry32) so the synthetic run is the same every time. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUNCS = ['fd_write', 'path_open', 'fd_read', 'clock_time_get', 'fd_close'];
const PATHS = ['data/in.txt', 'data/out.txt', '../etc/passwd', 'cache/x'];

function syntheticRun(seed: number, n: number): { events: RuntimeEvent[]; caps: CapabilityEvent[]; metrics: MetricEvent[] } {
  const r = rng(seed);
  const events: RuntimeEvent[] = [];
  const caps: CapabilityEvent[] = [];
  const metrics: MetricEvent[] = [];
  let fuel = 0n;
  for (let seq = 1; seq <= n; seq++) {
    fuel += BigInt(1 + Math.floor(r() * 1000));
    const func = FUNCS[Math.floor(r() * FUNCS.length)];
    const denied = func === 'path_open' && r() < 0.2;
    const errno = denied ? 76 : r() < 0.1 ? 44 : 0;
    const args: CapabilityEvent['args'] = { fd: 3 };
    if (func === 'path_open') args.path = PATHS[Math.floor(r() * PATHS.length)];
    const e: CapabilityEvent = {
      kind: 'capability',
      seq,
      fuel,
      time: 1_700_000_000_000 + seq,
      module: 'wasi_snapshot_preview1',
      func,
      args,
      results: errno === 0 ? { nwritten: 4 } : {},
      errno,
      errnoName: denied ? 'ENOTCAPABLE' : errno === 44 ? 'ENOENT' : 'ESUCCESS',
      durationUs: Math.floor(r() * 50),
      denied,
    };
    caps.push(e);
    events.push(e);
    if (denied) events.push({ kind: 'security', reason: 'capability-denied', message: `denied ${args.path}`, capabilitySeq: seq });
    if (seq % 97 === 0) events.push({ kind: 'anomaly', anomaly: 'new-path', message: 'never seen', evidence: { path: 'x', big: 2n ** 60n }, capabilitySeq: seq });
    if (seq % 50 === 0) {
      const m: MetricEvent = { kind: 'metric', metric: seq % 100 === 0 ? 'gauge' : 'counter', name: seq % 100 === 0 ? 'queue' : 'items', value: seq, fuel };
      metrics.push(m);
      events.push(m);
    }
  }
  events.push({ kind: 'memory', memory: 0, beforePages: 2, afterPages: 5, fuel: 100n });
  events.push({ kind: 'memory', memory: 0, beforePages: 5, afterPages: -1, fuel: 200n });
  events.push({ kind: 'memory', memory: 0, beforePages: 5, afterPages: 9, fuel: 300n });
  events.push({ kind: 'memory', memory: 1, beforePages: 1, afterPages: 50, fuel: 400n });
  events.push({ kind: 'output', stream: 'stdout', data: new Uint8Array(10) });
  events.push({ kind: 'output', stream: 'stderr', data: new Uint8Array(3) });
  events.push({ kind: 'output', stream: 'stdout', data: new Uint8Array(5) });
  return { events, caps, metrics };
}

const FUNCTIONS: FunctionFuelInput[] = [
  { name: 'main', index: 5, fuelExclusive: 1000n, calls: 1 },
  { name: 'fib', index: 6, fuelExclusive: 3820n, calls: 1204 },
  { name: 'helper', index: 7, fuelExclusive: 5180n, calls: 3n },
  { name: 'unused', index: 8, fuelExclusive: 0n, calls: 0 },
];

test('report figures match independently computed ones', () => {
  const { events, caps, metrics } = syntheticRun(42, 2000);
  const rec = new RunRecorder({ module: 'demo.wasm', args: ['a'], deterministic: false });
  for (const e of events) rec.onEvent(e);
  const report = rec.finish({
    exitCode: 3,
    fuelConsumed: 10000n,
    functions: FUNCTIONS,
    memory: { initialBytes: 2 * WASM_PAGE_BYTES, finalBytes: 9 * WASM_PAGE_BYTES },
    operatorClassFuel: { memory: 10n, control: 20n },
    wallMs: 40,
    traceId: 'a'.repeat(32),
  });

  // The contract fields of the WASI host issue.
  assert.equal(report.exitCode, 3);
  assert.equal(report.fuel.consumed, 10000);
  assert.equal(report.memory.peakBytes, 9 * WASM_PAGE_BYTES);
  assert.deepEqual(
    report.functions.map((f) => [f.name, f.fuelExclusive, f.calls]),
    [
      ['helper', 5180, 3],
      ['fib', 3820, 1204],
      ['main', 1000, 1],
      ['unused', 0, 0],
    ],
  );
  assert.equal(report.functions[1].fuelPercent, 38.2);
  assert.equal(report.fuel.attributedToFunctions, 10000);
  assert.deepEqual(report.fuel.byOperatorClass, { control: 20, memory: 10 });
  assert.equal(report.performance.fuelRatePerMs, 250);
  assert.equal(report.performance.hotFunctions.length, 4);

  // Memory: growth events listed in order, the failed one flagged, memory 1 not in the peak.
  assert.deepEqual(
    report.memory.growthEvents.map((g) => [g.memory, g.beforePages, g.afterPages, g.failed]),
    [
      [0, 2, 5, false],
      [0, 5, -1, true],
      [0, 5, 9, false],
      [1, 1, 50, false],
    ],
  );

  // Host function costs and capability summary, recomputed by filtering the raw events.
  let totalUs = 0;
  for (const func of FUNCTIONS_USED(caps)) {
    const mine = caps.filter((c) => c.func === func);
    const h = report.hostFunctionCosts.find((x) => x.func === func)!;
    const us = mine.reduce((a, c) => a + c.durationUs, 0);
    totalUs += us;
    assert.equal(h.calls, mine.length, func);
    assert.equal(h.totalDurationUs, us, func);
    assert.equal(h.errors, mine.filter((c) => c.errno !== 0).length, func);
    assert.equal(h.denied, mine.filter((c) => c.denied).length, func);
    assert.equal(h.fuelAttributed, mine.length, func);
    const c = report.capabilities.byFunction.find((x) => x.func === func)!;
    assert.equal(c.count, mine.length);
    const errnoTotal = Object.values(c.errnos).reduce((a, b) => a + b, 0);
    assert.equal(errnoTotal, mine.length);
  }
  assert.equal(report.capabilities.totalCalls, caps.length);
  assert.equal(report.capabilities.denied, caps.filter((c) => c.denied).length);
  assert.equal(report.capabilities.errors, caps.filter((c) => c.errno !== 0).length);
  assert.equal(report.performance.hostTimeMs, totalUs / 1000);
  for (const p of report.capabilities.pathsTouched) {
    const mine = caps.filter((c) => c.args.path === p.path);
    assert.equal(p.count, mine.length, p.path);
    assert.equal(p.denied, mine.filter((c) => c.denied).length, p.path);
    assert.deepEqual(p.functions, ['path_open']);
  }
  assert.equal(report.capabilities.pathsTouched.length, new Set(caps.filter((c) => c.args.path).map((c) => c.args.path)).size);
  assert.equal(report.capabilities.securityEvents.length, caps.filter((c) => c.denied).length);
  assert.equal(report.capabilities.anomalies.length, Math.floor(2000 / 97));
  assert.equal(report.capabilities.anomalies[0].evidence.big, (2n ** 60n).toString());

  // Module metrics.
  const items = metrics.filter((m) => m.name === 'items');
  const counter = report.metrics.counters.find((c) => c.name === 'items')!;
  assert.equal(counter.count, items.length);
  assert.equal(counter.sum, items.reduce((a, m) => a + m.value, 0));
  const gauge = report.metrics.gauges.find((g) => g.name === 'queue')!;
  assert.equal(gauge.last, metrics.filter((m) => m.name === 'queue').at(-1)!.value);
  assert.equal(report.metrics.mode, 'live');
  assert.equal(report.metrics.timerUnit, 'ms');

  assert.deepEqual(report.output, { stdoutBytes: 15, stderrBytes: 3 });
  assert.equal(report.module, 'demo.wasm');
  assert.equal(report.traceId, 'a'.repeat(32));

  // The report is plain JSON: no bigint survives, and it reads back the same.
  const text = serializeReport(report);
  assert.deepEqual(JSON.parse(text), report);
});

function FUNCTIONS_USED(caps: CapabilityEvent[]): string[] {
  return [...new Set(caps.map((c) => c.func))];
}

test('fuel beyond 2^53 is a decimal string and reads back exactly', () => {
  const big = 2n ** 64n + 7n;
  const rec = new RunRecorder();
  const report = rec.finish({
    exitCode: 0,
    fuelConsumed: big,
    functions: [{ name: 'f', fuelExclusive: big - 1n, calls: 1 }],
    memory: { initialBytes: 0, finalBytes: 0 },
    wallMs: 0,
  });
  assert.equal(report.fuel.consumed, big.toString());
  assert.equal(parseFuel(report.fuel.consumed), big);
  assert.equal(report.functions[0].fuelPercent, 100);
  assert.equal(report.performance.fuelRatePerMs, null);
  assert.equal(bigintToJson(123n), 123);
  assert.throws(() => parseFuel('1e3'));
});

test('listed items are capped with an omitted count, never silently dropped', () => {
  const rec = new RunRecorder({ maxPaths: 2, maxSecurityEvents: 1, maxAnomalies: 1, maxGrowthEvents: 1 });
  for (let i = 0; i < 5; i++) {
    rec.onEvent({
      kind: 'capability', seq: i + 1, fuel: 0n, time: 0, module: 'm', func: 'path_open',
      args: { path: `p${i}` }, results: {}, errno: 0, errnoName: 'ESUCCESS', durationUs: 0, denied: false,
    });
    rec.onEvent({ kind: 'security', reason: 'sandbox-escape', message: 'x', capabilitySeq: i + 1 });
    rec.onEvent({ kind: 'anomaly', anomaly: 'rate-burst', message: 'x', evidence: {}, capabilitySeq: i + 1 });
    rec.onEvent({ kind: 'memory', memory: 0, beforePages: i, afterPages: i + 1, fuel: 0n });
  }
  const r = rec.finish({ exitCode: 0, fuelConsumed: 0n, functions: [], memory: { initialBytes: 0, finalBytes: 0 }, wallMs: 1 });
  assert.equal(r.capabilities.pathsTouched.length + r.capabilities.pathsOmitted, 5);
  assert.equal(r.capabilities.securityEvents.length + r.capabilities.securityEventsOmitted, 5);
  assert.equal(r.capabilities.anomalies.length + r.capabilities.anomaliesOmitted, 5);
  assert.equal(r.memory.growthEvents.length + r.memory.growthEventsOmitted, 5);
  // The peak still counts every grow, listed or not.
  assert.equal(r.memory.peakBytes, 5 * WASM_PAGE_BYTES);
});

test('the human summary names fuel, hot functions, capabilities and anomalies', () => {
  const rec = new RunRecorder({ deterministic: true });
  rec.onEvent({
    kind: 'capability', seq: 1, fuel: 10n, time: 0, module: 'wasi_snapshot_preview1', func: 'path_open',
    args: { path: '../secret' }, results: {}, errno: 76, errnoName: 'ENOTCAPABLE', durationUs: 0, denied: true,
  });
  rec.onEvent({ kind: 'security', reason: 'sandbox-escape', message: 'path escapes the preopen', capabilitySeq: 1 });
  rec.onEvent({ kind: 'anomaly', anomaly: 'new-path', message: '../secret was never seen', evidence: {}, capabilitySeq: 1 });
  rec.onEvent({ kind: 'metric', metric: 'timer', name: 't', value: 5, fuel: 10n });
  const r = rec.finish({
    exitCode: 0,
    fuelConsumed: 10000n,
    functions: FUNCTIONS,
    memory: { initialBytes: 65536, finalBytes: 65536 },
    wallMs: 10,
    trap: { kind: 'unreachable', message: 'unreachable executed', location: { funcIndex: 6, funcName: 'fib', offset: 0x1234 } },
  });
  const s = formatReportSummary(r);
  assert.match(s, /10,000 fuel/);
  assert.match(s, /fib burned 38\.2% of the fuel in 1,204 calls/);
  assert.match(s, /main burned 10\.0% of the fuel in 1 call$/m);
  assert.doesNotMatch(s, /unused burned/);
  assert.match(s, /trap: unreachable in fib at 0x1234/);
  assert.match(s, /capabilities: 1 call: path_open ×1 \(1 denied\)/);
  assert.match(s, /paths: \.\.\/secret \(denied\)/);
  assert.match(s, /security: 1 event, first: sandbox-escape/);
  assert.match(s, /anomalies: 1, first: new-path/);
  assert.match(s, /module metrics: 0 counters, 0 gauges, 1 timer \(buffered\)/);
  assert.equal(r.metrics.timerUnit, 'fuel');
  assert.ok(s.split('\n').length <= 12);
});

test('paths: the full guest path is preferred over the path as given, each counted once', async () => {
  const { pathsInArgs } = await import('./call-paths');
  assert.deepEqual(pathsInArgs({ fd: '3 (preopen /data)', path: 'a.txt', guest_path: '/data/a.txt', oflags: ['CREAT'] }), ['/data/a.txt']);
  assert.deepEqual(
    pathsInArgs({ old_fd: '3 (preopen /d)', old_path: 'a', old_guest_path: '/d/a', new_fd: '3 (preopen /d)', new_path: 'b', new_guest_path: '/d/b' }),
    ['/d/a', '/d/b'],
  );
  // path_symlink: the target (old_path) is not resolved by the host, the link is.
  assert.deepEqual(pathsInArgs({ old_path: '../outside', fd: '3 (preopen /d)', path: 'link', guest_path: '/d/link' }), ['../outside', '/d/link']);
  assert.deepEqual(pathsInArgs({ fd: '1 (stdout)', path_len: 3 }), []);
});
