// JSON-lines plumbing shared by the audit trail and recordings: a buffered line writer that
// flushes synchronously at a chunk size (so memory stays bounded however many lines stream
// through, and nothing is lost if the process ends right after a flush), a chunked line reader,
// and two encodings of bigint/bytes: `plainJson` writes bigints as bare JSON numbers (readable
// trails), `taggedJson`/`parseTagged` round-trip bigints and Uint8Arrays exactly (recordings).
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';

export const DEFAULT_CHUNK_BYTES = 1 << 20;

export class LineWriter {
  private readonly fd: number;
  /** Lines are encoded straight into this buffer (no joined string, no second copy). */
  private readonly buf: Buffer;
  private used = 0;
  private closed = false;
  /** Bytes handed to the OS so far. */
  written = 0;

  constructor(
    readonly path: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.fd = fs.openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(Math.max(chunkBytes, 1));
  }

  write(line: string): void {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    // At most 3 UTF-8 bytes per UTF-16 unit: make sure the whole line fits before encoding it.
    const worst = line.length * 3 + 1;
    if (this.used + worst > this.buf.length) {
      this.flush();
      if (worst > this.buf.length) {
        this.writeOut(Buffer.from(`${line}\n`, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(line, this.used);
    this.buf[this.used++] = 10;
    if (this.used >= this.chunkBytes) this.flush();
  }

  /**
   * Writes `body` (a JSON object's text) as a line, with `,"hash":"<digest(body's UTF-8)>"` added
   * before its closing brace, and returns the digest. The body is encoded once, straight into the
   * chunk buffer, and hashed there: no flattened copy of it is made for the hash.
   */
  writeDigested(body: string, digest: (bytes: Uint8Array) => string): string {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    // Body, plus `,"hash":"` (9), a 64-character hex digest, `"}` and the newline.
    const worst = body.length * 3 + 76;
    if (this.used + worst > this.buf.length) {
      this.flush();
      if (worst > this.buf.length) {
        const h = digest(Buffer.from(body, 'utf8'));
        this.write(`${body.slice(0, -1)},"hash":"${h}"}`);
        return h;
      }
    }
    const start = this.used;
    const end = start + this.buf.write(body, start);
    const h = digest(this.buf.subarray(start, end));
    // Replace the closing brace: `,"hash":"<h>"}` and the newline.
    this.used = end - 1 + this.buf.write(`,"hash":"${h}"}\n`, end - 1, 'latin1');
    if (this.used >= this.chunkBytes) this.flush();
    return h;
  }

  flush(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.writeOut(this.buf.subarray(0, n));
  }

  private writeOut(data: Buffer): void {
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    this.written += data.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
  }
}

/**
 * Yields the lines of a file (without their newline), reading it in chunks. A line longer than a
 * chunk (a recorded read of a 100 MB file) is kept as a list of pieces and joined once: each chunk
 * is scanned and copied once, so a long line costs time linear in its length.
 */
export function* readLines(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): Generator<string> {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(chunkBytes);
    let pieces: Buffer[] = [];
    let pending = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      let start = 0;
      for (let i = chunk.indexOf(10, 0); i >= 0; i = chunk.indexOf(10, start)) {
        if (pending === 0) yield chunk.toString('utf8', start, i);
        else {
          pieces.push(chunk.subarray(start, i));
          yield Buffer.concat(pieces, pending + i - start).toString('utf8');
          pieces = [];
          pending = 0;
        }
        start = i + 1;
      }
      if (start < n) {
        // The buffer is reused for the next chunk: keep a copy of the unfinished line's piece.
        pieces.push(Buffer.from(chunk.subarray(start)));
        pending += n - start;
      }
    }
    if (pending > 0) yield Buffer.concat(pieces, pending).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

// A per-process random marker: a guest-chosen string cannot imitate it and turn into a number.
const MARK_ID = randomBytes(8).toString('hex');
const BIG_MARK = `\u0001${MARK_ID}:`;
const BIG_MARK_JSON = `\\u0001${MARK_ID}:`;
const BIG_TOKEN = new RegExp(`"\\\\u0001${MARK_ID}:(-?\\d+)"`, 'g');

/**
 * Replaces bigints (by a marker string) and bytes (by base64) in a copy of `v`, copying only the
 * objects on the way to one; returns `v` itself when there is nothing to replace. Events nest at
 * most two levels (event -> args -> value), so native JSON.stringify then runs without a replacer.
 */
function markForJson(v: unknown, depth: number, tagged = false): unknown {
  if (typeof v === 'bigint') return tagged ? { $n: v.toString() } : BIG_MARK + v.toString();
  if (v === null || typeof v !== 'object' || depth > 4) return v;
  if (v instanceof Uint8Array) {
    const b64 = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    return tagged ? { $b: b64 } : b64;
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const m = markForJson(v[i], depth + 1, tagged);
      if (m !== v[i]) (out ??= v.slice())[i] = m;
    }
    return out ?? v;
  }
  const obj = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in obj) {
    const m = markForJson(obj[k], depth + 1, tagged);
    if (m !== obj[k]) (out ??= Object.assign({}, obj))[k] = m;
  }
  return out ?? v;
}

const QUOTED_KEYS = new Map<string, string>();
const NOT_PLAIN = Symbol('not plain');

function quotedKey(k: string): string {
  let q = QUOTED_KEYS.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (QUOTED_KEYS.size < 4096) QUOTED_KEYS.set(k, q);
  }
  return q;
}

const QUOTED_VALUES = new Map<string, string>();

/** Short strings repeat from event to event (function, fd, errno names): quote each once. */
function quotedValue(v: string): string {
  if (v.length > 48) return JSON.stringify(v);
  let q = QUOTED_VALUES.get(v);
  if (q === undefined) {
    q = JSON.stringify(v);
    if (QUOTED_VALUES.size >= 4096) QUOTED_VALUES.clear();
    QUOTED_VALUES.set(v, q);
  }
  return q;
}

/**
 * plainJson's fast path: builds the text directly for plain objects, arrays and primitives (what
 * events are made of), byte for byte what JSON.stringify gives after markForJson, without copying
 * objects that hold bigints or scanning the result for markers. Anything else (class instances,
 * toJSON, deep nesting) answers NOT_PLAIN and the caller takes the general path.
 */
function plainText(v: unknown, depth: number): string | undefined | typeof NOT_PLAIN {
  switch (typeof v) {
    case 'string':
      return quotedValue(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (v === null) return 'null';
  if (depth > 8) return NOT_PLAIN;
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      const m = plainText(v[i], depth + 1);
      if (m === NOT_PLAIN) return NOT_PLAIN;
      s += (i === 0 ? '' : ',') + (m === undefined ? 'null' : m);
    }
    return `${s}]`;
  }
  if (v instanceof Uint8Array) return `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`;
  const fields = plainFieldsText(v as object, depth);
  return fields === NOT_PLAIN ? NOT_PLAIN : `{${fields}}`;
}

/** A plain object's members (`"k":v,...`, no braces), or NOT_PLAIN. */
function plainFieldsText(v: object, depth: number): string | typeof NOT_PLAIN {
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const o = v as Record<string, unknown>;
  if (typeof o.toJSON === 'function') return NOT_PLAIN;
  const keys = Object.keys(o);
  let s = '';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const m = plainText(o[k], depth + 1);
    if (m === NOT_PLAIN) return NOT_PLAIN;
    if (m === undefined) continue;
    s += (first ? '' : ',') + quotedKey(k) + ':' + m;
    first = false;
  }
  return s;
}

