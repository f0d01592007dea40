// The guest's file descriptor table: what each number refers to (stdio, a preopened directory, a
// file or directory opened beneath one), with its base and inheriting rights, its flags and, for
// files, the cursor the host keeps itself (WASI has no dup, so a per-fd cursor is exact). Also
// says, for the audit trail, what an fd refers to: `3 (preopen /sandbox)`, `4 (file /sandbox/a)`.
import * as fs from 'node:fs';
import { E, FILETYPE } from './wasi-abi';
import { WasiError } from './wasi-error';
import type { DirHandle } from './sandbox-resolver';

/** Guest fds are host fds too (one each): a guest must not exhaust the host's. */
export const MAX_FDS = 4096;

export type FdKind = 'stdin' | 'stdout' | 'stderr' | 'file' | 'dir';

export interface ReaddirSnapshot {
  names: string[];
  types: number[];
}

export interface FdEntry {
  kind: FdKind;
  filetype: number;
  rightsBase: number;
  rightsInheriting: number;
  /** Rights the capability policy withheld: missing one of these is a policy denial. */
  policyWithheld: number;
  fdflags: number;
  /** Guest-visible path for display (`/sandbox/a.txt`); stdio has its stream name. */
  guestPath: string;
  /** Set on preopened directories: the name fd_prestat_dir_name reports. */
  preopenName?: string;
  /** OS fd for files and directories; -1 for stdio. */
  osfd: number;
  /** Directory handle the sandbox walks from (directories only). */
  dir?: DirHandle;
  /** File cursor (files only). */
  position: number;
  /** Index of the preopen this descends from (-1 for stdio). */
  preopenIndex: number;
  /** Components from the preopen root to this directory (for checking symlink texts). */
  depth: string[];
  /** Directory listing taken at cookie 0 and reused for the following cookies. */
  readdir?: ReaddirSnapshot;
  /** Identity captured at open, so a file unlinked while open keeps its inode number. */
  identityKey?: string;
  /** describe() cache: the text, and the fd number it was made for. */
  desc?: string;
  descFd?: number;
}

/**
 * The one shape every stored entry has (all fields, in one order, set at construction): entries
 * built by different calls (stdio, preopens, opened files and directories) would otherwise have
 * different hidden classes, and every `e.kind`/`e.osfd`/`e.position` on the per-call path would
 * be a megamorphic load.
 */
class StoredFd implements FdEntry {
  kind: FdKind;
  filetype: number;
  rightsBase: number;
  rightsInheriting: number;
  policyWithheld: number;
  fdflags: number;
  guestPath: string;
  preopenName: string | undefined;
  osfd: number;
  dir: DirHandle | undefined;
  position: number;
  preopenIndex: number;
  depth: string[];
  readdir: ReaddirSnapshot | undefined;
  identityKey: string | undefined;
  desc: string | undefined;
  descFd: number | undefined;

  constructor(e: FdEntry) {
    this.kind = e.kind;
    this.filetype = e.filetype;
    this.rightsBase = e.rightsBase;
    this.rightsInheriting = e.rightsInheriting;
    this.policyWithheld = e.policyWithheld;
    this.fdflags = e.fdflags;
    this.guestPath = e.guestPath;
    this.preopenName = e.preopenName;
    this.osfd = e.osfd;
    this.dir = e.dir;
    this.position = e.position;
    this.preopenIndex = e.preopenIndex;
    this.depth = e.depth;
    this.readdir = e.readdir;
    this.identityKey = e.identityKey;
    this.desc = e.desc;
    this.descFd = e.descFd;
  }
}

export class FdTable {
  // Indexed by fd number (guest fds are small and dense: lowest free number first), so the
  // lookups every call makes are array loads, not hash probes. `count` = entries in use.
  private readonly entries: Array<FdEntry | undefined> = [];
  private count = 0;

