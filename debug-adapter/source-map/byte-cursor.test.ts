// The bounds-checked reader under every DWARF and section decode here.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteCursor, stringAt } from './byte-cursor';
import { SourceMapError } from './errors';

test('fixed-size little-endian reads and LEB128s of any length', () => {
  const c = new ByteCursor(Uint8Array.from([1, 2, 1, 1, 2, 3, 1, 2, 3, 0x84, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00]), '.x');
  assert.equal(c.u8(), 1);
  assert.equal(c.u16(), 0x0102);
  assert.equal(c.u24(), 0x030201);
  assert.equal(c.u32(), 0x84030201);
  assert.equal(c.u64(), 0x0001ffffffffff);
  assert.equal(c.remaining, 1);
  assert.equal(new ByteCursor(Uint8Array.from([0xe5, 0x8e, 0x26]), '.x').uleb(), 624485);
  assert.equal(new ByteCursor(Uint8Array.from([0xc0, 0xbb, 0x78]), '.x').sleb(), -123456);
  assert.equal(new ByteCursor(Uint8Array.from([0x7f]), '.x').sleb(), -1);
  // A 128-bit constant's LEB: read to its end, value approximate.
  const long = new ByteCursor(Uint8Array.from([...new Array(18).fill(0xff), 0x03, 0x2a]), '.x');
  assert.ok(long.uleb() > 2 ** 120);
  assert.equal(long.u8(), 0x2a);
});

test('strings, sub-ranges and errors naming section, offset and module byte', () => {
  const bytes = Uint8Array.from([0x61, 0x62, 0, 0x63, 9, 9]);
  const c = new ByteCursor(bytes, '.debug_str', 0x100);
  assert.equal(c.cstr(), 'ab');
  const sub = c.sub(2);
  assert.equal(sub.u8(), 0x63);
  const e = (f: () => unknown) => {
    try {
      f();
    } catch (x) {
      assert.ok(x instanceof SourceMapError);
      return x.message;
    }
    return assert.fail('no error');
  };
  assert.equal(e(() => sub.u16()), 'truncated u16 (needs 2 bytes, 1 left) at .debug_str+0x4 (module byte 0x104)');
  assert.equal(e(() => c.sub(4)), 'truncated sub-range (needs 4 bytes, 3 left) at .debug_str+0x3 (module byte 0x103)');
  assert.equal(e(() => new ByteCursor(bytes, '.debug_str', undefined, 3).cstr()), 'unterminated string at .debug_str+0x3');
  assert.equal(e(() => new ByteCursor(Uint8Array.from([0x80, 0x80]), '.l').uleb()), 'truncated LEB128 at .l+0x0');
  // A 64-bit tombstone reads as a huge (approximate) address, not an error.
  assert.ok(new ByteCursor(new Uint8Array(8).fill(0xff), '.l').u64() > 2 ** 63);
  assert.equal(e(() => new ByteCursor(bytes, '.l').uN(3)), 'unsupported value size 3 at .l+0x0');
  assert.equal(stringAt(bytes, '.debug_str', 1), 'b');
  assert.equal(e(() => stringAt(bytes, '.debug_str', 6, 0x10)), 'string offset past the end of .debug_str (size 0x6) at .debug_str+0x6 (module byte 0x16)');
});
