// The text printer: a golden function, offsets that agree with wabt's disassembler, and printed
// modules that wabt reassembles into the same instructions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parseModule } from './reader';
import { printFunction, printFunctionLines, printModule } from './printer';
import { decodeBody } from './instructions';
import { instrShape } from './module-shape';

const spec = fileURLToPath(new URL('../../../shared/conformance/spec-testsuite/', import.meta.url));
const read = (rel: string) => new Uint8Array(readFileSync(join(spec, rel)));

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const wabt = hasTool('wat2wasm') && hasTool('wasm-objdump');

test('golden: fac-rec', () => {
  const m = parseModule(read('fac/fac.0.wasm'));
  assert.equal(printFunction(m, 0), [
    '            (func (;0;) (type 0) (param i64) (result i64)',
    '(;@82;)       local.get 0',
    '(;@84;)       i64.const 0',
    '(;@86;)       i64.eq',
    '(;@87;)       if (result i64)  ;; label = @1',
    '(;@89;)         i64.const 1',
    '(;@8b;)       else',
    '(;@8c;)         local.get 0',
    '(;@8e;)         local.get 0',
    '(;@90;)         i64.const 1',
    '(;@92;)         i64.sub',
    '(;@93;)         call 0',
    '(;@95;)         i64.mul',
    '(;@96;)       end',
    '(;@97;)     )',
  ].join('\n'));
});

test('one line per instruction, offsets increasing, immediates spelled out', () => {
  const m = parseModule(read('simd_lane/simd_lane.0.wasm'));
  for (let f = 0; f < m.bodies.length; f++) {
    const lines = printFunctionLines(m, f).filter((l) => l.offset >= 0);
    assert.equal(lines.length, decodeBody(m, f).instrs.length);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i].offset > lines[i - 1].offset);
  }
  const text = printModule(m);
  assert.match(text, /i8x16\.extract_lane_s 0/);
  assert.match(printModule(parseModule(read('simd_const/simd_const.0.wasm'))), /v128\.const i32x4 0x/);
});

function specModules(step: number): string[] {
  const out: string[] = [];
  let i = 0;
  for (const dir of readdirSync(spec).sort()) {
    const d = join(spec, dir);
    if (!existsSync(join(d, `${dir}.json`))) continue;
    for (const f of readdirSync(d).sort()) if (f.endsWith('.wasm') && i++ % step === 0) out.push(join(d, f));
  }
  return out;
}

test('offsets and mnemonics agree with wasm-objdump -d', { skip: !wabt }, () => {
  let compared = 0;
  for (const file of specModules(25)) {
    let m;
    try {
      m = parseModule(new Uint8Array(readFileSync(file)));
    } catch {
      continue;
    }
    let dump: string;
    try {
      dump = execFileSync('wasm-objdump', ['-d', file], { stdio: 'pipe', maxBuffer: 1 << 26 }).toString();
    } catch {
      continue;
    }
    const theirs = new Map<number, string>();
    for (const line of dump.split('\n')) {
      const mm = /^ ([0-9a-f]{6}): [0-9a-f ]+\|\s*(\S+)/.exec(line);
      if (mm && !mm[2].startsWith('local[')) theirs.set(parseInt(mm[1], 16), mm[2]);
    }
    const ours = new Map<number, string>();
    for (let i = 0; i < m.bodies.length; i++) for (const ins of decodeBody(m, i).instrs) ours.set(ins.offset, ins.op.name);
    if (theirs.size === 0) continue;
    assert.deepEqual(ours, theirs, file);
    compared += ours.size;
  }
  assert.ok(compared > 1000, `only ${compared} instructions compared`);
});

test('printed modules reassemble (wat2wasm) to the same instructions', { skip: !wabt }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-print-'));
  let checked = 0;
  for (const file of specModules(20)) {
    let m;
    try {
      m = parseModule(new Uint8Array(readFileSync(file)));
    } catch {
      continue;
    }
    if (m.bodies.length === 0) continue;
    writeFileSync(join(dir, 'm.wat'), printModule(m, { names: false }));
    try {
      execFileSync('wat2wasm', ['--enable-all', '--no-check', join(dir, 'm.wat'), '-o', join(dir, 'm.wasm')], { stdio: 'pipe' });
    } catch (e) {
      // wabt 1.0.32 lacks a few newer features (GC value types, 64-bit offsets above 2^32).
      const msg = String((e as { stderr?: Buffer }).stderr ?? e);
      if (/structref|offset must be less than/.test(msg)) continue;
      assert.fail(`${file}: wat2wasm rejected the printed text: ${msg.slice(0, 400)}`);
    }
    const m2 = parseModule(new Uint8Array(readFileSync(join(dir, 'm.wasm'))));
    assert.equal(m2.bodies.length, m.bodies.length);
    for (let i = 0; i < m.bodies.length; i++) {
      const a = decodeBody(m, i).instrs.map(instrShape);
      const b = decodeBody(m2, i).instrs.map(instrShape);
      assert.ok(isDeepStrictEqual(a, b), `${file} function ${i}`);
    }
    checked++;
  }
  assert.ok(checked > 100, `only ${checked} modules checked`);
});
