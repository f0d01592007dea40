// Observed runs through the real runtime worker: direct module metrics from fixtures/c/metrics.wasm
// in live and deterministic (buffered) mode against expected.json's metricCalls; sampled call
// stacks in the profile and function-level spans (aggregated below the threshold, never dropped);
// the estimated operator-class breakdown; the complete trace written to a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricEvent, RuntimeEvent } from '../runtime/events';
import type { RunOptions } from '../runtime/run-options';
import { parseFuel } from '../telemetry/fuel-number';
import { WasiscopeAttr } from '../telemetry/tracing';
import { effectiveOptions, startObservedRun } from './observed-run';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
type MetricCall = [string, string | number, number?];
const expectedRuns = (JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as { runs: { id: string; metricCalls?: MetricCall[] }[] }).runs;
const metricCalls = expectedRuns.find((r) => r.id === 'metrics')!.metricCalls!;

function options(program: string, extra: Partial<RunOptions> = {}): RunOptions {
  return { program: join(fixtures, program), args: [], env: {}, cwd: fixtures, preopens: [], ...extra };
}

async function observe(o: RunOptions): Promise<{ events: RuntimeEvent[]; outcome: Awaited<ReturnType<typeof startObservedRun>['outcome']> }> {
  const events: RuntimeEvent[] = [];
  const run = startObservedRun(o, (e) => events.push(e), { OTEL_EXPORTER_OTLP_ENDPOINT: '' });
  return { events, outcome: await run.outcome };
}

/** What the report's metrics section must say, computed from expected.json's call list alone. */
function expectedMetrics(): { counters: Map<string, number[]>; gauges: Map<string, number[]>; timers: Map<string, number> } {
  const counters = new Map<string, number[]>();
  const gauges = new Map<string, number[]>();
  const timers = new Map<string, number>();
  const open = new Map<number, string>();
  for (const [fn, a, b] of metricCalls) {
    if (fn === 'emit_metric') counters.set(a as string, [...(counters.get(a as string) ?? []), b as number]);
    else if (fn === 'record_gauge') gauges.set(a as string, [...(gauges.get(a as string) ?? []), b as number]);
    else if (fn === 'start_timer') open.set(b as number, a as string);
    else if (fn === 'stop_timer') {
      const name = open.get(a as number)!;
      timers.set(name, (timers.get(name) ?? 0) + 1);
    }
  }
  return { counters, gauges, timers };
}

function checkMetricsSection(report: Awaited<ReturnType<typeof observe>>['outcome']['report'], events: MetricEvent[]): void {
  const want = expectedMetrics();
  const m = report.metrics;
  assert.deepEqual(m.counters.map((c) => c.name), [...want.counters.keys()].sort());
  for (const c of m.counters) {
    const v = want.counters.get(c.name)!;
    assert.deepEqual([c.count, c.sum, c.min, c.max, c.last], [v.length, v.reduce((a, b) => a + b, 0), Math.min(...v), Math.max(...v), v[v.length - 1]], c.name);
  }
  assert.deepEqual(m.gauges.map((g) => g.name), [...want.gauges.keys()].sort());
  for (const g of m.gauges) assert.deepEqual(g.samples.map((s) => s.value), want.gauges.get(g.name), g.name);
  assert.deepEqual(m.timers.map((t) => [t.name, t.count]), [...want.timers].sort());
  for (const t of m.timers) assert.ok(t.fuelTotal !== undefined && parseFuel(t.fuelTotal) > 0n, `${t.name} has its fuel total`);
  assert.deepEqual(m.stats, { calls: metricCalls.length, dropped: 0, invalidNames: 0, unknownTimerStops: 0, unclosedTimers: 0 });
  // Every metric reached the listener: one event per counter/gauge call and per stopped timer.
  const calls = metricCalls.filter(([fn]) => fn !== 'start_timer').length;
  assert.equal(events.length, calls);
  assert.deepEqual(
    events.filter((e) => e.metric !== 'timer').map((e) => [e.metric === 'counter' ? 'emit_metric' : 'record_gauge', e.name, e.value]),
    metricCalls.filter(([fn]) => fn === 'emit_metric' || fn === 'record_gauge'),
  );
}

