// A growable byte buffer with the binary format's primitive encoders (bytes, minimal LEB128s,
// IEEE floats, names, opcodes). Used by the module writer, the instruction encoder and the
// instrumenter; all writes are appends except `endSize`, which inserts a length prefix.

import type { OpInfo } from './opcodes';

const utf8 = new TextEncoder();

export class ByteWriter {
  /** Backing store; only `buf[0, len)` is meaningful. */
  buf: Uint8Array;
  len = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    if (this.len >= this.buf.length) this.ensure(1);
    this.buf[this.len++] = v;
  }

  /** Append `src[start, end)`. */
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.len);
    this.len += n;
  }

  /** Unsigned LEB128, minimal encoding; `v` must be a non-negative integer below 2^32. */
  u32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.len;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.len = p;
  }

  /** Unsigned LEB128 padded to exactly `width` bytes (for reserved or patched slots). */
  u32Padded(v: number, width: number): void {
    this.ensure(width);
    for (let i = 0; i < width; i++) {
      const last = i === width - 1;
      this.buf[this.len++] = (v & 0x7f) | (last ? 0 : 0x80);
      v = Math.floor(v / 128);
    }
  }

  /** Signed LEB128 of a 32-bit (or 33-bit block type) integer, minimal encoding. */
  s32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.len;
    for (;;) {
      const byte = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        b[p++] = byte;
        break;
      }
      b[p++] = byte | 0x80;
    }
    this.len = p;
  }

  /** s33 shares the s32 encoder: the arithmetic above is exact for |v| < 2^53. */
  s33(v: number): void {
    this.s32(v);
  }

  u64(v: bigint | number): void {
    if (typeof v === 'number') {
      this.u32Big(v);
      return;
    }
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private u32Big(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  s64(v: bigint): void {
    this.ensure(10);
    v = BigInt.asIntN(64, v);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
        this.buf[this.len++] = byte;
        return;
      }
      this.buf[this.len++] = byte | 0x80;
    }
  }

  f32(v: number): void {
    this.scratch.setFloat32(0, v, true);
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = this.scratch.getUint8(i);
  }

  f64(v: number): void {
    this.scratch.setFloat64(0, v, true);
    this.ensure(8);
    for (let i = 0; i < 8; i++) this.buf[this.len++] = this.scratch.getUint8(i);
  }

  /** A `name`: u32 byte length then UTF-8. */
  name(s: string): void {
    const enc = utf8.encode(s);
    this.u32(enc.length);
    this.bytes(enc);
  }

  /** The opcode bytes of an operator: its prefix (if any) then the code as u32 LEB128. */
  op(info: OpInfo): void {
    if (info.prefix === 0) this.u8(info.code);
    else {
      this.u8(info.prefix);
      this.u32(info.code);
    }
  }

  /** Start a length-prefixed region; pass the returned mark to `endSize`. */
  beginSize(): number {
    return this.len;
  }

  /** Insert, at `mark`, the minimal u32 LEB of the number of bytes written since `beginSize`. */
  endSize(mark: number): void {
    const size = this.len - mark;
    let w = 1;
    for (let v = size; v >= 0x80; v = Math.floor(v / 128)) w++;
    this.ensure(w);
    this.buf.copyWithin(mark + w, mark, this.len);
    const end = this.len + w;
    this.len = mark;
    this.u32(size);
    this.len = end;
  }

  /** The bytes written so far (a view into the buffer, valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the bytes written so far, sized exactly. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
