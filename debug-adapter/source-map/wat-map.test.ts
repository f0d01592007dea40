// WAT line maps: the tokenizer, the text instruction lister and the zip with binaries produced by
// jco's parse (and by wat2wasm, for the fixtures), on flat, folded and mixed WAT with imports,
// several functions, block/loop/if/else/br_table, comments and strings holding parentheses.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { listCodeBodies } from './code-bodies';
import { findDebugSections } from './dwarf-sections';
import { SourceMapError } from './errors';
import type { LineBinding } from './line-table';
import { markerLine } from './testdata/markers';
import { listWatFunctions } from './wat-instr-lines';
import { buildWatLineMap, compileWat } from './wat-map';
import { parseWat, type WatList } from './wat-tokens';

// The tsconfig has no wasm lib types; validate is all this test needs.
const { WebAssembly } = globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } };

const watUrl = (name: string) => new URL(`./testdata/wat/${name}.wat`, import.meta.url);
const FIXTURES = new URL('../../fixtures/wat/', import.meta.url);

function bound(b: LineBinding) {
  assert.ok(b.bound, `not bound: ${b.bound ? '' : b.message}`);
  return b;
}

function instructions(wasm: Uint8Array) {
  const s = findDebugSections(wasm);
  const out: { offset: number; name: string; body: number }[] = [];
  const cur = newCursor();
  for (const b of listCodeBodies(wasm, s.codePayloadOffset!, s.codePayloadEnd!)) {
    try {
      for (let p = b.instrStart; p < b.end; p = cur.end) {
        scanInstr(wasm, p, b.end, cur);
        out.push({ offset: cur.start, name: cur.op.name, body: b.definedIndex });
      }
    } catch {
      // a body the operator table does not cover (GC): the map reports it unmapped
    }
  }
  return out;
}

test('tokenizer: comments, nested block comments, strings with parens, positions, errors', () => {
  const text = [
    '(module ;; a ( comment',
    '  (; block (; nested ;) ) ;) (func $"odd id" (export "a)b\\"(")',
    '    i32.const 1))',
  ].join('\n');
  const [mod] = parseWat(text) as WatList[];
  assert.equal(mod.kind, 'list');
  assert.equal(mod.items.length, 2);
  const func = mod.items[1] as WatList;
  assert.deepEqual([func.line, func.column], [2, 30]);
  assert.deepEqual(func.items.map((n) => n.kind), ['atom', 'atom', 'list', 'atom', 'atom']);
  assert.equal(func.items[1].kind === 'atom' && func.items[1].text, '$"odd id"');
  const konst = func.items[3];
  assert.deepEqual([konst.line, konst.column], [3, 5]);
  assert.deepEqual(func.close, { line: 3, column: 16 });

  const e = (t: string) => {
    try {
      parseWat(t);
    } catch (x) {
      assert.ok(x instanceof SourceMapError);
      return x.message;
    }
    return assert.fail('no error');
  };
  assert.equal(e('(module)\n)'), 'unbalanced `)` at line 2');
  assert.equal(e('(module\n  (func\n'), 'unclosed `(` at line 2');
  assert.equal(e('(module "abc\n'), 'unterminated string at line 1');
  assert.equal(e('\n(; open (; ;)'), 'unterminated block comment at line 2');
});

test('text lister: imports first in the index space, folded children before parents, if arms', () => {
  const { funcs, importedFuncs } = listWatFunctions(readFileSync(watUrl('folded'), 'utf8'));
  assert.equal(importedFuncs, 2);
  assert.deepEqual(funcs.map((f) => [f.id, f.funcIndex, f.definedIndex]), [
    ['$add', 2, 0],
    ['$abs', 3, 1],
    ['$sum', 4, 2],
    ['$pick', 5, 3],
  ]);
  assert.deepEqual(funcs[1].instrs.map((i) => i.name), [
    'local.get', 'i32.const', 'i32.lt_s', 'if', 'i32.const', 'local.get', 'i32.sub', 'else', 'local.get', 'end',
  ]);
  assert.deepEqual(funcs[3].instrs.map((i) => i.name), [
    'i32.const', 'i32.const', 'local.get', 'select',
    'local.get', 'if', 'else', 'nop', 'end',
    'i32.const', 'i32.const', 'i32.const', 'call_indirect', 'drop',
  ]);
});

