// Test support: watches every path the host hands to node:fs (through the live ESM bindings of
// the builtin), maps `/proc/self/fd/N/x` back to the directory the fd holds, and lets a test act
// just before or after a given call (to swap a symlink in mid-call: a TOCTOU race on demand).
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsCjs = require('node:fs') as Record<string, unknown> & { readlinkSync(p: string): string };

const PATH_FUNCS = [
  'lstatSync', 'statSync', 'openSync', 'readlinkSync', 'readdirSync', 'mkdirSync', 'rmdirSync', 'unlinkSync',
  'renameSync', 'linkSync', 'symlinkSync', 'lutimesSync', 'utimesSync', 'realpathSync', 'readFileSync',
  'writeFileSync', 'truncateSync', 'existsSync', 'accessSync', 'chmodSync', 'rmSync', 'opendirSync', 'cpSync',
];
/** Functions whose second argument is a path too; symlinkSync's first is link text, not a path. */
const TWO_PATHS = new Set(['renameSync', 'linkSync', 'cpSync']);
const SECOND_ONLY = new Set(['symlinkSync']);

export interface FsAccess {
  fn: string;
  /** The path as given. */
  raw: string;
  /** With `/proc/self/fd/N` replaced by the directory the fd held at the time. */
  path: string;
}

export interface FsSpyHooks {
  before?(a: FsAccess): void;
  after?(a: FsAccess): void;
}

const origReadlink = fsCjs.readlinkSync.bind(fsCjs);

function mapPath(p: string): string {
  const m = /^\/proc\/self\/fd\/(\d+)(\/.*)?$/.exec(p);
  if (!m) return p;
  let dir: string;
  try {
    dir = origReadlink(`/proc/self/fd/${m[1]}`);
  } catch {
    return p;
  }
  return m[2] ? `${dir}${m[2]}` : dir;
}

/** Starts watching; returns the accesses seen and a stop function. Not reentrant. */
export function spyFs(hooks: FsSpyHooks = {}): { accesses: FsAccess[]; stop(): void } {
  const accesses: FsAccess[] = [];
  const saved = new Map<string, unknown>();
  let busy = false;
  for (const name of PATH_FUNCS) {
    const orig = fsCjs[name];
    if (typeof orig !== 'function') continue;
    saved.set(name, orig);
    const wrap = (inner: (...a: unknown[]) => unknown, label: string) =>
      function (this: unknown, ...args: unknown[]): unknown {
        if (busy) return inner.apply(this, args);
        const seen: FsAccess[] = [];
        const n = TWO_PATHS.has(name) || SECOND_ONLY.has(name) ? 2 : 1;
        for (let i = SECOND_ONLY.has(name) ? 1 : 0; i < n; i++) {
          const v = args[i];
          if (typeof v === 'string') seen.push({ fn: label, raw: v, path: mapPath(v) });
        }
        busy = true;
        try {
          for (const a of seen) hooks.before?.(a);
        } finally {
          busy = false;
        }
        accesses.push(...seen);
        const r = inner.apply(this, args);
        busy = true;
        try {
          for (const a of seen) hooks.after?.(a);
        } finally {
          busy = false;
        }
        return r;
      };
    const wrapped = wrap(orig as (...a: unknown[]) => unknown, name) as ((...a: unknown[]) => unknown) & { native?: unknown };
    const native = (orig as { native?: unknown }).native;
    if (typeof native === 'function') wrapped.native = wrap(native as (...a: unknown[]) => unknown, `${name}.native`);
    fsCjs[name] = wrapped;
  }
  syncBuiltinESMExports();
  return {
    accesses,
    stop() {
      for (const [name, fn] of saved) fsCjs[name] = fn;
      syncBuiltinESMExports();
    },
  };
}

/** Accesses whose path lies outside `root` (and is not the root itself). */
export function outside(accesses: readonly FsAccess[], root: string): FsAccess[] {
  return accesses.filter((a) => a.path !== root && !a.path.startsWith(`${root}/`));
}
