// The instrumenter on small hand-written modules (testdata/*.wat, built to .wasm by build.sh):
// function indices remapped everywhere, semantics kept, fuel exact against the reference mode
// and against hand counts, exclusive figures summing to the total (also on traps, host
// exceptions, re-entry and exceptions), deadlines, limits and memory.grow reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrument } from './instrument';
import { parseModule } from '../wasm/reader';
import { decodeNameSection } from '../wasm/name-section';
import { customSections, importCount } from '../wasm/module';
import { FuelMeter, OutOfFuelError, type FuelMeterOptions, type MemoryGrowInfo } from '../runtime/fuel-meter';
import type { InstrumentedModule } from './types';
import { ByteWriter } from '../wasm/byte-writer';

/** Unsigned LEB128 bytes of `v` (for modules written by hand). */
const leb = (v: number): number[] => {
  const w = new ByteWriter(8);
  w.u32(v);
  return [...w.finish()];
};

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: {
    Module: new (b: Uint8Array) => object;
    Instance: new (m: object, imports: object) => Instance;
    Table: new (d: { element: string; initial: number }) => object;
    Memory: new (d: { initial: number }) => object;
    Global: new (d: { value: string; mutable?: boolean }, v: number) => object;
    validate(b: Uint8Array): boolean;
  };
}).WebAssembly;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const load = (name: string) => new Uint8Array(readFileSync(here(`./testdata/${name}`)));

type Fn = (...a: number[]) => number;

interface Variant {
  im?: InstrumentedModule;
  meter?: FuelMeter;
  inst: Instance;
  call(name: string, ...args: number[]): { value?: number; error?: unknown };
}

/** Instantiate `bytes` plain and instrumented (fast and reference) with the same host imports. */
function variants(bytes: Uint8Array, imports: (self: () => Instance) => Record<string, Record<string, unknown>>, meterOpts: FuelMeterOptions = {}) {
  const make = (mode?: 'fast' | 'reference', perFunction = true, counters?: 'dump'): Variant => {
    const im = mode ? instrument(bytes, { mode, perFunction, counters, recursionClones: mode === 'fast' }) : undefined;
    const meter = im ? new FuelMeter(im, meterOpts) : undefined;
    let inst: Instance | undefined;
    const imp = { ...imports(() => inst as Instance), ...(meter?.imports ?? {}) };
    inst = new WA.Instance(new WA.Module(im ? im.bytes : bytes), imp);
    meter?.bind(inst);
    return {
      im, meter, inst,
      call(name, ...args) {
        try {
          return { value: (inst?.exports[name] as Fn)(...args) };
        } catch (error) {
          if (meter) meter.settle(error);
          return { error };
        }
      },
    };
  };
  return {
    plain: make(), fast: make('fast'), ref: make('reference'), fuelOnly: make('fast', false), fuelOnlyRef: make('reference', false),
    dump: make('fast', true, 'dump'),
  };
}

function figures(m: FuelMeter) {
  return m.perFunction().map((f) => `${f.name}:${f.fuelExclusive}/${f.calls}`).join(' ');
}

/** Same results everywhere, and the same fuel (total, per function) in fast and reference. */
function agree(v: ReturnType<typeof variants>, name: string, ...args: number[]): { fuel: bigint; value?: number; error?: unknown } {
  const before = v.fast.meter!.consumed();
  const p = v.plain.call(name, ...args);
  const results = [v.fast, v.ref, v.fuelOnly, v.fuelOnlyRef, v.dump].map((x) => x.call(name, ...args));
  for (const r of results) {
    assert.equal(r.value, p.value, `${name}(${args}) result`);
    assert.equal(String(r.error), String(p.error), `${name}(${args}) error`);
  }
  const f = v.fast.meter!;
  const r = v.ref.meter!;
  assert.equal(f.consumed(), r.consumed(), `${name}(${args}) fuel fast vs reference`);
  assert.equal(v.fuelOnly.meter!.consumed(), f.consumed(), `${name}(${args}) fuel without per-function accounting`);
  assert.equal(v.fuelOnlyRef.meter!.consumed(), f.consumed(), `${name}(${args}) fuel-only reference`);
  assert.equal(figures(f), figures(r), `${name}(${args}) per-function figures fast vs reference`);
  assert.equal(figures(v.dump.meter!), figures(f), `${name}(${args}) counters read through the dump function`);
  for (const m of [f, r, v.dump.meter!]) {
    const { total, sum } = m.exactness();
    assert.equal(sum, total, `${name}(${args}) exclusive figures sum to the total`);
  }
  return { fuel: f.consumed() - before, value: p.value, error: p.error };
}

