// The report `wasiscope run --report` writes, field by field, against figures computed without the
// report code: capability counts from the audit trail, memory sizes from the module's memory
// section and the grow events in the trace, fuel from the per-function figures and the spans,
// output sizes from what the CLI printed; and direct module metrics (live and --deterministic)
// against fixtures/expected.json's metricCalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../wasm/reader';
import type { CompleteTrace } from '../telemetry/complete-trace';
import type { ExecutionReport } from '../telemetry/report';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'fixtures');
const PAGE = 65536;

function wasiscope(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(cli), 'dist/cli.js is built by test/run-tests.mjs');
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', TRACEPARENT: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const big = (v: number | string): bigint => BigInt(v);

interface TrailCall {
  kind: string;
  module: string;
  func: string;
  errno: number;
  errnoName: string;
  denied: boolean;
  durationUs: number;
  args: Record<string, unknown>;
}

/** Initial size of memory 0, from the module's own memory section (or its import). */
function initialMemoryBytes(wasm: string): number {
  const m = parseModule(new Uint8Array(readFileSync(wasm)), { checkBodies: false });
  const imported = m.imports.find((i) => i.desc.kind === 'memory');
  const limits = imported && imported.desc.kind === 'memory' ? imported.desc.memory : m.memories[0];
  return Number(limits.min) * PAGE;
}

/** after_pages of the successful grows of memory 0, from the module span's events in the trace. */
function growsFromTrace(trace: CompleteTrace, module: string): number[] {
  const mod = trace.nodes.find((n) => n.name === `execute ${module}`)!;
  return mod.events
    .filter((e) => e.name === 'wasiscope.memory.grow' && e.attributes['wasiscope.memory.index'] === 0)
    .map((e) => Number(e.attributes['wasiscope.memory.after_pages']))
    .filter((p) => p >= 0);
}

function checkFuel(report: ExecutionReport, trace: CompleteTrace, module: string): void {
  const consumed = big(report.fuel.consumed);
  const sum = report.functions.reduce((a, f) => a + big(f.fuelExclusive), 0n);
  assert.equal(sum, consumed, 'fuel.consumed = the sum of the functions\' exclusive fuel');
  assert.equal(big(report.fuel.attributedToFunctions), consumed);
  const tx = trace.nodes.find((n) => n.name === `wasiscope run ${module}`)!;
  const start = trace.nodes.find((n) => n.name === '_start' && n.attributes['wasiscope.export'] === true)!;
  assert.equal(big(tx.attributes['wasiscope.fuel.consumed'] as number), consumed, 'the transaction span says the same');
  assert.equal(big(start.attributes['wasiscope.fuel.consumed'] as number), consumed);
  const classes = Object.values(report.fuel.byOperatorClass ?? {}).reduce((a: bigint, v) => a + big(v), 0n);
  assert.equal(classes, consumed, 'the operator classes add up to the total');
  assert.equal(report.fuel.byOperatorClassInfo?.estimated, true);
  // Sorted by exclusive fuel; shares and hot functions computed from the figures.
  for (let i = 1; i < report.functions.length; i++) assert.ok(big(report.functions[i - 1].fuelExclusive) >= big(report.functions[i].fuelExclusive));
  for (const f of report.functions) assert.equal(f.fuelPercent, Math.round((Number(f.fuelExclusive) / Number(consumed)) * 10000) / 100, f.name);
  assert.deepEqual(report.performance.hotFunctions.map((h) => h.name), report.functions.slice(0, 10).map((f) => f.name));
}

