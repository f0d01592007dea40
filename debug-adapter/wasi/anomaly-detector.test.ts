// Baselines and anomalies: a baseline built from a known-good run; a live run raising new-path,
// new-capability, rate-burst and outside-policy anomalies with their evidence; the drift report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnomalyEvent } from '../runtime/events';
import { GuestHarness } from './guest-harness';
import { buildBaseline, compareToBaseline, loadBaseline, saveBaseline, type Baseline } from './anomaly-detector';
import { E } from './wasi-abi';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-anomaly-'));
  fs.writeFileSync(path.join(dir, 'config.txt'), 'cfg');
  fs.writeFileSync(path.join(dir, 'other.txt'), 'x');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const preopens = (): Array<{ hostPath: string; guestPath: string; mode: 'rw' }> => [{ hostPath: dir, guestPath: '/app', mode: 'rw' }];

/** The known-good behaviour: read the config, print a few lines. */
function normalRun(g: GuestHarness, fuel: { v: bigint }): void {
  const r = g.open(3, 'config.txt');
  g.readAll(r.fd);
  g.call('fd_close', r.fd);
  for (let i = 0; i < 5; i++) {
    fuel.v += 400_000n;
    g.write(1, `line ${i}\n`);
  }
}

function baseline(): Baseline {
  const fuel = { v: 0n };
  const g = new GuestHarness({ preopens: preopens(), fuel: () => fuel.v });
  normalRun(g, fuel);
  g.host.finish(0);
  return buildBaseline(g.events);
}

test('a baseline summarises functions, paths and rate, and round-trips through JSON', () => {
  const b = baseline();
  assert.deepEqual(b.functions, { fd_close: 1, fd_read: 1, fd_write: 5, path_open: 1 });
  assert.deepEqual(b.paths, ['/app/config.txt']);
  assert.equal(b.rate.window.unit, 'fuel');
  assert.ok(b.rate.maxCallsPerWindow >= 3);
  const f = path.join(dir, 'baseline.json');
  saveBaseline(f, b);
  assert.deepEqual(loadBaseline(f), b);
});

test('the same behaviour raises no anomaly', () => {
  const fuel = { v: 0n };
  const g = new GuestHarness({ preopens: preopens(), fuel: () => fuel.v, baseline: baseline() });
  normalRun(g, fuel);
  assert.deepEqual(g.events.filter((e) => e.kind === 'anomaly'), []);
});

test('a new path, a new function and a burst are raised live, with evidence', () => {
  const fuel = { v: 0n };
  const b = baseline();
  const g = new GuestHarness({ preopens: preopens(), fuel: () => fuel.v, baseline: b, anomaly: { burstFactor: 10, minBurstCalls: 20 } });
  normalRun(g, fuel);
  assert.equal(g.open(3, 'other.txt').errno, E.SUCCESS);
  const [p, l] = g.bytes('config.txt');
  g.call('path_unlink_file', 3, p, l);
  for (let i = 0; i < 300; i++) g.write(1, 'x'); // 300 calls in one fuel window
  const anomalies = g.events.filter((e): e is AnomalyEvent => e.kind === 'anomaly');
  const kinds = anomalies.map((a) => a.anomaly);
  assert.deepEqual(kinds, ['new-path', 'new-capability', 'rate-burst']);
  const newPath = anomalies[0];
  assert.equal(newPath.evidence.path, '/app/other.txt');
  assert.equal(newPath.evidence.func, 'path_open');
  const newCap = anomalies[1];
  assert.equal(newCap.evidence.func, 'path_unlink_file');
  const burst = anomalies[2];
  assert.equal(burst.evidence.baselineMaxCallsPerWindow, b.rate.maxCallsPerWindow);
  assert.ok(Number(burst.evidence.calls) > Number(burst.evidence.threshold));
  // Each anomaly points at the capability event that raised it.
  const seqs = new Set(g.capabilities().map((c) => c.seq));
  assert.ok(anomalies.every((a) => seqs.has(a.capabilitySeq)));
});

test('the drift report lists what changed', () => {
  const b = baseline();
  const fuel = { v: 0n };
  const g = new GuestHarness({ preopens: preopens(), fuel: () => fuel.v });
  const r = g.open(3, 'other.txt');
  g.readAll(r.fd);
  for (let i = 0; i < 20; i++) g.write(1, 'y');
  const d = compareToBaseline(b, g.events);
  assert.equal(d.drift, true);
  assert.deepEqual(d.missingFunctions.map((f) => f.name), ['fd_close']);
  assert.deepEqual(d.newPaths, ['/app/other.txt']);
  assert.deepEqual(d.missingPaths, ['/app/config.txt']);
  assert.deepEqual(d.changedCounts.map((c) => [c.name, c.current]), [['fd_write', 20]]);
  assert.ok(d.summary.some((s) => s.includes('fd_write: 5 -> 20')));
  assert.equal(compareToBaseline(b, b).drift, false);
});