function fuelModule(opts: FuelMeterOptions = {}) {
  return variants(load('fuel.wasm'), (self) => ({
    env: {
      host: (x: number) => x * 2,
      reenter: (x: number) => (self().exports.sum as Fn)(x) + 1,
    },
  }), opts);
}

test('fuel: hand-counted costs of straight-line code and of a trap in the middle of a run', () => {
  const v = fuelModule();
  // local.get, local.get, i32.div_s, local.get, i32.const, i32.mul, i32.add (end is free) = 7
  assert.equal(agree(v, 'div', 7, 2).fuel, 7n);
  // the division traps: local.get, local.get, i32.div_s ran; the 4 operators after it did not
  const t = agree(v, 'div', 1, 0);
  assert.ok(t.error);
  assert.equal(t.fuel, 3n);
  // memory.size = 1
  assert.equal(agree(v, 'size').fuel, 1n);
});

test('fuel: fast and reference agree on every control-flow shape, results unchanged', () => {
  const v = fuelModule();
  for (const n of [0, 1, 2, 7, 50]) agree(v, 'sum', n);
  for (const x of [0, 1, 2, 3, 9, -1]) agree(v, 'classify', x);
  for (const x of [0, 1, 3, 6, 100]) agree(v, 'early', x);
  for (const n of [0, 1, 2, 10]) agree(v, 'fib', n);
  for (const n of [0, 1, 5, 200]) agree(v, 'count', n, 0);
  for (const n of [1, 2, 1000]) agree(v, 'spin', n);
  for (const x of [0, 4]) agree(v, 'dead', x);
  assert.equal(agree(v, 'freeExit').fuel, 2n);
  agree(v, 'callHost', 12);
  agree(v, 'callReenter', 9);
});

test('fuel: traps and host exceptions keep the figures exact (refund + innermost attribution)', () => {
  const v = fuelModule();
  assert.ok(agree(v, 'divDeep', 5, 0).error);
  assert.ok(agree(v, 'load', 65535).error);
  assert.ok(agree(v, 'load', -8).error);
  assert.ok(agree(v, 'boom').error);
  // the instance keeps working after a trap, with consistent counters
  agree(v, 'sum', 4);
  const thrower = variants(load('fuel.wasm'), () => ({
    env: { host: () => { throw new Error('host says no'); }, reenter: () => 0 },
  }));
  const r = agree(thrower, 'callHost', 3);
  assert.match(String(r.error), /host says no/);
  const per = thrower.fast.meter!.perFunction();
  assert.equal(per.find((f) => f.name === 'sum')?.calls, 0n);
});

test('fuel: per-function figures name the functions and count calls', () => {
  const v = fuelModule();
  agree(v, 'fib', 10);
  const fib = v.fast.meter!.perFunction().find((f) => f.name === 'fib');
  assert.equal(fib?.calls, 177n); // calls of naive fib(10)
  assert.equal(fib?.fuelExclusive, v.fast.meter!.consumed());
  agree(v, 'count', 10, 0);
  const count = v.fast.meter!.perFunction().find((f) => f.name === 'count');
  assert.equal(count?.calls, 11n); // return_call enters the function again
});

