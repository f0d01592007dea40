// PanelFeed: custom event bodies (as the adapter sends them, bigints already numbers or strings)
// become protocol messages, batched per flush, with replay for late panels bounded and honest about
// what it left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelFeed, toBaselineSummary } from './panel-feed';
import { AuditCapability, AuditSecurity, GaugesSample, MAX_AUDIT_ROWS, SessionStart, SpansTrace, type Message } from '../../webviews/shared/protocol';

type Msg = Message<string, unknown>;

function capability(seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'capability', seq, fuel: seq * 10, time: 1, module: 'wasi_snapshot_preview1', func: seq % 2 ? 'fd_write' : 'path_open',
    args: { fd: '3 (preopen /data)', guest_path: `/data/f${seq % 3}` }, results: {}, errno: seq % 5 === 0 ? 44 : 0,
    errnoName: seq % 5 === 0 ? 'ENOENT' : 'ESUCCESS', durationUs: 1, denied: false, ...extra,
  };
}

test('events are batched into protocol messages per panel', () => {
  const feed = new PanelFeed(0);
  const got: Record<string, Msg[]> = { gauges: [], audit: [], spans: [] };
  for (const v of ['gauges', 'audit', 'spans'] as const) feed.subscribe(v, (m) => got[v].push(m));
  feed.startSession({ name: 'run', program: '/x.wasm', fuelLimit: 100 });
  assert.ok(SessionStart.is(got.gauges[0]) && SessionStart.is(got.spans[0]));
  feed.onCustomEvent('wasiscope/fuel', { consumed: '9007199254740993', elapsedMs: 5 });
  feed.onCustomEvent('wasiscope/capability', capability(1));
  feed.onCustomEvent('wasiscope/capability', { kind: 'security', reason: 'sandbox-escape', message: 'climbs', capabilitySeq: 1 });
  assert.equal(feed.onCustomEvent('wasiscope/functions', {}), false);
  const sample = got.gauges.find((m) => GaugesSample.is(m));
  assert.ok(GaugesSample.is(sample));
  assert.equal(sample.params.samples[0].consumed, 9007199254740992); // a number now: display only
  const cap = got.audit.find((m) => AuditCapability.is(m));
  assert.ok(AuditCapability.is(cap));
  assert.deepEqual(cap.params.events[0].args, { fd: '3 (preopen /data)', guest_path: '/data/f1' });
  assert.ok(got.audit.some((m) => AuditSecurity.is(m) && m.params.events[0].reason === 'sandbox-escape'));
  feed.onCustomEvent('wasiscope/trace', { traceId: 't', rootSpanIds: [], startTimeUnixMs: 0, durationMs: 0, spanCount: 0, nodes: [], edges: [] });
  assert.ok(SpansTrace.is(got.spans.at(-1)));
  feed.dispose();
});

test('a batch waits for the flush interval', async () => {
  const feed = new PanelFeed(20);
  const got: Msg[] = [];
  feed.subscribe('audit', (m) => got.push(m));
  feed.startSession({ name: 'run', program: '/x.wasm' });
  const before = got.length;
  for (let i = 1; i <= 100; i++) feed.onCustomEvent('wasiscope/capability', capability(i));
  assert.equal(got.length, before, 'nothing posted before the flush');
  await new Promise((r) => setTimeout(r, 60));
  const caps = got.filter((m) => AuditCapability.is(m));
  assert.equal(caps.length, 1);
  assert.ok(AuditCapability.is(caps[0]) && caps[0].params.events.length === 100);
  feed.dispose();
});

test('replay gives a late panel the last rows and totals for the rest', () => {
  const feed = new PanelFeed(0);
  feed.startSession({ name: 'run', program: '/x.wasm' });
  const n = MAX_AUDIT_ROWS + 500;
  for (let i = 1; i <= n; i++) feed.onCustomEvent('wasiscope/capability', capability(i));
  feed.setStatus({ status: 'exited', exitCode: 0 });
  const replay = feed.replay('audit');
  assert.ok(SessionStart.is(replay[0]));
  const cap = replay.find((m) => AuditCapability.is(m));
  assert.ok(AuditCapability.is(cap));
  assert.equal(cap.params.events.length, MAX_AUDIT_ROWS);
  assert.equal(cap.params.events[0].seq, 501);
  assert.equal(cap.params.earlier?.calls, 500);
  assert.equal(cap.params.earlier?.failed, 100); // every fifth call failed
  assert.equal((cap.params.earlier?.functions.fd_write ?? 0) + (cap.params.earlier?.functions.path_open ?? 0), 500);
  assert.deepEqual(cap.params.earlier?.paths, ['/data/f0', '/data/f1', '/data/f2']);
  assert.deepEqual(replay.at(-1), { method: 'session/status', params: { status: 'exited', exitCode: 0 } });
  assert.deepEqual(new PanelFeed().replay('gauges'), [], 'no session, nothing to replay');
});

test('a baseline file is summarised, anything else is not a baseline', () => {
  const b = toBaselineSummary('b.json', { format: 'wasiscope-baseline', version: 1, calls: 3, functions: { fd_write: 3 }, paths: ['/a'], denied: 0, fuel: '10' });
  assert.deepEqual(b, { source: 'b.json', calls: 3, functions: { fd_write: 3 }, paths: ['/a'] });
  assert.equal(toBaselineSummary('x.json', { hello: 1 }), null);
});
