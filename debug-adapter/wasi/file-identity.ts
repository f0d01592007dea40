// What the guest sees of a file's identity and times (filestat, dirent inode numbers).
//
// Live mode reports the host's dev/ino and times, with one correction: Node can only set times
// with float seconds (~240 ns precision), so the exact nanoseconds a guest set are remembered and
// reported for as long as the file's real time is still the one that set produced.
//
// Deterministic mode reports only what is the same in two runs over fresh copies of the same
// tree: dev = 1, 2, ... per host device in order of first sight; ino = 1, 2, ... per file in order
// of first sight (readdir is sorted, so first sight is deterministic); a file's numbers are
// forgotten when its last link goes, so an OS reusing inode numbers cannot leak into the trail.
// Times are virtual: files that existed before the run carry the virtual epoch, files created
// during the run carry the virtual time of their creation, writes and truncations through the host
// move mtim/ctim to the virtual now, and *_set_times store what the guest asked. Directory sizes
// (file-system dependent) read 0; access times do not move on reads (noatime).
import type { BigIntStats } from 'node:fs';
import { FILETYPE } from './wasi-abi';

export interface WasiFilestat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export function filetypeOf(st: BigIntStats): number {
  if (st.isFile()) return FILETYPE.REGULAR_FILE;
  if (st.isDirectory()) return FILETYPE.DIRECTORY;
  if (st.isSymbolicLink()) return FILETYPE.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return FILETYPE.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return FILETYPE.BLOCK_DEVICE;
  if (st.isSocket()) return FILETYPE.SOCKET_STREAM;
  return FILETYPE.UNKNOWN;
}

export function identityKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

interface Times {
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

interface ExactTimes {
  /** Real (host) value right after the set, and the exact value the guest asked for. */
  realA?: bigint;
  wantA?: bigint;
  realM?: bigint;
  wantM?: bigint;
}

export class FileIdentity {
  private readonly devs = new Map<bigint, bigint>();
  private readonly inos = new Map<string, bigint>();
  private nextIno = 1n;
  private readonly times = new Map<string, Times>();
  private readonly exact = new Map<string, ExactTimes>();

  constructor(
    readonly deterministic: boolean,
    /** Virtual realtime now (deterministic mode only). */
    private readonly now: () => bigint,
    private readonly epochNs: bigint,
  ) {}

  private vdev(dev: bigint): bigint {
    let v = this.devs.get(dev);
    if (v === undefined) {
      v = BigInt(this.devs.size + 1);
      this.devs.set(dev, v);
    }
    return v;
  }

  private vino(key: string): bigint {
    let v = this.inos.get(key);
    if (v === undefined) {
      v = this.nextIno++;
      this.inos.set(key, v);
    }
    return v;
  }

  /** The inode number the guest sees for a file. */
  ino(st: BigIntStats, key = identityKey(st)): bigint {
    return this.deterministic ? this.vino(key) : st.ino;
  }

  filestat(st: BigIntStats, key = identityKey(st)): WasiFilestat {
    const filetype = filetypeOf(st);
    if (this.deterministic) {
      const t = this.times.get(key) ?? { atim: this.epochNs, mtim: this.epochNs, ctim: this.epochNs };
      return {
        dev: this.vdev(st.dev),
        ino: this.vino(key),
        filetype,
        nlink: st.nlink,
        size: filetype === FILETYPE.DIRECTORY ? 0n : st.size,
        atim: t.atim,
        mtim: t.mtim,
        ctim: t.ctim,
      };
    }
    const x = this.exact.get(key);
    return {
      dev: st.dev,
      ino: st.ino,
      filetype,
      nlink: st.nlink,
      size: st.size,
      atim: x?.wantA !== undefined && x.realA === st.atimeNs ? x.wantA : st.atimeNs,
      mtim: x?.wantM !== undefined && x.realM === st.mtimeNs ? x.wantM : st.mtimeNs,
      ctim: st.ctimeNs,
    };
  }

  /** A file or directory came into being through the host (deterministic times start now). */
  created(key: string): void {
    if (!this.deterministic) return;
    const n = this.now();
    this.times.set(key, { atim: n, mtim: n, ctim: n });
  }

  /** Contents changed through the host (write, truncate, a directory gaining or losing entries). */
  modified(key: string): void {
    if (!this.deterministic) return;
    const n = this.now();
    const t = this.times.get(key);
    if (t) {
      t.mtim = n;
      t.ctim = n;
    } else this.times.set(key, { atim: this.epochNs, mtim: n, ctim: n });
  }

  /** Metadata changed (link count, rename): ctim only. */
  changed(key: string): void {
    if (!this.deterministic) return;
    const n = this.now();
    const t = this.times.get(key);
    if (t) t.ctim = n;
    else this.times.set(key, { atim: this.epochNs, mtim: this.epochNs, ctim: n });
  }

  /**
   * The guest set times (undefined = leave as it was). `before`/`after` are the host's stats
   * around the host's own set, which can only carry float seconds: a time the guest left alone
   * is rewritten too, so its exact old value is remembered like a value the guest set.
   */
  timesSet(key: string, atim: bigint | undefined, mtim: bigint | undefined, before: BigIntStats, after: BigIntStats | undefined): void {
    if (this.deterministic) {
      const t = this.times.get(key) ?? { atim: this.epochNs, mtim: this.epochNs, ctim: this.epochNs };
      if (atim !== undefined) t.atim = atim;
      if (mtim !== undefined) t.mtim = mtim;
      t.ctim = this.now();
      this.times.set(key, t);
      return;
    }
    if (!after) return;
    const shown = this.filestat(before, key);
    this.exact.set(key, { wantA: atim ?? shown.atim, realA: after.atimeNs, wantM: mtim ?? shown.mtim, realM: after.mtimeNs });
  }

  /** The last link of a file went: forget its numbers so a reused host inode gets new ones. */
  forget(key: string): void {
    this.inos.delete(key);
    this.times.delete(key);
    this.exact.delete(key);
  }
}