test('exceptions: a throw caught two frames up keeps exclusive figures exact', () => {
  const v = variants(load('eh.wasm'), () => ({}));
  for (const x of [1, 5]) agree(v, 'catcher', x);
  const per = v.fast.meter!.perFunction();
  assert.equal(per[0].calls, 2n); // $thrower (no name section in this module)
  assert.equal(per[0].name, '$func0');
});

test('deadline: sampling, a limit (OutOfFuelError with the original location), the same point in both modes', () => {
  const sampled = (mode: 'fast' | 'reference') => {
    const samples: string[] = [];
    const im = instrument(load('fuel.wasm'), { mode });
    const meter = new FuelMeter(im, { sampleEvery: 100n, onSample: (i) => samples.push(`${i.consumed}@${i.location.offset}`) });
    const inst = new WA.Instance(new WA.Module(im.bytes), { env: { host: () => 0, reenter: () => 0 }, ...meter.imports });
    meter.bind(inst);
    (inst.exports.sum as Fn)(200);
    return samples;
  };
  const samples = sampled('fast');
  assert.deepEqual(sampled('reference'), samples);
  assert.ok(samples.length > 10);
  const values = samples.map((s) => BigInt(s.split('@')[0]));
  for (let i = 1; i < values.length; i++) assert.ok(values[i] - values[i - 1] >= 100n);

  for (const mode of ['fast', 'reference'] as const) {
    const im = instrument(load('fuel.wasm'), { mode });
    const meter = new FuelMeter(im, { limit: 500n });
    const inst = new WA.Instance(new WA.Module(im.bytes), { env: { host: () => 0, reenter: () => 0 }, ...meter.imports });
    meter.bind(inst);
    let caught: unknown;
    try {
      (inst.exports.spin as Fn)(1_000_000);
    } catch (e) {
      caught = meter.settle(e).error;
    }
    assert.ok(caught instanceof OutOfFuelError, String(caught));
    const e = caught as OutOfFuelError;
    assert.ok(e.consumed >= 500n && e.consumed < 520n, String(e.consumed));
    const spin = parseModule(im.original).exports.find((x) => x.name === 'spin')!.index;
    assert.equal(e.location.funcIndex, spin);
    assert.equal(e.location.funcName, im.names[spin]);
    assert.match(e.message, /out of fuel: consumed \d+ of the 500 allowed, in .* at original offset 0x/);
    // the location is the loop header in the ORIGINAL module
    assert.equal(im.original[e.location.offset], 0x03);
    const { total, sum } = meter.exactness();
    assert.equal(total, sum);
  }
});

test('memory.grow is reported with the exact fuel, failures included', () => {
  const seen: MemoryGrowInfo[][] = [[], []];
  const mk = (mode: 'fast' | 'reference', out: MemoryGrowInfo[]) => {
    const im = instrument(load('fuel.wasm'), { mode });
    const meter = new FuelMeter(im, { onMemoryGrow: (i) => out.push(i) });
    const inst = new WA.Instance(new WA.Module(im.bytes), { env: { host: () => 0, reenter: () => 0 }, ...meter.imports });
    meter.bind(inst);
    assert.equal((inst.exports.grow as Fn)(1), 1001);
    assert.equal((inst.exports.grow as Fn)(10), 999); // max is 4 pages: fails, returns -1
    return meter;
  };
  mk('fast', seen[0]);
  mk('reference', seen[1]);
  assert.deepEqual(seen[0], seen[1]);
  assert.deepEqual(seen[0].map((g) => [g.beforePages, g.afterPages, g.deltaPages]), [[1, 2, 1n], [2, -1, 10n]]);
  // local.get, memory.grow: 2 units when the first grow happens
  assert.equal(seen[0][0].fuel, 2n);
});