test('hello.wasm --report: capabilities = the audit trail, memory = module + grows, fuel = functions = spans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-report-'));
  const data = join(dir, 'data');
  cpSync(join(fixtures, 'c/hello-data'), data, { recursive: true });
  const wasm = join(fixtures, 'c/hello.wasm');
  const files = { report: join(dir, 'r.json'), trail: join(dir, 't.jsonl'), trace: join(dir, 'trace.json'), profile: join(dir, 'p.json') };
  const r = wasiscope(['run', '--quiet', '--dir', `${data}::/data`, '--report', files.report, '--audit', files.trail, '--trace', files.trace, '--profile', files.profile, wasm, '/data']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(readFileSync(files.report, 'utf8')) as ExecutionReport;
  const trace = JSON.parse(readFileSync(files.trace, 'utf8')) as CompleteTrace;
  assert.equal(report.exitCode, r.status);

  // Capabilities, from the trail alone.
  const calls = readFileSync(files.trail, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrailCall).filter((e) => e.kind === 'capability');
  assert.ok(calls.length > 10);
  const caps = report.capabilities;
  assert.equal(caps.totalCalls, calls.length);
  assert.equal(caps.errors, calls.filter((c) => c.errno !== 0).length);
  assert.equal(caps.denied, calls.filter((c) => c.denied).length);
  const perFunc = new Map<string, TrailCall[]>();
  for (const c of calls) perFunc.set(`${c.module}.${c.func}`, [...(perFunc.get(`${c.module}.${c.func}`) ?? []), c]);
  assert.deepEqual(caps.byFunction.map((f) => [f.name, f.count]), [...perFunc].map(([k, v]) => [k, v.length]).sort());
  for (const f of caps.byFunction) {
    const mine = perFunc.get(f.name)!;
    const errnos: Record<string, number> = {};
    for (const c of mine) errnos[c.errnoName] = (errnos[c.errnoName] ?? 0) + 1;
    assert.deepEqual(f.errnos, errnos, f.name);
  }
  // Host function costs: one entry per function, calls = its capability events, fuel = one `call` each.
  assert.deepEqual(report.hostFunctionCosts.map((h) => [h.name, h.calls]), [...perFunc].map(([k, v]) => [k, v.length]).sort());
  let hostUs = 0;
  for (const h of report.hostFunctionCosts) {
    const mine = perFunc.get(h.name)!;
    assert.equal(h.errors, mine.filter((c) => c.errno !== 0).length, h.name);
    assert.equal(h.denied, mine.filter((c) => c.denied).length, h.name);
    const us = mine.reduce((a, c) => a + c.durationUs, 0);
    assert.ok(Math.abs(h.totalDurationUs - us) < 1e-6, h.name);
    assert.equal(big(h.fuelAttributed), BigInt(mine.length));
    hostUs += us;
  }
  assert.ok(Math.abs(report.performance.hostTimeMs - hostUs / 1000) < 1e-6);
  assert.ok(caps.pathsTouched.some((p) => p.path === '/data/input.txt'));
  for (const p of caps.pathsTouched) assert.ok(calls.some((c) => JSON.stringify(c.args).includes(p.path.split('/').pop()!)), p.path);
  // The trace has one host-call span per trail record, under _start.
  const start = trace.nodes.find((n) => n.name === '_start' && n.attributes['wasiscope.export'] === true)!;
  assert.equal(trace.nodes.filter((n) => n.parentSpanId === start.spanId && n.name.startsWith('wasi_snapshot_preview1.')).length, calls.length);

  // Memory: the module's initial size and the grows the trace saw.
  const initial = initialMemoryBytes(wasm);
  const grows = growsFromTrace(trace, 'hello.wasm');
  assert.equal(report.memory.initialBytes, initial);
  assert.equal(report.memory.peakBytes, Math.max(initial, ...grows.map((p) => p * PAGE)));
  assert.equal(report.memory.finalBytes, grows.length ? grows[grows.length - 1] * PAGE : initial);
  assert.equal(report.memory.growthEvents.length, grows.length);

  // Fuel, output, profile.
  checkFuel(report, trace, 'hello.wasm');
  assert.equal(report.output.stdoutBytes, Buffer.byteLength(r.stdout));
  assert.equal(report.output.stderrBytes, Buffer.byteLength(r.stderr));
  const profile = JSON.parse(readFileSync(files.profile, 'utf8')) as { shared: { frames: { name: string }[] }; profiles: { name: string; samples: number[][]; weights: number[] }[] };
  const flat = profile.profiles.find((p) => /fuel by function/.test(p.name))!;
  const fromProfile = new Map(flat.samples.map((s, i) => [profile.shared.frames[s[0]].name, flat.weights[i]]));
  assert.deepEqual(fromProfile, new Map(report.functions.filter((f) => big(f.fuelExclusive) > 0n).map((f) => [f.name, Number(f.fuelExclusive)])));
  assert.ok(profile.profiles.some((p) => /fuel by call stack/.test(p.name)), 'a profile with call stacks');
});

