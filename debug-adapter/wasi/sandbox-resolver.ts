// Resolves guest paths inside a directory capability, component by component, so that no path
// ever reaches the OS unresolved and nothing outside the capability is read, written or stat-ed.
//
// Two backends share one walking algorithm:
//  - `procfs` (Linux): every directory on the walk is held as an OS fd opened with
//    O_DIRECTORY|O_NOFOLLOW, and every OS call names `/proc/self/fd/<dirfd>/<one component>`.
//    The kernel resolves the magic link to the directory the fd holds (whatever was renamed or
//    swapped since), and the single component is never followed (lstat, O_NOFOLLOW, readlink,
//    unlink, rename...), so this is openat()-equivalent and race-free: a symlink swapped in
//    between two calls (TOCTOU) is met by O_NOFOLLOW and answered with an errno, never followed.
//  - `path` (other OSes): directories are host path strings; each component is lstat-ed before
//    it is used and the walked parent's realpath is re-checked against the expected location
//    before the final operation (and, by the callers, after an open). Residual risk: between that
//    check and the OS call, a concurrent host process that swaps an ancestor directory for a
//    symlink can redirect a single operation; the post-open check then catches opens (the fd is
//    closed and the call fails), but a create/unlink/rename done in that window has happened.
//    Node exposes no openat(), so this window cannot be closed without native code.
//
// Symlinks are expanded by the walker itself (at most MAX_SYMLINKS, then ELOOP), relative to the
// directory that holds them; `..` is applied to the real parent chain; climbing above the base
// directory, an absolute path, or a symlink whose text is absolute is a sandbox escape.
//
// procfs: the intermediate directories a walk opens stay open in a small cache between calls
// (dir-cache.ts: re-checked against their parent before every use, dropped when the guest
// changes them), so repeated calls in one directory do not reopen every ancestor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { E } from './wasi-abi';
import { WasiError } from './wasi-error';
import { DirCache, type CachedDir, type DirCacheStats } from './dir-cache';

export type SandboxBackend = 'procfs' | 'path';

const O_DIRECTORY = fs.constants.O_DIRECTORY ?? 0;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
export const MAX_SYMLINKS = 40;
export const PATH_MAX = 4096;

/** A directory the walker stands in. */
export interface DirHandle {
  /** Host path naming `name` inside this directory; the OS resolves only that last component. */
  child(name: string): string;
  /** Host path naming the directory itself. */
  readonly self: string;
  /** OS fd held for this directory (-1 for intermediate path-backend handles). */
  readonly osfd: number;
  /** Path backend: where the directory must be (realpath) for the walk to be trusted. */
  readonly expectedReal?: string;
  /** `dev:ino` once the walk cache has fstat-ed the handle. */
  idKey?: string;
  close(): void;
}

class ProcfsDir implements DirHandle, CachedDir {
  readonly self: string;
  private readonly prefix: string;
  idKey?: string;
  refs = 0;
  dead = false;
  cached = false;
  constructor(readonly osfd: number) {
    this.self = `/proc/self/fd/${osfd}`;
    this.prefix = `${this.self}/`;
  }
  child(name: string): string {
    return this.prefix + name;
  }
  close(): void {
    // A cached handle belongs to the cache (it closes it when dropped and unused).
    if (this.cached) return;
    try {
      fs.closeSync(this.osfd);
    } catch {
      /* already closed */
    }
  }
}

class PathDir implements DirHandle {
  constructor(
    readonly self: string,
    readonly osfd: number,
    readonly expectedReal: string,
  ) {}
  child(name: string): string {
    return path.join(this.self, name);
  }
  close(): void {
    if (this.osfd >= 0) {
      try {
        fs.closeSync(this.osfd);
      } catch {
        /* already closed */
      }
    }
  }
}

/** Where a guest path led: the directory holding the final entry, and that entry's name. */
export interface Resolution {
  /** Directory that holds the final entry (the base itself or an intermediate handle). */
  readonly parent: DirHandle;
  /** Final component; `.` when the path names `parent` itself (`.`, `a/..`, `dir/.`). */
  readonly name: string;
  /** Host path of the final entry: `parent.child(name)` (for `.`, the directory itself). */
  readonly hostPath: string;
  /** Components from the base directory to the final entry, after symlinks and `..`. */
  readonly parts: string[];
  /** lstat of the final entry, undefined when it does not exist. */
  readonly stat: fs.BigIntStats | undefined;
  /** The path ended in `/` (or `/.`): the final entry must be a directory. */
  readonly mustBeDir: boolean;
  /** Closes the intermediate directory handles the walk opened. */
  release(): void;
}

export function lstatOrUndefined(p: string): fs.BigIntStats | undefined {
  return fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
}

function hostErrno(e: unknown): number {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (!code) return E.IO;
  const n = (E as Record<string, number | undefined>)[code.slice(1)];
  return n ?? E.IO;
}

const NOTHING_HELD: readonly ProcfsDir[] = [];
const NO_DIRS: readonly DirHandle[] = [];