test('function indices are remapped everywhere: exports, start, all element encodings, ref.func, names', () => {
  const bytes = load('remap.wasm');
  const log: number[] = [];
  const env = () => ({
    env: {
      log: (x: number) => log.push(x),
      g: 5,
      mem: new WA.Memory({ initial: 1 }),
      tab: new WA.Table({ element: 'anyfunc', initial: 4 }),
      twice: (x: number) => 2 * x,
    },
  });
  const v = variants(bytes, env);
  assert.deepEqual(log, [7, 7, 7, 7, 7, 7]); // the start function ran in every instance
  agree(v, 'counter');
  for (const i of [0, 1, 2]) agree(v, 'viaTable0', i, 10);
  agree(v, 'viaTable0', 3, 10); // null element: traps the same way
  agree(v, 'initPassive', 0);
  for (const i of [0, 1, 2, 3]) agree(v, 'viaTable0', i, 10), agree(v, 'viaTable2', i, 10);
  agree(v, 'isNotNull');
  agree(v, 'viaGlobal', 1);
  agree(v, 'tail', 1);
  agree(v, 'host', 20);
  agree(v, 'add3', 1);
  assert.equal(typeof v.fast.inst.exports.imported, 'function');

  const im = v.fast.im!;
  const out = parseModule(im.bytes);
  const orig = parseModule(bytes);
  const nImp = importCount(orig, 'func');
  assert.equal(importCount(out, 'func'), nImp + 2);
  const remap = (i: number) => (i < nImp ? i : i + 2);
  assert.deepEqual(out.exports.filter((e) => e.kind === 'func' && !e.name.startsWith('__wasiscope')).map((e) => e.index), orig.exports.filter((e) => e.kind === 'func').map((e) => remap(e.index)));
  assert.equal(out.start, null, 'the start section became an export the meter runs after binding');
  const wrapper = out.exports.find((e) => e.name === '__wasiscope_start')!.index;
  const body = out.bodies[wrapper - importCount(out, 'func')];
  assert.deepEqual([...im.bytes.subarray(body.codeStart, body.end)], [0x10, remap(orig.start!), 0x0b], 'a wrapper that calls the start function');
  assert.equal(im.deferredStart, true);
  orig.elements.forEach((seg, i) => {
    if (seg.funcs) assert.deepEqual(out.elements[i].funcs, seg.funcs.map(remap));
  });
  const on = decodeNameSection(customSections(orig, 'name')[0].content);
  const nn = decodeNameSection(customSections(out, 'name')[0].content);
  for (const [i, name] of on.functions) assert.equal(nn.functions.get(remap(i)), name);
  for (const [i, locals] of on.locals) assert.deepEqual(nn.locals.get(remap(i)), locals);
  assert.equal(nn.functions.get(nImp), '__wasiscope.deadline');
  assert.deepEqual(im.names.slice(0, nImp), ['log', 'twice']);
  assert.equal(im.names[nImp], 'add1');
});

test('element segments in expression encodings 5, 6, 7 and ref.func in a global init are remapped', () => {
  // Hand-assembled: wat2wasm folds these into the function-index encodings.
  const b: number[] = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const section = (id: number, content: number[]) => b.push(id, content.length, ...content);
  section(1, [2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 0]); // types: ()->i32, (i32)->()
  section(2, [1, 1, 0x65, 1, 0x66, 0x00, 1]); // import e.f : (i32)->()
  section(3, [3, 0, 0, 0]); // three ()->i32 functions: 1, 2, 3
  section(4, [1, 0x70, 0, 4]); // table funcref 4
  section(6, [1, 0x70, 0, 0xd2, 2, 0x0b]); // global funcref = ref.func 2
  section(7, [1, 1, 0x74, 0x00, 3]); // export "t" = func 3
  section(9, [3,
    5, 0x70, 1, 0xd2, 1, 0x0b, // passive, exprs
    6, 0, 0x41, 0, 0x0b, 0x70, 2, 0xd2, 2, 0x0b, 0xd2, 3, 0x0b, // active table 0 (explicit), exprs
    7, 0x70, 1, 0xd2, 1, 0x0b, // declarative, exprs
  ]);
  const bodies = [
    [4, 0, 0x41, 11, 0x0b],
    [4, 0, 0x41, 22, 0x0b],
    // call_indirect type 0 through table[0]
    [7, 0, 0x41, 0, 0x11, 0, 0, 0x0b],
  ];
  section(10, [3, ...bodies.flat()]);
  const bytes = Uint8Array.from(b);
  assert.ok(WA.validate(bytes));
  const im = instrument(bytes);
  const out = parseModule(im.bytes);
  const refFuncs = (exprs: Uint8Array[] | null) => (exprs ?? []).map((e) => e[1]);
  assert.deepEqual(out.elements.map((s) => [s.flags, refFuncs(s.exprs)]), [[5, [3]], [6, [4, 5]], [7, [3]]]);
  assert.deepEqual(Array.from(out.globals[0].init), [0xd2, 4, 0x0b]);
  const meter = new FuelMeter(im);
  const inst = new WA.Instance(new WA.Module(im.bytes), { e: { f: () => undefined }, ...meter.imports });
  meter.bind(inst);
  assert.equal((inst.exports.t as Fn)(), 22); // table[0] = ref.func 2 (segment 6), which returns 22
});

