// Round trip of the wasm toolkit over every module of the conformance suites (and fixtures):
//  - parse then write gives identical bytes;
//  - forceReencode gives identical bytes, or (for non-minimal LEB128 inputs) bytes that parse
//    to an equal module;
//  - full decode then encode of every function body gives the same bytes (or, again, equal
//    instructions when the original used padded LEB128s);
//  - every `assert_malformed` binary module of the spec suite is rejected with WasmDecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../../debug-adapter/wasm/reader';
import { encodeModule } from '../../debug-adapter/wasm/writer';
import { decodeExpr, encodeExpr } from '../../debug-adapter/wasm/instructions';
import { ByteWriter } from '../../debug-adapter/wasm/byte-writer';
import { WasmDecodeError } from '../../debug-adapter/wasm/errors';
import { instrShape, moduleShape } from '../../debug-adapter/wasm/module-shape';

const conformance = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const specRoot = join(conformance, 'spec-testsuite');

function wasmFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) wasmFiles(p, out);
    else if (name.endsWith('.wasm')) out.push(p);
  }
  return out;
}

interface Expectation {
  kind: string;
  text: string;
}

/** What each spec JSON says about its module files (assert_malformed / assert_invalid / ...). */
function specExpectations(): Map<string, Expectation> {
  const out = new Map<string, Expectation>();
  if (!existsSync(specRoot)) return out;
  for (const dir of readdirSync(specRoot)) {
    const json = join(specRoot, dir, `${dir}.json`);
    if (!existsSync(json)) continue;
    const spec = JSON.parse(readFileSync(json, 'utf8')) as { commands: { type: string; filename?: string; text?: string; module_type?: string }[] };
    for (const c of spec.commands) {
      if (c.filename && c.filename.endsWith('.wasm') && c.module_type === 'binary') {
        out.set(join(specRoot, dir, c.filename), { kind: c.type, text: c.text ?? '' });
      }
    }
  }
  return out;
}

/**
 * Modules the suites do not mark assert_malformed but that the reader rejects, with the reason.
 * wabt's wast2json omits the datacount section when a text module has no data segments, yet the
 * binary format requires one whenever memory.init/data.drop appear: these four binaries are
 * malformed as converted (their assertion, assert_invalid, is about something else).
 */
const KNOWN_REJECTED: Record<string, string> = {
  'memory_init/memory_init.4.wasm': 'data.drop/memory.init without datacount section (wast2json artifact)',
  'memory_init/memory_init.14.wasm': 'data.drop/memory.init without datacount section (wast2json artifact)',
  'memory_init64/memory_init64.4.wasm': 'data.drop/memory.init without datacount section (wast2json artifact)',
  'memory_init64/memory_init64.14.wasm': 'data.drop/memory.init without datacount section (wast2json artifact)',
};

/** assert_malformed binary modules the reader accepts, with the reason (none today). */
const KNOWN_ACCEPTED_MALFORMED: Record<string, string> = {};

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

const files = [
  ...wasmFiles(specRoot),
  ...wasmFiles(join(conformance, 'wasi-testsuite')),
  ...wasmFiles(fixtures),
];
const expectations = specExpectations();

test('conformance suites are present', () => {
  assert.ok(files.length > 1000, `only ${files.length} .wasm files found under ${conformance}`);
});

