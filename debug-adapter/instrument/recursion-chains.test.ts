// Recursion clones (recursion-chains.ts) change how a self-recursive function is counted, never
// what is counted: every export of testdata/recursion.wat runs with clones, without them and in
// the reference mode (no clones), and must give the same fuel, per-function figures, traps,
// out-of-fuel points and sample points; chains longer than the host's window and with more calls
// than the chain register's count bits hold stay exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrument } from './instrument';
import { CHAIN_SHIFT, CHAIN_WINDOW, findRecursionChains } from './recursion-chains';
import { FuelMeter, type DeadlineInfo, type FuelMeterOptions } from '../runtime/fuel-meter';
import { parseModule } from '../wasm/reader';
import { importCount } from '../wasm/module';
import type { InstrumentOptions } from './types';

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

const load = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url))));
const bytes = load('recursion.wasm');

const VARIANTS: Record<string, InstrumentOptions> = {
  clones: {},
  noClones: { recursionClones: false },
  clonesDump: { counters: 'dump' },
  reference: { mode: 'reference', recursionClones: false },
};

/** Run `calls` in one instance of each variant; return what each saw, as comparable text. */
function observe(calls: [string, ...number[]][], meterOpts: () => FuelMeterOptions & { seen?: string[] } = () => ({})) {
  const out: Record<string, string[]> = {};
  for (const [v, opts] of Object.entries(VARIANTS)) {
    const im = instrument(bytes, opts);
    const mo = meterOpts();
    const meter = new FuelMeter(im, mo);
    const inst = new WA.Instance(new WA.Module(im.bytes), meter.imports);
    meter.bind(inst);
    const log: string[] = [];
    for (const [name, ...args] of calls) {
      let result: string;
      try {
        result = String((inst.exports[name] as (...a: number[]) => unknown)(...args));
      } catch (e) {
        const s = meter.settle(e);
        result = `${s.trap.kind} in ${s.trap.location?.funcName}@${s.trap.location?.offset}`;
      }
      const { total, sum } = meter.exactness();
      assert.equal(sum, total, `${v}: exclusive figures sum to the total after ${name}`);
      const per = meter.perFunction().filter((f) => f.calls > 0n || f.fuelExclusive > 0n).map((f) => `${f.name}=${f.fuelExclusive}/${f.calls}`);
      log.push(`${name}(${args.join(',')}) -> ${result}; fuel ${meter.consumed()}; ${per.join(' ')}`);
    }
    if (mo.seen) log.push(...mo.seen);
    out[v] = log;
  }
  return out;
}

function assertSame(o: Record<string, string[]>): void {
  assert.deepEqual(o.clones, o.noClones, 'clones vs no clones');
  assert.deepEqual(o.clones, o.reference, 'clones vs the reference mode');
  assert.deepEqual(o.clones, o.clonesDump, 'counters read through the dump function');
}

test('self-recursive functions are cloned; near misses are not', () => {
  const m = parseModule(bytes);
  const nImp = importCount(m, 'func');
  const names = ['fib', 'dive', 'runaway', 'spin', 'early', 'mixed', 'leaf', 'grower'];
  const cloned = findRecursionChains(bytes, m.bodies, nImp).map((f) => names[f - nImp]);
  assert.deepEqual(cloned, ['fib', 'dive', 'runaway', 'spin', 'early']);
  // Clones copy code: a budget bounds how much (one the size of fib's body takes fib and no more).
  const fibSize = m.bodies[0].end - m.bodies[0].start;
  assert.deepEqual(findRecursionChains(bytes, m.bodies, nImp, fibSize).map((f) => names[f - nImp]), ['fib']);
  assert.deepEqual(findRecursionChains(bytes, m.bodies, nImp, 0), []);
  const im = instrument(bytes);
  assert.equal(im.chains?.funcs.length, 5);
  assert.equal(instrument(bytes, { recursionClones: false }).chains, undefined);
  assert.equal(instrument(bytes, { perFunction: false }).chains, undefined, 'nothing to count without per-function figures');
  assert.equal(instrument(bytes, { debug: { sites: [] } }).chains, undefined, 'debug mode keeps one body per function');
  assert.equal(instrument(load('eh-recursion.wasm')).chains, undefined, 'a module with exception handling gets none');
});

test('results, fuel and per-function figures are the same with and without clones', () => {
  const o = observe([['fib', 20], ['twice', 12], ['many', 9], ['spin', 4, 5], ['early', 3], ['mixed', 6], ['fib', 1], ['fib', 0]]);
  assertSame(o);
  assert.match(o.clones[0], /fib\(20\) -> 6765; /);
  assert.match(o.clones[0], / fib=\d+\/21891( |$)/, 'fib(20) makes 21891 calls');
});

test('traps inside a chain: refund, attribution and the trap location are the same; the instance stays usable', () => {
  const o = observe([['dive', 30], ['fib', 10], ['runaway', 0], ['fib', 11], ['grower', 3]]);
  assertSame(o);
  assert.match(o.clones[0], /out of bounds memory access in dive@/);
  assert.match(o.clones[2], /call stack exhausted|stack overflow|Maximum call stack/i);
});

test('out of fuel inside a chain stops at the same check with the same count, short and past the window', () => {
  for (const limit of [1000n, 123457n, CHAIN_WINDOW + 98765n, 3n * CHAIN_WINDOW + 1n]) {
    const o = observe([['fib', 30], ['spin', 6, 9]], () => ({ limit }));
    assertSame(o);
    assert.match(o.clones[0], /out of fuel/, `limit ${limit}`);
  }
});

test('samples and deadlines inside a chain fire at the same points', () => {
  const sampled = () => {
    const seen: string[] = [];
    return {
      seen,
      sampleEvery: 499n,
      onSample: (i: DeadlineInfo) => void seen.push(`sample ${i.consumed} ${i.location.funcName}@${i.location.offset}`),
    };
  };
  const o = observe([['fib', 18], ['spin', 3, 40]], sampled);
  assertSame(o);
  assert.ok(o.clones.length > 50, `many samples (${o.clones.length - 2})`);
});

test('a long chain is rebased by the host and its call count passes the register\'s count bits', () => {
  // fib(35): 29,860,703 calls (> 2^24) and ~3e8 fuel (> CHAIN_WINDOW): exact only if the host takes
  // the count out of the register at the window hooks.
  assert.ok(29_860_703 > 2 ** CHAIN_SHIFT);
  const im = instrument(bytes);
  const meter = new FuelMeter(im);
  const inst = new WA.Instance(new WA.Module(im.bytes), meter.imports);
  meter.bind(inst);
  assert.equal((inst.exports.fib as (n: number) => bigint)(35), 9227465n);
  const fib = meter.perFunction().find((f) => f.name === 'fib');
  assert.equal(fib?.calls, 29_860_703n);
  const { total, sum } = meter.exactness();
  assert.equal(sum, total);
  assert.ok(total > CHAIN_WINDOW * 4n);
  assert.equal(fib?.fuelExclusive, total);
});
