// Debug mode of the instrumenter: breakpoint sites cost no fuel (figures identical with and
// without debug mode, armed or not, on real programs), locals of every value type go out to the
// scratch globals and come back (changed when the hook says so), sites only at instruction
// starts of reachable code, the offset map sends injected site code to its site, and the
// module's globals and memory are exported for the debugger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseWat } from '@bytecodealliance/jco-transpile/wasm-tools';
import { instrument } from './instrument';
import {
  HOOK_MODULE, HOOK_SITE, dbgExportName, globalExportName, memoryExportName, scratchExportName, type InstrumentedModule,
} from './types';
import { FuelMeter } from '../runtime/fuel-meter';
import { WasiHost } from '../wasi';
import { parseModule } from '../wasm/reader';
import { newCursor, scanInstr } from '../wasm/instr-scanner';

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

const fixture = (p: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url))));

/** Every instruction start of every body (the most sites a module can have). */
function allInstructionStarts(bytes: Uint8Array): number[] {
  const m = parseModule(bytes, { checkBodies: false });
  const out: number[] = [];
  const cur = newCursor();
  for (const b of m.bodies) {
    for (let p = b.codeStart; p < b.end; p = cur.end) {
      scanInstr(bytes, p, b.end, cur);
      out.push(cur.start);
    }
  }
  return out;
}

interface RunFigures {
  exitCode: number;
  stdout: string;
  fuel: bigint;
  functions: string;
  siteHits: number;
}

function runWasi(im: InstrumentedModule, args: string[], arm: 'none' | 'all', onSite?: (inst: Instance, f: number, off: number) => number): RunFigures {
  const meter = new FuelMeter(im);
  let stdout = '';
  let inst!: Instance;
  let siteHits = 0;
  const host = new WasiHost({ args: ['prog', ...args], env: {}, preopens: [], stdout: (d) => (stdout += Buffer.from(d).toString()), stderr: () => undefined, fuel: () => meter.consumed() });
  const hooks = { [HOOK_MODULE]: { ...meter.imports[HOOK_MODULE], [HOOK_SITE]: (f: number, off: number) => (siteHits++, onSite ? onSite(inst, f, off) : 0) } };
  inst = new WA.Instance(new WA.Module(im.bytes), { ...host.imports, ...hooks });
  meter.bind(inst);
  if (arm === 'all') for (let i = 0; i < im.definedFuncs; i++) {
    const g = inst.exports[dbgExportName(im.importedFuncs + i)] as { value: number } | undefined;
    if (g) g.value = 1;
  }
  let exitCode: number;
  try {
    exitCode = host.run(inst as never);
  } catch (e) {
    meter.settle(e);
    exitCode = 134;
  }
  const functions = meter.perFunction().map((f) => `${f.name}:${f.fuelExclusive}/${f.calls}`).join(' ');
  return { exitCode, stdout, fuel: meter.consumed(), functions, siteHits };
}

test('fuel and per-function figures are identical with and without debug mode, armed or not', async () => {
  const cases: [string, Uint8Array, string[]][] = [
    ['debugme', fixture('c/debugme.wasm'), []],
    ['trap div0', fixture('c/trap.wasm'), ['div0']],
    ['fib', fixture('c/fib.wasm'), ['18']],
    ['loops.wat', await parseWat(readFileSync(fileURLToPath(new URL('../../fixtures/wat/loops.wat', import.meta.url)), 'utf8')), []],
  ];
  for (const [name, bytes, args] of cases) {
    const plain = runWasi(instrument(bytes), args, 'none');
    const debug = instrument(bytes, { debug: { sites: allInstructionStarts(bytes) } });
    assert.ok(debug.debug && debug.debug.sites.length > 0, name);
    const unarmed = runWasi(debug, args, 'none');
    const armed = runWasi(debug, args, 'all');
    assert.equal(unarmed.siteHits, 0, `${name}: unarmed sites never call the host`);
    assert.ok(armed.siteHits > 0, `${name}: armed sites call the host`);
    for (const [what, r] of [['unarmed', unarmed], ['armed', armed]] as const) {
      assert.equal(r.fuel, plain.fuel, `${name} ${what}: total fuel`);
      assert.equal(r.functions, plain.functions, `${name} ${what}: per-function fuel and calls`);
      assert.equal(r.stdout, plain.stdout, `${name} ${what}: output`);
      assert.equal(r.exitCode, plain.exitCode, `${name} ${what}: exit code`);
    }
  }
});

