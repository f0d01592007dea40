// The module section walker and the Code body lister: sections found by name with their
// module-relative payload offsets, and errors that name the byte offset.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bodyAt, listCodeBodies } from './code-bodies';
import { findDebugSections } from './dwarf-sections';
import { SourceMapError } from './errors';

const DWARF5 = new URL('./testdata/lines-dwarf5.wasm', import.meta.url);

function name(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [b.length, ...b];
}
function section(id: number, payload: number[]): number[] {
  return [id, payload.length, ...payload];
}
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

test('finds DWARF sections, external_debug_info, sourceMappingURL and the Code payload', () => {
  const code = [1, 4, 0, 0x41, 0x00, 0x0b]; // one body: no locals, i32.const 0, end (size 4)
  const m = Uint8Array.from([
    ...HEADER,
    ...section(0, [...name('.debug_line'), 1, 2, 3]),
    ...section(10, code),
    ...section(0, [...name('external_debug_info'), ...name('app.debug.wasm')]),
    ...section(0, [...name('sourceMappingURL'), ...name('app.wasm.map')]),
    ...section(0, [...name('.debug_str'), 0x61, 0]),
  ]);
  const s = findDebugSections(m);
  assert.deepEqual([...s.dwarf['.debug_line']!.bytes], [1, 2, 3]);
  assert.equal(s.dwarf['.debug_line']!.offset, 8 + 2 + 12);
  assert.deepEqual([...s.dwarf['.debug_str']!.bytes], [0x61, 0]);
  assert.equal(s.externalDebugInfo, 'app.debug.wasm');
  assert.equal(s.sourceMappingURL, 'app.wasm.map');
  assert.equal(s.codePayloadOffset, 8 + 2 + 15 + 2);
  const bodies = listCodeBodies(m, s.codePayloadOffset!, s.codePayloadEnd!);
  assert.deepEqual(bodies, [{ definedIndex: 0, start: s.codePayloadOffset! + 2, instrStart: s.codePayloadOffset! + 3, end: s.codePayloadOffset! + 6 }]);
  assert.equal(bodyAt(bodies, s.codePayloadOffset! + 4), bodies[0]);
  assert.equal(bodyAt(bodies, s.codePayloadOffset! + 6), undefined);
});

test('section offsets agree with wasm-objdump -h', { skip: spawnSync('wasm-objdump', ['--version']).status !== 0 && 'wasm-objdump not installed' }, () => {
  const wasm = readFileSync(DWARF5);
  const s = findDebugSections(wasm);
  const out = spawnSync('wasm-objdump', ['-h', fileURLToPath(DWARF5)], { encoding: 'utf8' }).stdout;
  const code = /Code start=0x([0-9a-f]+) end=0x([0-9a-f]+)/.exec(out)!;
  assert.equal(s.codePayloadOffset, parseInt(code[1], 16));
  assert.equal(s.codePayloadEnd, parseInt(code[2], 16));
  for (const m of out.matchAll(/Custom start=0x([0-9a-f]+) end=0x([0-9a-f]+) \(size=0x[0-9a-f]+\) "(\.debug_\w+)"/g)) {
    const slice = s.dwarf[m[3] as '.debug_line'];
    assert.ok(slice, m[3]);
    // objdump's start is the custom section payload (at its name); ours is after the name.
    assert.equal(slice.offset + slice.bytes.length, parseInt(m[2], 16), m[3]);
    assert.equal(slice.offset, parseInt(m[1], 16) + 1 + m[3].length, m[3]);
  }
  // Code bodies: objdump -d prints each function at its body start.
  const dis = spawnSync('wasm-objdump', ['-d', fileURLToPath(DWARF5)], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const starts = [...dis.matchAll(/^([0-9a-f]+) func\[\d+\]/gm)].map((x) => parseInt(x[1], 16));
  assert.deepEqual(listCodeBodies(wasm, s.codePayloadOffset!, s.codePayloadEnd!).map((b) => b.start), starts);
});

function err(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SourceMapError, String(e));
    return e.message;
  }
  return assert.fail('no error');
}

test('bad modules: errors name the byte offset', () => {
  assert.equal(err(() => findDebugSections(Uint8Array.from([0, 0x61, 0x73]))), 'not a wasm module: shorter than its 8-byte header at byte 0x0');
  assert.equal(err(() => findDebugSections(Uint8Array.from([1, 2, 3, 4, 1, 0, 0, 0]))), 'not a wasm module: bad magic at byte 0x0');
  assert.equal(err(() => findDebugSections(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]))), 'a component, not a core module at byte 0x4');
  assert.equal(
    err(() => findDebugSections(Uint8Array.from([...HEADER, 1, 2, 0, 0, 0, 50, 1]))),
    'section 0 of size 0x32 runs past the end of the module at byte 0xc',
  );
  assert.equal(err(() => findDebugSections(Uint8Array.from([...HEADER, 0, 3, 9, 0x61, 0x62]))), 'truncated name (needs 9 bytes, 2 left) at byte 0xb');
  assert.equal(err(() => findDebugSections(Uint8Array.from([...HEADER, 1, 0x80]))), 'truncated LEB128 at byte 0x9');
  const badBody = Uint8Array.from([...HEADER, ...section(10, [1, 9, 0, 0x0b])]);
  const s = findDebugSections(badBody);
  assert.equal(err(() => listCodeBodies(badBody, s.codePayloadOffset!, s.codePayloadEnd!)), 'function body 0 has bad size 0x9 at byte 0xb');
});
