// The path_* functions of wasi_snapshot_preview1. Every guest path goes through the sandbox
// resolver (component by component, never followed by the OS) and every OS call names one entry
// inside a directory the walk holds. Rights are checked before any path is touched, so a call the
// policy denies never reaches the file system at all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as abi from './wasi-abi';
import * as errors from './wasi-error';
import * as callContext from './call-context';
import * as fdTable from './fd-table';
import * as fileIdentity from './file-identity';
import * as resolver from './sandbox-resolver';
import * as fdCalls from './fd-calls';
import type { Call, HostCore } from './call-context';
import type { FdEntry } from './fd-table';
import type { DirHandle, Resolution } from './sandbox-resolver';

// Imported bindings, read once: under tsx (CommonJS) every read of an imported name is a getter
// call, and a path call reads a dozen of them. (Path functions of node:fs stay `fs.x`: fs-spy
// replaces them to watch every path the host hands to the OS.)
const {
  decodeFdflags, decodeLookupflags, decodeOflags, decodeRights, decodeFstflags, E, FDFLAGS, FILETYPE, LOOKUP_SYMLINK_FOLLOW, OFLAGS, R, SIZE,
} = abi;
const { WasiError } = errors;
const { needRight } = callContext;
const { joinGuest } = fdTable;
const { filetypeOf, identityKey } = fileIdentity;
const { lstatOrUndefined } = resolver;
const { filestatResult, hostCall, maxRights, nsToSeconds, timesFrom, writeFilestat } = fdCalls;
const fstatSync = fs.fstatSync;
const closeSync = fs.closeSync;
const normalize = path.posix.normalize;

type DirEntry = FdEntry & { dir: DirHandle };

const C = fs.constants;
const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;
const O_NONBLOCK = C.O_NONBLOCK ?? 0;
const O_SYNC = C.O_SYNC ?? 0;
const O_DSYNC = C.O_DSYNC ?? O_SYNC;

function dirFd(h: HostCore, fd: number): DirEntry {
  const e = h.fds.get(fd);
  if (e.kind !== 'dir' || !e.dir) throw new WasiError(E.NOTDIR, `fd ${fd} is not a directory`);
  return e as DirEntry;
}

/** Reads a guest path and records it (as given, and as the full guest path it names). */
function pathArg(h: HostCore, c: Call, fd: number, ptr: number, len: number, key = 'path'): string {
  const p = h.mem.string(ptr, len);
  c.args[key] = p;
  const e = h.fds.peek(fd);
  const guestKey = key === 'path' ? 'guest_path' : `${key.slice(0, -5)}_guest_path`;
  if (e && e.kind === 'dir') c.args[guestKey] = guestPathOf(e.guestPath, p);
  return p;
}

/** The full guest path a relative path names, normalised lexically (for display and baselines). */
export function guestPathOf(base: string, p: string): string {
  if (p.startsWith('/')) return normalize(p);
  let joined = normalize(`${base}/${p}`);
  if (joined.length > 1 && joined.endsWith('/')) joined = joined.slice(0, -1);
  // Keep a `.` preopen visible (`./a.txt`, as fd descriptions show it).
  return (base === '.' || base.startsWith('./')) && !joined.startsWith('.') ? `./${joined}` : joined;
}

function keyOf(p: string): string | undefined {
  const st = lstatOrUndefined(p);
  return st ? identityKey(st) : undefined;
}

/** Records an entry the guest just created (deterministic times start now; live: nothing to do). */
function createdHere(h: HostCore, hostPath: string): void {
  if (!h.identity.deterministic) return;
  const k = keyOf(hostPath);
  if (k) h.identity.created(k);
}

/** Records a change of a directory's contents (deterministic mtimes). */
function dirChanged(h: HostCore, dir: DirHandle): void {
  if (!h.identity.deterministic) return;
  const k = keyOf(dir.child('.'));
  if (k) h.identity.modified(k);
}

function withResolution<T>(r: Resolution, fn: (r: Resolution) => T): T {
  try {
    return fn(r);
  } finally {
    r.release();
  }
}

