// Tracing through the bundled CLI end to end: a local OTLP/HTTP receiver (127.0.0.1, random port)
// decodes what `wasiscope run` exports, configured by flag and by the standard OTEL_* environment;
// span names, parentage (transaction -> module execution -> _start -> host calls, function spans),
// attributes and service.name; a TRACEPARENT given by env or --traceparent is joined; the module
// (fixtures/c/printenv.wasm) of a traced run sees a TRACEPARENT naming the module-execution span
// (a run outside any trace sees its environment as given); --trace FILE
// holds the same spans as the complete trace graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompleteTrace } from '../telemetry/complete-trace';
import { parseTraceparent } from '../telemetry/trace-context';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const printenv = join(root, 'fixtures', 'c', 'printenv.wasm');

interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: KeyValue[];
}
interface Received {
  service: string;
  span: OtlpSpan;
  attrs: Record<string, unknown>;
}

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}
const attrs = (kvs: KeyValue[] | undefined): Record<string, unknown> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));

/** An OTLP/HTTP JSON receiver: every span that arrives, with its resource's service.name. */
async function receiver(): Promise<{ port: number; spans: Received[]; paths: string[]; close(): Promise<void> }> {
  const spans: Received[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = String(attrs(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ service, span, attrs: attrs(span.attributes) });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    spans,
    paths,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Runs the CLI without blocking this process (the receiver must answer meanwhile). */
function wasiscope(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  assert.ok(existsSync(cli), 'dist/cli.js is built by test/run-tests.mjs');
  // Nothing from the outer environment may steer the export or the trace.
  const base = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SERVICE_NAME: '', TRACEPARENT: '', OTEL_SDK_DISABLED: '' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The run's spans by role, checking the tree on the way. */
function tree(spans: Received[], module: string): { tx: Received; mod: Received; start: Received; host: Received[]; traceId: string } {
  // The export call span `_start` (function spans may also name the wasm function `_start`).
  const one = (name: string): Received => {
    const found = spans.filter((s) => s.span.name === name && (name !== '_start' || s.attrs['wasiscope.export'] === true));
    assert.equal(found.length, 1, `one ${name} span in ${spans.map((s) => s.span.name).join(', ')}`);
    return found[0];
  };
  const tx = one(`wasiscope run ${module}`);
  const mod = one(`execute ${module}`);
  const start = one('_start');
  const traceId = tx.span.traceId;
  for (const s of spans) assert.equal(s.span.traceId, traceId, `${s.span.name} in the run's trace`);
  assert.equal(mod.span.parentSpanId, tx.span.spanId, 'module execution under the transaction');
  assert.equal(start.span.parentSpanId, mod.span.spanId, '_start under the module execution');
  const host = spans.filter((s) => s.span.name.startsWith('wasi_snapshot_preview1.'));
  assert.ok(host.length > 0);
  for (const h of host) assert.equal(h.span.parentSpanId, start.span.spanId, `${h.span.name} under _start`);
  return { tx, mod, start, host, traceId };
}

/** The TRACEPARENT printenv printed, parsed. */
function moduleTraceparent(stdout: string): NonNullable<ReturnType<typeof parseTraceparent>> {
  const line = stdout.split('\n').find((l) => l.startsWith('TRACEPARENT='));
  assert.ok(line, `the module saw no TRACEPARENT:\n${stdout}`);
  const tp = parseTraceparent(line.slice('TRACEPARENT='.length));
  assert.ok(tp, `a valid traceparent: ${line}`);
  return tp;
}

test('--otlp-endpoint: the run arrives as transaction -> execution -> _start -> host calls; the module sees its TRACEPARENT', async () => {
  const rx = await receiver();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'wasiscope-trace-'));
    const report = join(dir, 'r.json');
    const traceFile = join(dir, 't.json');
    const r = await wasiscope(['run', '--quiet', '--otlp-endpoint', `http://127.0.0.1:${rx.port}`, '--report', report, '--trace', traceFile, '--env', 'GREETING=hi', printenv]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no export warning');
    assert.ok(rx.paths.every((p) => p === '/v1/traces'));
    const { tx, mod, start, host, traceId } = tree(rx.spans, 'printenv.wasm');
    assert.equal(tx.span.parentSpanId || undefined, undefined, 'a new trace: the transaction is the root');
    assert.equal(tx.service, 'wasiscope');
    const rep = JSON.parse(readFileSync(report, 'utf8')) as { fuel: { consumed: number }; traceId: string; capabilities: { totalCalls: number } };
    assert.equal(rep.traceId, traceId);
    for (const s of [tx, mod]) {
      assert.equal(s.attrs['process.exit.code'], 0);
      assert.equal(s.attrs['wasiscope.fuel.consumed'], rep.fuel.consumed);
      assert.equal(s.attrs['wasiscope.capability.calls'], rep.capabilities.totalCalls);
    }
    assert.equal(start.attrs['wasiscope.fuel.consumed'], rep.fuel.consumed);
    assert.equal(host.length, rep.capabilities.totalCalls, 'one span per host call');
    const names = new Set(host.map((h) => h.span.name));
    for (const f of ['environ_sizes_get', 'environ_get', 'fd_write']) assert.ok(names.has(`wasi_snapshot_preview1.${f}`), f);
    for (const h of host) assert.equal(typeof h.attrs['wasiscope.fuel'], 'number');
    // The module's own environment: what it was given, plus a TRACEPARENT naming the execution span.
    assert.match(r.stdout, /^GREETING=hi$/m);
    const tp = moduleTraceparent(r.stdout);
    assert.equal(tp.traceId, traceId);
    assert.equal(tp.parentId, mod.span.spanId);
    assert.equal(tp.traceFlags & 1, 1, 'sampled');
    // --trace FILE: the same spans, as the complete trace graph.
    const graph = JSON.parse(readFileSync(traceFile, 'utf8')) as CompleteTrace;
    assert.equal(graph.traceId, traceId);
    assert.deepEqual(graph.nodes.map((n) => n.spanId).sort(), rx.spans.map((s) => s.span.spanId).sort());
    assert.deepEqual(graph.rootSpanIds, [tx.span.spanId]);
    assert.equal(graph.remoteParentSpanId, undefined);
    const startNode = graph.nodes.find((n) => n.spanId === start.span.spanId)!;
    assert.equal(startNode.children.length, host.length);
    assert.ok(graph.edges.some((e) => e.kind === 'child' && e.from === mod.span.spanId && e.to === start.span.spanId));
  } finally {
    await rx.close();
  }
});

test('OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME and TRACEPARENT from the environment; --traceparent wins over the env', async () => {
  const rx = await receiver();
  try {
    const joined = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parent: '00f067aa0ba902b7' };
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${rx.port}`, OTEL_SERVICE_NAME: 'ci-pipeline', TRACEPARENT: `00-${joined.traceId}-${joined.parent}-01` };
    const traceFile = join(mkdtempSync(join(tmpdir(), 'wasiscope-trace-')), 't.json');
    const r = await wasiscope(['run', '--quiet', '--trace', traceFile, printenv, 'TRACEPARENT'], env);
    assert.equal(r.status, 0, r.stderr);
    const { tx, mod, traceId } = tree(rx.spans, 'printenv.wasm');
    assert.equal(traceId, joined.traceId, 'the run joined the trace');
    assert.equal(tx.span.parentSpanId, joined.parent, 'under the caller span');
    assert.equal(tx.service, 'ci-pipeline');
    // printenv NAME prints the value only: the module's TRACEPARENT, a child of the run, not the env's.
    const tp = parseTraceparent(r.stdout.trim());
    assert.ok(tp, r.stdout);
    assert.equal(tp.traceId, joined.traceId);
    assert.equal(tp.parentId, mod.span.spanId);
    assert.notEqual(tp.parentId, joined.parent);
    const graph = JSON.parse(readFileSync(traceFile, 'utf8')) as CompleteTrace;
    assert.equal(graph.remoteParentSpanId, joined.parent);
    assert.equal(graph.nodes[0].parentSpanId, joined.parent);

    rx.spans.length = 0;
    const flag = { traceId: '0af7651916cd43dd8448eb211c80319c', parent: 'b7ad6b7169203331' };
    const r2 = await wasiscope(['run', '--quiet', '--traceparent', `00-${flag.traceId}-${flag.parent}-01`, '--service-name', 'by-flag', printenv, 'TRACEPARENT'], env);
    assert.equal(r2.status, 0, r2.stderr);
    const t2 = tree(rx.spans, 'printenv.wasm');
    assert.equal(t2.traceId, flag.traceId);
    assert.equal(t2.tx.span.parentSpanId, flag.parent);
    assert.equal(t2.tx.service, 'by-flag');
    assert.equal(parseTraceparent(r2.stdout.trim())?.parentId, t2.mod.span.spanId);
  } finally {
    await rx.close();
  }
});

test('--allow-env without TRACEPARENT keeps it from the module; the run is still traced', async () => {
  const rx = await receiver();
  try {
    const r = await wasiscope(['run', '--quiet', '--otlp-endpoint', `http://127.0.0.1:${rx.port}`, '--allow-env', 'A', '--env', 'A=1', printenv, 'TRACEPARENT']);
    assert.equal(r.status, 1, 'printenv exits 1: TRACEPARENT is not set');
    assert.equal(r.stdout, '');
    tree(rx.spans, 'printenv.wasm');
  } finally {
    await rx.close();
  }
});