/** plainJson of an object without its braces (`"a":1,"b":2`; '' for `{}`): lines that add members. */
export function plainJsonMembers(record: Record<string, unknown>): string {
  const fields = plainFieldsText(record, 0);
  if (fields !== NOT_PLAIN) return fields;
  return plainJson(record).slice(1, -1);
}

/** JSON with bigints as bare numbers and bytes as base64 strings (for humans and jq). */
export function plainJson(value: unknown): string {
  const fast = plainText(value, 0);
  if (fast !== NOT_PLAIN && fast !== undefined) return fast;
  const marked = markForJson(value, 0);
  let s: string | undefined;
  try {
    s = JSON.stringify(marked);
  } catch {
    return slowPlainJson(value); // a bigint deeper than markForJson looks
  }
  return marked !== value && s.includes(BIG_MARK_JSON) ? s.replace(BIG_TOKEN, '$1') : s;
}

function slowPlainJson(value: unknown): string {
  let hasBig = false;
  const s = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') {
      hasBig = true;
      return BIG_MARK + v.toString();
    }
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    return v;
  });
  return hasBig ? s.replace(BIG_TOKEN, '$1') : s;
}

/** JSON that keeps bigints (`{"$n":"12"}`) and bytes (`{"$b":"base64"}`) exact. */
export function taggedJson(value: unknown): string {
  try {
    return JSON.stringify(markForJson(value, 0, true));
  } catch {
    return slowTaggedJson(value); // deeper than markForJson looks
  }
}

function slowTaggedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return { $n: v.toString() };
    if (v instanceof Uint8Array) return { $b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    return v;
  });
}

export function parseTagged<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1) {
        if (keys[0] === '$n' && typeof o.$n === 'string') return BigInt(o.$n);
        if (keys[0] === '$b' && typeof o.$b === 'string') return new Uint8Array(Buffer.from(o.$b, 'base64'));
      }
    }
    return v;
  }) as T;
}
