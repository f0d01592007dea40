// Keeps the directories a procfs path walk went through open between calls, so a guest working in
// one directory does not reopen every ancestor on every path call (the walk's open + close of each
// intermediate directory becomes one fstat of its parent).
//
// An entry says "directory P (by dev:ino) held `name` -> this open directory". Before each use it
// is re-checked against P as the walk stands in it now: P's ctime and birth time must be the ones
// read before the entry was opened. Adding, removing or renaming any entry of P (a directory
// moved out or away, a symlink swapped in for it, P itself deleted and its inode reused) changes
// P's ctime, so a stale entry is never used: the walk opens the name afresh, as it would without
// the cache (kernels with multigrain timestamps, 6.13+, guarantee a change after a read is seen;
// older ones round ctime to a clock tick, see the README's sandbox section). The guest's own
// renames, removals and links drop the names they touch at once, whatever the timestamps say.
//
// Containment never depends on the check: a cached fd is only ever used for one-component
// lookups below it (`..` and symlinks are resolved by the walker, never by the kernel), so even a
// stale entry reaches nothing but the directory object the walk met inside the capability.
//
// Entries are shared by every walk that stands in the same directory (whatever fd brought it
// there), at most MAX_ENTRIES, least recently used out first. An entry in use by a walk that is
// still running (a Resolution not yet released) is closed only when that walk lets go of it.
import * as fs from 'node:fs';

export const MAX_ENTRIES = 32;

const fstatSync = fs.fstatSync;
const closeSync = fs.closeSync;

/** A directory the cache can key on: its fd, and its dev:ino once known. */
export interface CacheableDir {
  readonly osfd: number;
  /** `dev:ino`, filled in by the cache the first time it fstat-s the handle. */
  idKey?: string;
}

export interface CachedDir extends CacheableDir {
  /** Walks currently standing in (or holding for `..`) this directory. */
  refs: number;
  /** Dropped from the cache; closed when the last walk lets go. */
  dead: boolean;
  /** Set while the cache owns the handle (Resolution.release must not close it). */
  cached: boolean;
}

interface Entry<D extends CachedDir> {
  readonly key: string;
  readonly dir: D;
  readonly parentCtime: bigint;
  readonly parentBirth: bigint;
}

/** Counters for tests and the README's figures. */
export interface DirCacheStats {
  hits: number;
  misses: number;
  /** Entries found but refused because their parent changed. */
  stale: number;
  dropped: number;
  open: number;
}

export class DirCache<D extends CachedDir> {
  private readonly entries = new Map<string, Entry<D>>();
  readonly stats: DirCacheStats = { hits: 0, misses: 0, stale: 0, dropped: 0, open: 0 };

  constructor(private readonly max = MAX_ENTRIES) {}

  /**
   * The directory `name` inside `parent`, from the cache when the entry is still valid, else
   * opened by `open` (which refuses symlinks and non-directories) and cached. The result is
   * acquired: hand it back with `release` when the walk ends.
   */
  child(parent: CacheableDir, name: string, open: () => D): D {
    const st = fstatSync(parent.osfd, { bigint: true });
    const id = parent.idKey ?? (parent.idKey = `${st.dev}:${st.ino}`);
    const key = `${id}/${name}`;
    const e = this.entries.get(key);
    if (e !== undefined) {
      if (e.parentCtime === st.ctimeNs && e.parentBirth === st.birthtimeNs) {
        this.stats.hits++;
        // Most recently used last: eviction takes the first.
        this.entries.delete(key);
        this.entries.set(key, e);
        e.dir.refs++;
        return e.dir;
      }
      this.stats.stale++;
      this.drop(e);
    }
    this.stats.misses++;
    // The parent's ctime was read before this open: a change between the two is caught next time.
    const dir = open();
    dir.cached = true;
    dir.refs = 1;
    this.stats.open++;
    if (this.entries.size >= this.max) {
      const oldest = this.entries.values().next().value as Entry<D>;
      this.drop(oldest);
    }
    this.entries.set(key, { key, dir, parentCtime: st.ctimeNs, parentBirth: st.birthtimeNs });
    return dir;
  }

  /** A walk lets go of a directory `child` gave it. */
  release(dir: D): void {
    if (--dir.refs === 0 && dir.dead) this.close(dir);
  }

  /** The guest changed `name` inside `parent` (renamed, removed, replaced): forget that entry. */
  forget(parent: CacheableDir, name: string): void {
    if (this.entries.size === 0) return;
    let id = parent.idKey;
    if (id === undefined) {
      try {
        const st = fstatSync(parent.osfd, { bigint: true });
        id = parent.idKey = `${st.dev}:${st.ino}`;
      } catch {
        this.clear();
        return;
      }
    }
    const e = this.entries.get(`${id}/${name}`);
    if (e !== undefined) this.drop(e);
  }

  /** Drops every entry (closing each fd no walk is using); the host calls it at the end of a run. */
  clear(): void {
    for (const e of [...this.entries.values()]) this.drop(e);
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(e: Entry<D>): void {
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    if (e.dir.dead) return;
    e.dir.dead = true;
    this.stats.dropped++;
    if (e.dir.refs === 0) this.close(e.dir);
  }

  private close(dir: D): void {
    this.stats.open--;
    try {
      closeSync(dir.osfd);
    } catch {
      /* already closed */
    }
  }
}