test('the offset map covers every instruction, both ways', () => {
  const files = ['testdata/fuel.wasm', 'testdata/remap.wasm', 'testdata/eh.wasm', '../../fixtures/c/lzpack.wasm', '../../fixtures/c/debugme.wasm'];
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(here(file)));
    for (const mode of ['fast', 'reference'] as const) {
      const im = instrument(bytes, { mode });
      const m = parseModule(bytes);
      let n = 0;
      for (const body of m.bodies) {
        let p = body.codeStart;
        while (p < body.end) {
          const next = nextInstr(bytes, p, body.end);
          const x = im.map.toInstrumented(p);
          assert.ok(x > 0, `${file} ${mode}: 0x${p.toString(16)} unmapped`);
          assert.equal(im.map.toOriginal(x), p, `${file} ${mode}: round trip of 0x${p.toString(16)}`);
          assert.equal(im.map.isInjected(x), false);
          const op = bytes[p];
          if (op === 0x40) assert.equal(im.bytes[x], 0x10, 'memory.grow became a call');
          else assert.equal(im.bytes[x], op, `${file} ${mode}: opcode at 0x${p.toString(16)}`);
          n++;
          p = next;
        }
      }
      assert.ok(n > 10);
      // every instrumented code offset maps back to an instruction start of the original
      const starts = new Set<number>();
      for (const body of m.bodies) for (let p = body.codeStart; p < body.end; p = nextInstr(bytes, p, body.end)) starts.add(p);
      const out = parseModule(im.bytes);
      for (let i = 0; i < m.bodies.length; i++) {
        const nb = out.bodies[i];
        for (let x = nb.codeStart; x < nb.end; x = nextInstr(im.bytes, x, nb.end)) {
          const o = im.map.toOriginal(x);
          assert.ok(starts.has(o) || o === m.bodies[i].end, `${file} ${mode}: 0x${x.toString(16)} -> 0x${o.toString(16)}`);
        }
      }
    }
  }
});

test('custom sections (DWARF) are kept byte for byte; a module is not instrumented twice', () => {
  const bytes = new Uint8Array(readFileSync(here('../../fixtures/c/debugme.wasm')));
  const im = instrument(bytes);
  const before = customSections(parseModule(bytes)).filter((c) => c.name.startsWith('.debug'));
  const after = customSections(parseModule(im.bytes)).filter((c) => c.name.startsWith('.debug'));
  assert.ok(before.length >= 3);
  assert.deepEqual(after.map((c) => [c.name, Buffer.from(c.content).toString('hex')]), before.map((c) => [c.name, Buffer.from(c.content).toString('hex')]));
  assert.equal(im.originalCodeSectionStart > 0 && im.instrumentedCodeSectionStart > 0, true);
  assert.throws(() => instrument(im.bytes), /instrumented twice/);
});

