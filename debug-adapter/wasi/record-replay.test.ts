// Record and replay: a recorded session replays without touching the file system, writing the
// same bytes into guest memory, producing the same output and the same events; a guest that
// behaves differently is stopped at the first differing call with what was expected and what came.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GuestHarness } from './guest-harness';
import { E, OFLAGS } from './wasi-abi';
import { Recorder, Replayer, ReplayDivergenceError, type Divergence } from './record-replay';
import { spyFs } from './fs-spy';
import { plainJson } from './json-lines';
import type { WasiHostOptions } from './wasi-host';

let dir: string;
let data: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-rr-'));
  data = path.join(dir, 'data');
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, 'in.txt'), 'recorded input');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Trace {
  results: Array<number | string>;
  memory: Uint8Array;
  stdout: string;
  events: string[];
}

/** A session touching files, stdout, clocks and random; `tweak` changes one thing for divergence tests. */
function script(g: GuestHarness, tweak: 'none' | 'args' | 'path' | 'func' | 'extra' | 'short' = 'none'): Trace {
  const results: Array<number | string> = [];
  const r = g.open(3, 'in.txt');
  results.push(r.errno, r.fd);
  const text = g.readAll(r.fd);
  results.push(text.errno, text.text);
  g.call('fd_close', r.fd);
  results.push(g.create(3, tweak === 'path' ? 'out.tx2' : 'out.txt', 'written'));
  const t = g.alloc(8);
  results.push(tweak === 'func' ? g.call('clock_res_get', 1, t) : g.call('clock_time_get', 1, 0n, t), String(g.u64(t)));
  const rnd = g.alloc(16);
  results.push(g.call('random_get', rnd, tweak === 'args' ? 8 : 16));
  if (tweak !== 'short') results.push(g.write(1, `the time is ${g.u64(t)}\n`).errno);
  if (tweak === 'extra') results.push(g.call('sched_yield'));
  results.push(g.stat(3, 'out.txt').errno, g.open(3, '../escape').errno);
  return {
    results,
    memory: g.u8.slice(0, 8192),
    stdout: Buffer.concat(g.stdout).toString(),
    events: g.events.map((e) => plainJson(e)),
  };
}

function recordSession(file: string): Trace {
  fs.rmSync(path.join(data, 'out.txt'), { force: true });
  const g = new GuestHarness({ preopens: [{ hostPath: data, guestPath: '/data', mode: 'rw' }], record: new Recorder(file) });
  const t = script(g);
  g.host.finish(0);
  return t;
}

function replayer(file: string, o: Partial<WasiHostOptions> = {}): GuestHarness {
  // No preopens at all: a replay must not need the host's file system.
  return new GuestHarness({ replay: new Replayer(file), ...o });
}

test('a replay reproduces results, memory, output and events without touching the file system', () => {
  const file = path.join(dir, 'session.rec');
  const live = recordSession(file);
  assert.equal(live.results[3], 'recorded input');
  assert.ok(live.stdout.startsWith('the time is '));
  fs.rmSync(data, { recursive: true }); // the data is gone: the replay must not care
  const spy = spyFs();
  let again: Trace;
  try {
    const g = replayer(file);
    again = script(g);
    g.host.finish(0);
  } finally {
    spy.stop();
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'in.txt'), 'recorded input');
  }
  assert.deepEqual(spy.accesses.filter((a) => !a.path.endsWith('.rec')), [], 'replay touched the file system');
  assert.deepEqual(again.results, live.results);
  assert.deepEqual(again.memory, live.memory);
  assert.equal(again.stdout, live.stdout);
  assert.deepEqual(again.events, live.events);
});

function divergence(tweak: 'args' | 'path' | 'func' | 'extra' | 'short'): Divergence {
  const file = path.join(dir, `div-${tweak}.rec`);
  recordSession(file);
  const g = replayer(file);
  try {
    script(g, tweak);
    g.host.finish(0);
  } catch (e) {
    assert.ok(e instanceof ReplayDivergenceError, String(e));
    assert.equal(g.host.divergence, e.divergence);
    return e.divergence;
  }
  assert.fail('no divergence reported');
}

test('different arguments: the first differing call is reported with expected and actual', () => {
  const d = divergence('args');
  assert.equal(d.func, 'random_get');
  assert.equal(d.what, 'arguments');
  assert.equal((d.expected as number[])[1], 16);
  assert.equal((d.actual as number[])[1], 8);
  assert.ok(d.seq > 1);
});

test('a different path (same pointer and length) is an input divergence', () => {
  const d = divergence('path');
  assert.equal(d.func, 'path_open');
  assert.equal(d.what, 'inputs');
});

test('a different function, an extra call and a missing call are reported', () => {
  const f = divergence('func');
  assert.deepEqual([f.what, f.expected, f.actual], ['function', 'clock_time_get', 'clock_res_get']);
  const x = divergence('extra');
  assert.deepEqual([x.what, x.func], ['function', 'sched_yield']);
  const s = divergence('short');
  assert.deepEqual([s.what, s.expected], ['function', 'fd_write']);
});

test('a run that ends early, and fuel that differs, are divergences too', () => {
  const file = path.join(dir, 'fuel.rec');
  let fuel = 100n;
  const g = new GuestHarness({ preopens: [{ hostPath: data, guestPath: '/data', mode: 'rw' }], record: new Recorder(file), fuel: () => fuel++ });
  g.call('sched_yield');
  g.call('sched_yield');
  g.host.finish(0);
  const early = new GuestHarness({ replay: new Replayer(file), fuel: () => 100n });
  early.call('sched_yield');
  assert.throws(() => early.host.finish(0), (e: unknown) => e instanceof ReplayDivergenceError && e.divergence.what === 'missing-calls');
  let f2 = 100n;
  const wrongFuel = new GuestHarness({ replay: new Replayer(file), fuel: () => (f2 += 7n) });
  assert.throws(() => wrongFuel.call('sched_yield'), (e: unknown) => e instanceof ReplayDivergenceError && e.divergence.what === 'fuel' && e.divergence.expected === 100n);
});

test('proc_exit is replayed as an exit with the recorded code', () => {
  const file = path.join(dir, 'exit.rec');
  const g = new GuestHarness({ record: new Recorder(file) });
  assert.throws(() => g.call('proc_exit', 7), (e: unknown) => (e as { code?: number }).code === 7);
  g.host.finish(7);
  const r = new GuestHarness({ replay: new Replayer(file) });
  assert.throws(() => r.call('proc_exit', 7), (e: unknown) => (e as { code?: number }).code === 7);
  assert.equal(r.lastCapability().func, 'proc_exit');
  assert.equal(r.lastCapability().errno, E.SUCCESS);
  assert.ok(OFLAGS.CREAT);
});
