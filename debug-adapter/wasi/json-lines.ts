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
  private parts: string[] = [];
  private pending = 0;
  private closed = false;
  /** Bytes handed to the OS so far. */
  written = 0;

  constructor(
    readonly path: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.fd = fs.openSync(path, 'w');
  }

  write(line: string): void {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    this.parts.push(line, '\n');
    this.pending += line.length + 1;
    if (this.pending >= this.chunkBytes) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.written += buf.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
  }
}

/** Yields the lines of a file (without their newline), reading it in chunks. */
export function* readLines(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): Generator<string> {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(chunkBytes);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let chunk: Buffer = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let i = chunk.indexOf(10, start); i >= 0; i = chunk.indexOf(10, start)) {
        yield chunk.toString('utf8', start, i);
        start = i + 1;
      }
      carry = Buffer.from(chunk.subarray(start));
      chunk = Buffer.alloc(0);
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

// A per-process random marker: a guest-chosen string cannot imitate it and turn into a number.
const MARK_ID = randomBytes(8).toString('hex');
const BIG_MARK = `\u0001${MARK_ID}:`;
const BIG_TOKEN = new RegExp(`"\\\\u0001${MARK_ID}:(-?\\d+)"`, 'g');

/** JSON with bigints as bare numbers and bytes as base64 strings (for humans and jq). */
export function plainJson(value: unknown): string {
  // Fast path: bigints and bytes only at the top level (events' fuel), so the native
  // JSON.stringify runs without a replacer; anything nested falls back to the replacer.
  if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    const obj = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    let marked = false;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'bigint') {
        copy ??= Object.assign({}, obj);
        copy[k] = BIG_MARK + v.toString();
        marked = true;
      } else if (v instanceof Uint8Array) {
        copy ??= Object.assign({}, obj);
        copy[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      }
    }
    let s: string | undefined;
    try {
      s = JSON.stringify(copy ?? obj);
    } catch {
      s = undefined; // a nested bigint
    }
    if (s !== undefined) return marked ? s.replace(BIG_TOKEN, '$1') : s;
  }
  return slowPlainJson(value);
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
