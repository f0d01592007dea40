// LEB128 readers and size helpers for the binary format, allocation-free on the hot path.
// Every reader checks bounds against `limit` (exclusive) and the spec's length limits
// (5 bytes for 32-bit, 10 for 64-bit, unused bits of the last byte must be zero or sign bits)
// and throws WasmDecodeError naming the LEB's first byte offset.
// Readers return the value and store the offset after the LEB in `leb.end` (a shared slot instead
// of a tuple, so no object is allocated per read). Read `leb.end` right after the call.

import { WasmDecodeError } from './errors';

/** Offset just after the last LEB read by any reader in this module. */
export const leb = { end: 0 };

function fail(start: number, detail: string): never {
  throw new WasmDecodeError(start, 'bad LEB128', detail);
}

function truncatedLeb(start: number, kind: string): never {
  fail(start, `${kind} runs past the end of its section or body (unexpected end)`);
}

/** Unsigned 32-bit. */
export function readU32(b: Uint8Array, pos: number, limit: number): number {
  if (pos + 5 <= limit) {
    // Unrolled fast path when a full 5-byte LEB fits; malformed last bytes fall to the slow path.
    let x = b[pos];
    if (x < 0x80) {
      leb.end = pos + 1;
      return x;
    }
    let r = x & 0x7f;
    x = b[pos + 1];
    r |= (x & 0x7f) << 7;
    if (x < 0x80) {
      leb.end = pos + 2;
      return r;
    }
    x = b[pos + 2];
    r |= (x & 0x7f) << 14;
    if (x < 0x80) {
      leb.end = pos + 3;
      return r;
    }
    x = b[pos + 3];
    r |= (x & 0x7f) << 21;
    if (x < 0x80) {
      leb.end = pos + 4;
      return r;
    }
    x = b[pos + 4];
    if (x < 0x10) {
      leb.end = pos + 5;
      return (r | (x << 28)) >>> 0;
    }
  } else if (pos < limit) {
    const x = b[pos];
    if (x < 0x80) {
      leb.end = pos + 1;
      return x;
    }
  }
  return readU32Slow(b, pos, limit);
}

function readU32Slow(b: Uint8Array, start: number, limit: number): number {
  if (limit > b.length) limit = b.length;
  let result = 0;
  let p = start;
  for (let i = 0; i < 5; i++) {
    if (p >= limit) truncatedLeb(start, 'u32');
    const x = b[p++];
    if (i === 4) {
      if (x & 0x80) fail(start, 'u32 longer than 5 bytes (integer representation too long)');
      if (x & 0x70) fail(start, 'unused bits set in the last byte of a u32 (integer too large)');
    }
    result += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) {
      leb.end = p;
      return result;
    }
  }
  return fail(start, 'unreachable');
}

/** Signed 32-bit (i32.const). */
export function readS32(b: Uint8Array, pos: number, limit: number): number {
  if (pos + 5 <= limit) {
    let x = b[pos];
    if (x < 0x80) {
      leb.end = pos + 1;
      return (x << 25) >> 25;
    }
    let r = x & 0x7f;
    x = b[pos + 1];
    r |= (x & 0x7f) << 7;
    if (x < 0x80) {
      leb.end = pos + 2;
      return (r << 18) >> 18;
    }
    x = b[pos + 2];
    r |= (x & 0x7f) << 14;
    if (x < 0x80) {
      leb.end = pos + 3;
      return (r << 11) >> 11;
    }
    x = b[pos + 3];
    r |= (x & 0x7f) << 21;
    if (x < 0x80) {
      leb.end = pos + 4;
      return (r << 4) >> 4;
    }
    // 5-byte values take the checked loop below (last-byte sign checks).
  } else if (pos < limit) {
    const x = b[pos];
    if (x < 0x80) {
      leb.end = pos + 1;
      return (x << 25) >> 25;
    }
  }
  if (limit > b.length) limit = b.length;
  let result = 0;
  let shift = 0;
  let p = pos;
  for (let i = 0; i < 5; i++) {
    if (p >= limit) truncatedLeb(pos, 's32');
    const x = b[p++];
    if (i === 4) {
      if (x & 0x80) fail(pos, 's32 longer than 5 bytes (integer representation too long)');
      const hi = x & 0x78;
      if (hi !== 0 && hi !== 0x78) fail(pos, 'last byte of an s32 is not a sign extension (integer too large)');
    }
    result |= (x & 0x7f) << shift;
    shift += 7;
    if ((x & 0x80) === 0) {
      if (shift < 32 && x & 0x40) result |= -1 << shift;
      leb.end = p;
      return result;
    }
  }
  return fail(pos, 'unreachable');
}

/** Signed 33-bit (block types, heap types): negative values are the one-byte type codes. */
export function readS33(b: Uint8Array, pos: number, limit: number): number {
  if (limit > b.length) limit = b.length;
  if (pos < limit) {
    const x = b[pos];
    if (x < 0x80) {
      leb.end = pos + 1;
      return (x << 25) >> 25;
    }
  }
  let result = 0;
  let p = pos;
  for (let i = 0; i < 5; i++) {
    if (p >= limit) truncatedLeb(pos, 's33');
    const x = b[p++];
    if (i === 4) {
      if (x & 0x80) fail(pos, 's33 longer than 5 bytes (integer representation too long)');
      const hi = x & 0x70;
      if (hi !== 0 && hi !== 0x70) fail(pos, 'last byte of an s33 is not a sign extension (integer too large)');
    }
    result += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) {
      const bits = 7 * (i + 1);
      if (bits < 33 + 7 && x & 0x40) result -= 2 ** bits;
      leb.end = p;
      return result;
    }
  }
  return fail(pos, 'unreachable');
}

