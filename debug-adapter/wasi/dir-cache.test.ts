// The walked-directory cache (procfs backend): reused across calls, dropped when the guest renames
// or removes what it holds, refused when the host changed the parent under it (a directory swapped
// for a symlink, moved out of the preopen, renamed), never leading outside the preopen, capped,
// and closed with the host (no fd left open).
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALL, GuestHarness } from './guest-harness';
import { E, OFLAGS } from './wasi-abi';
import { spyFs, outside, type FsAccess } from './fs-spy';
import { Sandbox } from './sandbox-resolver';
import { MAX_ENTRIES } from './dir-cache';

const PRE = 3;

function openFds(): Set<string> {
  return new Set(fs.readdirSync('/proc/self/fd'));
}

describe('walked-directory cache (procfs backend)', { skip: !Sandbox.procfsWorks() && 'needs Linux /proc' }, () => {
  let root: string;
  let box: string;
  let out: string;
  let g: GuestHarness;

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-dircache-')));
    box = path.join(root, 'sandbox');
    out = path.join(root, 'outside');
    fs.mkdirSync(path.join(box, 'd', 'deep'), { recursive: true });
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(box, 'd', 'a.txt'), 'A');
    fs.writeFileSync(path.join(box, 'd', 'b.txt'), 'B');
    fs.writeFileSync(path.join(box, 'd', 'deep', 'c.txt'), 'C');
    fs.writeFileSync(path.join(out, 'a.txt'), 'SECRET');
    g = new GuestHarness({ preopens: [{ hostPath: box, guestPath: '/sandbox', mode: 'rw' }], sandbox: 'procfs' }, 16);
  });

  afterEach(() => {
    g.host.finish(0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  const stats = (): { hits: number; misses: number; stale: number; open: number } => {
    const s = g.host.dirCacheStats;
    assert.ok(s, 'the procfs backend has a cache');
    return { hits: s.hits, misses: s.misses, stale: s.stale, open: s.open };
  };
  /** The guest's own changes drop the entries they touch at once (not left to the parent check). */
  const droppedNotStale = (): void => {
    const s = g.host.dirCacheStats!;
    assert.ok(s.dropped >= 1, 'dropped');
    assert.equal(s.stale, 0, 'never met stale');
  };

  function watched<T>(fn: () => T): { result: T; accesses: FsAccess[] } {
    const spy = spyFs();
    try {
      return { result: fn(), accesses: spy.accesses };
    } finally {
      spy.stop();
    }
  }

  function readText(p: string): { errno: number; text: string } {
    const r = g.open(PRE, p);
    if (r.errno !== E.SUCCESS) return { errno: r.errno, text: '' };
    const t = g.readAll(r.fd);
    g.call('fd_close', r.fd);
    return t;
  }

  test('a directory walked once is reused by the next calls: no reopen of it', () => {
    assert.equal(g.stat(PRE, 'd/a.txt').errno, E.SUCCESS);
    assert.deepEqual(stats(), { hits: 0, misses: 1, stale: 0, open: 1 });
    const { accesses } = watched(() => {
      assert.equal(g.stat(PRE, 'd/b.txt').errno, E.SUCCESS);
      assert.equal(readText('d/a.txt').text, 'A');
      assert.equal(g.create(PRE, 'd/new.txt', 'N'), E.SUCCESS);
    });
    assert.deepEqual(stats(), { hits: 3, misses: 1, stale: 0, open: 1 });
    const dirOpens = accesses.filter((a) => a.fn === 'openSync' && a.path === path.join(box, 'd'));
    assert.deepEqual(dirOpens, [], 'the cached directory is not opened again');
    // Deeper: each level is an entry of its own.
    assert.equal(readText('d/deep/c.txt').text, 'C');
    assert.equal(readText('d/deep/c.txt').text, 'C');
    assert.equal(stats().open, 2);
  });

  test('the guest renaming a cached directory: the old name is gone, the new one works', () => {
    assert.equal(readText('d/a.txt').text, 'A');
    assert.equal(g.rename(PRE, 'd', PRE, 'moved'), E.SUCCESS);
    assert.equal(readText('d/a.txt').errno, E.NOENT);
    droppedNotStale();
    assert.equal(readText('moved/a.txt').text, 'A');
    assert.equal(g.pathCall('path_create_directory', PRE, 'd'), E.SUCCESS);
    assert.equal(g.create(PRE, 'd/fresh.txt', 'F'), E.SUCCESS);
    assert.equal(fs.readFileSync(path.join(box, 'd', 'fresh.txt'), 'utf8'), 'F');
    assert.deepEqual(fs.readdirSync(path.join(box, 'moved')).sort(), ['a.txt', 'b.txt', 'deep']);
  });

  test('the guest removing and recreating a cached directory: new files land in the new one', () => {
    for (let round = 0; round < 3; round++) {
      assert.equal(g.pathCall('path_create_directory', PRE, 'r'), E.SUCCESS);
      for (const f of ['x', 'y', 'z']) assert.equal(g.create(PRE, `r/${f}`, `${round}${f}`), E.SUCCESS);
      assert.equal(readText('r/y').text, `${round}y`);
      for (const f of ['x', 'y', 'z']) assert.equal(g.pathCall('path_unlink_file', PRE, `r/${f}`), E.SUCCESS);
      assert.equal(g.pathCall('path_remove_directory', PRE, 'r'), E.SUCCESS);
      assert.equal(fs.existsSync(path.join(box, 'r')), false);
    }
    assert.ok(stats().hits >= 3 * 6, 'calls inside r reused its handle');
    droppedNotStale();
  });

  test('the guest replacing a cached directory with a symlink: the link is walked and checked', () => {
    fs.mkdirSync(path.join(box, 'other'));
    fs.writeFileSync(path.join(box, 'other', 'a.txt'), 'OTHER');
    assert.equal(readText('d/a.txt').text, 'A');
    assert.equal(g.rename(PRE, 'd', PRE, 'd-old'), E.SUCCESS);
    assert.equal(g.symlink('other', PRE, 'd'), E.SUCCESS);
    assert.equal(readText('d/a.txt').text, 'OTHER');
    droppedNotStale();
  });

  test('a cached directory swapped for an outward symlink by the host between calls: refused, nothing outside touched', () => {
    assert.equal(readText('d/a.txt').text, 'A');
    fs.renameSync(path.join(box, 'd'), path.join(box, 'd-old'));
    fs.symlinkSync(out, path.join(box, 'd'));
    const { result, accesses } = watched(() => [g.open(PRE, 'd/a.txt').errno, g.stat(PRE, 'd/a.txt').errno, g.create(PRE, 'd/planted', 'x')]);
    assert.deepEqual(result, [E.NOTCAPABLE, E.NOTCAPABLE, E.NOTCAPABLE]);
    assert.ok(stats().stale >= 1, 'the entry was found and refused');
    assert.deepEqual(outside(accesses, box), []);
    assert.deepEqual(fs.readdirSync(out), ['a.txt']);
  });

  test('a cached directory moved out of the preopen by the host: the old name is gone, the moved one unreachable', () => {
    assert.equal(readText('d/a.txt').text, 'A');
    fs.renameSync(path.join(box, 'd'), path.join(out, 'd'));
    const { result, accesses } = watched(() => [g.open(PRE, 'd/a.txt').errno, g.stat(PRE, 'd/deep').errno, g.create(PRE, 'd/planted', 'x')]);
    assert.deepEqual(result, [E.NOENT, E.NOENT, E.NOENT]);
    assert.deepEqual(outside(accesses, box), []);
    assert.deepEqual(fs.readdirSync(path.join(out, 'd')).sort(), ['a.txt', 'b.txt', 'deep']);
  });

  test('a cached directory renamed by the host and replaced by another: the new one is seen', () => {
    assert.equal(readText('d/a.txt').text, 'A');
    fs.renameSync(path.join(box, 'd'), path.join(box, 'd2'));
    fs.mkdirSync(path.join(box, 'd'));
    fs.writeFileSync(path.join(box, 'd', 'a.txt'), 'NEW');
    assert.equal(readText('d/a.txt').text, 'NEW');
    assert.equal(readText('d2/a.txt').text, 'A');
  });

  test('a cached directory swapped for an outward symlink in the middle of a call: the call stays inside', () => {
    assert.equal(readText('d/a.txt').text, 'A');
    const target = path.join(box, 'd', 'planted');
    let swapped = false;
    // After the walk validated `d` (its parent's fstat), just before the final lstat through it.
    const swap = (a: FsAccess): void => {
      if (swapped || a.path !== target) return;
      swapped = true;
      fs.renameSync(path.join(box, 'd'), path.join(box, 'd-old'));
      fs.symlinkSync(out, path.join(box, 'd'));
    };
    const spy = spyFs({ before: swap });
    let r: { errno: number; fd: number };
    try {
      r = g.open(PRE, 'd/planted', { oflags: OFLAGS.CREAT });
    } finally {
      spy.stop();
    }
    assert.ok(swapped, 'the race was staged');
    // The handle is the directory object the walk met (now d-old), never the link's target.
    assert.equal(r.errno, E.SUCCESS);
    assert.ok(fs.existsSync(path.join(box, 'd-old', 'planted')));
    assert.deepEqual(fs.readdirSync(out), ['a.txt']);
    assert.deepEqual(outside(spy.accesses, box).filter((a) => a.fn !== 'readlinkSync'), []);
    // The next call sees the swap and refuses the link.
    assert.equal(g.open(PRE, 'd/a.txt').errno, E.NOTCAPABLE);
  });

  test('at most MAX_ENTRIES directories are held; evicted ones are closed', () => {
    const n = MAX_ENTRIES + 8;
    for (let i = 0; i < n; i++) fs.mkdirSync(path.join(box, 'many', `m${i}`), { recursive: true });
    const before = openFds();
    for (let i = 0; i < n; i++) assert.equal(g.create(PRE, `many/m${i}/f`, String(i)), E.SUCCESS);
    for (let i = 0; i < n; i++) assert.equal(readText(`many/m${i}/f`).text, String(i));
    const s = stats();
    assert.ok(s.open <= MAX_ENTRIES, `${s.open} held`);
    const grown = [...openFds()].filter((fd) => !before.has(fd));
    assert.ok(grown.length <= MAX_ENTRIES, `${grown.length} more fds open`);
  });

  test('a walk deeper than the cache keeps every directory it stands in open until it ends', () => {
    const depth = MAX_ENTRIES + 8;
    const chain = Array.from({ length: depth }, () => 'x').join('/');
    fs.mkdirSync(path.join(box, chain), { recursive: true });
    fs.writeFileSync(path.join(box, ...Array.from({ length: depth - 6 }, () => 'x'), 'f'), 'deep');
    // Evicts its own first entries on the way down, then climbs back through them with `..`.
    const p = `${chain}/${Array.from({ length: 6 }, () => '..').join('/')}/f`;
    assert.equal(readText(p).text, 'deep');
    assert.equal(readText(p).text, 'deep');
    assert.ok(stats().open <= MAX_ENTRIES);
  });

  test('no fd stays open after the host ends', () => {
    g.host.finish(0);
    const before = openFds();
    const h = new GuestHarness({ preopens: [{ hostPath: box, guestPath: '/sandbox', mode: 'rw' }], sandbox: 'procfs' });
    assert.equal(h.stat(PRE, 'd/a.txt').errno, E.SUCCESS);
    assert.equal(h.stat(PRE, 'd/deep/c.txt').errno, E.SUCCESS);
    const sub = h.open(PRE, 'd', { oflags: OFLAGS.DIRECTORY, base: ALL & ~(1n << 6n) });
    assert.equal(sub.errno, E.SUCCESS);
    assert.equal(h.stat(sub.fd, 'deep/c.txt').errno, E.SUCCESS);
    assert.ok(h.host.dirCacheStats!.open >= 2);
    h.host.finish(0);
    assert.equal(h.host.dirCacheStats!.open, 0);
    const leaked = [...openFds()].filter((fd) => !before.has(fd));
    assert.deepEqual(leaked, []);
  });
});
