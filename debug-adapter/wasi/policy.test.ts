// The capability policy: read-only preopens, the environment allow-list, clocks, random, stdin and
// sockets. A denied call answers ENOTCAPABLE, is marked `denied` in its capability event, raises a
// capability-denied security event, and changes nothing else.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALL, GuestHarness } from './guest-harness';
import { E, OFLAGS } from './wasi-abi';
import type { WasiHostOptions } from './wasi-host';
import { plainJson } from './json-lines';

let root: string;
let harnesses: GuestHarness[] = [];

function guest(o: Partial<WasiHostOptions>): GuestHarness {
  const g = new GuestHarness(o);
  harnesses.push(g);
  return g;
}

function snapshot(dir: string): string {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(d, e.name);
      return e.isDirectory() ? [`${p}/`, ...walk(p)] : [`${p}=${fs.readFileSync(p, 'utf8')}`];
    });
  return walk(dir).sort().join('\n');
}

function assertDenied(g: GuestHarness, errno: number): void {
  assert.equal(errno, E.NOTCAPABLE);
  const ev = g.lastCapability();
  assert.equal(ev.denied, true, `${ev.func} marked denied`);
  assert.equal(ev.errnoName, 'ENOTCAPABLE');
  const sec = g.lastSecurity();
  assert.equal(sec.length, 1);
  assert.equal(sec[0].reason, 'capability-denied');
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-policy-'));
  fs.mkdirSync(path.join(root, 'ro', 'sub'), { recursive: true });
  fs.mkdirSync(path.join(root, 'rw'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ro', 'data.txt'), 'read me');
});

afterEach(() => {
  for (const g of harnesses) g.host.finish(0);
  harnesses = [];
  fs.rmSync(root, { recursive: true, force: true });
});

describe('read-only preopens', () => {
  const opts = (): Partial<WasiHostOptions> => ({
    preopens: [
      { hostPath: path.join(root, 'ro'), guestPath: '/ro', mode: 'ro' },
      { hostPath: path.join(root, 'rw'), guestPath: '/rw', mode: 'rw' },
    ],
  });

  test('reading works; every write-like call is denied and nothing changes', () => {
    const g = guest(opts());
    const before = snapshot(root);
    const r = g.open(3, 'data.txt');
    assert.equal(r.errno, E.SUCCESS);
    assert.equal(g.readAll(r.fd).text, 'read me');
    assertDenied(g, g.write(r.fd, 'overwrite').errno);
    assertDenied(g, g.open(3, 'new.txt', { oflags: OFLAGS.CREAT }).errno);
    assertDenied(g, g.open(3, 'data.txt', { oflags: OFLAGS.TRUNC }).errno);
    assertDenied(g, g.pathCall('path_create_directory', 3, 'newdir'));
    assertDenied(g, g.pathCall('path_unlink_file', 3, 'data.txt'));
    assertDenied(g, g.pathCall('path_remove_directory', 3, 'sub'));
    assertDenied(g, g.symlink('data.txt', 3, 'link'));
    assertDenied(g, g.rename(3, 'data.txt', 3, 'moved.txt'));
    // Moving or linking a read-only file into the writable preopen would let it be changed there.
    assertDenied(g, g.rename(3, 'data.txt', 4, 'stolen.txt'));
    assertDenied(g, g.link(3, 'data.txt', 4, 'hard.txt'));
    assertDenied(g, g.call('fd_filestat_set_size', r.fd, 0n));
    assertDenied(g, g.call('fd_allocate', r.fd, 0n, 100n));
    const [p, l] = g.bytes('data.txt');
    assertDenied(g, g.call('path_filestat_set_times', 3, 0, p, l, 0n, 0n, 1 | 4));
    // A subdirectory opened under a read-only preopen inherits the restriction.
    const sub = g.open(3, 'sub', { oflags: OFLAGS.DIRECTORY, base: ALL & ~(1n << 6n) });
    assert.equal(sub.errno, E.SUCCESS);
    assertDenied(g, g.open(sub.fd, 'x', { oflags: OFLAGS.CREAT }).errno);
    assert.equal(snapshot(root), before, 'the file system is unchanged');
    // The writable preopen still works.
    assert.equal(g.create(4, 'ok.txt', 'fine'), E.SUCCESS);
    assert.equal(fs.readFileSync(path.join(root, 'rw', 'ok.txt'), 'utf8'), 'fine');
  });

  test('fdstat shows the withheld rights', () => {
    const g = guest(opts());
    const buf = g.alloc(24);
    assert.equal(g.call('fd_fdstat_get', 3, buf), E.SUCCESS);
    const base = g.u64(buf + 8);
    assert.equal(base & (1n << 10n), 0n, 'no PATH_CREATE_FILE');
    assert.notEqual(base & (1n << 13n), 0n, 'PATH_OPEN');
    assert.equal(g.u64(buf + 16) & (1n << 6n), 0n, 'FD_WRITE not inheritable');
  });
});

describe('environment, clocks, random, stdin, sockets', () => {
  test('environment variables outside the allow-list are invisible', () => {
    const g = guest({ env: { HOME: '/home/u', SECRET_TOKEN: 'hunter2', LANG: 'C' }, policy: { env: ['HOME', 'LANG'] } });
    const count = g.alloc(4);
    const size = g.alloc(4);
    assert.equal(g.call('environ_sizes_get', count, size), E.SUCCESS);
    assert.equal(g.u32(count), 2);
    const ptrs = g.alloc(8);
    const buf = g.alloc(g.u32(size), 1);
    assert.equal(g.call('environ_get', ptrs, buf), E.SUCCESS);
    const text = new TextDecoder().decode(g.read(buf, g.u32(size)));
    assert.equal(text, 'HOME=/home/u\0LANG=C\0');
    const ev = g.lastCapability();
    assert.deepEqual(ev.results.environ, ['HOME', 'LANG']);
    assert.deepEqual(ev.results.withheld, ['SECRET_TOKEN']);
    assert.ok(!g.events.some((e) => plainJson(e).includes('hunter2')), 'values never reach the trail');
  });

  test('clocks denied', () => {
    const g = guest({ policy: { clocks: false } });
    const out = g.alloc(8);
    g.u8.fill(0xaa, out, out + 8);
    assertDenied(g, g.call('clock_time_get', 1, 0n, out));
    assertDenied(g, g.call('clock_res_get', 0, out));
    assert.equal(g.u64(out), 0xaaaaaaaaaaaaaaaan, 'nothing written');
    // poll_oneoff on a clock: the subscription's event carries ENOTCAPABLE.
    const sub = g.alloc(48);
    new DataView(g.memory.buffer).setBigUint64(sub + 24, 1000n, true);
    const evs = g.alloc(32);
    const n = g.alloc(4);
    assert.equal(g.call('poll_oneoff', sub, evs, 1, n), E.SUCCESS);
    assert.equal(new DataView(g.memory.buffer).getUint16(evs + 8, true), E.NOTCAPABLE);
    assert.equal(g.lastSecurity()[0].reason, 'capability-denied');
  });

  test('random denied', () => {
    const g = guest({ policy: { random: false } });
    const buf = g.alloc(32);
    assertDenied(g, g.call('random_get', buf, 32));
    assert.ok(g.read(buf, 32).every((b) => b === 0));
  });

  test('stdin denied', () => {
    const g = guest({ policy: { stdin: false }, stdin: new TextEncoder().encode('typed input') });
    const { iovs } = g.iovec(64);
    const n = g.alloc(4);
    assertDenied(g, g.call('fd_read', 0, iovs, 1, n));
    // Allowed, the same input is read.
    const g2 = guest({ stdin: new TextEncoder().encode('typed input') });
    assert.equal(g2.readAll(0).text, 'typed input');
    assert.equal(g2.readAll(0).text, '', 'then end of input');
  });

  test('sockets: ENOTSOCK on ordinary fds, ENOTCAPABLE when the policy denies them', () => {
    const g = guest({});
    assert.equal(g.call('sock_shutdown', 1, 1), E.NOTSOCK);
    assert.equal(g.call('sock_shutdown', 9, 1), E.BADF);
    const g2 = guest({ policy: { sockets: false } });
    assertDenied(g2, g2.call('sock_send', 1, 0, 0, 0, 0));
    assertDenied(g2, g2.call('sock_accept', 1, 0, 0));
  });

  test('a denial is an outside-policy anomaly (once per function)', () => {
    const g = guest({ policy: { random: false } });
    const buf = g.alloc(8);
    g.call('random_get', buf, 8);
    g.call('random_get', buf, 8);
    const anomalies = g.events.filter((e) => e.kind === 'anomaly');
    assert.equal(anomalies.length, 1);
    assert.equal(anomalies[0].kind === 'anomaly' && anomalies[0].anomaly, 'outside-policy');
  });
});