test('jco parse emits no DWARF for WAT (so lines are recovered from the text)', async () => {
  const { wasm } = await compileWat(readFileSync(watUrl('flat'), 'utf8'), '/ws/flat.wat');
  const s = findDebugSections(wasm);
  assert.deepEqual(Object.keys(s.dwarf), []);
});

for (const name of ['flat', 'folded', 'mixed', 'exceptions']) {
  test(`${name}.wat: every instruction of every mapped function sits on a line that names it`, async () => {
    const text = readFileSync(watUrl(name), 'utf8');
    const lines = text.split('\n');
    const { wasm, map, unmapped } = await compileWat(text, `/ws/${name}.wat`);
    // jco's parse does not validate; the inputs must be valid modules for the test to mean anything.
    // (mixed uses GC and exceptions uses exnref, which Node 20 does not validate without flags.)
    if (name === 'flat' || name === 'folded') assert.ok(WebAssembly.validate(wasm), `${name}.wat is not a valid module`);
    assert.deepEqual(
      unmapped.map((u) => u.id),
      name === 'mixed' ? ['$gc'] : [],
    );
    const skipBodies = new Set(unmapped.map((u) => u.funcIndex));
    const instrs = instructions(wasm).filter((i) => !skipBodies.has(i.body));
    assert.ok(instrs.length > 10);
    const sites = new Set(map.lineStarts());
    for (const i of instrs) {
      const loc = map.lineForOffset(i.offset);
      assert.ok(loc, `no line for ${i.name} at 0x${i.offset.toString(16)}`);
      assert.equal(loc.file, `/ws/${name}.wat`);
      const src = lines[loc.line - 1];
      const word = i.name === 'select_t' ? 'select' : i.name;
      if (i.name === 'end') assert.ok(/\bend\b|\)/.test(src), `end on line ${loc.line}: ${src}`);
      else {
        assert.ok(src.includes(word), `${i.name} on line ${loc.line}: ${src}`);
        assert.equal(src.slice(loc.column - 1, loc.column - 1 + word.length), word, `column of ${i.name}`);
      }
    }
    for (const s of sites) assert.ok(instrs.some((i) => i.offset === s), `site 0x${s.toString(16)}`);
  });
}

test('flat.wat: breakpoints bind, blank lines move, br_table/loop/if/else/calls have their lines', async () => {
  const url = watUrl('flat');
  const path = fileURLToPath(url);
  const text = readFileSync(url, 'utf8');
  const { wasm, map } = await compileWat(text, path);
  const instrs = instructions(wasm);
  const at = (m: string) => markerLine(url, m);

  const zero = bound(map.locationsForLine(path, at('case-zero')));
  assert.equal(zero.moved, false);
  assert.equal(instrs.find((i) => i.offset === zero.offsets[0])?.name, 'i32.const');
  const blank = bound(map.locationsForLine(path, at('case-zero') + 1));
  assert.deepEqual([blank.moved, blank.line], [true, at('case-zero') + 2]);

  const brTable = instrs.find((i) => i.name === 'br_table')!;
  assert.equal(map.lineForOffset(brTable.offset)?.line, at('br-table-arg') + 1);
  const call = instrs.find((i) => i.name === 'call')!;
  assert.equal(map.lineForOffset(call.offset)?.line, at('call-log'));
  assert.equal(map.lineForOffset(instrs.find((i) => i.name === 'loop')!.offset)?.line, at('loop'));
  assert.equal(map.lineForOffset(instrs.find((i) => i.name === 'if')!.offset)?.line, at('if'));
  assert.equal(map.lineForOffset(instrs.find((i) => i.name === 'else')!.offset)?.line, at('else'));

  // The function's closing paren holds its final `end`: a breakpoint there stops before returning.
  const close = bound(map.locationsForLine(path, at('classify-close')));
  const classify = map.functionRanges().find((f) => f.name === 'classify')!;
  assert.equal(close.offsets[0], classify.end - 1);
  assert.deepEqual(map.functionRanges().map((f) => f.name), ['classify', 'count']);
  assert.equal(map.functionAt(call.offset)?.name, 'count');
  assert.equal(map.lineForOffset(map.entryOffset(classify)!)?.line, at('block'));

  // Header lines before the first instruction move to it; the global's init expression has no site.
  const header = bound(map.locationsForLine(path, 4));
  assert.equal(header.line, at('block'));
  assert.equal(map.locationsForLine(path, text.split('\n').length).bound, false);
  assert.equal(map.locationsForLine('/ws/other.wat', at('block')).bound, false);
  assert.deepEqual(map.sourceFiles(), [path]);
});

