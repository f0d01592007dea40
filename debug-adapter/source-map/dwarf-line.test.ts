// The .debug_line interpreter on hand-assembled units (v3 with every opcode kind, v5 entry
// formats, 64-bit DWARF) and on malformed input: errors name the offset, nothing hangs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readLineProgram, readLinePrograms, readLineProgramsLenient } from './dwarf-line';
import { findDebugSections } from './dwarf-sections';
import { loadDwarfLineMap } from './dwarf-map';
import { SourceMapError } from './errors';

class Bytes {
  b: number[] = [];
  u8(...v: number[]) {
    this.b.push(...v);
    return this;
  }
  u16(v: number) {
    return this.u8(v & 0xff, v >> 8);
  }
  u32(v: number) {
    return this.u8(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);
  }
  u64(v: number) {
    return this.u32(v).u32(0);
  }
  uleb(v: number) {
    do {
      const x = v & 0x7f;
      v = Math.floor(v / 128);
      this.b.push(v ? x | 0x80 : x);
    } while (v);
    return this;
  }
  sleb(v: number) {
    for (;;) {
      const x = v & 0x7f;
      v >>= 7;
      if ((v === 0 && !(x & 0x40)) || (v === -1 && x & 0x40)) return this.u8(x);
      this.b.push(x | 0x80);
    }
  }
  str(s: string) {
    return this.u8(...Buffer.from(s, 'utf8'), 0);
  }
  bytes(o: Bytes | number[]) {
    return this.u8(...(Array.isArray(o) ? o : o.b));
  }
  get length() {
    return this.b.length;
  }
  done() {
    return Uint8Array.from(this.b);
  }
}

const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** A unit: `afterVersion` holds the v5 address/segment bytes; `header` the fields after header_length. */
function unit(version: number, header: Bytes, program: Bytes, opts: { dwarf64?: boolean; afterVersion?: number[] } = {}): Bytes {
  const body = new Bytes().u16(version).u8(...(opts.afterVersion ?? []));
  if (opts.dwarf64) body.u64(header.length);
  else body.u32(header.length);
  body.bytes(header).bytes(program);
  const u = new Bytes();
  if (opts.dwarf64) u.u32(0xffffffff).u64(body.length);
  else u.u32(body.length);
  return u.bytes(body);
}

function v3Header(opcodeBase = 13, extraLengths: number[] = []): Bytes {
  return new Bytes()
    .u8(1, 1) // min_inst_length, default_is_stmt
    .u8(0xfb, 14, opcodeBase) // line_base -5, line_range 14
    .u8(...STD_LENGTHS, ...extraLengths)
    .str('inc')
    .str('/abs/inc')
    .u8(0)
    .str('main.c').uleb(0).uleb(0).uleb(0)
    .str('defs.h').uleb(1).uleb(0).uleb(0)
    .str('sys.h').uleb(2).uleb(0).uleb(0)
    .u8(0);
}

const special = (opcodeBase: number, addrAdv: number, lineAdv: number) => lineAdv - -5 + 14 * addrAdv + opcodeBase;

test('v3 unit: every standard, extended and special opcode kind', () => {
  const ob = 14; // one vendor standard opcode (13) with one LEB operand, which must be skipped
  const prog = new Bytes()
    .u8(0, 5, 2).u32(0x100) // set_address
    .u8(3).sleb(9) // advance_line -> 10
    .u8(1) // copy
    .u8(special(ob, 3, 1)) // 0x103, line 11
    .u8(5).uleb(5) // column 5
    .u8(6) // negate_stmt
    .u8(8) // const_add_pc: (255 - 14) / 14 = 17
    .u8(9).u16(0x10) // fixed_advance_pc
    .u8(13).uleb(300) // vendor opcode, skipped by its declared length
    .u8(0, 3, 0x80, 1, 2) // unknown extended opcode, skipped by its length
    .u8(1) // copy: 0x124, line 11
    .u8(4).uleb(2) // file 2
    .u8(3).sleb(-2) // line 9
    .u8(0, 10, 3).str('gen.c').uleb(1).uleb(0).uleb(0) // define_file -> file 4
    .u8(2).uleb(4) // advance_pc
    .u8(10, 1) // prologue_end, copy: 0x128
    .u8(4).uleb(4)
    .u8(special(ob, 1, 0)) // 0x129, gen.c
    .u8(0, 1, 1); // end_sequence
  const sec = unit(3, v3Header(ob, [1]), prog).done();
  const [p] = readLinePrograms(sec, { compDirFor: () => '/comp' });
  assert.equal(p.version, 3);
  assert.deepEqual(p.includeDirectories, ['/comp', '/comp/inc', '/abs/inc']);
  assert.deepEqual(p.fileNames, ['', '/comp/main.c', '/comp/inc/defs.h', '/abs/inc/sys.h', '/comp/inc/gen.c']);
  const brief = p.rows.map((r) => [r.address.toString(16), r.file, r.line, r.column, r.isStmt, r.prologueEnd, r.endSequence]);
  assert.deepEqual(brief, [
    ['100', '/comp/main.c', 10, 0, true, false, false],
    ['103', '/comp/main.c', 11, 0, true, false, false],
    ['124', '/comp/main.c', 11, 5, false, false, false],
    ['128', '/comp/inc/defs.h', 9, 5, false, true, false],
    ['129', '/comp/inc/gen.c', 9, 5, false, false, false],
    ['129', '/comp/inc/gen.c', 9, 5, false, false, true],
  ]);
});