test('metrics.wasm live: counters, gauges and timers in the report, every metric event forwarded to the listener', async () => {
  const { events, outcome } = await observe(options('c/metrics.wasm'));
  assert.equal(outcome.result.exitCode, 0);
  assert.equal(outcome.report.metrics.mode, 'live');
  assert.equal(outcome.report.metrics.timerUnit, 'ms');
  const metrics = events.filter((e): e is MetricEvent => e.kind === 'metric');
  checkMetricsSection(outcome.report, metrics);
  for (const t of outcome.report.metrics.timers) assert.equal(typeof t.wallMsTotal, 'number');
  assert.equal(outcome.result.metrics?.mode, 'live');
});

test('metrics.wasm deterministic: buffered, delivered after the run, timers in fuel; the run is unchanged', async () => {
  const plain = await observe(options('c/metrics.wasm'));
  const { events, outcome } = await observe(options('c/metrics.wasm', { deterministic: true }));
  assert.equal(outcome.report.metrics.mode, 'buffered');
  assert.equal(outcome.report.metrics.timerUnit, 'fuel');
  const metrics = events.filter((e): e is MetricEvent => e.kind === 'metric');
  checkMetricsSection(outcome.report, metrics);
  // Delivered after the module finished: after its last host call (proc_exit), before the exit event.
  const lastCall = events.map((e) => e.kind).lastIndexOf('capability');
  const firstMetric = events.findIndex((e) => e.kind === 'metric');
  const exit = events.findIndex((e) => e.kind === 'exit');
  assert.ok(lastCall < firstMetric && firstMetric < exit, `last host call ${lastCall}, first metric ${firstMetric}, exit ${exit}`);
  // Timers are fuel between start and stop: their values sum to the fuel totals.
  for (const t of outcome.report.metrics.timers) {
    const sum = metrics.filter((e) => e.metric === 'timer' && e.name === t.name).reduce((a, e) => a + e.value, 0);
    assert.equal(t.total, sum);
    assert.equal(BigInt(sum), parseFuel(t.fuelTotal!));
    assert.equal(t.wallMsTotal, null, 'no wall clock leaks into a deterministic report');
  }
  // Buffering cannot change what the module does: same fuel, same output size.
  assert.equal(outcome.result.fuelConsumed, plain.outcome.result.fuelConsumed);
  assert.deepEqual(outcome.report.output, plain.outcome.report.output);
});

