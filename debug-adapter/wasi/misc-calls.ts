// The remaining wasi_snapshot_preview1 functions: arguments and environment, clocks, random,
// poll_oneoff, process control and sockets. Sockets: Node has no synchronous socket API and the
// host preopens no listeners, so no fd is ever a socket; sock_* answer EBADF for a closed fd and
// ENOTSOCK otherwise (ENOTCAPABLE when the policy explicitly denies sockets).
import {
  decodeClock,
  decodeRiflags,
  decodeSdflags,
  E,
  EVENTRW_HANGUP,
  EVENTTYPE,
  EVENTTYPE_NAMES,
  R,
  SIGNAL_NAMES,
  SIZE,
  SUBCLOCK_ABSTIME,
} from './wasi-abi';
import { ProcExit, WasiError } from './wasi-error';
import type { Call, HostCore } from './call-context';
import * as fs from 'node:fs';

// Imported bindings clock_time_get uses, read once: under tsx (CommonJS) every read of an
// imported name is a getter call, and a syscall-heavy run reads clocks ~100k times.
const SUCCESS = E.SUCCESS;
const clockName = decodeClock;

const enc = new TextEncoder();

function stringList(h: HostCore, list: readonly string[], ptrs: number, buf: number): void {
  const encoded = list.map((s) => enc.encode(`${s}\0`));
  const total = encoded.reduce((n, b) => n + b.length, 0);
  h.mem.check(ptrs, list.length * 4);
  h.mem.check(buf, total);
  let at = buf;
  encoded.forEach((b, i) => {
    h.mem.setU32(ptrs + i * 4, at);
    h.mem.write(at, b);
    at += b.length;
  });
}

function sizes(h: HostCore, list: readonly string[], countPtr: number, sizePtr: number): number {
  h.mem.check(countPtr, 4);
  h.mem.check(sizePtr, 4);
  const total = list.reduce((n, s) => n + enc.encode(s).length + 1, 0);
  h.mem.setU32(countPtr, list.length);
  h.mem.setU32(sizePtr, total);
  return total;
}

export function args_get(h: HostCore, c: Call, argv: number, buf: number): number {
  stringList(h, h.args, argv, buf);
  c.results.argv = [...h.args];
  return E.SUCCESS;
}

export function args_sizes_get(h: HostCore, c: Call, countPtr: number, sizePtr: number): number {
  c.results.argc = h.args.length;
  c.results.argv_buf_size = sizes(h, h.args, countPtr, sizePtr);
  return E.SUCCESS;
}

const envStrings = (h: HostCore): string[] => h.env.map(([k, v]) => `${k}=${v}`);

export function environ_get(h: HostCore, c: Call, ptrs: number, buf: number): number {
  stringList(h, envStrings(h), ptrs, buf);
  // Names only: values may be secrets, and the trail is meant to be shared.
  c.results.environ = h.env.map(([k]) => k);
  if (h.withheldEnv.length) c.results.withheld = [...h.withheldEnv];
  return E.SUCCESS;
}

export function environ_sizes_get(h: HostCore, c: Call, countPtr: number, sizePtr: number): number {
  c.results.environc = h.env.length;
  c.results.environ_buf_size = sizes(h, envStrings(h), countPtr, sizePtr);
  if (h.withheldEnv.length) c.results.withheld = h.withheldEnv.length;
  return E.SUCCESS;
}

function clockAllowed(h: HostCore, c: Call, id: number): void {
  if (id > 3) throw new WasiError(E.INVAL, `unknown clock id ${id}`);
  if (!h.policy.clocks) c.deny(`policy: clock ${clockName(id)} is not granted`);
}

export function clock_res_get(h: HostCore, c: Call, id: number, ptr: number): number {
  c.args.id = decodeClock(id);
  h.mem.check(ptr, 8);
  clockAllowed(h, c, id);
  const r = h.clock.resolution(id);
  h.mem.setU64(ptr, r);
  c.results.resolution = r;
  return E.SUCCESS;
}