test('a run that is not part of a distributed trace leaves the module environment as given; --allow-env TRACEPARENT passes it anyway', async () => {
  const plain = await wasiscope(['run', '--quiet', '--env', 'A=1', printenv]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, 'A=1\n', 'no TRACEPARENT: nothing joined, nothing exported');
  const asked = await wasiscope(['run', '--quiet', '--allow-env', 'TRACEPARENT', printenv, 'TRACEPARENT']);
  assert.equal(asked.status, 0, asked.stderr);
  assert.ok(parseTraceparent(asked.stdout.trim()), asked.stdout);
});

test('--function-spans: function-level spans under _start, small call paths aggregated, none dropped', async () => {
  const rx = await receiver();
  try {
    const r = await wasiscope(['run', '--quiet', '--otlp-endpoint', `http://127.0.0.1:${rx.port}`, '--function-spans', join(root, 'fixtures', 'c', 'lzpack.wasm'), '16']);
    assert.equal(r.status, 0, r.stderr);
    const { start, tx } = tree(rx.spans, 'lzpack.wasm');
    const fuel = Number(tx.attrs['wasiscope.fuel.consumed']);
    const fn = rx.spans.filter((s) => s.attrs['wasiscope.function.samples'] !== undefined);
    const folded = rx.spans.filter((s) => s.span.name === 'aggregated functions');
    assert.ok(fn.length > 0 && folded.length > 0);
    assert.ok(fn.some((s) => s.span.parentSpanId === start.span.spanId), 'outermost frames under _start');
    const ids = new Set([start.span.spanId, ...fn.map((s) => s.span.spanId)]);
    for (const s of [...fn, ...folded]) assert.ok(ids.has(s.span.parentSpanId ?? ''), `${s.span.name} hangs in the function tree`);
    for (const s of fn) assert.ok(Number(s.attrs['wasiscope.fuel.inclusive']) >= Math.floor(fuel / 100), `${s.span.name} is above 1%`);
    for (const s of folded) assert.ok(Number(s.attrs['wasiscope.aggregated.count']) > 0);
  } finally {
    await rx.close();
  }
});