test('round trip: every module of the suites and fixtures', () => {
  const counts = {
    files: files.length, parsed: 0, identical: 0, forceIdentical: 0, forceEqualShape: 0,
    bodies: 0, bodiesIdentical: 0, bodiesEqualShape: 0, rejectedMalformed: 0, rejectedKnown: 0,
  };
  const failures: string[] = [];
  for (const file of files) {
    const rel = file.startsWith(specRoot) ? file.slice(specRoot.length + 1) : file;
    const bytes = new Uint8Array(readFileSync(file));
    const exp = expectations.get(file);
    let m;
    try {
      m = parseModule(bytes);
    } catch (e) {
      if (!(e instanceof WasmDecodeError)) {
        failures.push(`${rel}: threw ${String(e)} instead of WasmDecodeError`);
      } else if (exp?.kind === 'assert_malformed') {
        counts.rejectedMalformed++;
      } else if (KNOWN_REJECTED[rel]) {
        counts.rejectedKnown++;
      } else {
        failures.push(`${rel}: rejected: ${e.message}`);
      }
      continue;
    }
    if (exp?.kind === 'assert_malformed' && !KNOWN_ACCEPTED_MALFORMED[rel]) {
      failures.push(`${rel}: accepted, but the suite says assert_malformed "${exp.text}"`);
      continue;
    }
    counts.parsed++;
    if (same(encodeModule(m), bytes)) counts.identical++;
    else failures.push(`${rel}: parse+write is not byte-identical`);

    const forced = encodeModule(m, { forceReencode: true });
    if (same(forced, bytes)) counts.forceIdentical++;
    else {
      try {
        assert.deepEqual(moduleShape(parseModule(forced)), moduleShape(m));
        counts.forceEqualShape++;
      } catch (e) {
        failures.push(`${rel}: forceReencode differs in structure: ${String(e).slice(0, 300)}`);
      }
    }

    for (let i = 0; i < m.bodies.length; i++) {
      const b = m.bodies[i];
      counts.bodies++;
      const instrs = decodeExpr(bytes, b.codeStart, b.end);
      const w = new ByteWriter(b.end - b.codeStart + 16);
      encodeExpr(w, instrs);
      const out = w.view();
      if (same(out, bytes.subarray(b.codeStart, b.end))) counts.bodiesIdentical++;
      else {
        const again = decodeExpr(out, 0, out.length);
        try {
          assert.deepEqual(again.map(instrShape), instrs.map(instrShape));
          // Only padded LEB128s (LLVM's relocatable 5-byte indices, the leb128 tests) may differ,
          // so the minimal re-encoding must be strictly shorter.
          assert.ok(out.length < b.end - b.codeStart);
          counts.bodiesEqualShape++;
        } catch {
          failures.push(`${rel}: body ${i} re-encodes to different instructions`);
        }
      }
    }
  }
  console.log('round-trip counts', counts);
  assert.deepEqual(failures.slice(0, 30), []);
  assert.ok(counts.parsed > 3000);
});

test('every assert_malformed binary module is rejected with a WasmDecodeError', () => {
  let n = 0;
  for (const [file, exp] of expectations) {
    if (exp.kind !== 'assert_malformed') continue;
    const rel = file.slice(specRoot.length + 1);
    if (KNOWN_ACCEPTED_MALFORMED[rel]) continue;
    n++;
    assert.throws(() => parseModule(new Uint8Array(readFileSync(file))), WasmDecodeError, `${rel} (${exp.text})`);
  }
  console.log(`assert_malformed binary modules rejected: ${n}`);
  assert.ok(n > 500);
});

const rubyWasm = fileURLToPath(new URL('../../node_modules/@ruby/3.4-wasm-wasi/dist/ruby.wasm', import.meta.url));

test('a large real module (ruby.wasm, 16 MB) round-trips, bodies included', { skip: !existsSync(rubyWasm) }, () => {
  const bytes = new Uint8Array(readFileSync(rubyWasm));
  const m = parseModule(bytes);
  assert.ok(same(encodeModule(m), bytes), 'parse+write');
  const forced = encodeModule(m, { forceReencode: true });
  assert.ok(same(forced, bytes), 'forceReencode');
  let identical = 0;
  let shorter = 0;
  const w = new ByteWriter(1 << 20);
  for (const b of m.bodies) {
    const instrs = decodeExpr(bytes, b.codeStart, b.end);
    w.len = 0;
    encodeExpr(w, instrs);
    if (same(w.view(), bytes.subarray(b.codeStart, b.end))) identical++;
    else {
      assert.ok(w.len < b.end - b.codeStart);
      assert.deepEqual(decodeExpr(w.view(), 0, w.len).map(instrShape), instrs.map(instrShape));
      shorter++;
    }
  }
  console.log(`ruby.wasm: ${m.bodies.length} bodies, ${identical} re-encode identically, ${shorter} shorter (padded LEB128s)`);
});
