// W3C traceparent parsing/formatting and the exporter configuration from options and env vars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceparent, isSampled, parseTraceparent } from './trace-context';
import { appendTracesPath, resolveExporterConfig, DEFAULT_SERVICE_NAME } from './otel-config';

const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SID = '00f067aa0ba902b7';

test('valid traceparents parse, invalid ones are rejected', () => {
  assert.deepEqual(parseTraceparent(`00-${TID}-${SID}-01`), { version: '00', traceId: TID, parentId: SID, traceFlags: 1 });
  assert.equal(parseTraceparent(` 00-${TID}-${SID}-00 `)?.traceFlags, 0);
  // A future version may carry more fields.
  assert.equal(parseTraceparent(`01-${TID}-${SID}-01-extra`)?.traceId, TID);
  for (const bad of [
    '',
    'garbage',
    `00-${TID}-${SID}`,
    `00-${TID}-${SID}-01-extra`, // version 00 has exactly four fields
    `ff-${TID}-${SID}-01`,
    `00-${'0'.repeat(32)}-${SID}-01`,
    `00-${TID}-${'0'.repeat(16)}-01`,
    `00-${TID.toUpperCase()}-${SID}-01`,
    `00-${TID.slice(1)}-${SID}-01`,
    `00-${TID}-${SID}-1`,
    `0g-${TID}-${SID}-01`,
  ]) {
    assert.equal(parseTraceparent(bad), null, bad);
  }
  assert.equal(parseTraceparent(undefined), null);
});

test('formatting round-trips and refuses invalid ids', () => {
  const s = formatTraceparent(TID, SID, 1);
  assert.equal(s, `00-${TID}-${SID}-01`);
  assert.deepEqual(parseTraceparent(s), { version: '00', traceId: TID, parentId: SID, traceFlags: 1 });
  assert.ok(isSampled(1));
  assert.ok(!isSampled(0));
  assert.throws(() => formatTraceparent('0'.repeat(32), SID, 1));
  assert.throws(() => formatTraceparent(TID, 'xyz', 1));
});

test('exporter endpoint: explicit options win, then the standard env vars; none -> no export', () => {
  assert.equal(resolveExporterConfig({}, {}).url, null);
  assert.equal(resolveExporterConfig({}, {}).source, 'none');
  assert.equal(resolveExporterConfig({}, {}).serviceName, DEFAULT_SERVICE_NAME);

  const base = resolveExporterConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
  assert.equal(base.url, 'http://collector:4318/v1/traces');
  assert.equal(base.source, 'env:OTEL_EXPORTER_OTLP_ENDPOINT');
  assert.equal(resolveExporterConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/prefix/' }).url, 'http://c:4318/prefix/v1/traces');

  const specific = resolveExporterConfig({}, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom/path',
  });
  assert.equal(specific.url, 'http://tempo:4318/custom/path');
  assert.equal(specific.source, 'env:OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');

  const explicit = resolveExporterConfig({ endpoint: 'http://launch:4318' }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env:4318/v1/traces' });
  assert.equal(explicit.url, 'http://launch:4318/v1/traces');
  assert.equal(resolveExporterConfig({ tracesEndpoint: 'http://x/traces', endpoint: 'http://y' }, {}).url, 'http://x/traces');

  // Disabled by env unless an explicit option says otherwise.
  assert.equal(resolveExporterConfig({}, { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).url, null);
  assert.equal(resolveExporterConfig({}, { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).source, 'disabled');

  const bad = resolveExporterConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' });
  assert.equal(bad.url, null);
  assert.equal(bad.warnings.length, 1);
  assert.match(resolveExporterConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).warnings[0], /not supported/);
  assert.equal(appendTracesPath('http://h:4318'), 'http://h:4318/v1/traces');
});

test('service name, headers, resource attributes and timeout from env and options', () => {
  const c = resolveExporterConfig(
    { headers: { 'x-b': 'option' } },
    {
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-a=1,x-b=env,authorization=Bearer%20tok',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-c=3',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci,service.name=ignored',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1234',
    },
  );
  assert.equal(c.serviceName, 'checkout');
  assert.deepEqual(c.headers, { 'x-a': '1', 'x-b': 'option', authorization: 'Bearer tok', 'x-c': '3' });
  assert.equal(c.resourceAttributes['deployment.environment'], 'ci');
  assert.equal(c.timeoutMs, 1234);
  assert.equal(resolveExporterConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).serviceName, 'from-attrs');
  assert.equal(resolveExporterConfig({ serviceName: 'opt' }, { OTEL_SERVICE_NAME: 'env' }).serviceName, 'opt');
});