export function path_create_directory(h: HostCore, c: Call, fd: number, ptr: number, len: number): number {
  c.args.fd = h.fds.describe(fd);
  const p = pathArg(h, c, fd, ptr, len);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_CREATE_DIRECTORY);
  return withResolution(h.sandbox.resolve(e.dir, p, false, false), (r) => {
    if (r.name === '.' || r.stat) throw new WasiError(E.EXIST);
    hostCall(() => fs.mkdirSync(r.hostPath, 0o777));
    h.sandbox.changed(r.parent, r.name);
    createdHere(h, r.hostPath);
    dirChanged(h, r.parent);
    return E.SUCCESS;
  });
}

export function path_filestat_get(h: HostCore, c: Call, fd: number, flags: number, ptr: number, len: number, buf: number): number {
  c.args.fd = h.fds.describe(fd);
  c.args.flags = decodeLookupflags(flags);
  const p = pathArg(h, c, fd, ptr, len);
  h.mem.check(buf, SIZE.FILESTAT);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_FILESTAT_GET);
  return withResolution(h.sandbox.resolve(e.dir, p, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0), (r) => {
    if (!r.stat) throw new WasiError(E.NOENT);
    if (r.mustBeDir && !r.stat.isDirectory()) throw new WasiError(E.NOTDIR);
    const s = h.identity.filestat(r.stat);
    writeFilestat(h, buf, s);
    Object.assign(c.results, filestatResult(s));
    return E.SUCCESS;
  });
}

export function path_filestat_set_times(
  h: HostCore, c: Call, fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number,
): number {
  c.args.fd = h.fds.describe(fd);
  c.args.flags = decodeLookupflags(flags);
  const p = pathArg(h, c, fd, ptr, len);
  c.args.atim = BigInt.asUintN(64, atim);
  c.args.mtim = BigInt.asUintN(64, mtim);
  c.args.fst_flags = decodeFstflags(fst);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_FILESTAT_SET_TIMES);
  const t = timesFrom(h, atim, mtim, fst);
  return withResolution(h.sandbox.resolve(e.dir, p, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0), (r) => {
    const st = r.stat;
    if (!st) throw new WasiError(E.NOENT);
    // lutimes: the walk already followed what was to be followed; never let the OS follow more.
    hostCall(() => fs.lutimesSync(r.hostPath, nsToSeconds(t.a ?? st.atimeNs), nsToSeconds(t.m ?? st.mtimeNs)));
    h.identity.timesSet(identityKey(st), t.a, t.m, st, lstatOrUndefined(r.hostPath));
    return E.SUCCESS;
  });
}

export function path_link(
  h: HostCore, c: Call, oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number,
): number {
  c.args.old_fd = h.fds.describe(oldFd);
  c.args.old_flags = decodeLookupflags(oldFlags);
  const op = pathArg(h, c, oldFd, oldPtr, oldLen, 'old_path');
  c.args.new_fd = h.fds.describe(newFd);
  const np = pathArg(h, c, newFd, newPtr, newLen, 'new_path');
  const src = dirFd(h, oldFd);
  const dst = dirFd(h, newFd);
  needRight(c, src, R.PATH_LINK_SOURCE);
  needRight(c, dst, R.PATH_LINK_TARGET);
  if (oldFlags & LOOKUP_SYMLINK_FOLLOW) throw new WasiError(E.INVAL, 'path_link does not follow symlinks');
  return withResolution(h.sandbox.resolve(src.dir, op, false, false), (a) =>
    withResolution(h.sandbox.resolve(dst.dir, np, false, false), (b) => {
      if (!a.stat) throw new WasiError(E.NOENT);
      if (a.stat.isDirectory()) throw new WasiError(E.PERM, 'hard links to directories are not allowed');
      if (a.mustBeDir) throw new WasiError(E.NOTDIR);
      if (b.stat || b.name === '.') throw new WasiError(E.EXIST);
      if (b.mustBeDir) throw new WasiError(E.NOENT);
      hostCall(() => fs.linkSync(a.hostPath, b.hostPath));
      h.sandbox.changed(b.parent, b.name);
      h.identity.changed(identityKey(a.stat));
      dirChanged(h, b.parent);
      return E.SUCCESS;
    }),
  );
}