/** Unsigned 64-bit as a bigint. */
export function readU64(b: Uint8Array, pos: number, limit: number): bigint {
  if (limit > b.length) limit = b.length;
  let p = pos;
  let result = 0n;
  let small = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= limit) truncatedLeb(pos, 'u64');
    const x = b[p++];
    if (i === 9) {
      if (x & 0x80) fail(pos, 'u64 longer than 10 bytes (integer representation too long)');
      if (x & 0x7e) fail(pos, 'unused bits set in the last byte of a u64 (integer too large)');
    }
    if (i < 7) small += (x & 0x7f) * 2 ** (7 * i);
    else result |= BigInt(x & 0x7f) << BigInt(7 * i);
    if ((x & 0x80) === 0) {
      leb.end = p;
      return result | BigInt(small);
    }
  }
  return fail(pos, 'unreachable');
}

/**
 * Unsigned 64-bit as a number: exact up to 2^53, rounded above (memarg offsets on the hot path,
 * where only memory64 modules can exceed 2^32). Same validation as readU64.
 */
export function readU64Num(b: Uint8Array, pos: number, limit: number): number {
  if (limit > b.length) limit = b.length;
  if (pos < limit) {
    const x = b[pos];
    if (x < 0x80) {
      leb.end = pos + 1;
      return x;
    }
  }
  let p = pos;
  let result = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= limit) truncatedLeb(pos, 'u64');
    const x = b[p++];
    if (i === 9) {
      if (x & 0x80) fail(pos, 'u64 longer than 10 bytes (integer representation too long)');
      if (x & 0x7e) fail(pos, 'unused bits set in the last byte of a u64 (integer too large)');
    }
    result += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) {
      leb.end = p;
      return result;
    }
  }
  return fail(pos, 'unreachable');
}

/** Signed 64-bit (i64.const) as a bigint. */
export function readS64(b: Uint8Array, pos: number, limit: number): bigint {
  if (limit > b.length) limit = b.length;
  let p = pos;
  let result = 0n;
  let small = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= limit) truncatedLeb(pos, 's64');
    const x = b[p++];
    if (i === 9) {
      if (x & 0x80) fail(pos, 's64 longer than 10 bytes (integer representation too long)');
      if (x !== 0 && x !== 0x7f) fail(pos, 'last byte of an s64 is not a sign extension (integer too large)');
    }
    if (i < 7) small += (x & 0x7f) * 2 ** (7 * i);
    else result |= BigInt(x & 0x7f) << BigInt(7 * i);
    if ((x & 0x80) === 0) {
      leb.end = p;
      const bits = 7 * (i + 1);
      result |= BigInt(small);
      if (x & 0x40 && bits < 64) result -= 1n << BigInt(bits);
      return BigInt.asIntN(64, result);
    }
  }
  return fail(pos, 'unreachable');
}

// Width-returning variants: validate a LEB exactly like the readers and return its length in bytes,
// without building the value (used to skip immediates nobody needs, e.g. i64.const).

export function u32Width(b: Uint8Array, pos: number, limit: number): number {
  if (pos < limit && b[pos] < 0x80) return 1;
  readU32Slow(b, pos, limit);
  return leb.end - pos;
}

export function s32Width(b: Uint8Array, pos: number, limit: number): number {
  if (pos < limit && b[pos] < 0x80) return 1;
  readS32(b, pos, limit);
  return leb.end - pos;
}

export function s33Width(b: Uint8Array, pos: number, limit: number): number {
  if (pos < limit && b[pos] < 0x80) return 1;
  readS33(b, pos, limit);
  return leb.end - pos;
}

export function u64Width(b: Uint8Array, pos: number, limit: number): number {
  if (pos < limit && b[pos] < 0x80) return 1;
  readU64Num(b, pos, limit);
  return leb.end - pos;
}

export function s64Width(b: Uint8Array, pos: number, limit: number): number {
  if (limit > b.length) limit = b.length;
  let p = pos;
  for (let i = 0; i < 10; i++) {
    if (p >= limit) truncatedLeb(pos, 's64');
    const x = b[p++];
    if ((x & 0x80) === 0) {
      if (i === 9 && x !== 0 && x !== 0x7f) {
        fail(pos, 'last byte of an s64 is not a sign extension (integer too large)');
      }
      return p - pos;
    }
  }
  return fail(pos, 's64 longer than 10 bytes (integer representation too long)');
}

// Sizes of the minimal encodings, for writers that need a length before writing.

export function sizeU32(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

export function sizeS32(v: number): number {
  let n = 1;
  while (v < -64 || v > 63) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export function sizeU64(v: bigint): number {
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

export function sizeS64(v: bigint): number {
  let n = 1;
  while (v < -64n || v > 63n) {
    v >>= 7n;
    n++;
  }
  return n;
}