test('lzpack.wasm grows its memory: peak and final sizes are the last grow the trace saw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-report-'));
  const wasm = join(fixtures, 'c/lzpack.wasm');
  const r = wasiscope(['run', '--quiet', '--report', join(dir, 'r.json'), '--trace', join(dir, 't.json'), wasm, '64']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ExecutionReport;
  const trace = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')) as CompleteTrace;
  const initial = initialMemoryBytes(wasm);
  const grows = growsFromTrace(trace, 'lzpack.wasm');
  assert.ok(grows.length > 0, 'lzpack grows its memory');
  assert.equal(report.memory.initialBytes, initial);
  assert.equal(report.memory.peakBytes, Math.max(initial, ...grows.map((p) => p * PAGE)));
  assert.equal(report.memory.finalBytes, grows[grows.length - 1] * PAGE);
  assert.deepEqual(report.memory.growthEvents.filter((g) => !g.failed).map((g) => g.afterPages), grows);
  const tx = trace.nodes.find((n) => n.name === 'wasiscope run lzpack.wasm')!;
  assert.equal(tx.attributes['wasiscope.memory.peak_bytes'], report.memory.peakBytes);
  assert.equal(tx.attributes['wasiscope.memory.grow_count'], report.memory.growthEvents.length);
  checkFuel(report, trace, 'lzpack.wasm');
});

test('metrics.wasm through wasiscope run, live and --deterministic: the report has expected.json\'s metric calls', () => {
  type Call = [string, string | number, number?];
  const calls = (JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as { runs: { id: string; metricCalls?: Call[] }[] }).runs.find((x) => x.id === 'metrics')!.metricCalls!;
  const counters = new Map<string, number[]>();
  const gauges = new Map<string, number[]>();
  const timerNames = new Map<number, string>();
  const timers = new Map<string, number>();
  for (const [fn, a, b] of calls) {
    if (fn === 'emit_metric') counters.set(String(a), [...(counters.get(String(a)) ?? []), Number(b)]);
    if (fn === 'record_gauge') gauges.set(String(a), [...(gauges.get(String(a)) ?? []), Number(b)]);
    if (fn === 'start_timer') timerNames.set(Number(b), String(a));
    if (fn === 'stop_timer') timers.set(timerNames.get(Number(a))!, (timers.get(timerNames.get(Number(a))!) ?? 0) + 1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-metrics-'));
  for (const [mode, flags] of [['live', []], ['buffered', ['--deterministic']]] as const) {
    const out = join(dir, `${mode}.json`);
    const r = wasiscope(['run', '--report', out, ...flags, join(fixtures, 'c/metrics.wasm')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`module metrics: ${counters.size} counters, ${gauges.size} gauges, ${timers.size} timers \\(${mode}\\)`));
    const m = (JSON.parse(readFileSync(out, 'utf8')) as ExecutionReport).metrics;
    assert.equal(m.mode, mode);
    assert.equal(m.timerUnit, mode === 'live' ? 'ms' : 'fuel');
    assert.deepEqual(m.counters.map((c) => [c.name, c.count, c.sum, c.last]), [...counters].sort().map(([k, v]) => [k, v.length, v.reduce((a, x) => a + x, 0), v[v.length - 1]]));
    assert.deepEqual(m.gauges.map((g) => [g.name, g.samples.map((s) => s.value)]), [...gauges].sort());
    assert.deepEqual(m.timers.map((t) => [t.name, t.count]), [...timers].sort());
    assert.equal(m.stats?.calls, calls.length);
    if (mode === 'buffered') for (const t of m.timers) assert.equal(BigInt(t.total), big(t.fuelTotal!), 'timers count fuel');
  }
});
