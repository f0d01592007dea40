// The fuel meter against instrumented test modules: user deadlines (continue, stop), the live
// per-function view from inside a hook, a host hook that throws out of the injected grow function,
// and settling in an instance that shares the stack with another module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrument } from '../instrument/instrument';
import { FuelMeter, OutOfFuelError, StopRequestedError, type FuelMeterOptions } from './fuel-meter';

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;
type Fn = (...a: number[]) => number;

const fuelWasm = new Uint8Array(readFileSync(fileURLToPath(new URL('../instrument/testdata/fuel.wasm', import.meta.url))));

function start(opts: FuelMeterOptions, env: Record<string, unknown> = {}, mode: 'fast' | 'reference' = 'fast') {
  const im = instrument(fuelWasm, { mode });
  const meter = new FuelMeter(im, opts);
  const inst = new WA.Instance(new WA.Module(im.bytes), { env: { host: (x: number) => x, reenter: () => 0, ...env }, ...meter.imports });
  meter.bind(inst);
  return { im, meter, inst, call: (name: string, ...a: number[]) => (inst.exports[name] as Fn)(...a) };
}

test('a user deadline calls back once at the first check point past it, with a live per-function view', () => {
  let seen: { consumed: bigint; sumLive: bigint; name: string } | undefined;
  const s = start({
    onDeadline: (info) => {
      const per = s.meter.perFunction();
      seen = { consumed: info.consumed, sumLive: per.reduce((a, f) => a + f.fuelExclusive, 0n), name: info.location.funcName };
    },
  });
  s.meter.setDeadline(50n);
  assert.equal(s.call('sum', 100), 4950);
  assert.ok(seen);
  assert.ok(seen.consumed >= 50n && seen.consumed < 70n);
  assert.equal(seen.sumLive, seen.consumed, 'the calling frame\'s unflushed share is included while in the hook');
  assert.equal(seen.name, 'sum');
  const { total, sum } = s.meter.exactness();
  assert.equal(sum, total);
});

test('onDeadline can stop the run: a StopRequestedError, exact counters, the instance still usable', () => {
  const s = start({ onDeadline: () => 'stop' });
  s.meter.setDeadline(30n);
  let err: unknown;
  try {
    s.call('spin', 1_000_000);
  } catch (e) {
    err = s.meter.settle(e).error;
  }
  assert.ok(err instanceof StopRequestedError, String(err));
  const { total, sum } = s.meter.exactness();
  assert.equal(sum, total);
  assert.equal(s.call('sum', 3), 3);
});

test('the limit can be raised after out-of-fuel, and both modes stop at the same fuel', () => {
  const stops: bigint[] = [];
  for (const mode of ['fast', 'reference'] as const) {
    const s = start({ limit: 1000n }, {}, mode);
    try {
      s.call('fib', 20);
      assert.fail('should run out of fuel');
    } catch (e) {
      const settled = s.meter.settle(e);
      assert.ok(settled.error instanceof OutOfFuelError);
      assert.equal(settled.trap.kind, 'out of fuel');
      stops.push((settled.error as OutOfFuelError).consumed);
    }
    s.meter.setLimit(undefined);
    assert.equal(s.call('fib', 10), 55);
  }
  assert.equal(stops[0], stops[1]);
});

test('a memory-grow hook that throws unwinds through the injected function; figures stay exact', () => {
  const s = start({
    onMemoryGrow: () => {
      throw new Error('no more memory for you');
    },
  });
  let settled;
  try {
    s.call('grow', 1);
  } catch (e) {
    settled = s.meter.settle(e);
  }
  assert.ok(settled);
  assert.equal(settled.trap.kind, 'host exception');
  assert.equal(settled.refund, 0n, 'memory.grow ends its run');
  const { total, sum } = s.meter.exactness();
  assert.equal(sum, total);
  // local.get, memory.grow were charged; nothing after
  assert.equal(total, 2n);
});

test('settle ignores frames of other modules in the same stack', () => {
  // `other` traps inside a function imported into the metered module: the trap's innermost frame
  // belongs to `other`, which the meter must not mistake for one of its own functions.
  const other = start({});
  const s = start({}, { host: (x: number) => (other.inst.exports.div as Fn)(x, 0) });
  let settled;
  try {
    s.call('callHost', 4);
  } catch (e) {
    settled = s.meter.settle(e);
    other.meter.settle(e);
  }
  assert.ok(settled);
  assert.equal(settled.refund, 0n);
  for (const m of [s.meter, other.meter]) {
    const { total, sum } = m.exactness();
    assert.equal(sum, total);
  }
  assert.equal(other.meter.consumed(), 3n, 'local.get, local.get, i32.div_s');
});
