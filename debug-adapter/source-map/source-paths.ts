// Path forms in debug info vs. the editor: joins DWARF directory + file entries, normalizes them
// lexically, and matches a path the editor sends (absolute, in the workspace) against the paths
// a line table names (absolute, relative to the compile dir, or rewritten by -fdebug-prefix-map).
// Pure string work, POSIX and Windows separators; never touches the file system.

/** Absolute in POSIX (`/x`), Windows drive (`C:\x`, `C:/x`) or UNC (`\\host\x`) form. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** `dir/name`, or `name` itself when it is absolute or `dir` is empty. */
export function joinPath(dir: string | undefined, name: string): string {
  if (!dir || isAbsolutePath(name)) return name;
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`;
}

/**
 * Lexical normal form: `/` separators, no `.` segments or empty segments, `x/..` folded, no
 * trailing slash. Leading `..` of a relative path are kept; `/..` stays at the root.
 */
export function normalizePath(p: string): string {
  let s = p.replace(/\\/g, '/');
  let prefix = '';
  const drive = /^[A-Za-z]:\//.exec(s);
  if (drive) {
    prefix = drive[0];
    s = s.slice(3);
  } else if (s.startsWith('//')) {
    prefix = '//';
    s = s.slice(2);
  } else if (s.startsWith('/')) {
    prefix = '/';
    s = s.slice(1);
  }
  const out: string[] = [];
  for (const part of s.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!prefix) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = prefix + out.join('/');
  return joined === '' ? '.' : joined;
}

function segments(normalized: string): string[] {
  return normalized.split('/').filter((x) => x !== '');
}

export type FileMatch =
  | { kind: 'found'; file: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'none' };

/**
 * Which of `files` (already normalized, as a line table names them) the editor's `query` means:
 * the exact path if present; otherwise the file sharing the longest trailing run of path segments
 * with the query (at least the base name), which covers relative entries and rebuilt prefixes.
 * A tie between different files is reported, not guessed.
 */
export function matchSourceFile(query: string, files: Iterable<string>): FileMatch {
  const q = normalizePath(query);
  const qs = segments(q);
  let best: string[] = [];
  let bestLen = 0;
  for (const f of files) {
    if (f === q) return { kind: 'found', file: f };
    const fs = segments(f);
    let k = 0;
    while (k < fs.length && k < qs.length && fs[fs.length - 1 - k] === qs[qs.length - 1 - k]) k++;
    if (k === 0) continue;
    if (k > bestLen) {
      bestLen = k;
      best = [f];
    } else if (k === bestLen) best.push(f);
  }
  if (best.length === 0) return { kind: 'none' };
  if (best.length === 1) return { kind: 'found', file: best[0] };
  return { kind: 'ambiguous', candidates: best.sort() };
}

/**
 * Where a line table's file is on this machine: the path itself if absolute and present, else
 * under each root (the program's folder, the workspace), trying shorter and shorter trailing
 * parts of the path so a prefix-mapped `/src/a/b.c` still finds `<root>/a/b.c` or `<root>/b.c`.
 */
export function locateSourceFile(file: string, roots: readonly string[], exists: (path: string) => boolean): string | undefined {
  const f = normalizePath(file);
  if (isAbsolutePath(f) && exists(f)) return f;
  const segs = segments(f.replace(/^[A-Za-z]:\//, ''));
  for (let drop = 0; drop < segs.length; drop++) {
    const tail = segs.slice(drop);
    if (tail[0] === '..') continue;
    for (const root of roots) {
      const candidate = normalizePath(joinPath(root, tail.join('/')));
      if (exists(candidate)) return candidate;
    }
  }
  return undefined;
}