export function path_open(
  h: HostCore, c: Call, fd: number, dirflags: number, ptr: number, len: number, oflags: number,
  rightsBase: bigint, rightsInheriting: bigint, fdflags: number, fdPtr: number,
): number {
  c.args.fd = h.fds.describe(fd);
  c.args.dirflags = decodeLookupflags(dirflags);
  const p = pathArg(h, c, fd, ptr, len);
  c.args.oflags = decodeOflags(oflags);
  c.args.fs_rights_base = decodeRights(rightsBase);
  c.args.fs_rights_inheriting = decodeRights(rightsInheriting);
  c.args.fdflags = decodeFdflags(fdflags);
  h.mem.check(fdPtr, 4);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_OPEN);
  if (oflags & OFLAGS.CREAT) needRight(c, e, R.PATH_CREATE_FILE);
  if (oflags & OFLAGS.TRUNC) needRight(c, e, R.PATH_FILESTAT_SET_SIZE);
  if (oflags & ~0xf) throw new WasiError(E.INVAL, `unknown oflags 0x${oflags.toString(16)}`);
  if (fdflags & ~0x1f) throw new WasiError(E.INVAL, `unknown fdflags 0x${fdflags.toString(16)}`);
  const reqBase = Number(BigInt.asUintN(64, rightsBase) & 0x3fffffffn);
  const reqInh = Number(BigInt.asUintN(64, rightsInheriting) & 0x3fffffffn);
  const creat = (oflags & OFLAGS.CREAT) !== 0;
  const excl = creat && (oflags & OFLAGS.EXCL) !== 0;
  const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0 && !excl;

  for (let attempt = 0; ; attempt++) {
    const r = h.sandbox.resolve(e.dir, p, follow);
    try {
      const opened = openResolved(h, e, r, oflags, reqBase, reqInh, fdflags);
      const newFd = h.fds.add(opened);
      h.mem.setU32(fdPtr, newFd);
      c.results.opened_fd = h.fds.describe(newFd);
      return E.SUCCESS;
    } catch (err) {
      // A file created between our lstat and our O_EXCL create: walk again once (not for EXCL).
      if (attempt === 0 && creat && !excl && err instanceof WasiError && err.errno === E.EXIST && !r.stat) continue;
      throw err;
    } finally {
      r.release();
    }
  }
}