const ROUND_TRIP = `(module
  (import "env" "log" (func $log (param i32)))
  (func $f (export "f") (param $a i32) (param $b i64) (result i32 i64 f32 f64 i64 i64)
    (local $c f32) (local $d f64) (local $v v128) (local $r funcref)
    f32.const 1.5
    local.set $c
    f64.const -2.25
    local.set $d
    v128.const i64x2 7 -8
    local.set $v
    local.get $a
    call $log
    local.get $a
    local.get $b
    local.get $c
    local.get $d
    local.get $v
    i64x2.extract_lane 0
    local.get $v
    i64x2.extract_lane 1))`;

test('spill and reload: every value type reaches the scratch globals and comes back changed', async () => {
  const bytes = await parseWat(ROUND_TRIP);
  const starts = allInstructionStarts(bytes);
  // The site before `local.get $a ; call $log`: after the locals were set.
  const m = parseModule(bytes, { checkBodies: false });
  const cur = newCursor();
  let site = -1;
  for (let p = m.bodies[0].codeStart, n = 0; p < m.bodies[0].end; p = cur.end, n++) {
    scanInstr(bytes, p, m.bodies[0].end, cur);
    if (n === 6) site = cur.start;
  }
  assert.ok(starts.includes(site));
  const im = instrument(bytes, { debug: { sites: [site] } });
  const d = im.debug!;
  assert.deepEqual([...d.sites], [site]);
  assert.deepEqual([...d.localTypes[0]], [0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0]);
  assert.equal(d.localSlots[0][5], -1, 'the funcref local is not captured');
  let inst!: Instance;
  const seen: unknown[] = [];
  const meter = new FuelMeter(im);
  const g = (name: string) => inst.exports[name] as { value: number | bigint };
  const slot = (i: number) => d.localSlots[0][i];
  const hooks = {
    [HOOK_MODULE]: {
      ...meter.imports[HOOK_MODULE],
      [HOOK_SITE]: (f: number, off: number) => {
        assert.equal(f, 1);
        assert.equal(off, site);
        seen.push(g(scratchExportName('i32', slot(0))).value, g(scratchExportName('i64', slot(1))).value, g(scratchExportName('f32', slot(2))).value,
          g(scratchExportName('f64', slot(3))).value, g(scratchExportName('i64', slot(4))).value, g(scratchExportName('i64', slot(4) + 1)).value);
        g(scratchExportName('i32', slot(0))).value = 41;
        g(scratchExportName('i64', slot(1))).value = -5n;
        g(scratchExportName('f32', slot(2))).value = 0.25;
        g(scratchExportName('f64', slot(3))).value = 1e100;
        g(scratchExportName('i64', slot(4))).value = 70n;
        g(scratchExportName('i64', slot(4) + 1)).value = -80n;
        return 1;
      },
    },
  };
  const logged: number[] = [];
  inst = new WA.Instance(new WA.Module(im.bytes), { env: { log: (x: number) => logged.push(x) }, ...hooks });
  meter.bind(inst);
  const f = inst.exports.f as (a: number, b: bigint) => unknown[];
  assert.deepEqual(f(3, 9n), [3, 9n, 1.5, -2.25, 7n, -8n], 'not armed: nothing changes');
  (inst.exports[dbgExportName(1)] as { value: number }).value = 1;
  assert.deepEqual(f(3, 9n), [41, -5n, 0.25, 1e100, 70n, -80n], 'armed: the hook changed every local');
  assert.deepEqual(seen, [3, 9n, 1.5, -2.25, 7n, -8n]);
  assert.deepEqual(logged, [3, 41]);
});

test('narrowed locals: only the listed locals are spilled, only the reload list comes back', async () => {
  const bytes = await parseWat(ROUND_TRIP);
  const m = parseModule(bytes, { checkBodies: false });
  const site = m.bodies[0].codeStart;
  const im = instrument(bytes, { debug: { sites: [site], locals: { 1: { spill: [0, 3], reload: [3] } } } });
  const d = im.debug!;
  assert.deepEqual([...d.localSlots[0]].map((x) => x >= 0), [true, false, false, true, false, false]);
  assert.deepEqual([...d.localReload[0]], [0, 0, 0, 1, 0, 0]);
  assert.equal(d.scratch.i32, 1);
  assert.equal(d.scratch.i64, 0);
});