class Resolved implements Resolution {
  private released = false;
  constructor(
    readonly parent: DirHandle,
    readonly name: string,
    readonly hostPath: string,
    readonly parts: string[],
    readonly stat: fs.BigIntStats | undefined,
    readonly mustBeDir: boolean,
    private readonly owned: readonly DirHandle[],
    private readonly held: readonly ProcfsDir[],
    private readonly cache: DirCache<ProcfsDir> | undefined,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    releaseWalk(this.owned, this.held, this.cache);
  }
}

/** The components of the symlink `name` in `dir`, the walk's `links`-th; refused when absolute. */
function linkText(dir: DirHandle, name: string, parts: readonly string[], links: number): string[] {
  if (links > MAX_SYMLINKS) throw new WasiError(E.LOOP, `more than ${MAX_SYMLINKS} symlinks`);
  const target = fs.readlinkSync(dir.child(name), 'utf8');
  if (target.startsWith('/')) {
    throw new WasiError(E.NOTCAPABLE, `symlink ${[...parts, name].join('/')} -> ${target} points outside the capability`, 'sandbox-escape');
  }
  if (target.length === 0) throw new WasiError(E.NOENT, 'empty symlink');
  return target.split('/');
}

function releaseWalk(owned: readonly DirHandle[], held: readonly ProcfsDir[], cache: DirCache<ProcfsDir> | undefined): void {
  for (let i = 0; i < owned.length; i++) owned[i].close();
  if (cache) for (let i = 0; i < held.length; i++) cache.release(held[i]);
}

export class Sandbox {
  readonly backend: SandboxBackend;
  /** procfs only: walked directories kept open between calls. */
  private readonly cache: DirCache<ProcfsDir> | undefined;

  constructor(requested: SandboxBackend | 'auto' = 'auto', options: { cacheDirs?: boolean } = {}) {
    this.backend = requested === 'auto' ? (Sandbox.procfsWorks() ? 'procfs' : 'path') : requested;
    if (this.backend === 'procfs' && !Sandbox.procfsWorks()) throw new Error('the procfs sandbox backend needs Linux /proc');
    this.cache = this.backend === 'procfs' && options.cacheDirs !== false ? new DirCache<ProcfsDir>() : undefined;
  }

  /** The walk cache's counters (undefined without one). */
  get dirCacheStats(): Readonly<DirCacheStats> | undefined {
    return this.cache?.stats;
  }

  /** The guest changed the entry `name` of `dir` (renamed, removed, linked or created it). */
  changed(dir: DirHandle, name: string): void {
    if (this.cache && dir instanceof ProcfsDir) this.cache.forget(dir, name);
  }

  /** Closes the walk cache's fds (the end of a run); later walks open afresh. */
  close(): void {
    this.cache?.clear();
  }

  private static procfsChecked: boolean | undefined;

  /** True when `/proc/self/fd/<dirfd>/<name>` resolves relative to the directory an fd holds. */
  static procfsWorks(): boolean {
    if (Sandbox.procfsChecked !== undefined) return Sandbox.procfsChecked;
    let ok = false;
    if (process.platform === 'linux' && O_DIRECTORY && O_NOFOLLOW) {
      let fd = -1;
      try {
        fd = fs.openSync('/', fs.constants.O_RDONLY | O_DIRECTORY);
        const viaFd = fs.lstatSync(`/proc/self/fd/${fd}/.`, { bigint: true });
        const direct = fs.fstatSync(fd, { bigint: true });
        ok = viaFd.ino === direct.ino && viaFd.dev === direct.dev;
      } catch {
        ok = false;
      } finally {
        if (fd >= 0) fs.closeSync(fd);
      }
    }
    Sandbox.procfsChecked = ok;
    return ok;
  }

  /** Opens a preopened directory (by its host path, resolved once, at startup). */
  openRoot(hostPath: string): DirHandle {
    const real = fs.realpathSync.native(hostPath);
    const fd = fs.openSync(real, fs.constants.O_RDONLY | O_DIRECTORY);
    if (!fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw new Error(`preopen ${hostPath} is not a directory`);
    }
    return this.backend === 'procfs' ? new ProcfsDir(fd) : new PathDir(real, fd, real);
  }

