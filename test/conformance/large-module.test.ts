// A large real program nobody here wrote, doing real work under the instrumentation: wasm-tools
// (Rust, 2.4 MB core module that jco ships; imports only wasi_snapshot_preview1) parses a WAT text
// to a binary and prints it back, called through the component model's canonical ABI. Plain,
// instrumented with recursion clones, without them, and in the reference mode must produce the
// same bytes and text; the three instrumented runs must agree on fuel to the unit, per function
// too, and on where a fuel limit stops them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrument } from '../../debug-adapter/instrument/instrument';
import type { InstrumentOptions } from '../../debug-adapter/instrument/types';
import { FuelMeter, OutOfFuelError } from '../../debug-adapter/runtime/fuel-meter';
import { WasiHost } from '../../debug-adapter/wasi';

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

const file = fileURLToPath(new URL('../../node_modules/@bytecodealliance/jco-transpile/vendor/wasm-tools.core.wasm', import.meta.url));
const watFile = fileURLToPath(new URL('../../debug-adapter/instrument/testdata/recursion.wat', import.meta.url));

type Fn = (...a: number[]) => number;

/** wasm-tools' parse then print on one instance; what came out, and the meter's figures. */
function session(bytes: Uint8Array, opts: InstrumentOptions | undefined, limit?: bigint) {
  const im = opts ? instrument(bytes, opts) : undefined;
  const meter = im ? new FuelMeter(im, { limit }) : undefined;
  // Deterministic: its hash maps seed from random_get, and another seed is another path (other fuel).
  const host = new WasiHost({ args: ['wasm-tools'], env: {}, preopens: [], stdout: () => undefined, stderr: () => undefined, fuel: meter?.atHostCall, deterministic: { seed: 7 } });
  const inst = new WA.Instance(new WA.Module(im ? im.bytes : bytes), { ...host.imports, ...(meter?.imports ?? {}) });
  meter?.bind(inst);
  host.initialize(inst as never);
  const ex = inst.exports;
  const mem = () => new DataView((ex.memory as { buffer: ArrayBuffer }).buffer);
  const realloc = ex.cabi_realloc as Fn;
  const put = (data: Uint8Array): [number, number] => {
    const p = realloc(0, 0, 1, data.length);
    new Uint8Array((ex.memory as { buffer: ArrayBuffer }).buffer, p, data.length).set(data);
    return [p, data.length];
  };
  /** Call `name` (list<u8>/string in, result<list<u8>|string, string> out) and free its result. */
  const call = (name: string, input: Uint8Array): { ok: boolean; out: Uint8Array } => {
    const ret = (ex[`local:wasm-tools/tools#${name}`] as Fn)(...put(input));
    const d = mem();
    const ok = d.getUint8(ret) === 0;
    const p = d.getUint32(ret + 4, true);
    const n = d.getUint32(ret + 8, true);
    const out = new Uint8Array(d.buffer.slice(p, p + n));
    (ex[`cabi_post_local:wasm-tools/tools#${name}`] as (r: number) => void)(ret);
    return { ok, out };
  };
  const wat = new Uint8Array(readFileSync(watFile));
  let result: string;
  try {
    const parsed = call('parse', wat);
    assert.ok(parsed.ok, Buffer.from(parsed.out).toString());
    const printed = call('print', parsed.out);
    assert.ok(printed.ok);
    const bad = call('parse', new TextEncoder().encode('(module (func (i32.add))'));
    result = `${Buffer.from(parsed.out).toString('hex')}\n${Buffer.from(printed.out).toString()}\n${bad.ok} ${Buffer.from(bad.out).toString()}`;
  } catch (e) {
    if (!meter) throw e;
    const s = meter.settle(e);
    assert.ok(s.error instanceof OutOfFuelError, String(e));
    result = `${s.trap.kind} in ${s.trap.location?.funcName} at ${s.trap.location?.offset}`;
  }
  const figures = meter?.perFunction().filter((f) => f.calls > 0n).map((f) => `${f.name}=${f.fuelExclusive}/${f.calls}`).join('\n');
  const exact = meter?.exactness();
  return { result, fuel: meter?.consumed(), figures, exact, chains: im?.chains?.funcs.length ?? 0 };
}

const present = existsSync(file);

test('wasm-tools (2.4 MB of Rust) parses and prints the same instrumented; fuel exact with and without recursion clones', { skip: !present && 'jco-transpile is not installed' }, () => {
  const bytes = new Uint8Array(readFileSync(file));
  const plain = session(bytes, undefined);
  const clones = session(bytes, {});
  const noClones = session(bytes, { recursionClones: false });
  const reference = session(bytes, { mode: 'reference', recursionClones: false });
  assert.match(plain.result, /\(func \$fib/, 'the printed text names the functions');
  assert.ok(clones.chains > 0, 'the module has self-recursive functions');
  for (const v of [clones, noClones, reference]) {
    assert.equal(v.result, plain.result);
    assert.equal(v.exact?.sum, v.exact?.total);
  }
  assert.equal(clones.fuel, noClones.fuel);
  assert.equal(clones.fuel, reference.fuel);
  assert.equal(clones.figures, noClones.figures);
  assert.equal(clones.figures, reference.figures);
  assert.ok((clones.fuel ?? 0n) > 100_000n);

  // A limit in the middle of the parse stops all three at the same check.
  const limit = (clones.fuel ?? 0n) / 3n;
  const stopped = [session(bytes, {}, limit), session(bytes, { recursionClones: false }, limit), session(bytes, { mode: 'reference', recursionClones: false }, limit)];
  assert.match(stopped[0].result, /^out of fuel in /);
  for (const s of stopped.slice(1)) {
    assert.equal(s.result, stopped[0].result);
    assert.equal(s.fuel, stopped[0].fuel);
    assert.equal(s.figures, stopped[0].figures);
  }
});

const LARGE = [
  '@ruby/3.4-wasm-wasi/dist/ruby.wasm',
  '@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm',
  '@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.core.wasm',
].map((p) => fileURLToPath(new URL(`../../node_modules/${p}`, import.meta.url)));

test('multi-MB modules from the npm registry instrument to modules V8 validates, recursion clones included', () => {
  const found = LARGE.filter((f) => existsSync(f));
  assert.ok(found.length > 0, 'ruby.wasm is a dev dependency');
  const V = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  for (const f of found) {
    const bytes = new Uint8Array(readFileSync(f));
    const im = instrument(bytes);
    assert.ok(V.validate(im.bytes), `${f}: fast`);
    if (im.chains) {
      // every clone's code maps back into its original's body
      im.chains.funcs.forEach((orig, k) => {
        const def = orig - im.importedFuncs;
        const x = im.chains!.newCodeStarts[k] + 8;
        const o = im.chains!.map.toOriginal(x);
        assert.ok(o >= im.origBodyStarts[def] && o < im.origBodyEnds[def], `${f}: clone ${k} maps into function ${orig}`);
      });
    }
    if (bytes.length < 8e6) assert.ok(V.validate(instrument(bytes, { mode: 'reference' }).bytes), `${f}: reference`);
  }
});