test('sites: only instruction starts of reachable code; injected code maps back to its site', async () => {
  const bytes = await parseWat(`(module
    (func $f (export "f") (param $x i32) (result i32)
      local.get $x
      if
        i32.const 1
        return
        i32.const 2
        drop
      end
      i32.const 3))`);
  const starts = allInstructionStarts(bytes);
  const requested = [...starts, starts[0] + 1, 0];
  const im = instrument(bytes, { debug: { sites: requested } });
  const d = im.debug!;
  // `i32.const 2 ; drop` follow a return, and the `end` after them is reached only by branching:
  // no sites there (they could never fire); nor at offsets inside an instruction or outside code.
  assert.equal(d.sites.length, starts.length - 3);
  assert.equal(d.skipped, 5);
  for (const s of d.sites) {
    const x = im.map.toInstrumented(s);
    assert.equal(im.map.toOriginal(x), s);
    // The byte before the instruction is the end of its site check: injected, mapped to the site.
    assert.ok(im.map.isInjected(x - 1));
    assert.equal(im.map.toOriginal(x - 1), s);
  }
});

test('debug mode exports the module globals and memory, and arming globals only where sites are', async () => {
  const bytes = await parseWat(`(module
    (memory 1)
    (global $g (mut i32) (i32.const 5))
    (global $k i64 (i64.const 6))
    (func $a (export "a") (result i32) global.get $g)
    (func $b (export "b") (result i32) i32.const 1))`);
  const m = parseModule(bytes, { checkBodies: false });
  const im = instrument(bytes, { debug: { sites: [m.bodies[0].codeStart] } });
  const inst = new WA.Instance(new WA.Module(im.bytes), { ...new FuelMeter(im).imports, [HOOK_MODULE]: { ...new FuelMeter(im).imports[HOOK_MODULE], [HOOK_SITE]: () => 0 } });
  assert.equal((inst.exports[globalExportName(0)] as { value: number }).value, 5);
  assert.equal((inst.exports[globalExportName(1)] as { value: bigint }).value, 6n);
  assert.ok(inst.exports[memoryExportName(0)]);
  assert.ok(inst.exports[dbgExportName(0)]);
  assert.equal(inst.exports[dbgExportName(1)], undefined);
  assert.equal(im.debug!.globals, 2);
});

test('operand stack at a site: typed, spilled to scratch, pushed back (changed when the host changes it)', async () => {
  const bytes = await parseWat(`(module
    (func $f (export "f") (param $x i32) (result i64)
      local.get $x
      i32.const 10
      i32.add
      i64.extend_i32_u
      i64.const 5
      i64.mul))`);
  const starts = allInstructionStarts(bytes);
  const im = instrument(bytes, { debug: { sites: starts } });
  const st = im.debug!.siteStacks;
  assert.deepEqual([...(st.get(starts[2])?.types ?? [])], [0x7f, 0x7f], 'before i32.add: two i32');
  assert.deepEqual([...(st.get(starts[5])?.types ?? [])], [0x7e, 0x7e], 'before i64.mul: two i64');
  assert.equal(st.get(starts[0]), undefined, 'empty stack: nothing to capture');
  let inst!: Instance;
  const meter = new FuelMeter(im);
  const seen: unknown[] = [];
  const hooks = {
    [HOOK_MODULE]: {
      ...meter.imports[HOOK_MODULE],
      [HOOK_SITE]: (_f: number, off: number) => {
        const cap = st.get(off);
        if (!cap) return 0;
        const g = (i: number) => inst.exports[scratchExportName(cap.types[i] === 0x7f ? 'i32' : 'i64', cap.slots[i])] as { value: number | bigint };
        seen.push([...cap.types].map((_, i) => g(i).value));
        if (off === starts[2]) g(1).value = 100;
        return 0;
      },
    },
  };
  inst = new WA.Instance(new WA.Module(im.bytes), hooks);
  meter.bind(inst);
  const f = inst.exports.f as (x: number) => bigint;
  assert.equal(f(1), 55n);
  (inst.exports[dbgExportName(0)] as { value: number }).value = 1;
  assert.equal(f(1), 505n, 'the changed operand was pushed back');
  assert.deepEqual(seen, [[1], [1, 10], [101], [101n], [101n, 5n], [505n]]);
});