function openResolved(h: HostCore, dir: DirEntry, r: Resolution, oflags: number, reqBase: number, reqInh: number, fdflags: number): FdEntry {
  const st = r.stat;
  const creat = (oflags & OFLAGS.CREAT) !== 0;
  const wantDir = (oflags & OFLAGS.DIRECTORY) !== 0;
  const guestPath = joinGuest(dir.guestPath, r.parts);
  const depth = [...dir.depth, ...r.parts];
  if (st) {
    if (creat && oflags & OFLAGS.EXCL) throw new WasiError(E.EXIST);
    if (st.isSymbolicLink()) throw new WasiError(E.LOOP, 'final component is a symlink and SYMLINK_FOLLOW is not set');
    if (st.isDirectory()) {
      if (reqBase & R.FD_WRITE || oflags & OFLAGS.TRUNC || (creat && !wantDir)) throw new WasiError(E.ISDIR);
      const handle = h.sandbox.openChildDir(r.parent, r.name, true);
      const fst = fstatSync(handle.osfd, { bigint: true });
      if (fst.ino !== st.ino || fst.dev !== st.dev) {
        handle.close();
        throw new WasiError(E.NOTCAPABLE, `${guestPath} changed while it was being opened`, 'sandbox-escape');
      }
      const max = maxRights(FILETYPE.DIRECTORY);
      return {
        kind: 'dir',
        filetype: FILETYPE.DIRECTORY,
        rightsBase: reqBase & dir.rightsInheriting & max.base,
        rightsInheriting: reqInh & dir.rightsInheriting & max.inheriting,
        policyWithheld: dir.policyWithheld,
        fdflags: fdflags & (FDFLAGS.NONBLOCK | FDFLAGS.APPEND),
        guestPath,
        osfd: handle.osfd,
        dir: handle,
        position: 0,
        preopenIndex: dir.preopenIndex,
        depth,
        identityKey: identityKey(fst),
      };
    }
    if (wantDir || r.mustBeDir) throw new WasiError(E.NOTDIR);
  } else {
    if (!creat) throw new WasiError(E.NOENT);
    if (r.mustBeDir) throw new WasiError(E.ISDIR, 'cannot create a file with a trailing slash');
    if (wantDir) throw new WasiError(E.INVAL, 'CREAT with DIRECTORY');
  }
  const max = maxRights(FILETYPE.REGULAR_FILE);
  const base = reqBase & dir.rightsInheriting & max.base;
  const wantWrite = (base & (R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE)) !== 0 || (oflags & OFLAGS.TRUNC) !== 0;
  const wantRead = (base & R.FD_READ) !== 0 || !wantWrite;
  let flags = O_NOFOLLOW | (wantWrite ? (wantRead ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY);
  if (fdflags & FDFLAGS.SYNC || fdflags & FDFLAGS.RSYNC) flags |= O_SYNC;
  else if (fdflags & FDFLAGS.DSYNC) flags |= O_DSYNC;
  // Never let opening a FIFO or device block the host thread.
  if (fdflags & FDFLAGS.NONBLOCK || (st && !st.isFile())) flags |= O_NONBLOCK;
  if (!st) flags |= C.O_CREAT | C.O_EXCL;
  const osfd = hostCall(() => fs.openSync(r.hostPath, flags, 0o666));
  let fst: fs.BigIntStats;
  try {
    fst = fstatSync(osfd, { bigint: true });
    // Re-check after open: the fd must be the entry the walk found, in the directory it walked.
    if (st && (fst.ino !== st.ino || fst.dev !== st.dev)) {
      throw new WasiError(E.NOTCAPABLE, `${guestPath} changed while it was being opened`, 'sandbox-escape');
    }
    h.sandbox.verifyDir(r.parent);
    if (st && oflags & OFLAGS.TRUNC && fst.isFile() && fst.size > 0n) {
      fs.ftruncateSync(osfd, 0);
      h.identity.modified(identityKey(fst));
    }
  } catch (err) {
    closeSync(osfd);
    throw err instanceof WasiError ? err : new WasiError(E.IO, (err as Error).message);
  }
  const key = identityKey(fst);
  if (!st) {
    h.identity.created(key);
    dirChanged(h, r.parent);
  }
  const filetype = filetypeOf(fst);
  return {
    kind: 'file',
    filetype,
    rightsBase: base,
    rightsInheriting: reqInh & dir.rightsInheriting & max.inheriting,
    policyWithheld: dir.policyWithheld,
    fdflags: fdflags & 0x1f,
    guestPath,
    osfd,
    position: 0,
    preopenIndex: dir.preopenIndex,
    depth,
    identityKey: key,
  };
}

export function path_readlink(h: HostCore, c: Call, fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number): number {
  c.args.fd = h.fds.describe(fd);
  const p = pathArg(h, c, fd, ptr, len);
  c.args.buf_len = bufLen;
  h.mem.check(buf, bufLen);
  h.mem.check(usedPtr, 4);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_READLINK);
  return withResolution(h.sandbox.resolve(e.dir, p, false, false), (r) => {
    if (!r.stat) throw new WasiError(E.NOENT);
    if (!r.stat.isSymbolicLink()) throw new WasiError(E.INVAL, 'not a symlink');
    const target = hostCall(() => fs.readlinkSync(r.hostPath, { encoding: 'buffer' }));
    const n = Math.min(target.length, bufLen);
    if (n > 0) h.mem.write(buf, target.subarray(0, n));
    h.mem.setU32(usedPtr, n);
    c.results.bufused = n;
    c.results.target = target.toString('utf8');
    return E.SUCCESS;
  });
}

export function path_remove_directory(h: HostCore, c: Call, fd: number, ptr: number, len: number): number {
  c.args.fd = h.fds.describe(fd);
  const p = pathArg(h, c, fd, ptr, len);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_REMOVE_DIRECTORY);
  return withResolution(h.sandbox.resolve(e.dir, p, false, false), (r) => {
    if (r.name === '.') throw new WasiError(E.INVAL, 'cannot remove the directory a path resolves through');
    if (!r.stat) throw new WasiError(E.NOENT);
    if (!r.stat.isDirectory()) throw new WasiError(E.NOTDIR);
    hostCall(() => fs.rmdirSync(r.hostPath));
    h.sandbox.changed(r.parent, r.name);
    h.identity.forget(identityKey(r.stat));
    dirChanged(h, r.parent);
    return E.SUCCESS;
  });
}

