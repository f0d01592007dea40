// Editing a parsed module the way the instrumenter does (new import, global, export, rewritten
// bodies), then checking the result runs in V8 and untouched sections were copied verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseModule } from './reader';
import { encodeModule, encodeModuleWithLayout } from './writer';
import { ByteWriter } from './byte-writer';
import { addExport, addFuncImport, addFunction, addGlobal, i64ConstExpr, replaceBody, rewriteFuncRefs, setCustomSection } from './module-edit';
import { writeLocals } from './writer';
import { op } from './opcodes';
import { SectionId, customSections, findSection, I64 } from './module';
import { decodeNameSection } from './name-section';

// The project compiles without the DOM lib, so the WebAssembly JS API is typed here, minimally.
interface WasmGlobal { value: unknown }
const WA = (globalThis as unknown as {
  WebAssembly: {
    validate(b: Uint8Array): boolean;
    instantiate(b: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  };
}).WebAssembly;

const fac = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../shared/conformance/spec-testsuite/fac/fac.0.wasm', import.meta.url))));

test('add an import, a global, an export and rewrite every body; the module still runs', async () => {
  const m = parseModule(fac);
  const { index: tick, remap } = addFuncImport(m, 'env', 'tick', { params: [], results: [] });
  assert.equal(tick, 0);
  const counter = addGlobal(m, { type: I64, mutable: true }, i64ConstExpr(0n));
  addExport(m, 'counter', 'global', counter);
  m.bodies.forEach((b, i) => {
    const w = new ByteWriter();
    writeLocals(w, b);
    // prologue: call $tick; counter += 1
    w.op(op('call')); w.u32(tick);
    w.op(op('global.get')); w.u32(counter);
    w.op(op('i64.const')); w.s64(1n);
    w.op(op('i64.add'));
    w.op(op('global.set')); w.u32(counter);
    rewriteFuncRefs(m.bytes, b.codeStart, b.end, w, remap);
    replaceBody(m, i, w.finish());
  });
  const out = encodeModule(m);
  // Untouched sections are byte-identical copies.
  const typeSec = findSection(m, SectionId.Type);
  assert.ok(typeSec);
  assert.ok(WA.validate(out));
  let ticks = 0;
  const { instance } = await WA.instantiate(out, { env: { tick: () => ticks++ } });
  const e = instance.exports as Record<string, unknown>;
  assert.equal((e['fac-rec'] as (n: bigint) => bigint)(5n), 120n);
  assert.equal(ticks, 6);
  assert.equal((e.counter as WasmGlobal).value, 6n);
  assert.equal((e['fac-iter'] as (n: bigint) => bigint)(5n), 120n);
  // Re-parse: the export indices were shifted by the new import.
  const again = parseModule(out);
  assert.equal(again.imports.length, 1);
  assert.equal(again.exports.find((x) => x.name === 'fac-rec')?.index, 1);
});

test('an added function and a new custom section appear; the rest is copied', () => {
  const m = parseModule(fac);
  const body = new ByteWriter();
  body.u32(0);
  body.op(op('i64.const')); body.s64(42n);
  body.op(op('end'));
  const f = addFunction(m, 0, body.finish());
  addExport(m, 'answer', 'func', f);
  setCustomSection(m, 'wasiscope.test', Uint8Array.of(1, 2, 3));
  const out = encodeModule(m);
  const again = parseModule(out);
  assert.equal(again.bodies.length, m.bodies.length);
  assert.deepEqual(Array.from(customSections(again, 'wasiscope.test')[0].content), [1, 2, 3]);
  const orig = parseModule(fac);
  const t0 = findSection(orig, SectionId.Type);
  const t1 = findSection(again, SectionId.Type);
  assert.ok(t0 && t1);
  assert.deepEqual(out.subarray(t1.start, t1.end), fac.subarray(t0.start, t0.end));
});

test('adding an import remaps the name section', () => {
  // (module (func $a) (func $b call $a) (export "b" (func $b))) with names, from wat2wasm --debug-names
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00,
    0x00, 0x07, 0x05, 0x01, 0x01, 0x62, 0x00, 0x01, 0x0a, 0x09, 0x02, 0x02, 0x00, 0x0b, 0x04, 0x00, 0x10, 0x00,
    0x0b, 0x00, 0x0e, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x07, 0x02, 0x00, 0x01, 0x61, 0x01, 0x01, 0x62,
  ]);
  const m = parseModule(bytes);
  const { remap } = addFuncImport(m, 'env', 'f', { params: [], results: [] });
  m.bodies.forEach((b, i) => {
    const w = new ByteWriter();
    w.bytes(m.bytes, b.start, b.codeStart);
    rewriteFuncRefs(m.bytes, b.codeStart, b.end, w, remap);
    replaceBody(m, i, w.finish());
  });
  const again = parseModule(encodeModule(m));
  const names = decodeNameSection(customSections(again, 'name')[0].content);
  assert.deepEqual([...names.functions], [[1, 'a'], [2, 'b']]);
  assert.equal(again.exports[0].index, 2);
  assert.ok(WA.validate(encodeModule(m)));
});

test('encodeModuleWithLayout reports where every section and body landed', () => {
  const m = parseModule(fac);
  const same = encodeModuleWithLayout(m);
  assert.deepEqual(Array.from(same.layout.bodyStarts), m.bodies.map((b) => b.start));
  const forced = encodeModuleWithLayout(m, { forceReencode: true });
  assert.deepEqual(Array.from(forced.layout.bodyStarts), m.bodies.map((b) => b.start));
  // Grow body 0 by a nop: every later body moves by one byte, and each lands where reported.
  const w = new ByteWriter();
  const b0 = m.bodies[0];
  w.bytes(m.bytes, b0.start, b0.codeStart);
  w.op(op('nop'));
  w.bytes(m.bytes, b0.codeStart, b0.end);
  replaceBody(m, 0, w.finish());
  addGlobal(m, { type: I64, mutable: true }, i64ConstExpr(0n));
  const { bytes, layout } = encodeModuleWithLayout(m);
  const globalSec = layout.sections.find((s) => s.id === SectionId.Global);
  assert.ok(globalSec);
  const shift = globalSec.end - globalSec.start;
  m.bodies.forEach((b, i) => {
    const body = b.replacement ?? m.bytes.subarray(b.start, b.end);
    assert.deepEqual(bytes.subarray(layout.bodyStarts[i], layout.bodyStarts[i] + body.length), body, `body ${i}`);
    if (i > 0) assert.equal(layout.bodyStarts[i], b.start + shift + 1);
  });
  const code = layout.sections.find((s) => s.id === SectionId.Code);
  assert.ok(code && code.end === bytes.length - (m.bytes.length - (findSection(m, SectionId.Code)?.end ?? 0)));
});
