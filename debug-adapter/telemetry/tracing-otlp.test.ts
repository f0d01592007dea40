// OTLP/HTTP export end to end: a local receiver on 127.0.0.1 (random port) decodes what the
// exporter sends (OTLP JSON, the exporter's encoding) and checks span names, parent ids and
// attributes; an unreachable, a silent and a failing collector give warnings, never a throw or hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunTracer, WasiscopeAttr } from './tracing';

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  events?: { name: string }[];
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans: { scope?: { name: string }; spans: OtlpSpan[] }[] }[];
}
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: OtlpRequest;
}

function decodeValue(v: OtlpAnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(decodeValue);
  return undefined;
}
function attrs(kvs: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((kvs ?? []).map((kv) => [kv.key, decodeValue(kv.value)]));
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** An OTLP/HTTP receiver that decodes JSON requests (and would reject protobuf ones). */
async function startReceiver(): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const { server, port } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      assert.equal(req.headers['content-type'], 'application/json');
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return { server, port, received };
}

function run(tracer: RunTracer): void {
  tracer.startRun({ module: 'fib.wasm', args: ['7'] });
  const h = tracer.startExportCall('_start');
  tracer.onEvent({
    kind: 'capability', seq: 1, fuel: 10n, time: Date.now(), module: 'wasi_snapshot_preview1', func: 'fd_write',
    args: { fd: 1 }, results: { nwritten: 3 }, errno: 0, errnoName: 'ESUCCESS', durationUs: 12, denied: false,
  });
  tracer.endExportCall(h, { fuelConsumed: 90n });
  tracer.addFunctionSpans(
    [{ name: 'main', calls: 1, fuelInclusive: 80n, children: [{ name: 'fib', calls: 41, fuelInclusive: 70n, children: [] }, { name: 'tiny', calls: 1, fuelInclusive: 2n, children: [] }] }],
    { parent: h, minFuel: 5n },
  );
  tracer.finishRun({ exitCode: 0, fuelConsumed: 100n, memoryPeakBytes: 65536 });
}