  /**
   * Opens a directory entry `name` of `parent` as a handle without following a symlink there.
   * `hold` asks for an OS fd even in the path backend (for a directory the guest keeps open).
   */
  openChildDir(parent: DirHandle, name: string, hold: boolean): DirHandle {
    if (this.backend === 'procfs') {
      const fd = fs.openSync(parent.child(name), fs.constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      return new ProcfsDir(fd);
    }
    const p = parent.child(name);
    const expected = path.join(parent.expectedReal ?? parent.self, name);
    let fd = -1;
    if (hold) {
      fd = fs.openSync(p, fs.constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      // The fd must be the directory we meant, wherever the OS took us.
      if (fs.realpathSync.native(p) !== expected) {
        fs.closeSync(fd);
        throw new WasiError(E.NOTCAPABLE, `directory ${name} moved while it was opened`, 'sandbox-escape');
      }
    }
    return new PathDir(p, fd, expected);
  }

  /** Path backend: re-checks that a walked directory still is where the walk found it. */
  verifyDir(handle: DirHandle): void {
    if (this.backend === 'procfs' || handle.expectedReal === undefined) return;
    let real: string;
    try {
      real = fs.realpathSync.native(handle.self);
    } catch (e) {
      throw new WasiError(hostErrno(e), 'directory vanished during the call');
    }
    if (real !== handle.expectedReal) {
      throw new WasiError(E.NOTCAPABLE, `directory ${handle.self} was swapped during the call (now ${real})`, 'sandbox-escape');
    }
  }

  /**
   * Walks `guestPath` from `base`. `followFinal` follows a symlink in the final position;
   * `followTrailing` makes a trailing slash follow it too (as open and stat do; unlink, rmdir,
   * rename and link act on the link itself). Throws WasiError (ENOTCAPABLE + 'sandbox-escape').
   */
  resolve(base: DirHandle, guestPath: string, followFinal: boolean, followTrailing = true): Resolution {
    if (guestPath.length === 0) throw new WasiError(E.NOENT, 'empty path');
    if (guestPath.length > PATH_MAX) throw new WasiError(E.NAMETOOLONG, `path longer than ${PATH_MAX}`);
    if (guestPath.includes('\0')) throw new WasiError(E.INVAL, 'path contains a NUL byte');
    if (guestPath.startsWith('/')) {
      throw new WasiError(E.NOTCAPABLE, `absolute path "${guestPath}" is outside every capability`, 'sandbox-escape');
    }
    if (process.platform === 'win32' && /[\\:]/.test(guestPath)) {
      throw new WasiError(E.NOTCAPABLE, `path "${guestPath}" uses host path syntax`, 'sandbox-escape');
    }
    const cache = this.cache;
    // Components still to walk are queue[at..]; a symlink's text is spliced in at `at`.
    let queue = guestPath.split('/');
    let at = 0;
    let owned: DirHandle[] | null = null;
    let held: ProcfsDir[] | null = null;
    const stack: DirHandle[] = [];
    const parts: string[] = [];
    let cur = base;
    let links = 0;
    try {
      while (at < queue.length) {
        const c = queue[at++];
        if (c === '' || c === '.') continue;
        if (c === '..') {
          if (stack.length === 0) {
            throw new WasiError(E.NOTCAPABLE, `".." climbs above the directory capability (path "${guestPath}")`, 'sandbox-escape');
          }
          cur = stack.pop() as DirHandle;
          parts.pop();
          continue;
        }
        let isLast = true;
        for (let i = at; i < queue.length; i++) {
          const r = queue[i];
          if (r !== '' && r !== '.') {
            isLast = false;
            break;
          }
        }
        if (isLast) {
          const dirRequired = at < queue.length;
          const hostPath = cur.child(c);
          const st = lstatOrUndefined(hostPath);
          if (st !== undefined && (followFinal || (dirRequired && followTrailing)) && st.isSymbolicLink()) {
            queue = [...linkText(cur, c, parts, ++links), ...queue.slice(at)];
            at = 0;
            continue;
          }
          this.verifyDir(cur);
          parts.push(c);
          return new Resolved(cur, c, hostPath, parts, st, dirRequired, owned ?? NO_DIRS, held ?? NOTHING_HELD, cache);
        }
        // An intermediate component: it must be a directory (after following symlinks).
        let next: DirHandle;
        try {
          if (cache !== undefined && cur instanceof ProcfsDir) {
            const parent = cur;
            const dir = cache.child(parent, c, () => this.openChildDir(parent, c, false) as ProcfsDir);
            (held ??= []).push(dir);
            next = dir;
          } else {
            next = this.openChildDir(cur, c, false);
            (owned ??= []).push(next);
          }
          if (this.backend === 'path') {
            const st = lstatOrUndefined(cur.child(c));
            if (!st) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
            if (st.isSymbolicLink()) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
            if (!st.isDirectory()) throw Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' });
          }
        } catch (e) {
          if (e instanceof WasiError) throw e;
          const errno = hostErrno(e);
          if (errno === E.LOOP || errno === E.NOTDIR) {
            const st = lstatOrUndefined(cur.child(c));
            if (st?.isSymbolicLink()) {
              queue = [...linkText(cur, c, parts, ++links), ...queue.slice(at)];
              at = 0;
              continue;
            }
            if (!st) throw new WasiError(E.NOENT);
            throw new WasiError(E.NOTDIR, `${[...parts, c].join('/')} is not a directory`);
          }
          throw new WasiError(errno);
        }
        stack.push(cur);
        cur = next;
        parts.push(c);
      }
      // Nothing but `.`/`..`/slashes after the last real component: the path names `cur` itself.
      this.verifyDir(cur);
      const here = cur.child('.');
      return new Resolved(cur, '.', here, parts, fs.lstatSync(here, { bigint: true }), true, owned ?? NO_DIRS, held ?? NOTHING_HELD, cache);
    } catch (e) {
      releaseWalk(owned ?? NO_DIRS, held ?? NOTHING_HELD, cache);
      throw e;
    }
  }
}