export function path_rename(h: HostCore, c: Call, fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
  c.args.fd = h.fds.describe(fd);
  const op = pathArg(h, c, fd, oldPtr, oldLen, 'old_path');
  c.args.new_fd = h.fds.describe(newFd);
  const np = pathArg(h, c, newFd, newPtr, newLen, 'new_path');
  const src = dirFd(h, fd);
  const dst = dirFd(h, newFd);
  needRight(c, src, R.PATH_RENAME_SOURCE);
  needRight(c, dst, R.PATH_RENAME_TARGET);
  return withResolution(h.sandbox.resolve(src.dir, op, false, false), (a) =>
    withResolution(h.sandbox.resolve(dst.dir, np, false, false), (b) => {
      if (a.name === '.' || b.name === '.') throw new WasiError(E.BUSY, 'cannot rename a directory a path resolves through');
      if (!a.stat) throw new WasiError(E.NOENT);
      const srcIsDir = a.stat.isDirectory();
      if ((a.mustBeDir || b.mustBeDir) && !srcIsDir) throw new WasiError(E.NOTDIR);
      if (b.stat) {
        if (srcIsDir && !b.stat.isDirectory()) throw new WasiError(E.NOTDIR);
        if (!srcIsDir && b.stat.isDirectory()) throw new WasiError(E.ISDIR);
      }
      hostCall(() => fs.renameSync(a.hostPath, b.hostPath));
      h.sandbox.changed(a.parent, a.name);
      h.sandbox.changed(b.parent, b.name);
      if (b.stat && identityKey(b.stat) !== identityKey(a.stat) && (b.stat.isDirectory() || b.stat.nlink <= 1n)) h.identity.forget(identityKey(b.stat));
      h.identity.changed(identityKey(a.stat));
      dirChanged(h, a.parent);
      if (b.parent !== a.parent) dirChanged(h, b.parent);
      return E.SUCCESS;
    }),
  );
}

/** True when a symlink text, read from `depth` below its preopen root, climbs above that root. */
export function symlinkTextEscapes(depth: number, text: string): boolean {
  let d = depth;
  for (const part of text.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (--d < 0) return true;
    } else d++;
  }
  return false;
}

export function path_symlink(h: HostCore, c: Call, oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): number {
  const target = h.mem.string(oldPtr, oldLen);
  c.args.old_path = target;
  c.args.fd = h.fds.describe(fd);
  const np = pathArg(h, c, fd, newPtr, newLen, 'new_path');
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_SYMLINK);
  if (target.includes('\0')) throw new WasiError(E.INVAL, 'symlink text contains NUL');
  if (target.length === 0) throw new WasiError(E.NOENT, 'empty symlink text');
  return withResolution(h.sandbox.resolve(e.dir, np, false, false), (r) => {
    if (r.stat || r.name === '.') {
      if (r.mustBeDir && r.stat && !r.stat.isDirectory()) throw new WasiError(E.NOTDIR);
      throw new WasiError(E.EXIST);
    }
    if (r.mustBeDir) throw new WasiError(E.NOENT);
    // Planting a link that points out is refused even though the walker would never follow it:
    // the host user may follow it later, outside the sandbox.
    const depth = e.depth.length + r.parts.length - 1;
    if (target.startsWith('/') || symlinkTextEscapes(depth, target)) {
      throw new WasiError(E.NOTCAPABLE, `symlink text "${target}" points outside the preopen`, 'sandbox-escape');
    }
    hostCall(() => fs.symlinkSync(target, r.hostPath));
    h.sandbox.changed(r.parent, r.name);
    createdHere(h, r.hostPath);
    dirChanged(h, r.parent);
    return E.SUCCESS;
  });
}

export function path_unlink_file(h: HostCore, c: Call, fd: number, ptr: number, len: number): number {
  c.args.fd = h.fds.describe(fd);
  const p = pathArg(h, c, fd, ptr, len);
  const e = dirFd(h, fd);
  needRight(c, e, R.PATH_UNLINK_FILE);
  return withResolution(h.sandbox.resolve(e.dir, p, false, false), (r) => {
    if (r.name === '.') throw new WasiError(E.ISDIR);
    if (!r.stat) throw new WasiError(E.NOENT);
    if (r.stat.isDirectory()) throw new WasiError(E.ISDIR);
    if (r.mustBeDir) throw new WasiError(E.NOTDIR);
    hostCall(() => fs.unlinkSync(r.hostPath));
    h.sandbox.changed(r.parent, r.name);
    const k = identityKey(r.stat);
    if (r.stat.nlink <= 1n) h.identity.forget(k);
    else h.identity.changed(k);
    dirChanged(h, r.parent);
    return E.SUCCESS;
  });
}