  stdio(kind: 'stdin' | 'stdout' | 'stderr', rights: number): void {
    const fd = kind === 'stdin' ? 0 : kind === 'stdout' ? 1 : 2;
    this.put(fd, {
      kind,
      filetype: FILETYPE.CHARACTER_DEVICE,
      rightsBase: rights,
      rightsInheriting: 0,
      policyWithheld: 0,
      fdflags: 0,
      guestPath: kind,
      osfd: -1,
      position: 0,
      preopenIndex: -1,
      depth: [],
    });
  }

  private put(fd: number, e: FdEntry): void {
    while (this.entries.length < fd) this.entries.push(undefined);
    if (this.entries[fd] === undefined) this.count++;
    this.entries[fd] = e instanceof StoredFd ? e : new StoredFd(e);
  }

  private remove(fd: number): void {
    if (this.entries[fd] === undefined) return;
    this.entries[fd] = undefined;
    this.count--;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
  }

  /** Inserts at the lowest free number from 3 up (deterministic, like POSIX); EMFILE past MAX_FDS. */
  add(entry: FdEntry): number {
    if (this.count >= MAX_FDS) {
      release(entry);
      throw new WasiError(E.MFILE, `more than ${MAX_FDS} open fds`);
    }
    let fd = 3;
    while (fd < this.entries.length && this.entries[fd] !== undefined) fd++;
    this.put(fd, entry);
    return fd;
  }

  has(fd: number): boolean {
    return this.peek(fd) !== undefined;
  }

  /** The entry, or EBADF (a bad-fd security event unless `quiet`). */
  get(fd: number, quiet = false): FdEntry {
    const e = fd < this.entries.length ? this.entries[fd] : undefined;
    if (e === undefined) throw new WasiError(E.BADF, `fd ${fd} is not open`, quiet ? undefined : 'bad-fd');
    return e;
  }

  peek(fd: number): FdEntry | undefined {
    return fd < this.entries.length ? this.entries[fd] : undefined;
  }

  close(fd: number): void {
    const e = this.get(fd);
    this.remove(fd);
    release(e);
  }

  /** Moves `from` onto `to` (which must be open; it is closed first). */
  renumber(from: number, to: number): void {
    const src = this.get(from);
    const dst = this.get(to);
    if (from === to) return;
    release(dst);
    this.entries[to] = src;
    this.remove(from);
  }

  describe(fd: number): string {
    const e = fd < this.entries.length ? this.entries[fd] : undefined;
    if (e === undefined) return `${fd} (not open)`;
    if (e.descFd === fd && e.desc !== undefined) return e.desc;
    e.desc = this.describeEntry(fd, e);
    e.descFd = fd;
    return e.desc;
  }

  private describeEntry(fd: number, e: FdEntry): string {
    if (e.kind === 'stdin' || e.kind === 'stdout' || e.kind === 'stderr') {
      return e.guestPath === e.kind ? `${fd} (${e.kind})` : `${fd} (${e.kind} ${e.guestPath})`;
    }
    if (e.preopenName !== undefined) return `${fd} (preopen ${e.guestPath})`;
    return `${fd} (${e.kind} ${e.guestPath})`;
  }

  /** Closes every OS resource (the host's end of a run). */
  closeAll(): void {
    for (const e of this.entries) if (e !== undefined) release(e);
    this.entries.length = 0;
    this.count = 0;
  }

  numbers(): number[] {
    const out: number[] = [];
    for (let fd = 0; fd < this.entries.length; fd++) if (this.entries[fd] !== undefined) out.push(fd);
    return out;
  }
}

function release(e: FdEntry): void {
  if (e.dir) e.dir.close();
  else if (e.osfd >= 0) {
    try {
      fs.closeSync(e.osfd);
    } catch {
      /* already closed */
    }
  }
}

/** Joins a guest directory path and components for display (`/sandbox` + [a, b] -> `/sandbox/a/b`). */
export function joinGuest(base: string, parts: readonly string[]): string {
  if (parts.length === 0) return base;
  const tail = parts.join('/');
  if (base === '' || base === '.') return base === '.' ? `./${tail}` : tail;
  return base.endsWith('/') ? base + tail : `${base}/${tail}`;
}
