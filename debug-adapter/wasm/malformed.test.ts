// Malformed input: targeted cases (each names the problem and the byte offset) and a seeded fuzz
// loop over real modules asserting that only WasmDecodeError ever escapes the toolkit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseModule } from './reader';
import { encodeModule } from './writer';
import { decodeBody } from './instructions';
import { printModule } from './printer';
import { decodeNameSection } from './name-section';
import { customSections } from './module';
import { WasmDecodeError } from './errors';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const mod = (...rest: number[]) => Uint8Array.from([...HEADER, ...rest]);
/** A section: id, minimal size, content. */
const sec = (id: number, ...content: number[]) => [id, content.length, ...content];
const TYPE_V_V = sec(1, 0x01, 0x60, 0x00, 0x00);
const FUNC1 = sec(3, 0x01, 0x00);
const code = (...body: number[]) => sec(10, 0x01, body.length, ...body);

function rejects(bytes: Uint8Array, what: RegExp, offset?: number): void {
  assert.throws(
    () => parseModule(bytes),
    (e: unknown) => {
      assert.ok(e instanceof WasmDecodeError, `expected WasmDecodeError, got ${String(e)}`);
      assert.match(e.message, what);
      assert.match(e.message, / at byte 0x[0-9a-f]+/);
      if (offset !== undefined) assert.equal(e.offset, offset, e.message);
      return true;
    },
  );
}

test('the minimal modules parse', () => {
  assert.equal(parseModule(mod()).sections.length, 0);
  const m = parseModule(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x0b)));
  assert.equal(m.bodies.length, 1);
  assert.equal(m.bodies[0].codeStart, m.bodies[0].start + 1);
});

test('header problems', () => {
  rejects(new Uint8Array(0), /magic header not detected/, 0);
  rejects(Uint8Array.of(0x00, 0x61, 0x73), /magic header not detected/, 0);
  rejects(Uint8Array.of(0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0), /magic header not detected/, 0);
  rejects(Uint8Array.of(...HEADER.slice(0, 6)), /unknown binary version/, 4);
  rejects(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0), /unknown binary version/, 4);
  rejects(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0, 0x01, 0), /component/, 4);
});

test('section framing problems', () => {
  rejects(mod(14, 0), /malformed section id/, 8);
  rejects(mod(1, 5, 0), /section size out of bounds.*5/, 9);
  rejects(mod(1, 0x80), /bad LEB128 at byte 0x9/, 9);
  rejects(mod(1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), /bad LEB128.*too long/, 9);
  rejects(mod(...sec(1, 0x01, 0x60, 0x00, 0x00, 0x00)), /section size mismatch/);
  rejects(mod(...TYPE_V_V, ...TYPE_V_V), /duplicate type section/, 14);
  rejects(mod(...FUNC1, ...TYPE_V_V), /type section out of order.*function/, 12);
  rejects(mod(...sec(12, 0x00), ...sec(6, 0x00)), /global section out of order/, 11);
  rejects(mod(0, 1, 5), /unexpected end|name/);
});

test('oversized counts are refused before anything is allocated', () => {
  rejects(mod(1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f), /type count too large.*4294967295/, 10);
  rejects(mod(2, 5, 0xfe, 0xff, 0xff, 0xff, 0x0f), /import count too large/, 10);
  rejects(mod(...TYPE_V_V, 3, 3, 0xe8, 0x07, 0x00), /function count too large/);
  const br = [0x41, 0x00, 0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x0b];
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, ...br)), /br_table too long/);
});

test('inconsistent sections', () => {
  rejects(mod(...TYPE_V_V, ...FUNC1), /function and code section have inconsistent lengths/);
  rejects(mod(...TYPE_V_V, ...sec(3, 0x02, 0x00, 0x00), ...code(0x00, 0x0b)), /inconsistent lengths.*2 functions declared, 1 bodies/);
  rejects(mod(...sec(12, 0x02), ...sec(11, 0x01, 0x01, 0x00)), /data count and data section have inconsistent lengths/);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x41, 0x00, 0xfc, 0x09, 0x00, 0x0b)), /data count section required/);
});

test('bad contents name what and where', () => {
  rejects(mod(...sec(5, 0x01, 0x08, 0x00)), /malformed limits flags.*custom page sizes/, 11);
  rejects(mod(...sec(4, 0x01, 0x7f, 0x00, 0x00)), /malformed reference type/, 11);
  rejects(mod(...sec(2, 0x01, 0x01, 0x61, 0x01, 0x62, 0x05, 0x00)), /malformed import kind/, 15);
  rejects(mod(...sec(7, 0x01, 0x02, 0xc3, 0x28, 0x00, 0x00)), /malformed UTF-8 encoding/, 11);
  rejects(mod(...sec(6, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b)), /malformed mutability/, 12);
  rejects(mod(...sec(1, 0x01, 0x5e, 0x7f, 0x00)), /unsupported GC array type/, 11);
  rejects(mod(...sec(1, 0x01, 0x61, 0x00, 0x00)), /malformed type form/, 11);
  rejects(mod(...sec(1, 0x01, 0x60, 0x01, 0x10, 0x00)), /malformed value type/, 13);
});

