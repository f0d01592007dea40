// A bounds-checked little-endian reader over one section's bytes, for the DWARF and wasm section
// walkers here: every read checks against an end limit and throws SourceMapError naming the
// section and offset, so truncated or hostile input can neither throw RangeError nor loop forever.

import { SourceMapError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class ByteCursor {
  /** Current position, relative to the start of `bytes` (the section payload). */
  pos: number;
  /** Exclusive read limit, relative to the start of `bytes`. */
  end: number;

  /**
   * @param bytes the section payload
   * @param where section name for errors (`.debug_line`, `module`)
   * @param moduleBase module-relative offset of `bytes[0]`, when known, for error messages
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly where: string,
    readonly moduleBase?: number,
    pos = 0,
    end = bytes.length,
  ) {
    this.pos = pos;
    this.end = Math.min(end, bytes.length);
  }

  /** A cursor over `[pos, pos + len)` of the same bytes, checked against this cursor's end. */
  sub(len: number): ByteCursor {
    this.need(len, 'sub-range');
    return new ByteCursor(this.bytes, this.where, this.moduleBase, this.pos, this.pos + len);
  }

  fail(what: string, at = this.pos): never {
    throw new SourceMapError(this.where, at, what, this.moduleBase === undefined ? undefined : this.moduleBase + at);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) this.fail(`truncated ${what} (needs ${n} bytes, ${this.end - this.pos} left)`);
  }

  skip(n: number): void {
    this.need(n, 'data');
    this.pos += n;
  }

  u8(): number {
    this.need(1, 'u8');
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2, 'u16');
    const b = this.bytes;
    const v = b[this.pos] | (b[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3, 'u24');
    const b = this.bytes;
    const v = b[this.pos] | (b[this.pos + 1] << 8) | (b[this.pos + 2] << 16);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const b = this.bytes;
    const v = (b[this.pos] | (b[this.pos + 1] << 8) | (b[this.pos + 2] << 16)) + b[this.pos + 3] * 0x1000000;
    this.pos += 4;
    return v;
  }

  /**
   * u64 as a number: exact below 2^53, approximate above (only tombstones like -1 get there, and
   * those must still read as "not in any function" rather than fail the unit).
   */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return hi * 0x100000000 + lo;
  }

  /** An unsigned value of `size` bytes (1, 2, 4 or 8). */
  uN(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        return this.fail(`unsupported value size ${size}`);
    }
  }

  /**
   * Unsigned LEB128 as a number. DWARF allows any length (128-bit constants exist), so long ones
   * are read to their end and come back approximate above 2^53; every use of a value as a count,
   * size or index is bounds-checked, so an absurd value ends in an error, not a loop.
   */
  uleb(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated LEB128', start);
      const x = this.bytes[this.pos++];
      result += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return result;
      mul *= 128;
    }
  }

  /** Signed LEB128 as a number (exact for |v| < 2^53, approximate beyond, any length). */
  sleb(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    let x: number;
    do {
      if (this.pos >= this.end) this.fail('truncated LEB128', start);
      x = this.bytes[this.pos++];
      result += (x & 0x7f) * mul;
      mul *= 128;
    } while (x & 0x80);
    if (x & 0x40) result -= mul;
    return result;
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(): string {
    const start = this.pos;
    const nul = this.bytes.indexOf(0, start);
    if (nul < 0 || nul >= this.end) this.fail('unterminated string', start);
    this.pos = nul + 1;
    return utf8.decode(this.bytes.subarray(start, nul));
  }

  /** `len` bytes as UTF-8 (a wasm `name`'s payload). */
  utf8(len: number): string {
    this.need(len, 'name');
    const s = utf8.decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Uint8Array | undefined, name: string, offset: number, moduleBase?: number): string {
  if (!section) throw new SourceMapError(name, offset, `string reference into missing section ${name}`);
  if (offset >= section.length) {
    const at = moduleBase === undefined ? undefined : moduleBase + offset;
    throw new SourceMapError(name, offset, `string offset past the end of ${name} (size 0x${section.length.toString(16)})`, at);
  }
  return new ByteCursor(section, name, moduleBase, offset).cstr();
}