test('a profile gets sampled call stacks; function spans aggregate below the threshold; the trace file is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-observed-'));
  const profileFile = join(dir, 'p.json');
  const traceFile = join(dir, 't.json');
  const { outcome } = await observe(options('c/lzpack.wasm', { args: ['16'], profileFile, traceFile, functionSpans: {} }));
  const { result, report, trace } = outcome;
  assert.ok(result.stacks && result.stacks.length > 0, 'stacks sampled for the profile');
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as { shared: { frames: { name: string }[] }; profiles: { name: string; samples: number[][]; weights: number[] }[] };
  assert.match(profile.profiles[0].name, /fuel by call stack/);
  assert.match(profile.profiles[profile.profiles.length - 1].name, /fuel by function/);
  const byStack = profile.profiles[0];
  assert.equal(byStack.weights.reduce((a, b) => a + b, 0), Number(result.stackSampling!.sampledFuel));
  assert.ok(byStack.samples.some((s) => s.length > 3 && profile.shared.frames[s[s.length - 1]].name === 'longest_match'), 'longest_match nested under its callers');

  // Function spans: under _start, 1% of the fuel as threshold, totals conserved.
  const fs = outcome.functionSpans!;
  assert.equal(fs.source, 'sampled-stacks');
  assert.equal(fs.minFuel, result.fuelConsumed / 100n);
  assert.equal(fs.spans + fs.aggregatedNodes, fs.totalNodes);
  assert.ok(fs.spans > 0 && fs.summarySpans > 0 && fs.aggregatedNodes > 0, `${fs.spans} spans, ${fs.summarySpans} summaries, ${fs.aggregatedNodes} folded`);
  const start = trace.nodes.find((n) => n.name === '_start')!;
  const fnSpans = trace.nodes.filter((n) => n.attributes[WasiscopeAttr.functionSamples] !== undefined);
  assert.equal(fnSpans.length, fs.spans);
  for (const n of fnSpans) assert.ok(Number(n.attributes[WasiscopeAttr.fuelInclusive]) >= Number(fs.minFuel), n.name);
  const top = fnSpans.filter((n) => n.parentSpanId === start.spanId);
  assert.ok(top.length > 0, 'the outermost sampled frames hang under _start');
  const summaries = trace.nodes.filter((n) => n.name === 'aggregated functions');
  assert.equal(summaries.length, fs.summarySpans);
  assert.equal(summaries.reduce((a, n) => a + Number(n.attributes[WasiscopeAttr.aggregatedCount]), 0), fs.aggregatedNodes);
  for (const n of summaries) assert.equal(n.attributes[WasiscopeAttr.aggregatedReason], 'below-threshold');

  const onDisk = JSON.parse(readFileSync(traceFile, 'utf8')) as typeof trace;
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(trace)));
  assert.equal(onDisk.traceId, report.traceId);

  // The estimated operator-class breakdown adds up to the fuel consumed.
  const classes = report.fuel.byOperatorClass!;
  assert.equal(Object.values(classes).reduce((a: bigint, v) => a + parseFuel(v), 0n), parseFuel(report.fuel.consumed));
  assert.equal(report.fuel.byOperatorClassInfo?.estimated, true);
  assert.match(report.fuel.byOperatorClassInfo!.method, /static mix/);
});

test('a run too short to be sampled still gets function spans, one per function that burned fuel', async () => {
  const { outcome } = await observe(options('wat/fac.wasm', { functionSpans: { minFuel: 0n } }));
  const fs = outcome.functionSpans!;
  assert.equal(fs.source, 'functions');
  assert.equal(fs.aggregatedNodes, 0);
  assert.equal(fs.spans, outcome.result.functions.filter((f) => f.fuelExclusive > 0n).length);
  assert.ok(outcome.trace.nodes.some((n) => n.name === 'fac' && n.attributes[WasiscopeAttr.functionCalls] === 20));
});

test('stack sampling is on only when something uses it (a profile, function spans, the debugger)', () => {
  const o = options('c/fib.wasm');
  assert.equal(effectiveOptions(o, false).sampleStacks, false);
  assert.equal(effectiveOptions(o, false).functionSpans, undefined);
  assert.equal(effectiveOptions({ ...o, profileFile: '/tmp/p.json' }, false).sampleStacks, true);
  assert.equal(effectiveOptions({ ...o, functionSpans: { minFuel: 5n } }, false).sampleStacks, true);
  assert.deepEqual(effectiveOptions(o, true).functionSpans, {});
  assert.equal(effectiveOptions(o, true).sampleStacks, true);
  assert.equal(effectiveOptions({ ...o, sampleStacks: false }, true).sampleStacks, false, 'an explicit choice wins');
});

test('a .wat program gets its operator-class breakdown from the module the worker compiled', async () => {
  const { outcome } = await observe(options('wat/loops.wat'));
  assert.equal(outcome.result.exitCode, 0);
  assert.ok(outcome.result.watBytes && outcome.result.watBytes.length > 0);
  const classes = outcome.report.fuel.byOperatorClass!;
  assert.equal(Object.values(classes).reduce((a: bigint, v) => a + parseFuel(v), 0n), outcome.result.fuelConsumed);
  assert.deepEqual(outcome.warnings, []);
});
