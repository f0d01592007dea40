// The estimated per-operator-class breakdown: every operator of the table has a class, the static
// mix reflects the code (nbody is float arithmetic, fib integer and calls), and on real runs the
// classes add up to the fuel consumed exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALL_OPS, op } from '../wasm/opcodes';
import { runModule } from '../runtime/module-runner';
import { OPERATOR_CLASSES, UNATTRIBUTED, UNCLASSIFIED, estimateOperatorClassFuel, operatorClass, staticOperatorMix } from './operator-classes';

const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));

test('every operator in the table has one of the classes', () => {
  const seen = new Set<string>();
  for (const o of ALL_OPS) {
    const c = operatorClass(o);
    assert.ok(OPERATOR_CLASSES.includes(c), `${o.name}: ${c}`);
    seen.add(c);
  }
  assert.deepEqual([...seen].sort(), [...OPERATOR_CLASSES].sort(), 'every class is used by some operator');
  const cases: [string, string][] = [
    ['call', 'call'], ['call_indirect', 'call'], ['return_call', 'call'], ['br_if', 'control'], ['nop', 'control'],
    ['throw', 'control'], ['drop', 'parametric'], ['select_t', 'parametric'], ['local.tee', 'variable'],
    ['global.set', 'variable'], ['i32.load8_u', 'memory.load'], ['f64.store', 'memory.store'],
    ['memory.grow', 'memory.size_grow'], ['memory.copy', 'bulk_memory'], ['elem.drop', 'bulk_memory'],
    ['table.get', 'reference'], ['ref.is_null', 'reference'], ['i64.div_s', 'numeric.int'],
    ['i32.trunc_sat_f64_u', 'numeric.int'], ['f32.convert_i64_s', 'numeric.float'], ['i32.const', 'numeric.int'],
    ['f64x2.mul', 'simd'], ['v128.load', 'simd'], ['i32.atomic.rmw.add', 'atomic'], ['memory.atomic.notify', 'atomic'],
  ];
  for (const [name, cls] of cases) assert.equal(operatorClass(op(name)), cls, name);
});

test('the estimate follows the code: nbody burns float arithmetic, fib integer arithmetic and calls', async () => {
  const estimate = async (program: string, args: string[]): Promise<Record<string, number>> => {
    const r = await runModule({ program: fixture(program), args, env: {}, cwd: process.cwd(), preopens: [] }, () => {});
    const mix = staticOperatorMix(new Uint8Array(readFileSync(fixture(program))), r.functions.filter((f) => f.fuelExclusive > 0n).map((f) => f.index));
    const byClass = estimateOperatorClassFuel(r.functions, mix, r.fuelConsumed);
    return Object.fromEntries(Object.entries(byClass).map(([k, v]) => [k, Number(v) / Number(r.fuelConsumed)]));
  };
  const nbody = await estimate('c/nbody.wasm', ['2000']);
  assert.ok(nbody['numeric.float'] > 0.15 && nbody['numeric.float'] > (nbody['memory.store'] ?? 0), `nbody float share ${nbody['numeric.float']}`);
  const fib = await estimate('c/fib.wasm', ['20']);
  assert.ok((fib['numeric.float'] ?? 0) < 0.01, `fib float share ${fib['numeric.float']}`);
  assert.ok(fib['numeric.int'] > 0.2 && fib.call > 0.02, JSON.stringify(fib));
  const only = staticOperatorMix(new Uint8Array(readFileSync(fixture('c/fib.wasm'))), [1_000_000]);
  assert.equal(only.size, 0, 'indices outside the module are ignored');
});

test('on real runs the classes add up to the fuel consumed; the split of each function is its mix', async () => {
  for (const [program, args] of [['c/fib.wasm', ['20']], ['c/nbody.wasm', ['200']], ['c/lzpack.wasm', ['8']], ['wat/loops.wasm', []]] as const) {
    const r = await runModule({ program: fixture(program), args: [...args], env: {}, cwd: process.cwd(), preopens: [] }, () => {});
    assert.equal(r.exitCode, 0, program);
    const bytes = new Uint8Array(readFileSync(fixture(program)));
    const hot = r.functions.filter((f) => f.fuelExclusive > 0n).map((f) => f.index);
    const mix = staticOperatorMix(bytes, hot);
    assert.equal(mix.size, hot.length, `${program}: only the hot functions are scanned`);
    const byClass = estimateOperatorClassFuel(r.functions, mix, r.fuelConsumed);
    let sum = 0n;
    for (const v of Object.values(byClass)) {
      assert.ok(v > 0n);
      sum += v;
    }
    assert.equal(sum, r.fuelConsumed, `${program}: classes sum to the total`);
    assert.equal(byClass[UNATTRIBUTED], undefined, `${program}: exact counters leave nothing unattributed`);
    assert.equal(byClass[UNCLASSIFIED], undefined, program);
  }
  // One function alone: its split is proportional to its mix, within one unit per class.
  const fn = { index: 7, fuelExclusive: 1001n };
  const mix = new Map([[7, new Map([['numeric.int', 2], ['call', 1], ['memory.load', 4]] as const)]]);
  const split = estimateOperatorClassFuel([fn], mix as never, 1001n + 5n);
  assert.deepEqual(split, { 'numeric.int': 286n, call: 143n, 'memory.load': 572n, [UNATTRIBUTED]: 5n });
  // No mix for a function: its fuel is unclassified, not lost.
  assert.deepEqual(estimateOperatorClassFuel([{ index: 9, fuelExclusive: 50n }], new Map(), 50n), { [UNCLASSIFIED]: 50n });
});
