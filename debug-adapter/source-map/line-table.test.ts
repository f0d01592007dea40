// LineTable on hand-made rows: breakpoint sites (first is_stmt row of each same-line run),
// superseded rows at one address, line-0 rows, sequences, moving to the next line, lookups.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineTable, type TableRow } from './line-table';

const row = (address: number, line: number, o: Partial<TableRow> = {}): TableRow => ({
  address,
  file: 'a.c',
  line,
  column: 1,
  isStmt: true,
  endSequence: false,
  ...o,
});

test('sites: first is_stmt row of each run; non-stmt and line-0 rows are not sites', () => {
  const t = new LineTable([
    row(10, 5), // for-init
    row(12, 5, { isStmt: false }), // condition, same line: no site
    row(14, 6),
    row(16, 5), // increment: a new run of line 5
    row(18, 0, { isStmt: false }),
    row(19, 7, { isStmt: false }),
    row(20, 7), // first is_stmt row of the run of line 7
    row(22, 7, { column: 9 }), // same run: no site
    row(24, 8, { file: 'b.h' }),
    row(30, 8, { endSequence: true }),
  ]);
  assert.deepEqual(t.lineStarts(), [10, 14, 16, 20, 24]);
  assert.deepEqual(t.locationsForLine('a.c', 5), { bound: true, file: 'a.c', requestedLine: 5, line: 5, moved: false, offsets: [10, 16] });
  assert.deepEqual(t.sourceFiles(), ['a.c', 'b.h']);
});

test('rows at one address: the last one describes it, the others are no sites', () => {
  const t = new LineTable([row(10, 3), row(10, 4), row(12, 5), row(14, 5, { endSequence: true })]);
  assert.equal(t.lineForOffset(10)?.line, 4);
  assert.equal(t.lineForOffset(11)?.line, 4);
  const b = t.locationsForLine('a.c', 3);
  assert.equal(b.bound && b.line, 4);
  assert.deepEqual(t.lineStarts(), [10, 12]);
});

test('lineForOffset: ranges end at the next row or the end of the sequence; gaps have no line', () => {
  const t = new LineTable([
    row(100, 1),
    row(104, 2),
    row(110, 2, { endSequence: true }),
    row(200, 9),
    row(203, 9, { endSequence: true }),
    row(300, 4), // unterminated: covers one byte
  ]);
  assert.equal(t.lineForOffset(99), undefined);
  assert.equal(t.lineForOffset(103)?.line, 1);
  assert.equal(t.lineForOffset(109)?.line, 2);
  assert.equal(t.lineForOffset(110), undefined);
  assert.equal(t.lineForOffset(202)?.line, 9);
  assert.equal(t.lineForOffset(300)?.line, 4);
  assert.equal(t.lineForOffset(301), undefined);
});

test('moving: next line with code in the same file; nothing after the last line', () => {
  const t = new LineTable([row(1, 2), row(2, 6), row(3, 9, { file: 'b.c' }), row(4, 9, { endSequence: true })]);
  const b = t.locationsForLine('a.c', 3);
  assert.deepEqual(b.bound && [b.line, b.moved, b.offsets], [6, true, [2]]);
  const none = t.locationsForLine('a.c', 7);
  assert.equal(!none.bound && none.reason, 'no-code');
  assert.match(!none.bound ? none.message : '', /No code at or after line 7 of a\.c/);
});

test('function ranges are computed once, on first use, and looked up by offset', () => {
  let calls = 0;
  const t = new LineTable([], () => {
    calls++;
    return [
      { name: 'g', start: 50, end: 60 },
      { name: 'f', start: 10, end: 20 },
    ];
  });
  assert.equal(calls, 0);
  assert.equal(t.functionAt(15)?.name, 'f');
  assert.equal(t.functionAt(50)?.name, 'g');
  assert.equal(t.functionAt(20), undefined);
  assert.equal(t.functionAt(5), undefined);
  assert.deepEqual(t.functionRanges().map((f) => f.name), ['f', 'g']);
  assert.equal(calls, 1);
});

test('entryOffset: the site at prologue_end, else the first site of the function', () => {
  const t = new LineTable([
    row(10, 1),
    row(14, 2, { prologueEnd: true }),
    row(16, 3),
    row(20, 3, { endSequence: true }),
    row(30, 7),
    row(32, 8),
    row(34, 8, { endSequence: true }),
  ]);
  assert.equal(t.entryOffset({ name: 'f', start: 9, end: 20 }), 14);
  assert.equal(t.entryOffset({ name: 'g', start: 29, end: 34 }), 30);
  assert.equal(t.entryOffset({ name: 'h', start: 40, end: 50 }), undefined);
});
