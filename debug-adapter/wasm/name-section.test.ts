// The name section codec: every name section in the suites and fixtures re-encodes identically,
// extended and unknown subsections survive, and edits encode in the expected order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNameSection, emptyNameSection, encodeNameSection } from './name-section';
import { parseModule } from './reader';
import { customSections } from './module';

function wasmFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) wasmFiles(p, out);
    else if (n.endsWith('.wasm')) out.push(p);
  }
  return out;
}

test('every name section in the wasi suite and fixtures round-trips byte for byte', () => {
  const files = [
    ...wasmFiles(fileURLToPath(new URL('../../../shared/conformance/wasi-testsuite/', import.meta.url))),
    ...wasmFiles(fileURLToPath(new URL('../../fixtures/', import.meta.url))),
  ];
  let sections = 0;
  let functionNames = 0;
  for (const f of files) {
    let m;
    try {
      m = parseModule(new Uint8Array(readFileSync(f)));
    } catch {
      continue;
    }
    for (const c of customSections(m, 'name')) {
      const ns = decodeNameSection(c.content);
      functionNames += ns.functions.size;
      assert.deepEqual(encodeNameSection(ns), c.content, f);
      sections++;
    }
  }
  assert.ok(sections > 10, `only ${sections} name sections found`);
  assert.ok(functionNames > 100);
});

test('extended and unknown subsections are decoded or kept', () => {
  const ns = emptyNameSection();
  ns.module = 'mod';
  ns.functions.set(0, 'main').set(3, 'helper');
  ns.locals.set(0, new Map([[0, 'argc'], [1, 'argv']]));
  ns.labels.set(3, new Map([[0, 'loop']]));
  ns.types.set(0, 'sig');
  ns.globals.set(0, '__stack_pointer');
  ns.dataSegments.set(0, '.rodata');
  ns.tags.set(0, 'exn');
  ns.unknown.set(42, Uint8Array.of(9, 9));
  const bytes = encodeNameSection(ns);
  const back = decodeNameSection(bytes);
  assert.equal(back.module, 'mod');
  assert.deepEqual([...back.functions], [[0, 'main'], [3, 'helper']]);
  assert.deepEqual([...(back.locals.get(0) ?? [])], [[0, 'argc'], [1, 'argv']]);
  assert.equal(back.labels.get(3)?.get(0), 'loop');
  assert.equal(back.globals.get(0), '__stack_pointer');
  assert.equal(back.dataSegments.get(0), '.rodata');
  assert.equal(back.tags.get(0), 'exn');
  assert.deepEqual(Array.from(back.unknown.get(42) ?? []), [9, 9]);
  assert.deepEqual(back.order, [0, 1, 2, 3, 4, 7, 9, 11, 42]);
  assert.deepEqual(encodeNameSection(back), bytes);
});

test('malformed name sections are reported, not mangled', () => {
  assert.throws(() => decodeNameSection(Uint8Array.of(1, 10, 1)), /name subsection out of bounds/);
  assert.throws(() => decodeNameSection(Uint8Array.of(0, 2, 1, 0xff)), /malformed UTF-8/);
  assert.throws(() => decodeNameSection(Uint8Array.of(1, 1, 0, 1, 1, 0)), /duplicate name subsection/);
});