export function clock_time_get(h: HostCore, c: Call, id: number, precision: bigint, ptr: number): number {
  const args = c.args;
  args.id = clockName(id);
  // An i64 arrives signed: only a value past 2^63 needs the unsigned copy.
  args.precision = precision >= 0n ? precision : BigInt.asUintN(64, precision);
  const mem = h.mem;
  mem.check(ptr, 8);
  if (id > 3 || !h.policy.clocks) clockAllowed(h, c, id);
  // The call's own start stamp is the clock reading (one clock read fewer per call).
  const t = h.clock.at(id, c.startMs);
  mem.setU64(ptr, t);
  c.results.time = t;
  return SUCCESS;
}

export function random_get(h: HostCore, c: Call, buf: number, len: number): number {
  c.args.buf_len = len;
  const view = h.mem.view(buf, len);
  if (!h.policy.random) c.deny('policy: random is not granted');
  h.random.fill(view);
  h.mem.noteWritten(buf, len);
  c.results.source = h.random.seeded ? 'seeded' : 'host';
  return E.SUCCESS;
}

interface PollEvent {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
  flags: number;
}

/** Readiness of an fd for a poll subscription, or an errno event. */
function fdEvent(h: HostCore, c: Call, userdata: bigint, type: number, fd: number): PollEvent | null {
  const ev = (error: number, nbytes = 0n, flags = 0): PollEvent => ({ userdata, error, type, nbytes, flags });
  const e = h.fds.peek(fd);
  if (!e) {
    c.note('bad-fd', `poll_oneoff subscription on fd ${fd}, which is not open`);
    return ev(E.BADF);
  }
  if (!(e.rightsBase & R.POLL_FD_READWRITE) && !(e.rightsBase & (type === EVENTTYPE.FD_READ ? R.FD_READ : R.FD_WRITE))) return ev(E.NOTCAPABLE);
  if (type === EVENTTYPE.FD_WRITE) {
    if (e.kind === 'stdin' || e.kind === 'dir') return ev(E.BADF);
    return ev(E.SUCCESS, 0n);
  }
  if (e.kind === 'stdout' || e.kind === 'stderr' || e.kind === 'dir') return ev(E.BADF);
  if (e.kind === 'stdin') {
    if (!h.policy.stdin) {
      c.note('capability-denied', 'policy: stdin is not granted (poll_oneoff)');
      return ev(E.NOTCAPABLE);
    }
    const n = h.stdin.available();
    if (n === undefined) return ev(E.SUCCESS, 1n); // a pull source: a read will block for input anyway
    return ev(E.SUCCESS, BigInt(n), h.stdin.atEnd ? EVENTRW_HANGUP : 0);
  }
  try {
    const size = fs.fstatSync(e.osfd, { bigint: true }).size;
    const pos = BigInt(e.position);
    return ev(E.SUCCESS, size > pos ? size - pos : 0n);
  } catch {
    return ev(E.IO);
  }
}