test('folded.wat: children before parents, one site per line, multi-line expressions', async () => {
  const url = watUrl('folded');
  const { wasm, map } = await compileWat(readFileSync(url, 'utf8'), '/ws/folded.wat');
  const instrs = instructions(wasm);
  const at = (m: string) => markerLine(url, m);
  const add = bound(map.locationsForLine('/ws/folded.wat', at('add')));
  assert.equal(add.offsets.length, 1);
  // `(i32.add (local.get 0) (local.get 1))`: the first instruction run on the line is local.get 0.
  assert.equal(instrs.find((i) => i.offset === add.offsets[0])?.name, 'local.get');
  const calls = instrs.filter((i) => i.name === 'call');
  assert.deepEqual(calls.map((c) => map.lineForOffset(c.offset)?.line), [at('sum-call'), at('sum-print')]);
  // `(i32.add` opens on its own line; its children follow, the add itself runs last.
  const sumAdd = bound(map.locationsForLine('/ws/folded.wat', at('sum-add')));
  assert.equal(instrs.find((i) => i.offset === sumAdd.offsets[0])?.name, 'i32.add');
  assert.ok(sumAdd.offsets[0] > calls[0].offset);
  const elseB = bound(map.locationsForLine('/ws/folded.wat', at('abs-else') - 1));
  assert.equal(instrs.find((i) => i.offset === elseB.offsets[0])?.name, 'else');
  bound(map.locationsForLine('/ws/folded.wat', at('empty-then')));
  const ci = instrs.find((i) => i.name === 'call_indirect')!;
  assert.equal(map.lineForOffset(ci.offset)?.line, at('empty-then') + 1);
});

test('mixed.wat: a function the operator table cannot decode is unmapped, and says so', async () => {
  const url = watUrl('mixed');
  const { map, unmapped } = await compileWat(readFileSync(url, 'utf8'), '/ws/mixed.wat');
  assert.equal(unmapped.length, 1);
  assert.match(unmapped[0].reason, /unknown instruction ref\.i31/);
  const b = map.locationsForLine('/ws/mixed.wat', markerLine(url, 'gc-body'));
  assert.equal(b.bound, false);
  assert.equal(!b.bound && b.reason, 'unmapped-code');
  assert.match(!b.bound ? b.message : '', /\$gc/);
  bound(map.locationsForLine('/ws/mixed.wat', markerLine(url, 'after-gc')));
  bound(map.locationsForLine('/ws/mixed.wat', markerLine(url, 'v128')));
  assert.deepEqual(map.functionRanges().map((f) => f.name), ['mix', 'empty', 'gc', 'after']);
});

test('a binary that does not match the text: functions are reported unmapped, not guessed', async () => {
  const flat = readFileSync(watUrl('flat'), 'utf8');
  const { wasm } = await compileWat(flat, '/ws/flat.wat');
  // One instruction fewer in $count.
  const edited = flat.replace('      global.get $g\n', '').replace('    global.get $g\n', '');
  assert.notEqual(edited, flat);
  const r = buildWatLineMap(edited, wasm, '/ws/flat.wat');
  assert.deepEqual(r.unmapped.map((u) => [u.id, /instructions/.test(u.reason)]), [['$count', true]]);
  // Same count, another operator.
  const swapped = flat.replace('i32.const 101', 'i64.const 101');
  const r2 = buildWatLineMap(swapped, wasm, '/ws/flat.wat');
  assert.match(r2.unmapped[0].reason, /i64\.const at line \d+ but i32\.const at byte 0x/);
  // Another module entirely.
  const { wasm: folded } = await compileWat(readFileSync(watUrl('folded'), 'utf8'), '/ws/folded.wat');
  const r3 = buildWatLineMap(flat, folded, '/ws/flat.wat');
  assert.equal(r3.unmapped.length, 2);
  assert.match(r3.unmapped[0].reason, /2 functions, the binary has 4 bodies/);
  assert.deepEqual(r3.map.lineStarts(), []);
});

const hasWat2wasm = spawnSync('wat2wasm', ['--version']).status === 0;

