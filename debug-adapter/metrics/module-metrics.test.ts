// The wasiscope_metrics host module with a real wasm fixture (testdata/metrics-demo.wat): buffered
// (deterministic) versus live, safe name reading, misuse counted instead of trapping, and the
// report's metrics section built from the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { MetricEvent } from '../runtime/events';
import { INVALID_NAME, METRICS_IMPORT_MODULE, ModuleMetricsHost, readGuestString, type MetricsMode } from './module-metrics';
import { RunRecorder } from '../telemetry/run-recorder';

// The tsconfig has no wasm lib types: the little of the WebAssembly API this test uses.
interface WasmGlobal {
  value: bigint;
}
interface WasmInstance {
  exports: { run(): number; memory: { buffer: ArrayBuffer }; fuel: WasmGlobal };
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const bytes = readFileSync(new URL('./testdata/metrics-demo.wasm', import.meta.url));
const compiled = new WA.Module(bytes);

interface RunResult {
  host: ModuleMetricsHost;
  /** Events delivered through onMetric, in order. */
  delivered: MetricEvent[];
  /** How many had been delivered when the module called env.mark (mid-run). */
  deliveredAtMark: number;
  handle: number;
  drained: MetricEvent[];
}

function runFixture(mode: MetricsMode, now?: () => number): RunResult {
  const delivered: MetricEvent[] = [];
  let deliveredAtMark = -1;
  let instance: WasmInstance | undefined;
  const host = new ModuleMetricsHost({
    mode,
    getFuel: () => instance?.exports.fuel.value ?? 0n,
    onMetric: (e) => delivered.push(e),
    now,
  });
  instance = new WA.Instance(compiled, {
    ...host.importObject(),
    env: { mark: () => (deliveredAtMark = delivered.length) },
  });
  host.attachMemory(instance.exports.memory);
  const handle = instance.exports.run();
  const drained = host.drain();
  return { host, delivered, deliveredAtMark, handle, drained };
}

test('buffered mode: nothing is delivered during the run; drain gives the events, timers in fuel', () => {
  const r = runFixture('buffered');
  assert.equal(r.deliveredAtMark, 0, 'no metric leaves the host while the module runs');
  assert.deepEqual(r.drained, r.delivered, 'drain hands the events to onMetric too');
  const summary = r.drained.map((e) => [e.metric, e.name, e.value]);
  assert.deepEqual(summary.slice(0, 5), [
    ['counter', 'requests', 1],
    ['counter', 'requests', 2],
    ['gauge', 'queue.depth', 7.5],
    ['timer', 'work', 1000],
    ['gauge', 'queue.depth', 3],
  ]);
  // The timer measured the fuel burned between start and stop, stamped at its stop.
  assert.equal(r.drained[3].fuel, 1000n);
  assert.deepEqual(summary[5], ['counter', INVALID_NAME, 1]);
  assert.deepEqual(summary[6], ['counter', INVALID_NAME, 1]);
  assert.deepEqual(summary[7], ['counter', 'bad\uFFFD\uFFFDname', 4]);
  assert.equal(summary[8][0], 'gauge');
  assert.ok(Number.isNaN(summary[8][2]));
  assert.equal(r.drained.length, 9);
  assert.deepEqual(r.host.stats, { calls: 12, dropped: 0, invalidNames: 2, unknownTimerStops: 1, unclosedTimers: 1 });
  assert.deepEqual(r.host.drain(), [], 'drain runs once');
});

test('buffered runs are deterministic: same events, same handles, with any wall clock', () => {
  let t = 0;
  const a = runFixture('buffered', () => (t += 17));
  const b = runFixture('buffered', () => (t += 1000));
  assert.deepEqual(
    a.drained.map((e) => [e.metric, e.name, String(e.value), e.fuel]),
    b.drained.map((e) => [e.metric, e.name, String(e.value), e.fuel]),
  );
  assert.equal(a.handle, b.handle);
  assert.equal(a.handle, 1);
});

test('live mode: events are delivered as they happen, timers in wall-clock ms', () => {
  let t = 100;
  const r = runFixture('live', () => (t += 5));
  assert.equal(r.deliveredAtMark, 1, 'the first counter was delivered before the module went on');
  assert.deepEqual(r.drained, [], 'nothing buffered');
  const timer = r.delivered.find((e) => e.metric === 'timer')!;
  assert.equal(timer.name, 'work');
  assert.equal(timer.value, 5, 'one clock tick between start_timer and stop_timer');
  assert.equal(timer.fuel, 1000n);
  assert.equal(r.delivered.length, 9);
  assert.equal(r.host.stats.unclosedTimers, 1);
});

test('the report summarizes the fixture metrics, with the host stats', () => {
  const r = runFixture('buffered');
  const rec = new RunRecorder({ deterministic: true });
  for (const e of r.drained) rec.onEvent(e);
  const report = rec.finish({
    exitCode: 0, fuelConsumed: 1000n, functions: [], memory: { initialBytes: 65536, finalBytes: 65536 }, wallMs: 1,
    metrics: { mode: 'buffered', stats: r.host.stats, timers: r.host.timerTotals() },
  });
  const m = report.metrics;
  assert.equal(m.mode, 'buffered');
  assert.equal(m.timerUnit, 'fuel');
  assert.deepEqual(m.counters.find((c) => c.name === 'requests'), { name: 'requests', count: 2, sum: 3, min: 1, max: 2, last: 2 });
  assert.deepEqual(m.gauges.find((g) => g.name === 'queue.depth'), {
    name: 'queue.depth', count: 2, last: 3, min: 3, max: 7.5,
    samples: [{ fuel: 0, value: 7.5 }, { fuel: 1000, value: 3 }], samplesOmitted: 0,
  });
  // No clock given in buffered mode: fuel only, the wall time is explicitly unmeasured.
  assert.deepEqual(m.timers, [{ name: 'work', count: 1, total: 1000, min: 1000, max: 1000, mean: 1000, fuelTotal: 1000, wallMsTotal: null }]);
  assert.equal(m.nonFiniteValues, 1);
  assert.equal(m.stats?.invalidNames, 2);
  assert.doesNotThrow(() => JSON.stringify(report));
});

test('a failing callback or a full buffer never reaches the guest', () => {
  let instance: WasmInstance | undefined;
  const host = new ModuleMetricsHost({
    mode: 'live',
    getFuel: () => instance?.exports.fuel.value ?? 0n,
    onMetric: () => {
      throw new Error('listener bug');
    },
  });
  instance = new WA.Instance(compiled, { [METRICS_IMPORT_MODULE]: host.imports(), env: { mark: () => {} } });
  host.attachMemory(instance.exports.memory);
  assert.doesNotThrow(() => instance!.exports.run());
  assert.equal(host.stats.dropped, 9);

  const small = new ModuleMetricsHost({ mode: 'buffered', maxBufferedCalls: 3 });
  const inst2 = new WA.Instance(compiled, { [METRICS_IMPORT_MODULE]: small.imports(), env: { mark: () => {} } });
  small.attachMemory(inst2.exports.memory);
  inst2.exports.run();
  assert.equal(small.drain().length, 3);
  assert.equal(small.stats.calls, 12);
  assert.ok(small.stats.dropped > 0);
});

test('guest strings: bounds-checked, unsigned, capped, invalid UTF-8 replaced', () => {
  const mem = new ArrayBuffer(16);
  new Uint8Array(mem).set([104, 105, 0xc3, 0x28, 33], 10);
  assert.equal(readGuestString(mem, 10, 2), 'hi');
  assert.equal(readGuestString(mem, 10, 5), 'hi\uFFFD(!');
  assert.equal(readGuestString(mem, 10, 6), 'hi\uFFFD(!\0');
  assert.equal(readGuestString(mem, 10, 7), null);
  assert.equal(readGuestString(mem, -1, 1), null, 'a negative i32 is a huge unsigned address');
  assert.equal(readGuestString(mem, 0, -1), null);
  assert.equal(readGuestString(mem, 16, 0), '');
  assert.equal(readGuestString(mem, 10, 5, 2), 'hi');
  assert.equal(readGuestString(mem, 10n, 2n), 'hi', 'memory64 passes bigints');
  const shared = new SharedArrayBuffer(8);
  new Uint8Array(shared).set([111, 107]);
  assert.equal(readGuestString(shared, 0, 2), 'ok');
});

test('the C fixture (fixtures/c/metrics.wasm) makes exactly the calls expected.json lists', async () => {
  // node:wasi is only the harness here (the metrics host is what is under test); the real host is
  // the project's WASI host.
  const { WASI } = await import('node:wasi');
  const { openSync, closeSync } = await import('node:fs');
  const { devNull } = await import('node:os');
  const root = new URL('../../fixtures/', import.meta.url);
  const expected = JSON.parse(readFileSync(new URL('expected.json', root), 'utf8')) as {
    runs: { id: string; metricCalls?: [string, string | number, number?][] }[];
  };
  const calls = expected.runs.find((r) => r.id === 'metrics')?.metricCalls;
  assert.ok(calls, 'expected.json lists the metric calls');

  const sink = openSync(devNull, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['metrics.wasm'], env: {}, stdout: sink, stderr: sink, returnOnExit: true });
    let t = 0;
    const host = new ModuleMetricsHost({ mode: 'buffered', now: () => (t += 2) });
    const module = new WA.Module(readFileSync(new URL('c/metrics.wasm', root)));
    const instance = new WA.Instance(module, { ...host.importObject(), wasi_snapshot_preview1: wasi.wasiImport });
    host.attachMemory(instance.exports.memory);
    const exit = wasi.start(instance as unknown as object);
    assert.equal(exit, 0);
    const events = host.drain();

    // Independent expectation: fold expected.json's call list the way the host should.
    const want: [string, string, number][] = [];
    const open = new Map<number, string>();
    for (const [fn, a, b] of calls) {
      if (fn === 'emit_metric') want.push(['counter', String(a), Number(b)]);
      else if (fn === 'record_gauge') want.push(['gauge', String(a), Number(b)]);
      else if (fn === 'start_timer') open.set(Number(b), String(a));
      else if (fn === 'stop_timer') want.push(['timer', open.get(Number(a))!, 0]);
    }
    // Not instrumented here, so no fuel passes: timers are 0 fuel; the virtual clock ticks 2 ms a read.
    assert.deepEqual(events.map((e) => [e.metric, e.name, e.value]), want);
    assert.deepEqual(host.stats, { calls: calls.length, dropped: 0, invalidNames: 0, unknownTimerStops: 0, unclosedTimers: 0 });
    assert.deepEqual(host.timerTotals().map((x) => [x.name, x.count, x.ms]), [['sieve', 1, 2], ['sort', 1, 2]]);

    const rec = new RunRecorder({ deterministic: true });
    for (const e of events) rec.onEvent(e);
    const report = rec.finish({ exitCode: 0, fuelConsumed: 0n, functions: [], memory: { initialBytes: 0, finalBytes: 0 }, wallMs: 1, metrics: { mode: 'buffered', stats: host.stats, timers: host.timerTotals() } });
    const primes = report.metrics.counters.find((c) => c.name === 'primes.found')!;
    assert.equal(primes.count, 10);
    assert.equal(primes.sum, 1229);
    assert.equal(report.metrics.gauges.find((g) => g.name === 'sort.swaps')!.last, 63827);
    assert.equal(report.metrics.counters.find((c) => c.name === 'items.sorted')!.sum, 500);
  } finally {
    closeSync(sink);
  }
});