export function poll_oneoff(h: HostCore, c: Call, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
  c.args.nsubscriptions = nsubs;
  if (nsubs === 0) throw new WasiError(E.INVAL, 'no subscriptions');
  h.mem.check(inPtr, nsubs * SIZE.SUBSCRIPTION);
  h.mem.check(outPtr, nsubs * SIZE.EVENT);
  h.mem.check(neventsPtr, 4);
  const ready: PollEvent[] = [];
  const clocks: Array<{ userdata: bigint; deadline: bigint; id: number }> = [];
  const subs: string[] = [];
  for (let i = 0; i < nsubs; i++) {
    const s = inPtr + i * SIZE.SUBSCRIPTION;
    const userdata = h.mem.u64(s);
    const tag = h.mem.u8(s + 8);
    if (tag === EVENTTYPE.CLOCK) {
      const id = h.mem.u32(s + 16);
      const timeout = h.mem.u64(s + 24);
      const flags = h.mem.u16(s + 40);
      subs.push(`CLOCK(${decodeClock(id)}, ${timeout}${flags & SUBCLOCK_ABSTIME ? ', ABSTIME' : ''})`);
      if (id > 3) {
        ready.push({ userdata, error: E.INVAL, type: tag, nbytes: 0n, flags: 0 });
        continue;
      }
      if (!h.policy.clocks) {
        c.note('capability-denied', `policy: clock ${decodeClock(id)} is not granted (poll_oneoff)`);
        ready.push({ userdata, error: E.NOTCAPABLE, type: tag, nbytes: 0n, flags: 0 });
        continue;
      }
      const now = h.clock.now(id === 0 ? 0 : 1);
      const deadline = flags & SUBCLOCK_ABSTIME ? timeout : now + timeout;
      clocks.push({ userdata, deadline: deadline - now, id });
    } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
      const fd = h.mem.u32(s + 16);
      subs.push(`${EVENTTYPE_NAMES[tag]}(${h.fds.describe(fd)})`);
      const ev = fdEvent(h, c, userdata, tag, fd);
      if (ev) ready.push(ev);
    } else {
      subs.push(`?${tag}`);
      ready.push({ userdata, error: E.INVAL, type: tag, nbytes: 0n, flags: 0 });
    }
  }
  c.args.subscriptions = subs;
  if (ready.length === 0 && clocks.length > 0) {
    // Nothing else can become ready while this thread waits: sleep to the earliest deadline.
    const wait = clocks.reduce((m, k) => (k.deadline < m ? k.deadline : m), clocks[0].deadline);
    h.clock.sleep(wait > 0n ? wait : 0n);
    for (const k of clocks) if (k.deadline <= wait) ready.push({ userdata: k.userdata, error: E.SUCCESS, type: EVENTTYPE.CLOCK, nbytes: 0n, flags: 0 });
  } else {
    for (const k of clocks) if (k.deadline <= 0n) ready.push({ userdata: k.userdata, error: E.SUCCESS, type: EVENTTYPE.CLOCK, nbytes: 0n, flags: 0 });
  }
  ready.forEach((ev, i) => {
    const o = outPtr + i * SIZE.EVENT;
    h.mem.setU64(o, ev.userdata);
    h.mem.setU64(o + 8, BigInt(ev.error) | (BigInt(ev.type) << 16n));
    h.mem.setU64(o + 16, ev.nbytes);
    h.mem.setU64(o + 24, BigInt(ev.flags));
  });
  h.mem.setU32(neventsPtr, ready.length);
  c.results.nevents = ready.length;
  c.results.events = ready.map((ev) => `${EVENTTYPE_NAMES[ev.type] ?? ev.type}:${ev.error === 0 ? 'ready' : `E${ev.error}`}`);
  return E.SUCCESS;
}

export function proc_exit(_h: HostCore, c: Call, code: number): number {
  c.args.rval = code;
  throw new ProcExit(code);
}

export function proc_raise(_h: HostCore, c: Call, sig: number): number {
  c.args.sig = SIGNAL_NAMES[sig] ?? sig;
  return E.NOSYS;
}

export function sched_yield(): number {
  return E.SUCCESS;
}

function socketFd(h: HostCore, c: Call, fd: number): never {
  c.args.fd = h.fds.describe(fd);
  h.fds.get(fd);
  if (h.policy.socketsDenied) c.deny('policy: sockets are not granted');
  throw new WasiError(E.NOTSOCK, `fd ${fd} is not a socket`);
}

export function sock_accept(h: HostCore, c: Call, fd: number, flags: number): number {
  c.args.flags = flags;
  return socketFd(h, c, fd);
}

export function sock_recv(h: HostCore, c: Call, fd: number, _ri: number, riLen: number, riFlags: number): number {
  c.args.ri_data_len = riLen;
  c.args.ri_flags = decodeRiflags(riFlags);
  return socketFd(h, c, fd);
}

export function sock_send(h: HostCore, c: Call, fd: number, _si: number, siLen: number): number {
  c.args.si_data_len = siLen;
  return socketFd(h, c, fd);
}

export function sock_shutdown(h: HostCore, c: Call, fd: number, how: number): number {
  c.args.how = decodeSdflags(how);
  return socketFd(h, c, fd);
}
