// Malformed calls: out-of-bounds pointers, bad iovecs, huge lengths, negative or overflowing
// offsets. The host answers EFAULT/EINVAL/EOVERFLOW and never lets an exception out; a fuzz pass
// over every function with hostile arguments checks that, and that it never touches anything
// outside the preopen while doing so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GuestHarness } from './guest-harness';
import { E, OFLAGS, WASI_FUNCTIONS, type WasiFunctionName } from './wasi-abi';
import { ProcExit } from './wasi-error';
import { SeededRandom } from './seeded-random';
import { outside, spyFs } from './fs-spy';

let root: string;
let g: GuestHarness;

before(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-malformed-')));
  fs.writeFileSync(path.join(root, 'f.txt'), 'hello world');
  g = new GuestHarness({ preopens: [{ hostPath: root, guestPath: '/w', mode: 'rw' }] }, 8);
});

after(() => {
  g.host.finish(0);
  fs.rmSync(root, { recursive: true, force: true });
});

const SIZE = (): number => g.memory.buffer.byteLength;

test('out-of-bounds pointers are EFAULT with a memory-fault event', () => {
  assert.equal(g.call('fd_write', 1, SIZE() - 4, 1, 0), E.FAULT);
  assert.equal(g.lastSecurity()[0].reason, 'memory-fault');
  const { iovs } = g.iovec('x');
  assert.equal(g.call('fd_write', 1, iovs, 1, SIZE()), E.FAULT, 'nwritten pointer past the end');
  assert.equal(g.stdout.length, 0, 'no output before the result pointer was checked');
  // An iovec whose buffer runs past the end.
  const bad = g.alloc(8);
  g.setU32(bad, SIZE() - 2);
  g.setU32(bad + 4, 16);
  assert.equal(g.call('fd_write', 1, bad, 1, g.alloc(4)), E.FAULT);
  assert.equal(g.call('random_get', 16, 0xffffffff), E.FAULT, 'huge length');
  assert.equal(g.call('args_get', SIZE(), 0), E.FAULT);
  assert.equal(g.call('clock_time_get', 0, 0n, SIZE() - 7), E.FAULT);
  assert.equal(g.call('path_open', 3, 0, SIZE() - 1, 10, 0, 0n, 0n, 0, g.alloc(4)), E.FAULT, 'path past the end');
  assert.equal(g.call('poll_oneoff', 0, 0, 0x10000000, g.alloc(4)), E.FAULT, 'huge subscription count');
});

test('a bad result pointer leaves no side effect behind', () => {
  const r = g.open(3, 'f.txt', {});
  assert.equal(r.errno, E.SUCCESS);
  const { iovs } = g.iovec(5);
  assert.equal(g.call('fd_read', r.fd, iovs, 1, SIZE()), E.FAULT);
  const tell = g.alloc(8);
  assert.equal(g.call('fd_tell', r.fd, tell), E.SUCCESS);
  assert.equal(g.u64(tell), 0n, 'the cursor did not move');
  assert.equal(g.call('path_open', 3, 0, ...g.bytes('created.txt'), OFLAGS.CREAT, 0n, 0n, 0, SIZE()), E.FAULT);
  assert.equal(fs.existsSync(path.join(root, 'created.txt')), false, 'no file was created');
  g.call('fd_close', r.fd);
});

test('bad offsets, whences and lengths are EINVAL or EOVERFLOW', () => {
  const r = g.open(3, 'f.txt', {});
  const out = g.alloc(8);
  assert.equal(g.call('fd_seek', r.fd, -100n, 0, out), E.INVAL, 'before the start');
  assert.equal(g.call('fd_seek', r.fd, 0n, 7, out), E.INVAL, 'unknown whence');
  assert.equal(g.call('fd_seek', r.fd, 0x7fffffffffffffffn, 1, out), E.OVERFLOW);
  const { iovs } = g.iovec(4);
  assert.equal(g.call('fd_pread', r.fd, iovs, 1, -1n, g.alloc(4)), E.INVAL, 'offset 2^64-1');
  assert.equal(g.call('fd_advise', r.fd, 0n, 0n, 99), E.INVAL);
  assert.equal(g.call('fd_allocate', r.fd, -1n, 10n), E.INVAL);
  assert.equal(g.call('fd_filestat_set_times', r.fd, 0n, 0n, 0x3), E.INVAL, 'ATIM with ATIM_NOW');
  assert.equal(g.call('fd_fdstat_set_flags', r.fd, 0x100), E.INVAL);
  assert.equal(g.call('path_open', 3, 0, ...g.bytes('f.txt'), 0x40, 0n, 0n, 0, g.alloc(4)), E.INVAL, 'unknown oflags');
  assert.equal(g.call('poll_oneoff', 0, 0, 0, g.alloc(4)), E.INVAL, 'no subscriptions');
  assert.equal(g.call('clock_time_get', 9, 0n, out), E.INVAL, 'unknown clock');
  const name = g.alloc(4);
  assert.equal(g.call('fd_prestat_dir_name', 3, name, 1), E.INVAL, 'buffer too small');
  // iovec lengths adding up past 4 GiB.
  const count = 20_000;
  const list = g.alloc(count * 8);
  const target = g.alloc(1, 1);
  for (let i = 0; i < count; i++) {
    g.setU32(list + i * 8, 0);
    g.setU32(list + i * 8 + 4, 256 * 1024);
  }
  assert.equal(g.call('fd_write', r.fd, list, count, target), E.OVERFLOW);
  g.call('fd_close', r.fd);
});