import { newCursor, scanInstr } from '../wasm/instr-scanner';
const cursor = newCursor();
function nextInstr(bytes: Uint8Array, p: number, end: number): number {
  scanInstr(bytes, p, end, cursor);
  return cursor.end;
}

test('try_table is refused by name and offset (its exception landings would need code this instrumenter does not emit)', () => {
  const b = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0];
  const body = [0, 0x1f, 0x40, 0, 0x0b, 0x0b];
  b.push(10, body.length + 2, 1, body.length, ...body);
  assert.throws(() => instrument(Uint8Array.from(b)), /try_table is not supported by the instrumenter at byte 0x/);
});

test('a start function runs after the meter is bound: a fuel limit stops an endless one, and its fuel is counted', () => {
  const bytes = load('start-loop.wasm');
  for (const mode of ['fast', 'reference'] as const) {
    const im = instrument(bytes, { mode });
    const meter = new FuelMeter(im, { limit: 100_000n });
    const inst = new WA.Instance(new WA.Module(im.bytes), meter.imports);
    let err: unknown;
    try {
      meter.bind(inst);
    } catch (e) {
      err = meter.settle(e).error;
    }
    assert.ok(err instanceof OutOfFuelError, `${mode}: ${String(err)}`);
    assert.equal(err.location.funcName, 'init');
    assert.ok(meter.consumed() >= 100_000n);
    const init = meter.perFunction().find((f) => f.name === 'init');
    assert.equal(init?.calls, 1n);
    assert.equal(init?.fuelExclusive, meter.consumed());
    // deferStart: the caller runs it (the runtime does, inside its trap handling)
    const m2 = new FuelMeter(im, { limit: 5000n });
    const i2 = new WA.Instance(new WA.Module(im.bytes), m2.imports);
    m2.bind(i2, { deferStart: true });
    assert.equal(m2.consumed(), 0n);
    assert.throws(() => m2.runStart());
    assert.ok(m2.settle(new Error('x')) !== undefined);
  }
});

test('a function with as many locals as V8 allows cannot take the two the instrumentation adds: a clear error, not an engine failure later', () => {
  const moduleWith = (locals: number): Uint8Array => {
    const body = [1, ...leb(locals), 0x7f, 0x01, 0x0b]; // one group of i32 locals; nop; end
    const code = [1, ...leb(body.length), ...body];
    return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, ...leb(code.length), ...code]);
  };
  assert.ok(WebAssembly.validate(moduleWith(49_999)), 'V8 takes 49,999 locals');
  assert.throws(() => instrument(moduleWith(49_999)), (e: Error) => e.name === 'WasmDecodeError' && /function 0 has 49999 parameters and locals.*V8 allows at most 50000/.test(e.message));
  assert.ok(WebAssembly.validate(instrument(moduleWith(49_998)).bytes), 'one fewer fits');
});

test('a function that would outgrow V8\'s 7,654,321-byte limit once instrumented gets a clear error', () => {
  // 1.2 M times `i32.const 1; if; end`: 6 MB of code V8 takes, and a run boundary every 5 bytes.
  const n = 1_200_000;
  const body = new Uint8Array(1 + 5 * n + 1);
  body[0] = 0;
  for (let i = 0; i < n; i++) body.set([0x41, 1, 0x04, 0x40, 0x0b], 1 + 5 * i);
  body[body.length - 1] = 0x0b;
  const code = Uint8Array.from([1, ...leb(body.length)]);
  const head = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, ...leb(code.length + body.length)]);
  const mod = new Uint8Array(head.length + code.length + body.length);
  mod.set(head);
  mod.set(code, head.length);
  mod.set(body, head.length + code.length);
  assert.ok(WebAssembly.validate(mod), 'V8 takes the original');
  assert.throws(() => instrument(mod), (e: Error) => e.name === 'WasmDecodeError' && /function 0 grows from \d+ to \d+ bytes when instrumented.*at most 7654321 bytes/.test(e.message));
});
