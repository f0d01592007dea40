// DWARF line maps of real modules: clang-14 -O0 -g (DWARF 4 and 5, with wasi-libc's own CUs),
// rustc (DWARF 4) and the debugger fixture. Rows are compared with llvm-dwarfdump when it is
// installed; breakpoints, moves, call sites and function ranges are checked against the sources'
// @markers and against the Code section decoded independently of DWARF.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { bodyAt, listCodeBodies } from './code-bodies';
import { readLinePrograms } from './dwarf-line';
import { loadDwarfLineMap } from './dwarf-map';
import { findDebugSections } from './dwarf-sections';
import type { LineBinding, SourceLineMap } from './line-table';
import { markerLine } from './testdata/markers';

const td = (p: string) => new URL(`./testdata/${p}`, import.meta.url);
const LINES_C = td('c/lines.c');
const UTIL_H = td('c/lib/util.h');
const UTIL_C = td('c/lib/util.c');
const PICK_RS = td('rust/pick.rs');
const DEBUGME = new URL('../../fixtures/c/debugme.wasm', import.meta.url);
const DEBUGME_C = new URL('../../fixtures/c/debugme.c', import.meta.url);

function load(url: URL) {
  const wasm = readFileSync(url);
  const r = loadDwarfLineMap(wasm);
  assert.deepEqual(r.errors.map(String), []);
  assert.ok(r.map);
  return { wasm, r, map: r.map as SourceLineMap };
}

/** Instruction start offsets of every body, and the instructions of each, decoded without DWARF. */
function decode(wasm: Uint8Array) {
  const s = findDebugSections(wasm);
  const bodies = listCodeBodies(wasm, s.codePayloadOffset!, s.codePayloadEnd!);
  const starts = new Set<number>();
  const instrs: { offset: number; name: string }[] = [];
  const cur = newCursor();
  for (const b of bodies) {
    for (let p = b.instrStart; p < b.end; p = cur.end) {
      scanInstr(wasm, p, b.end, cur);
      starts.add(cur.start);
      instrs.push({ offset: cur.start, name: cur.op.name });
    }
  }
  return { bodies, starts, instrs };
}

function bound(b: LineBinding) {
  assert.ok(b.bound, `not bound: ${b.bound ? '' : b.message}`);
  return b;
}

const hasDwarfdump = spawnSync('llvm-dwarfdump-14', ['--version']).status === 0;

interface DumpUnit {
  offset: number;
  files: Map<number, string>;
  rows: { address: number; line: number; column: number; file: number; isStmt: boolean; end: boolean }[];
}