test('memory grown between calls is used through fresh views', () => {
  const pages = g.memory.buffer.byteLength / 65536;
  g.memory.grow(1);
  const p = pages * 65536 + 100;
  assert.equal(g.call('random_get', p, 64), E.SUCCESS);
  assert.equal(g.call('clock_time_get', 1, 0n, p + 64), E.SUCCESS);
  assert.ok(g.u64(p + 64) > 0n);
});

// Engine-style argument types for every function: i = i32 (a JS number), I = i64 (a bigint).
const SIGS: Record<WasiFunctionName, string> = {
  args_get: 'ii', args_sizes_get: 'ii', environ_get: 'ii', environ_sizes_get: 'ii', clock_res_get: 'ii',
  clock_time_get: 'iIi', fd_advise: 'iIIi', fd_allocate: 'iII', fd_close: 'i', fd_datasync: 'i',
  fd_fdstat_get: 'ii', fd_fdstat_set_flags: 'ii', fd_fdstat_set_rights: 'iII', fd_filestat_get: 'ii',
  fd_filestat_set_size: 'iI', fd_filestat_set_times: 'iIIi', fd_pread: 'iiiIi', fd_prestat_get: 'ii',
  fd_prestat_dir_name: 'iii', fd_pwrite: 'iiiIi', fd_read: 'iiii', fd_readdir: 'iiiIi', fd_renumber: 'ii',
  fd_seek: 'iIii', fd_sync: 'i', fd_tell: 'ii', fd_write: 'iiii', path_create_directory: 'iii',
  path_filestat_get: 'iiiii', path_filestat_set_times: 'iiiiIIi', path_link: 'iiiiiii', path_open: 'iiiiiIIii',
  path_readlink: 'iiiiii', path_remove_directory: 'iii', path_rename: 'iiiiii', path_symlink: 'iiiii',
  path_unlink_file: 'iii', poll_oneoff: 'iiii', proc_exit: 'i', proc_raise: 'i', sched_yield: '', random_get: 'ii',
  sock_accept: 'iii', sock_recv: 'iiiiii', sock_send: 'iiiii', sock_shutdown: 'ii',
};

test('fuzz: hostile arguments to every function never throw out of the host', () => {
  assert.deepEqual(Object.keys(SIGS).sort(), [...WASI_FUNCTIONS].sort());
  const rnd = new SeededRandom(1234);
  const word = new Uint8Array(8);
  const r32 = (): number => {
    rnd.fill(word);
    return new DataView(word.buffer).getInt32(0, true);
  };
  const size = SIZE();
  const i32s = [0, 1, 2, 3, 4, -1, -2147483648, 2147483647, size - 1, size - 8, size, 4096, 100];
  const i64s = [0n, 1n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 4096n, 3n];
  // Fill the low memory with junk the calls will read as iovecs, paths and subscriptions.
  const junk = new Uint8Array(4096);
  rnd.fill(junk);
  g.u8.set(junk, 0);
  const spy = spyFs();
  let calls = 0;
  try {
    for (const name of WASI_FUNCTIONS) {
      const sig = SIGS[name];
      for (let k = 0; k < 150; k++) {
        const args = [...sig].map((t) =>
          t === 'I' ? i64s[(r32() >>> 0) % i64s.length] : k % 3 === 0 ? r32() : i32s[(r32() >>> 0) % i32s.length],
        );
        let result: unknown;
        try {
          result = g.call(name, ...args);
        } catch (e) {
          if (name === 'proc_exit' && e instanceof ProcExit) continue;
          assert.fail(`${name}(${args.join(', ')}) threw ${(e as Error).stack}`);
        }
        calls++;
        assert.ok(Number.isInteger(result) && (result as number) >= 0 && (result as number) <= 76, `${name} returned ${String(result)}`);
      }
    }
  } finally {
    spy.stop();
  }
  assert.ok(calls > 6000);
  assert.deepEqual(outside(spy.accesses, root), [], 'the fuzz never left the preopen');
  const internal = g.capabilities().filter((e) => e.args.hostError !== undefined);
  assert.deepEqual(internal.map((e) => `${e.func}: ${String(e.args.hostError)}`), [], 'no internal host errors');
});

test('a call with more arguments than the function takes is answered as without them', () => {
  // The imports are fixed-arity wrappers: a module that declared fd_write with a fifth parameter
  // still gets the same answer and the same event.
  const h = new GuestHarness({ preopens: [{ hostPath: root, guestPath: '/w', mode: 'rw' }] });
  const { iovs } = h.iovec('xy');
  const out = h.alloc(4);
  assert.equal(h.call('fd_write', 1, iovs, 1, out, 99), E.SUCCESS);
  const a = h.lastCapability();
  assert.equal(h.call('fd_write', 1, iovs, 1, out), E.SUCCESS);
  const b = h.lastCapability();
  const plain = (e: typeof a): object => ({ ...e, seq: 0, fuel: 0n, time: 0, durationUs: 0 });
  assert.deepEqual(plain(a), plain(b));
  assert.equal(b.seq, a.seq + 1);
  // Negative i32s arrive unsigned, as before.
  assert.equal(h.call('fd_close', -1), E.BADF);
  assert.equal(h.lastCapability().args.fd, '4294967295 (not open)');
  h.host.finish(0);
});