test('spans arrive at the collector with names, parent ids and attributes (endpoint from env)', async () => {
  const rx = await startReceiver();
  try {
    const tracer = new RunTracer({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${rx.port}`, OTEL_SERVICE_NAME: 'fib-svc', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret' },
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    run(tracer);
    const res = await tracer.shutdown({ timeoutMs: 5000 });
    assert.equal(res.endpoint, `http://127.0.0.1:${rx.port}/v1/traces`);
    assert.deepEqual(res.warnings, []);
    assert.equal(res.failed, 0);
    assert.ok(rx.received.length >= 1);
    for (const r of rx.received) {
      assert.equal(r.path, '/v1/traces');
      assert.equal(r.headers['x-api-key'], 'secret');
    }
    const resources = rx.received.flatMap((r) => r.body.resourceSpans);
    assert.equal(attrs(resources[0].resource?.attributes)['service.name'], 'fib-svc');
    const spans = resources.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    assert.equal(res.exported, spans.length);
    const local = tracer.finishedSpans();
    assert.equal(spans.length, local.length, 'every span was exported');
    const byName = new Map(spans.map((s) => [s.name, s]));
    const names = [...byName.keys()].sort();
    assert.deepEqual(names, ['_start', 'aggregated functions', 'execute fib.wasm', 'fib', 'main', 'wasi_snapshot_preview1.fd_write', 'wasiscope run fib.wasm']);
    const get = (n: string): OtlpSpan => byName.get(n)!;
    for (const s of spans) assert.equal(s.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(get('wasiscope run fib.wasm').parentSpanId, 'b7ad6b7169203331');
    assert.equal(get('execute fib.wasm').parentSpanId, get('wasiscope run fib.wasm').spanId);
    assert.equal(get('_start').parentSpanId, get('execute fib.wasm').spanId);
    assert.equal(get('wasi_snapshot_preview1.fd_write').parentSpanId, get('_start').spanId);
    assert.equal(get('main').parentSpanId, get('_start').spanId);
    assert.equal(get('fib').parentSpanId, get('main').spanId);
    assert.equal(get('aggregated functions').parentSpanId, get('main').spanId);

    const tx = attrs(get('wasiscope run fib.wasm').attributes);
    assert.equal(tx['process.exit.code'], 0);
    assert.deepEqual(tx['process.command_args'], ['fib.wasm', '7']);
    assert.equal(tx[WasiscopeAttr.fuelConsumed], 100);
    assert.equal(tx[WasiscopeAttr.memoryPeakBytes], 65536);
    assert.equal(tx[WasiscopeAttr.capabilityCalls], 1);
    const w = attrs(get('wasi_snapshot_preview1.fd_write').attributes);
    assert.equal(w['code.function.name'], 'wasi_snapshot_preview1.fd_write');
    assert.equal(w[WasiscopeAttr.hostErrnoName], 'ESUCCESS');
    assert.equal(w[WasiscopeAttr.fuelAtCall], 10);
    assert.equal(attrs(get('fib').attributes)[WasiscopeAttr.functionCalls], 41);
    assert.equal(attrs(get('aggregated functions').attributes)[WasiscopeAttr.aggregatedCount], 1);
    // The module's TRACEPARENT names the exported module-execution span.
    assert.equal(tracer.moduleTraceparent().split('-')[2], get('execute fib.wasm').spanId);
  } finally {
    await close(rx.server);
  }
});

test('an explicit traces endpoint is used as is', async () => {
  const rx = await startReceiver();
  try {
    const tracer = new RunTracer({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/never' }, tracesEndpoint: `http://127.0.0.1:${rx.port}/custom/traces`, headers: { authorization: 'Bearer t' } });
    run(tracer);
    const res = await tracer.shutdown();
    assert.equal(res.failed, 0);
    assert.equal(rx.received[0].path, '/custom/traces');
    assert.equal(rx.received[0].headers.authorization, 'Bearer t');
  } finally {
    await close(rx.server);
  }
});

test('an unreachable collector (closed port) gives a warning, not a throw or a hang', async () => {
  // Find a port nobody listens on: bind, note it, close.
  const { server, port } = await listen(() => {});
  await close(server);
  const warnings: string[] = [];
  const tracer = new RunTracer({ tracesEndpoint: `http://127.0.0.1:${port}/v1/traces`, env: {}, timeoutMs: 1500, onWarning: (w) => warnings.push(w) });
  run(tracer);
  const res = await tracer.shutdown();
  assert.equal(res.exported, 0);
  assert.ok(res.failed > 0 || res.timedOut);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], new RegExp(`trace export to http://127\\.0\\.0\\.1:${port}/v1/traces`));
  assert.equal(tracer.finishedSpans().length, 7, 'spans are still there for the report and span tree');
  // Shutting down twice is harmless.
  assert.equal(await tracer.shutdown(), res);
});

test('a collector that never answers, or answers 500, is reported within the timeout', async () => {
  const silent = await listen(() => {
    /* accept the request, never respond */
  });
  const failing = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400);
      res.end('bad request');
    });
  });
  try {
    const t1 = new RunTracer({ tracesEndpoint: `http://127.0.0.1:${silent.port}/v1/traces`, env: {}, timeoutMs: 600 });
    run(t1);
    const r1 = await t1.shutdown();
    assert.equal(r1.exported, 0);
    assert.equal(r1.warnings.length, 1);
    assert.equal(r1.timedOut, true);
    assert.match(r1.warnings[0], /did not finish within 600 ms/);

    const t2 = new RunTracer({ tracesEndpoint: `http://127.0.0.1:${failing.port}/v1/traces`, env: {}, timeoutMs: 3000 });
    run(t2);
    const r2 = await t2.shutdown();
    assert.equal(r2.exported, 0);
    assert.equal(r2.failed, 7);
    assert.equal(r2.timedOut, false);
    assert.match(r2.warnings[0], /failed for 7 of 7 spans/);
  } finally {
    await close(silent.server);
    await close(failing.server);
  }
});