function dwarfdumpLines(path: string): DumpUnit[] {
  const out = spawnSync('llvm-dwarfdump-14', ['--debug-line', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(out.status, 0, out.stderr);
  const units: DumpUnit[] = [];
  let fileIndex = -1;
  for (const line of out.stdout.split('\n')) {
    let m = /^debug_line\[0x([0-9a-f]+)\]/.exec(line);
    if (m) {
      units.push({ offset: parseInt(m[1], 16), files: new Map(), rows: [] });
      continue;
    }
    const u = units[units.length - 1];
    if ((m = /^file_names\[\s*(\d+)\]:/.exec(line))) fileIndex = Number(m[1]);
    else if ((m = /^\s+name: "(.*)"$/.exec(line))) u.files.set(fileIndex, m[1]);
    else if ((m = /^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s*(.*)$/.exec(line))) {
      u.rows.push({
        address: parseInt(m[1], 16),
        line: Number(m[2]),
        column: Number(m[3]),
        file: Number(m[4]),
        isStmt: m[5].includes('is_stmt'),
        end: m[5].includes('end_sequence'),
      });
    }
  }
  return units;
}

for (const name of ['lines-dwarf4.wasm', 'lines-dwarf5.wasm', 'pick-rust.wasm', 'debugme fixture']) {
  test(`${name}: rows match llvm-dwarfdump-14 --debug-line`, { skip: !hasDwarfdump && 'llvm-dwarfdump-14 not installed' }, () => {
    const url = name === 'debugme fixture' ? DEBUGME : td(name);
    const wasm = readFileSync(url);
    const s = findDebugSections(wasm);
    const ours = readLinePrograms(s.dwarf['.debug_line']!.bytes, {
      strings: { str: s.dwarf['.debug_str'], lineStr: s.dwarf['.debug_line_str'] },
    });
    const theirs = dwarfdumpLines(fileURLToPath(url));
    assert.deepEqual(ours.map((p) => p.offset), theirs.map((u) => u.offset));
    let compared = 0;
    ours.forEach((p, i) => {
      const d = theirs[i];
      // llvm-dwarfdump leaves out sequences the linker tombstoned (address -1): so do we here.
      const kept: typeof p.rows = [];
      let dead = false;
      p.rows.forEach((r, k) => {
        if (k === 0 || p.rows[k - 1].endSequence) dead = r.address >= 0xfffffff0;
        if (!dead) kept.push(r);
      });
      assert.deepEqual(
        kept.map((r) => [r.address, r.line, r.column, r.isStmt, r.endSequence]),
        d.rows.map((r) => [r.address, r.line, r.column, r.isStmt, r.end]),
        `unit at 0x${p.offset.toString(16)}`,
      );
      kept.forEach((r, k) => {
        if (!r.endSequence) assert.ok(r.file.endsWith(d.files.get(d.rows[k].file)!), `${r.file} vs ${d.files.get(d.rows[k].file)}`);
      });
      compared += kept.length;
    });
    assert.ok(compared >= 7, `${compared} rows compared`);
  });
}

function dwarfdumpUnitRanges(path: string): { offset: number; ranges: [number, number][] }[] {
  const out = spawnSync('llvm-dwarfdump-14', ['--debug-info', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout
    .split(/^(?=0x[0-9a-f]+: Compile Unit:)/m)
    .filter((c) => /^0x[0-9a-f]+: Compile Unit:/.test(c))
    .map((chunk) => {
      const root = chunk.split(/\n\s*\n/)[1] ?? '';
      const hex = (re: RegExp) => {
        const m = re.exec(root);
        return m ? parseInt(m[1], 16) : undefined;
      };
      const list = /DW_AT_ranges\t\([^\n]*\n((?:\s+\[0x[0-9a-f]+, 0x[0-9a-f]+\)\)?\n?)*)/.exec(root);
      let ranges: [number, number][] = [];
      if (list) ranges = [...list[1].matchAll(/\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/g)].map((m) => [parseInt(m[1], 16), parseInt(m[2], 16)]);
      else {
        const low = hex(/DW_AT_low_pc\t\(0x([0-9a-f]+)\)/);
        const high = hex(/DW_AT_high_pc\t\(0x([0-9a-f]+)\)/);
        if (low !== undefined && high !== undefined) ranges = [[low, high]];
      }
      return { offset: parseInt(/^0x([0-9a-f]+)/.exec(chunk)![1], 16), ranges };
    });
}

test('compile units: names, comp dirs and code ranges (.debug_ranges, rnglistx) match llvm-dwarfdump-14', { skip: !hasDwarfdump && 'llvm-dwarfdump-14 not installed' }, () => {
  for (const name of ['lines-dwarf4.wasm', 'lines-dwarf5.wasm', 'pick-rust.wasm']) {
    const { r } = load(td(name));
    const theirs = dwarfdumpUnitRanges(fileURLToPath(td(name)));
    assert.deepEqual(
      r.units.map((u) => ({ offset: u.offset, ranges: u.ranges ?? [] })),
      theirs,
      name,
    );
    assert.ok(theirs.some((u) => u.ranges.length > 1), `${name} has a CU with several ranges`);
  }
  const v5 = load(td('lines-dwarf5.wasm')).r.units.find((u) => u.name === 'lines.c')!;
  assert.deepEqual([v5.version, v5.compDir, v5.producer], [5, '/src', 'Debian clang version 14.0.6']);
  const v4 = load(td('lines-dwarf4.wasm')).r.units.find((u) => u.name === 'lib/util.c')!;
  assert.deepEqual([v4.version, v4.compDir], [4, '.']);
});

test('DWARF addresses are Code-payload-relative: every function range starts at a body, every site is an instruction', () => {
  for (const name of ['lines-dwarf4.wasm', 'lines-dwarf5.wasm', 'pick-rust.wasm']) {
    const { wasm, r, map } = load(td(name));
    const { bodies, starts } = decode(wasm);
    const s = findDebugSections(wasm);
    assert.equal(r.codePayloadOffset, s.codePayloadOffset);
    const fns = map.functionRanges();
    assert.ok(fns.length > 0);
    for (const f of fns) {
      const b = bodyAt(bodies, f.start);
      assert.ok(b && b.start === f.start && b.end === f.end, `${f.name} [0x${f.start.toString(16)}, 0x${f.end.toString(16)})`);
    }
    const sites = map.lineStarts();
    assert.ok(sites.length > 0);
    assert.deepEqual(sites, [...new Set(sites)].sort((a, b) => a - b));
    for (const o of sites) assert.ok(starts.has(o), `site 0x${o.toString(16)} in ${name} is not an instruction start`);
  }
});

for (const [name, dir] of [
  ['lines-dwarf4.wasm', ''],
  ['lines-dwarf5.wasm', '/src/'],
] as const) {
  test(`${name}: source files, breakpoints, moves, call sites, functions`, () => {
    const { wasm, r, map } = load(td(name));
    const { instrs } = decode(wasm);
    assert.ok(r.droppedSequences > 0, 'wasi-libc sequences of unused functions are tombstoned');
    const files = map.sourceFiles();
    for (const f of ['lines.c', 'lib/util.c', 'lib/util.h']) assert.ok(files.includes(dir + f), `${dir + f} in ${files.join(' ')}`);
    assert.ok(files.some((f) => f.endsWith('musl/src/stdio/printf.c')));

    // The workspace path of the source matches the table's relative or prefix-mapped path.
    const linesPath = fileURLToPath(LINES_C);
    const body = markerLine(LINES_C, 'square-body');
    const b = bound(map.locationsForLine(linesPath, body));
    assert.equal(b.file, `${dir}lines.c`);
    assert.equal(b.moved, false);
    assert.equal(b.offsets.length, 1);
    assert.equal(map.lineForOffset(b.offsets[0])?.line, body);
    for (const q of ['lines.c', './lines.c', `${dir}lines.c`, '/elsewhere/checkout/lines.c']) {
      assert.deepEqual(map.locationsForLine(q, body), b, q);
    }

    // A blank line and a comment-only line move to the next line with code.
    const ret = markerLine(LINES_C, 'square-return');
    for (const blank of [ret - 2, ret - 1]) {
      const moved = bound(map.locationsForLine(linesPath, blank));
      assert.equal(moved.line, ret);
      assert.equal(moved.requestedLine, blank);
      assert.equal(moved.moved, true);
    }

    // The function's opening line binds to its first instruction, not to the locals declaration.
    const open = bound(map.locationsForLine(linesPath, markerLine(LINES_C, 'sum-open')));
    const sumFn = map.functionRanges().find((f) => f.name === 'sum_squares')!;
    const sumBody = decode(wasm).bodies.find((x) => x.start === sumFn.start)!;
    assert.deepEqual(open.offsets, [sumBody.instrStart]);
    assert.equal(map.functionAt(open.offsets[0])?.name, 'sum_squares');

    // A for line stops at its init and at its increment (the condition directly follows the init).
    const forB = bound(map.locationsForLine(linesPath, markerLine(LINES_C, 'for')));
    assert.equal(forB.offsets.length, 2);

    // Calls: the call instructions of sum_squares are on the lines that make them.
    const calls = instrs.filter((i) => i.offset >= sumFn.start && i.offset < sumFn.end && i.name === 'call');
    assert.deepEqual(
      calls.map((c) => map.lineForOffset(c.offset)?.line),
      [markerLine(LINES_C, 'call-square'), markerLine(LINES_C, 'call-clamp')],
    );
    assert.equal(map.lineForOffset(calls[0].offset)?.file, `${dir}lines.c`);
    const mainFn = map.functionRanges().find((f) => f.name === 'main')!;
    const mainCalls = instrs.filter((i) => i.offset >= mainFn.start && i.offset < mainFn.end && i.name === 'call');
    assert.equal(map.lineForOffset(mainCalls[0].offset)?.line, markerLine(LINES_C, 'call-sum'));

    // A static inline function in a header: one copy per CU that uses it, so two sites.
    const clamp = bound(map.locationsForLine(fileURLToPath(UTIL_H), markerLine(UTIL_H, 'clamp-lo')));
    assert.equal(clamp.file, `${dir}lib/util.h`);
    assert.equal(clamp.offsets.length, 2);
    assert.deepEqual(
      clamp.offsets.map((o) => map.functionAt(o)?.name),
      ['clamp', 'clamp'],
    );
    bound(map.locationsForLine('util.c', markerLine(UTIL_C, 'scale-k')));
    bound(map.locationsForLine('./lib/util.c', markerLine(UTIL_C, 'scale-k')));

    // Past the last line with code, an unknown file.
    const none = map.locationsForLine(linesPath, markerLine(LINES_C, 'after-last-code'));
    assert.equal(none.bound, false);
    assert.equal(!none.bound && none.reason, 'no-code');
    const unknown = map.locationsForLine('/ws/nothere.c', 3);
    assert.equal(!unknown.bound && unknown.reason, 'unknown-file');

    // Offsets outside any sequence, and inside a body's locals declaration, have no line.
    assert.equal(map.lineForOffset(0), undefined);
    assert.equal(map.lineForOffset(sumBody.start), undefined);
    assert.ok(map.functionRanges().filter((f) => f.name === 'clamp').length === 2);

    // A function breakpoint binds after the prologue: at the first statement of the body.
    const sq = map.functionRanges().find((f) => f.name === 'square')!;
    assert.equal(map.lineForOffset(map.entryOffset(sq)!)?.line, body);
    assert.ok(map.functionRanges().some((f) => f.name === 'scale'));
  });
}

test('rustc input: DWARF 4 from rust-lld, namespaced function names, remapped path', () => {
  const { wasm, map } = load(td('pick-rust.wasm'));
  assert.deepEqual(map.sourceFiles(), ['/rust-src/pick.rs']);
  assert.deepEqual(
    map.functionRanges().map((f) => f.name),
    ['pick::inner::twice', 'pick::pick'],
  );
  const rs = fileURLToPath(PICK_RS);
  // rustc -O0 gives `let w = v;` and `w` no rows of their own: the breakpoint moves on.
  const twice = bound(map.locationsForLine(rs, markerLine(PICK_RS, 'twice-body')));
  assert.equal(twice.moved, true);
  assert.equal(map.functionAt(twice.offsets[0])?.name, 'pick::inner::twice');
  const callLine = markerLine(PICK_RS, 'pick-call');
  const pick = bound(map.locationsForLine(rs, callLine));
  assert.equal(pick.moved, false);
  const { instrs } = decode(wasm);
  const fn = map.functionRanges()[1];
  const call = instrs.find((i) => i.offset >= fn.start && i.offset < fn.end && i.name === 'call')!;
  assert.deepEqual(map.lineForOffset(call.offset), { file: '/rust-src/pick.rs', line: callLine, column: map.lineForOffset(call.offset)!.column });
});

test('debugger fixture (fixtures/c/debugme.wasm): every LINE-MARK with code binds in place, the comment-only one moves', () => {
  const { map } = load(DEBUGME);
  const src = fileURLToPath(DEBUGME_C);
  const marks = [...readFileSync(DEBUGME_C, 'utf8').matchAll(/LINE-MARK: (\w+)/g)].map((m) => m[1]);
  const codeMarks = marks.filter((m) => m !== 'main_no_code' && m !== 'global_counter' && m !== 'name');
  for (const m of codeMarks) {
    const line = markerLine(DEBUGME_C, m);
    const b = bound(map.locationsForLine(src, line));
    assert.equal(b.moved, false, m);
    for (const o of b.offsets) assert.equal(map.lineForOffset(o)?.line, line, m);
  }
  const moved = bound(map.locationsForLine(src, markerLine(DEBUGME_C, 'main_no_code')));
  assert.equal(moved.line, markerLine(DEBUGME_C, 'main_call_sum_array'));
  assert.equal(moved.moved, true);
  assert.deepEqual(
    ['add', 'square', 'factorial', 'translate', 'sum_array', 'main'].map((n) => map.functionRanges().some((f) => f.name === n)),
    [true, true, true, true, true, true],
  );
});