test('bad code names the opcode and its offset', () => {
  // code section at 0x12: id, size, count, body size (0x15), locals (0x16), first opcode at 0x17
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x01, 0xff, 0x0b)), /unknown opcode 0xff/, 0x18);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0xfd, 0xff, 0x7f, 0x0b)), /unknown opcode 0xfd 0x3fff/, 0x17);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0xfb, 0x00, 0x0b)), /unsupported GC proposal instruction/, 0x17);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x01)), /unexpected end/);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x0b, 0x01)), /section size mismatch/);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x41, 0x80, 0x80)), /bad LEB128/);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x00, 0x44, 0x00, 0x00, 0x0b)), /unexpected end.*f64/);
  rejects(mod(...TYPE_V_V, ...FUNC1, ...code(0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e, 0x0b)), /too many locals/);
  rejects(mod(...TYPE_V_V, ...FUNC1, 10, 2, 1, 0), /function body count too large|unexpected end/);
});

test('a malformed name section is a WasmDecodeError with a module-relative offset', () => {
  const content = [0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x05, 0x01, 0x00, 0x09, 0x61, 0x62];
  const m = parseModule(mod(0, content.length, ...content));
  const sec0 = customSections(m, 'name')[0];
  assert.throws(() => decodeNameSection(sec0.content, 14), (e: unknown) => e instanceof WasmDecodeError && e.offset >= 14);
});

/** mulberry32: a tiny seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SEEDS = [
  here('../../../shared/conformance/spec-testsuite/fac/fac.0.wasm'),
  here('../../../shared/conformance/spec-testsuite/simd_lane/simd_lane.0.wasm'),
  here('../../../shared/conformance/spec-testsuite/bulk/bulk.0.wasm'),
  here('../../../shared/conformance/spec-testsuite/names/names.0.wasm'),
  here('../../../shared/conformance/spec-testsuite/br/br.0.wasm'),
  here('../../fixtures/c/hello.wasm'),
].filter(existsSync);

test('fuzz: flips, truncations and insertions only ever raise WasmDecodeError', () => {
  assert.ok(SEEDS.length >= 3, 'seed modules missing');
  const rand = rng(0x5eed);
  const seeds = SEEDS.map((f) => new Uint8Array(readFileSync(f)));
  let parsed = 0;
  let rejected = 0;
  const deadline = Date.now() + 20_000; // bounded: stop early on a slow machine rather than time out
  for (let it = 0; it < 4000 && Date.now() < deadline; it++) {
    const base = seeds[it % seeds.length];
    let bytes = base.slice();
    const kind = Math.floor(rand() * 4);
    if (kind === 0) {
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) bytes[8 + Math.floor(rand() * (bytes.length - 8))] ^= 1 << Math.floor(rand() * 8);
    } else if (kind === 1) {
      bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
    } else if (kind === 2) {
      const at = 8 + Math.floor(rand() * (bytes.length - 8));
      const ins = Uint8Array.from({ length: 1 + Math.floor(rand() * 6) }, () => (rand() < 0.5 ? 0xff : Math.floor(rand() * 256)));
      const out = new Uint8Array(bytes.length + ins.length);
      out.set(bytes.subarray(0, at));
      out.set(ins, at);
      out.set(bytes.subarray(at), at + ins.length);
      bytes = out;
    } else {
      bytes[8 + Math.floor(rand() * (bytes.length - 8))] = [0x00, 0x7f, 0x80, 0xff, 0x0b, 0x40][Math.floor(rand() * 6)];
    }
    try {
      const m = parseModule(bytes);
      parsed++;
      encodeModule(m);
      encodeModule(m, { forceReencode: true });
      for (let i = 0; i < m.bodies.length; i++) decodeBody(m, i);
      if (bytes.length < 20000) printModule(m);
      for (const c of customSections(m, 'name')) {
        try {
          decodeNameSection(c.content);
        } catch (e) {
          if (!(e instanceof WasmDecodeError)) throw e;
        }
      }
    } catch (e) {
      if (!(e instanceof WasmDecodeError)) {
        assert.fail(`iteration ${it} (seed file ${it % seeds.length}, mutation ${kind}): ${String((e as Error).stack ?? e)}`);
      }
      rejected++;
    }
  }
  console.log(`fuzz: ${parsed} mutants parsed, ${rejected} rejected with WasmDecodeError`);
  assert.ok(parsed + rejected > 500);
});