test('exceptions.wat: flat legacy try/catch/catch_all, try_table catch clauses, folded br_table', async () => {
  const url = watUrl('exceptions');
  const { wasm, map, unmapped } = await compileWat(readFileSync(url, 'utf8'), '/ws/eh.wat');
  assert.deepEqual(unmapped, []);
  const instrs = instructions(wasm);
  const lineOf = (name: string) => map.lineForOffset(instrs.find((i) => i.name === name)!.offset)?.line;
  assert.equal(lineOf('catch'), markerLine(url, 'flat-catch'));
  assert.equal(lineOf('catch_all'), markerLine(url, 'flat-catch') + 1);
  assert.equal(lineOf('try_table'), markerLine(url, 'try-table'));
  assert.equal(lineOf('br_table'), markerLine(url, 'br-table-folded'));
  assert.equal(lineOf('throw'), markerLine(url, 'thrower'));
  assert.equal(map.lineForOffset(instrs.filter((i) => i.name === 'call')[0].offset)?.line, markerLine(url, 'flat-call'));
});

test('legacy-try.wat (wat2wasm): folded try with do, catch and catch_all clauses', { skip: !hasWat2wasm && 'wat2wasm not installed' }, () => {
  const url = watUrl('legacy-try');
  const dir = mkdtempSync(join(tmpdir(), 'wat-map-'));
  try {
    const out = join(dir, 'legacy-try.wasm');
    const res = spawnSync('wat2wasm', ['--enable-exceptions', fileURLToPath(url), '-o', out], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const wasm = readFileSync(out);
    const { map, unmapped } = buildWatLineMap(readFileSync(url, 'utf8'), wasm, '/ws/t.wat');
    assert.deepEqual(unmapped, []);
    const instrs = instructions(wasm);
    const lineOf = (name: string) => map.lineForOffset(instrs.find((i) => i.name === name)!.offset)?.line;
    assert.equal(lineOf('try'), markerLine(url, 'try'));
    assert.equal(lineOf('call'), markerLine(url, 'do-call'));
    assert.equal(lineOf('catch'), markerLine(url, 'catch'));
    assert.equal(lineOf('catch_all'), markerLine(url, 'catch-all') - 1);
    // The try's own `end` sits on the closing paren line, just before the body's final end.
    const ends = instrs.filter((i) => i.name === 'end' && i.body === 1);
    assert.deepEqual(ends.map((e) => map.lineForOffset(e.offset)?.line), [markerLine(url, 'catch-all'), markerLine(url, 'catch-all')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wat2wasm binaries map to the same lines as jco ones', { skip: !hasWat2wasm && 'wat2wasm not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wat-map-'));
  try {
    for (const name of ['flat', 'folded']) {
      const text = readFileSync(watUrl(name), 'utf8');
      const out = join(dir, `${name}.wasm`);
      const res = spawnSync('wat2wasm', [fileURLToPath(watUrl(name)), '-o', out], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      const w2w = buildWatLineMap(text, readFileSync(out), '/ws/x.wat');
      const jco = await compileWat(text, '/ws/x.wat');
      assert.deepEqual(w2w.unmapped, []);
      const linesOf = (m: typeof w2w.map, wasm: Uint8Array) => instructions(wasm).map((i) => m.lineForOffset(i.offset)?.line);
      assert.deepEqual(linesOf(w2w.map, readFileSync(out)), linesOf(jco.map, jco.wasm));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('WAT fixtures (fixtures/wat, built by wat2wasm --debug-names): every LINE-MARK binds in place', () => {
  for (const name of ['fac', 'loops', 'trap']) {
    const watPath = fileURLToPath(new URL(`${name}.wat`, FIXTURES));
    const text = readFileSync(watPath, 'utf8');
    const { map, unmapped } = buildWatLineMap(text, readFileSync(new URL(`${name}.wasm`, FIXTURES)), watPath);
    assert.deepEqual(unmapped, [], name);
    const marks = [...text.matchAll(/LINE-MARK: (\w+)/g)].map((m) => m[1]).filter((m) => m !== 'name');
    assert.ok(marks.length > 0, name);
    for (const m of marks) {
      const line = markerLine(watPath, m);
      const b = bound(map.locationsForLine(watPath, line));
      assert.equal(b.moved, false, `${name}: ${m}`);
      assert.equal(map.lineForOffset(b.offsets[0])?.line, line);
    }
  }
});
