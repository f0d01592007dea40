// LEB128 readers and ByteWriter encoders: round trips, length limits, unused-bit checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leb, readS32, readS33, readS64, readU32, readU64, readU64Num, s64Width, sizeS32, sizeU32, u32Width } from './leb128';
import { ByteWriter } from './byte-writer';
import { WasmDecodeError } from './errors';

const b = (...xs: number[]) => Uint8Array.from(xs);

test('u32/s32/s33 round trips at the edges', () => {
  for (const v of [0, 1, 63, 64, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1]) {
    const w = new ByteWriter();
    w.u32(v);
    const bytes = w.finish();
    assert.equal(bytes.length, sizeU32(v));
    assert.equal(readU32(bytes, 0, bytes.length), v);
    assert.equal(leb.end, bytes.length);
    assert.equal(u32Width(bytes, 0, bytes.length), bytes.length);
  }
  for (const v of [0, 1, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31), 12345678, -12345678]) {
    const w = new ByteWriter();
    w.s32(v);
    const bytes = w.finish();
    assert.equal(bytes.length, sizeS32(v), `size of ${v}`);
    assert.equal(readS32(bytes, 0, bytes.length), v);
    assert.equal(readS33(bytes, 0, bytes.length), v);
  }
  for (const v of [2 ** 32 - 1, -(2 ** 32), 2 ** 31]) {
    const w = new ByteWriter();
    w.s33(v);
    const bytes = w.finish();
    assert.equal(readS33(bytes, 0, bytes.length), v);
  }
});

test('u64/s64 round trips at the edges', () => {
  for (const v of [0n, 127n, 128n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]) {
    const w = new ByteWriter();
    w.u64(v);
    const bytes = w.finish();
    assert.equal(readU64(bytes, 0, bytes.length), v);
    assert.equal(leb.end, bytes.length);
    if (v < 2n ** 53n) assert.equal(readU64Num(bytes, 0, bytes.length), Number(v));
  }
  for (const v of [0n, -1n, 63n, -64n, -65n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 48n, -(2n ** 50n) + 3n]) {
    const w = new ByteWriter();
    w.s64(v);
    const bytes = w.finish();
    assert.equal(readS64(bytes, 0, bytes.length), v, String(v));
    assert.equal(s64Width(bytes, 0, bytes.length), bytes.length);
  }
});

test('non-minimal but in-limit encodings are accepted', () => {
  assert.equal(readU32(b(0x80, 0x80, 0x80, 0x80, 0x00), 0, 5), 0);
  assert.equal(readS32(b(0xff, 0xff, 0xff, 0xff, 0x7f), 0, 5), -1);
  assert.equal(readU64(b(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0, 10), 0n);
  assert.equal(readS64(b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0, 10), -1n);
});

test('overlong, oversized and truncated encodings are rejected with the offset', () => {
  const bad: [() => unknown, RegExp][] = [
    [() => readU32(b(0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 1, 7), /bad LEB128 at byte 0x1: .*too long/],
    [() => readU32(b(0xff, 0xff, 0xff, 0xff, 0x1f), 0, 5), /too large/],
    [() => readU32(b(0x80, 0x80), 0, 2), /unexpected end/],
    [() => readU32(b(0x80, 0x00), 0, 1), /unexpected end/],
    [() => readS32(b(0xff, 0xff, 0xff, 0xff, 0x4f), 0, 5), /too large/],
    [() => readS32(b(0x80, 0x80, 0x80, 0x80, 0x70), 0, 5), /too large/],
    [() => readS33(b(0x80, 0x80, 0x80, 0x80, 0x20), 0, 5), /too large/],
    [() => readU64(b(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02), 0, 10), /too large/],
    [() => readS64(b(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0, 10), /too large/],
    [() => readS64(b(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0, 11), /too long/],
    [() => s64Width(b(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0, 11), /too long/],
  ];
  for (const [f, re] of bad) {
    assert.throws(f, (e: unknown) => e instanceof WasmDecodeError && re.test(e.message));
  }
});

test('ByteWriter length prefixes are minimal and data moves intact', () => {
  const w = new ByteWriter(16);
  w.u8(0xee);
  const m = w.beginSize();
  for (let i = 0; i < 300; i++) w.u8(i & 0xff);
  w.endSize(m);
  const out = w.finish();
  assert.equal(out.length, 1 + 2 + 300);
  assert.equal(readU32(out, 1, out.length), 300);
  assert.equal(out[3], 0);
  assert.equal(out[302], 299 & 0xff);
});