test('registers reset after end_sequence; v2 has no max_ops byte', () => {
  const h = new Bytes().u8(1, 0, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(0).str('a.c').uleb(0).uleb(0).uleb(0).u8(0);
  const prog = new Bytes().u8(0, 5, 2).u32(8).u8(6, 3).sleb(4).u8(1).u8(0, 1, 1).u8(0, 5, 2).u32(20).u8(1).u8(0, 1, 1);
  const [p] = readLinePrograms(unit(2, h, prog).done());
  assert.deepEqual(
    p.rows.map((r) => [r.address, r.line, r.isStmt, r.endSequence]),
    [
      [8, 5, true, false],
      [8, 5, true, true],
      [20, 1, false, false],
      [20, 1, false, true],
    ],
  );
});

function v5Header(formats: { dir: [number, number][]; file: [number, number][] }, dirs: Bytes, nDirs: number, files: Bytes, nFiles: number): Bytes {
  const h = new Bytes().u8(1, 1, 1, 0xfb, 14, 13).u8(...STD_LENGTHS);
  h.u8(formats.dir.length);
  for (const [c, f] of formats.dir) h.uleb(c).uleb(f);
  h.uleb(nDirs).bytes(dirs);
  h.u8(formats.file.length);
  for (const [c, f] of formats.file) h.uleb(c).uleb(f);
  h.uleb(nFiles).bytes(files);
  return h;
}

test('v5 entry formats: string, line_strp, strp, udata, data1/2, data16 MD5, block', () => {
  const lineStr = new Bytes().str('/work').str('lib').str('x.c').done();
  const str = new Bytes().str('zz').str('y.h').done();
  const DW_LNCT = { path: 1, dir: 2, time: 3, size: 4, md5: 5 };
  const F = { string: 0x08, line_strp: 0x1f, strp: 0x0e, udata: 0x0f, data1: 0x0b, data2: 0x05, data16: 0x1e, block: 0x09 };
  const h = v5Header(
    {
      dir: [[DW_LNCT.path, F.line_strp]],
      file: [
        [DW_LNCT.path, F.line_strp],
        [DW_LNCT.dir, F.udata],
        [DW_LNCT.md5, F.data16],
        [DW_LNCT.size, F.data2],
        [0x2001, F.block], // vendor content type: skipped by its form
      ],
    },
    new Bytes().u32(0).u32(6), // "/work", "lib"
    2,
    new Bytes()
      .u32(10).uleb(1).u8(...new Array(16).fill(0xab)).u16(99).uleb(2).u8(1, 2)
      .u32(10).uleb(0).u8(...new Array(16).fill(0)).u16(0).uleb(0),
    2,
  );
  const prog = new Bytes().u8(0, 5, 2).u32(0x40).u8(4).uleb(0).u8(1).u8(4).uleb(1).u8(special(13, 2, 3)).u8(0, 1, 1);
  const sec = unit(5, h, prog, { afterVersion: [4, 0] }).done();
  const [p] = readLinePrograms(sec, { strings: { lineStr: { bytes: lineStr, offset: 0 }, str: { bytes: str, offset: 0 } } });
  assert.deepEqual(p.includeDirectories, ['/work', '/work/lib']);
  assert.deepEqual(p.fileNames, ['/work/lib/x.c', '/work/x.c']);
  assert.deepEqual(
    p.rows.map((r) => [r.address, r.file, r.line]),
    [
      [0x40, '/work/lib/x.c', 1],
      [0x42, '/work/x.c', 4],
      [0x42, '/work/x.c', 4],
    ],
  );

  // DW_FORM_string and DW_FORM_strp paths, data1 directory index.
  const h2 = v5Header(
    { dir: [[DW_LNCT.path, F.string]], file: [[DW_LNCT.path, F.strp], [DW_LNCT.dir, F.data1]] },
    new Bytes().str('rel'),
    1,
    new Bytes().u32(3).u8(0),
    1,
  );
  const [p2] = readLinePrograms(unit(5, h2, new Bytes().u8(0, 1, 1), { afterVersion: [4, 0] }).done(), {
    strings: { str: { bytes: str, offset: 0 } },
    compDirFor: () => '/c',
  });
  assert.deepEqual(p2.fileNames, ['/c/rel/y.h']);
});

test('64-bit DWARF unit with an 8-byte set_address', () => {
  const h = new Bytes().u8(1, 1, 1, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(0).str('w.c').uleb(0).uleb(0).uleb(0).u8(0);
  const prog = new Bytes().u8(0, 9, 2).u64(0x1234).u8(1).u8(0, 1, 1);
  const sec = new Bytes().bytes(unit(4, h, prog, { dwarf64: true })).bytes(unit(4, h, prog)).done();
  const ps = readLinePrograms(sec);
  assert.equal(ps.length, 2);
  assert.equal(ps[0].rows[0].address, 0x1234);
  assert.equal(ps[1].offset, unit(4, h, prog, { dwarf64: true }).length);
});

function errorOf(f: () => unknown): SourceMapError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SourceMapError, `expected SourceMapError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('malformed units: errors name the section offset (and module byte when known)', () => {
  const h = v3Header();
  const good = unit(3, h, new Bytes().u8(0, 5, 2).u32(1).u8(1).u8(0, 1, 1)).done();

  const long = good.slice(0, good.length - 3);
  assert.match(errorOf(() => readLinePrograms(long)).message, /unit length 0x[0-9a-f]+ runs past the end of the section at \.debug_line\+0x0/);

  const badVersion = good.slice();
  badVersion[4] = 9;
  const e = errorOf(() => readLinePrograms(badVersion, { moduleBase: 0x1000 }));
  assert.equal(e.message, 'unsupported .debug_line version 9 at .debug_line+0x4 (module byte 0x1004)');
  assert.equal(e.moduleOffset, 0x1004);

  const zeroRange = unit(3, new Bytes().u8(1, 1, 0xfb, 0, 13).u8(...STD_LENGTHS).u8(0, 0), new Bytes()).done();
  assert.match(errorOf(() => readLinePrograms(zeroRange)).message, /line_range is 0 at \.debug_line\+0xd/);

  const bigHeader = good.slice();
  bigHeader[6] = 0xff;
  assert.match(errorOf(() => readLinePrograms(bigHeader)).message, /header_length 0x[0-9a-f]+ runs past the end of the unit/);

  const truncLeb = unit(3, h, new Bytes().u8(2, 0x80, 0x80)).done();
  assert.match(errorOf(() => readLinePrograms(truncLeb)).message, /truncated LEB128 at \.debug_line\+0x[0-9a-f]+/);

  const badFile = unit(3, h, new Bytes().u8(4).uleb(7).u8(1)).done();
  assert.match(errorOf(() => readLinePrograms(badFile)).message, /row names file 7, the header has 3/);

  const zeroExt = unit(3, h, new Bytes().u8(0, 0)).done();
  assert.match(errorOf(() => readLinePrograms(zeroExt)).message, /extended opcode of length 0/);

  const longExt = unit(3, h, new Bytes().u8(0, 50, 2)).done();
  assert.match(errorOf(() => readLinePrograms(longExt)).message, /truncated sub-range/);

  const badDir = unit(3, new Bytes().u8(1, 1, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(0).str('a.c').uleb(5).uleb(0).uleb(0).u8(0), new Bytes()).done();
  assert.match(errorOf(() => readLinePrograms(badDir)).message, /file a\.c names directory 5 of 0/);

  const unterminated = unit(3, new Bytes().u8(1, 1, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(0x61, 0x62), new Bytes()).done();
  assert.match(errorOf(() => readLinePrograms(unterminated)).message, /unterminated string/);

  const reserved = new Bytes().u32(0xfffffff3).u16(4).done();
  assert.match(errorOf(() => readLinePrograms(reserved)).message, /reserved unit length/);
});

test('v5 headers that would loop for a long time are rejected at once', () => {
  // 2^32 directory entries of an empty format: every entry would consume zero bytes.
  const h = new Bytes().u8(1, 1, 1, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(0).uleb(2 ** 32);
  assert.match(errorOf(() => readLinePrograms(unit(5, h, new Bytes(), { afterVersion: [4, 0] }).done())).message, /4294967296 directory entries with an empty entry format/);
  const h2 = new Bytes().u8(1, 1, 1, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(1).uleb(1).uleb(0x08).uleb(1e9);
  assert.match(errorOf(() => readLinePrograms(unit(5, h2, new Bytes(), { afterVersion: [4, 0] }).done())).message, /directory count 1000000000 larger than the header/);
  const h3 = new Bytes().u8(1, 0, 1, 0xfb, 14, 13).u8(...STD_LENGTHS).u8(0).uleb(0);
  assert.match(errorOf(() => readLinePrograms(unit(5, h3, new Bytes(), { afterVersion: [4, 0] }).done())).message, /maximum_operations_per_instruction is 0/);
  const h4 = v5Header({ dir: [[1, 0x1a]], file: [] }, new Bytes().uleb(0), 1, new Bytes(), 0);
  assert.match(errorOf(() => readLinePrograms(unit(5, h4, new Bytes(), { afterVersion: [4, 0] }).done())).message, /directory path uses DW_FORM_strx without a DW_AT_str_offsets_base/);
  const h5 = v5Header({ dir: [[1, 0x1f]], file: [] }, new Bytes().u32(0), 1, new Bytes(), 0);
  assert.match(errorOf(() => readLinePrograms(unit(5, h5, new Bytes(), { afterVersion: [4, 0] }).done())).message, /string form points into missing section \.debug_line_str/);
  const h6 = v5Header({ dir: [[1, 0x77]], file: [] }, new Bytes(), 1, new Bytes(), 0);
  assert.match(errorOf(() => readLinePrograms(unit(5, h6, new Bytes(), { afterVersion: [4, 0] }).done())).message, /unknown DW_FORM 0x77/);
});

test('lenient reading skips a bad unit and keeps the others', () => {
  const h = v3Header();
  const prog = new Bytes().u8(0, 5, 2).u32(1).u8(1).u8(0, 1, 1);
  const bad = unit(3, h, prog);
  bad.b[4] = 1; // version 1
  const sec = new Bytes().bytes(bad).bytes(unit(3, h, prog)).done();
  const { programs, errors } = readLineProgramsLenient(sec);
  assert.equal(programs.length, 1);
  assert.equal(programs[0].offset, bad.length);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /unsupported \.debug_line version 1 at \.debug_line\+0x4/);
  assert.equal(readLineProgram(sec, bad.length).next, sec.length);
});

/** A small deterministic PRNG so the corruption test is reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

test('corrupted real sections: only SourceMapError, never a hang or a RangeError', () => {
  const wasm = readFileSync(new URL('./testdata/lines-dwarf5.wasm', import.meta.url));
  const secs = findDebugSections(wasm);
  const line = secs.dwarf['.debug_line']!;
  const rand = rng(42);
  let failures = 0;
  for (let i = 0; i < 300; i++) {
    const copy = line.bytes.slice(0, i % 3 === 0 ? Math.floor(rand() * line.bytes.length) : line.bytes.length);
    for (let k = 0; k < 4; k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
    try {
      readLinePrograms(copy);
    } catch (e) {
      assert.ok(e instanceof SourceMapError, String(e));
      failures++;
    }
  }
  assert.ok(failures > 0);
  // Whole modules with bytes flipped inside the DWARF sections: the map loads or reports.
  const start = secs.dwarf['.debug_info']!.offset;
  for (let i = 0; i < 60; i++) {
    const m = wasm.slice();
    for (let k = 0; k < 8; k++) m[start + Math.floor(rand() * (m.length - start - 400))] ^= 1 + Math.floor(rand() * 255);
    try {
      const r = loadDwarfLineMap(m);
      r.map?.functionRanges();
      for (const e of r.errors) assert.ok(e instanceof SourceMapError);
    } catch (e) {
      assert.ok(e instanceof SourceMapError, String(e));
    }
  }
});
