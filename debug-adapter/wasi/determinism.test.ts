// Deterministic mode: virtual clocks that advance with fuel (and a tick per read, and sleeps),
// seeded random, and file identities (dev, ino, times) that are the same over two fresh copies
// of the same tree, so two runs give the same answers and the same audit trail.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GuestHarness } from './guest-harness';
import { E, OFLAGS } from './wasi-abi';
import { DEFAULT_EPOCH_NS } from './clocks';
import { plainJson } from './json-lines';
import type { WasiHostOptions } from './wasi-host';

const dirs: string[] = [];
const harnesses: GuestHarness[] = [];
afterEach(() => {
  for (const g of harnesses.splice(0)) g.host.finish(0);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tree(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-det-'));
  dirs.push(d);
  fs.mkdirSync(path.join(d, 'sub'));
  fs.writeFileSync(path.join(d, 'b.txt'), 'bbb');
  fs.writeFileSync(path.join(d, 'a.txt'), 'a');
  fs.writeFileSync(path.join(d, 'sub', 'c.txt'), 'cc');
  return d;
}

function guest(o: Partial<WasiHostOptions>): GuestHarness {
  const g = new GuestHarness(o);
  harnesses.push(g);
  return g;
}

function clock(g: GuestHarness, id: number): bigint {
  const p = g.alloc(8);
  assert.equal(g.call('clock_time_get', id, 0n, p), E.SUCCESS);
  return g.u64(p);
}

test('virtual clocks advance with fuel, one microsecond per read, and sleeps', () => {
  let fuel = 0n;
  const g = guest({ deterministic: { seed: 1 }, fuel: () => fuel });
  assert.equal(clock(g, 1), 1000n);
  assert.equal(clock(g, 1), 2000n);
  fuel = 5000n;
  assert.equal(clock(g, 1), 5000n + 3000n);
  assert.equal(clock(g, 0), DEFAULT_EPOCH_NS + 5000n + 4000n);
  // A 1 ms sleep through poll_oneoff returns at once and moves the clock by 1 ms.
  const sub = g.alloc(48);
  const dv = new DataView(g.memory.buffer);
  dv.setUint32(sub + 16, 1, true);
  dv.setBigUint64(sub + 24, 1_000_000n, true);
  const n = g.alloc(4);
  assert.equal(g.call('poll_oneoff', sub, g.alloc(32), 1, n), E.SUCCESS);
  assert.equal(g.u32(n), 1);
  assert.equal(clock(g, 1), 5000n + 6000n + 1_000_000n);
  const ev = g.capabilities();
  assert.ok(ev.every((e) => e.durationUs === 0));
});

test('seeded random: same seed, same bytes; another seed, other bytes', () => {
  const bytes = (seed: number): Uint8Array => {
    const g = guest({ deterministic: { seed } });
    const p = g.alloc(64);
    assert.equal(g.call('random_get', p, 64), E.SUCCESS);
    return g.read(p, 64);
  };
  assert.deepEqual(bytes(42), bytes(42));
  assert.notDeepEqual(bytes(42), bytes(43));
  assert.ok(bytes(0).some((b) => b !== 0));
});

/** A little file-system session, returning everything the guest could observe. */
function session(root: string): string[] {
  const g = guest({ deterministic: { seed: 9 }, preopens: [{ hostPath: root, guestPath: '/d', mode: 'rw' }] });
  const seen: string[] = [];
  for (const p of ['a.txt', 'b.txt', 'sub', 'sub/c.txt']) {
    const s = g.stat(3, p);
    seen.push(`${p} ino=${s.ino} mtim=${s.mtim} size=${s.size}`);
  }
  assert.equal(g.create(3, 'new.txt', 'created'), E.SUCCESS);
  const s = g.stat(3, 'new.txt');
  seen.push(`new.txt ino=${s.ino} mtim=${s.mtim}`);
  const dir = g.open(3, '.', { oflags: OFLAGS.DIRECTORY, base: 1n << 14n });
  const buf = g.alloc(512);
  const used = g.alloc(4);
  assert.equal(g.call('fd_readdir', dir.fd, buf, 512, 0n, used), E.SUCCESS);
  const raw = g.read(buf, g.u32(used));
  const dv = new DataView(raw.buffer);
  for (let o = 0; o + 24 <= raw.length; ) {
    const len = dv.getUint32(o + 16, true);
    seen.push(`dirent ${new TextDecoder().decode(raw.subarray(o + 24, o + 24 + len))} ino=${dv.getBigUint64(o + 8, true)} next=${dv.getBigUint64(o, true)}`);
    o += 24 + len;
  }
  seen.push(...g.events.map((e) => plainJson(e)));
  return seen;
}

test('two fresh copies of a tree look identical to the guest, audit trail included', () => {
  const one = session(tree());
  const two = session(tree());
  assert.deepEqual(one, two);
  assert.ok(one.includes(`a.txt ino=1 mtim=${DEFAULT_EPOCH_NS} size=1`), one.join('\n'));
  const names = one.filter((l) => l.startsWith('dirent')).map((l) => l.split(' ')[1]);
  assert.deepEqual(names, ['.', '..', 'a.txt', 'b.txt', 'new.txt', 'sub'], 'readdir is sorted');
  const created = one.find((l) => l.startsWith('new.txt')) as string;
  assert.ok(!created.includes(`mtim=${DEFAULT_EPOCH_NS}`), 'a created file carries the virtual time of its creation');
});

test('live mode reports the host identity, and exact nanoseconds the guest set', () => {
  const root = tree();
  const g = guest({ preopens: [{ hostPath: root, guestPath: '/d', mode: 'rw' }] });
  const real = fs.statSync(path.join(root, 'a.txt'), { bigint: true });
  const s = g.stat(3, 'a.txt');
  assert.equal(s.ino, real.ino);
  const [p, l] = g.bytes('a.txt');
  const want = 1_234_567_890_123_456_789n;
  assert.equal(g.call('path_filestat_set_times', 3, 0, p, l, 0n, want, 4), E.SUCCESS);
  assert.equal(g.stat(3, 'a.txt').mtim, want, 'exact to the nanosecond (Node alone would round)');
});
