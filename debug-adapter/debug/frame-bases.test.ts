import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseModule } from '../wasm/reader';
import { customSections, type FunctionBody } from '../wasm/module';
import { decodeNameSection } from '../wasm/name-section';
import { entryPointers, stackUse, type StackUse } from './frame-bases';

const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/c/debugme.wasm', import.meta.url)));
const m = parseModule(bytes, { checkBodies: false });
const names = decodeNameSection(customSections(m, 'name')[0].content);
const imported = m.imports.filter((i) => i.desc.kind === 'func').length;
const byName = (n: string): number => [...names.functions].find(([, v]) => v === n)?.[0] ?? -1;
const sp = [...names.globals].find(([, v]) => v === '__stack_pointer')![0];
const useOf = (f: number): StackUse | undefined => stackUse(bytes, m.bodies[f - imported], m.types[m.funcs[f - imported]].params.length, sp);

test('clang -O0 prologues: a leaf takes its frame without storing the pointer; a caller stores it and restores it', () => {
  const add = useOf(byName('add'));
  assert.deepEqual(add, { frameSize: 16, baseLocal: 4, storeAt: -1, restoreAt: Infinity });
  const sum = useOf(byName('sum_array'))!;
  assert.equal(sum.frameSize, 16);
  assert.equal(sum.baseLocal, 4);
  const body = m.bodies[byName('sum_array') - imported];
  assert.ok(sum.storeAt > body.codeStart && sum.restoreAt < body.end, JSON.stringify(sum));
  const main = useOf(Math.max(byName('__original_main'), byName('main')))!;
  assert.ok(main.frameSize >= 48 && main.baseLocal >= 0, JSON.stringify(main));
});

/** A body of raw instruction bytes (no locals declaration), function end included. */
function raw(code: number[]): { bytes: Uint8Array; body: FunctionBody } {
  const b = Uint8Array.from([0, ...code]);
  return { bytes: b, body: { sizeStart: 0, start: 0, codeStart: 1, end: b.length, locals: [] } as unknown as FunctionBody };
}

test('code that moves the pointer some other way is not followed', () => {
  // prologue: global.get 0; i32.const 32; i32.sub; local.tee 1; global.set 0
  const prologue = [0x23, 0, 0x41, 32, 0x6b, 0x22, 1, 0x24, 0];
  const ok = raw([...prologue, 0x20, 1, 0x41, 32, 0x6a, 0x24, 0, 0x0b]);
  assert.deepEqual(stackUse(ok.bytes, ok.body, 1, 0), { frameSize: 32, baseLocal: 1, storeAt: 8, restoreAt: 15 });
  // an alloca: a third store
  const alloca = raw([...prologue, 0x23, 0, 0x41, 16, 0x6b, 0x24, 0, 0x20, 1, 0x41, 32, 0x6a, 0x24, 0, 0x0b]);
  assert.equal(stackUse(alloca.bytes, alloca.body, 1, 0), undefined);
  // a store of something the prologue did not compute (a parameter)
  const param = raw([0x20, 0, 0x24, 0, 0x0b]);
  assert.equal(stackUse(param.bytes, param.body, 1, 0), undefined);
  // a shrink-wrapped store after a branch
  const late = raw([0x02, 0x40, 0x0b, ...prologue, 0x0b]);
  assert.equal(stackUse(late.bytes, late.body, 1, 0), undefined);
  // never touches the pointer: transparent
  const none = raw([0x41, 1, 0x1a, 0x0b]);
  assert.deepEqual(stackUse(none.bytes, none.body, 0, 0), { frameSize: 0, baseLocal: -1, storeAt: -1, restoreAt: Infinity });
});

test('entry pointers walk outwards, and stop at a frame that cannot be followed', () => {
  const uses: Record<number, StackUse | undefined> = {
    1: { frameSize: 16, baseLocal: 4, storeAt: -1, restoreAt: Infinity }, // a leaf
    2: { frameSize: 32, baseLocal: 3, storeAt: 10, restoreAt: 90 },
    3: { frameSize: 0, baseLocal: -1, storeAt: -1, restoreAt: Infinity }, // transparent
    4: { frameSize: 64, baseLocal: 2, storeAt: 10, restoreAt: 200 },
  };
  const frames = [
    { funcIndex: 1, offset: 50 },
    { funcIndex: 2, offset: 50 },
    { funcIndex: 3, offset: 50 },
    { funcIndex: 4, offset: 50 },
    { funcIndex: 5, offset: 50 },
    { funcIndex: 4, offset: 50 },
  ];
  assert.deepEqual(entryPointers(frames, 1000, (f) => uses[f]), [1000, 1032, 1032, 1096, undefined, undefined]);
  // A frame stopped before its prologue's store, or after its epilogue's restore, has not moved it.
  assert.deepEqual(entryPointers([{ funcIndex: 2, offset: 10 }], 1000, (f) => uses[f]), [1000]);
  assert.deepEqual(entryPointers([{ funcIndex: 2, offset: 91 }], 1000, (f) => uses[f]), [1000]);
  assert.deepEqual(entryPointers([{ funcIndex: 2, offset: 11 }], 1000, (f) => uses[f]), [1032]);
});
