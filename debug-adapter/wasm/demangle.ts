// Readable function names for what Rust puts in the name section: its legacy mangling
// (`_ZN4core3fmt5write17h0123456789abcdefE` -> `core::fmt::write`) and its v0 mangling, which
// recent standard libraries use (`_RNvNtCs6TxCtTcuIIP_3std3env7args_os` -> `std::env::args_os`).
// Both are unambiguous. A v0 name using what this reader does not decode (const generics, fn
// and dyn types, punycode), and a name in any other form (C++'s Itanium mangling with its
// types), is returned unchanged rather than guessed at.

const ESCAPES: Record<string, string> = {
  SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',',
};

/** One path segment with Rust's `$..$` escapes and `..` (for `::`) decoded; undefined if malformed. */
function unescape(seg: string): string | undefined {
  let s = seg.startsWith('_$') ? seg.slice(1) : seg;
  let out = '';
  while (s.length > 0) {
    if (s.startsWith('..')) {
      out += '::';
      s = s.slice(2);
    } else if (s[0] === '$') {
      const end = s.indexOf('$', 1);
      if (end < 0) return undefined;
      const code = s.slice(1, end);
      if (ESCAPES[code] !== undefined) out += ESCAPES[code];
      else if (/^u[0-9a-f]{1,6}$/.test(code)) out += String.fromCodePoint(parseInt(code.slice(1), 16));
      else return undefined;
      s = s.slice(end + 1);
    } else {
      const i = s.search(/\$|\.\./);
      const n = i < 0 ? s.length : i;
      out += s.slice(0, n);
      s = s.slice(n);
    }
  }
  return out;
}

/** `name` demangled when it is a Rust symbol (legacy or v0), else `name` itself. */
export function demangle(name: string): string {
  if (name.startsWith('_R')) return demangleV0(name) ?? name;
  if (!name.startsWith('_ZN') || !name.endsWith('E')) return name;
  const segs: string[] = [];
  let p = 3;
  const end = name.length - 1;
  while (p < end) {
    let q = p;
    while (q < end && name.charCodeAt(q) >= 48 && name.charCodeAt(q) <= 57) q++;
    if (q === p) return name;
    const len = Number(name.slice(p, q));
    if (len === 0 || q + len > end) return name;
    segs.push(name.slice(q, q + len));
    p = q + len;
  }
  // Rust's legacy scheme always ends with the 17-character hash segment.
  const hash = segs.pop();
  if (!hash || !/^h[0-9a-f]{16}$/.test(hash) || segs.length === 0) return name;
  const parts: string[] = [];
  for (const s of segs) {
    const u = unescape(s);
    if (u === undefined) return name;
    parts.push(u);
  }
  return parts.join('::');
}

const BASIC: Record<string, string> = {
  a: 'i8', b: 'bool', c: 'char', d: 'f64', e: 'str', f: 'f32', h: 'u8', i: 'isize', j: 'usize', l: 'i32', m: 'u32',
  n: 'i128', o: 'u128', s: 'i16', t: 'u16', u: '()', v: '...', x: 'i64', y: 'u64', z: '!', p: '_',
};

class Unsupported extends Error {}

/** Rust's v0 mangling (RFC 2603): paths, generic arguments, the common types, back references. */
function demangleV0(sym: string): string | undefined {
  const s = sym;
  let p = 2;
  let depth = 0;
  const fail = (): never => {
    throw new Unsupported();
  };
  const peek = (): string => s[p] ?? '';
  const next = (): string => s[p++] ?? fail();
  const base62 = (): number => {
    if (peek() === '_') {
      p++;
      return 0;
    }
    let v = 0;
    for (;;) {
      const c = next();
      if (c === '_') return v + 1;
      const d = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 87 : c >= 'A' && c <= 'Z' ? c.charCodeAt(0) - 29 : fail();
      v = v * 62 + d; // disambiguators are hashes (imprecise here, and unused); back references are small
    }
  };
  const decimal = (): number => {
    const start = p;
    if (peek() === '0') {
      p++; // "0" is a whole number: no leading zeros
      return 0;
    }
    while (peek() >= '0' && peek() <= '9') p++;
    if (p === start) fail();
    return Number(s.slice(start, p));
  };
  const disambiguator = (): number => {
    if (peek() !== 's') return 0;
    p++;
    return base62() + 1;
  };
  const ident = (): string => {
    disambiguator();
    if (peek() === 'u') fail(); // punycode
    const len = decimal();
    if (peek() === '_') p++;
    if (p + len > s.length) fail();
    const id = s.slice(p, p + len);
    p += len;
    return id;
  };
  /** Parse at a back reference's target, then come back. */
  const backref = <T>(parse: () => T): T => {
    const target = 2 + base62();
    if (target >= p) fail();
    const save = p;
    p = target;
    if (++depth > 64) fail();
    const v = parse();
    depth--;
    p = save;
    return v;
  };
  const genericArgs = (): string => {
    const args: string[] = [];
    while (peek() !== 'E') {
      if (peek() === 'L') {
        p++;
        base62();
        continue; // lifetimes are not shown
      }
      if (peek() === 'K') fail(); // const generics
      args.push(type());
    }
    p++;
    return args.length > 0 ? `<${args.join(', ')}>` : '';
  };
  const path = (): string => {
    const c = next();
    switch (c) {
      case 'C':
        return ident();
      case 'N': {
        const ns = next();
        const parent = path();
        const dis = peek() === 's' ? disambiguator() : 0;
        if (peek() === 'u') fail();
        const len = decimal();
        if (peek() === '_') p++;
        const id = s.slice(p, p + len);
        p += len;
        if (ns === 'C') return `${parent}::{closure${id ? `:${id}` : ''}#${dis}}`;
        if (ns >= 'A' && ns <= 'Z') return `${parent}::{${ns === 'S' ? 'shim' : ns}${id ? `:${id}` : ''}#${dis}}`;
        return `${parent}::${id}`;
      }
      case 'M': {
        disambiguator();
        path();
        return `<${type()}>`;
      }
      case 'X': {
        disambiguator();
        path();
        const t = type();
        return `<${t} as ${path()}>`;
      }
      case 'Y': {
        const t = type();
        return `<${t} as ${path()}>`;
      }
      case 'I': {
        const base = path();
        return `${base}${genericArgs()}`;
      }
      case 'B':
        return backref(path);
      default:
        return fail();
    }
  };
  const type = (): string => {
    const c = peek();
    if (BASIC[c] !== undefined) {
      p++;
      return BASIC[c];
    }
    switch (c) {
      case 'R':
      case 'Q': {
        p++;
        if (peek() === 'L') {
          p++;
          base62();
        }
        return `&${c === 'Q' ? 'mut ' : ''}${type()}`;
      }
      case 'P':
      case 'O':
        p++;
        return `*${c === 'P' ? 'const' : 'mut'} ${type()}`;
      case 'S':
        p++;
        return `[${type()}]`;
      case 'T': {
        p++;
        const items: string[] = [];
        while (peek() !== 'E') items.push(type());
        p++;
        return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
      }
      case 'B':
        p++;
        return backref(type);
      case 'C':
      case 'N':
      case 'M':
      case 'X':
      case 'Y':
      case 'I':
        return path();
      default:
        return fail(); // arrays (const lengths), fn pointers, dyn traits
    }
  };
  try {
    if (peek() >= '0' && peek() <= '9') decimal(); // encoding version
    return path();
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
