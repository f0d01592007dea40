// The stack sampler on real modules: stacks of ORIGINAL names, outermost first, whose fuel adds up
// to what was sampled and matches the exact per-function counters; an interval that doubles so
// the sample count stays logarithmic; deep stacks cut at their outer end; and runs whose output,
// exit code and fuel figures are identical with and without sampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrument } from '../instrument/instrument';
import { FuelMeter } from './fuel-meter';
import { runModule } from './module-runner';
import type { RuntimeEvent } from './events';
import type { RunResult } from './run-result';
import { StackSampler, TRUNCATED_FRAME } from './stack-sampler';

const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));

async function run(program: string, sampleStacks: boolean, args: string[] = []): Promise<{ result: RunResult; stdout: string }> {
  let stdout = '';
  const sink = (e: RuntimeEvent): void => {
    if (e.kind === 'output' && e.stream === 'stdout') stdout += Buffer.from(e.data).toString('utf8');
  };
  const result = await runModule({ program: fixture(program), args, env: {}, cwd: process.cwd(), preopens: [], sampleStacks }, sink);
  return { result, stdout };
}

test('fib: sampled stacks are original names outermost first, weighted like the exact counters', async () => {
  const { result } = await run('c/fib.wasm', true);
  assert.equal(result.exitCode, 0);
  const stacks = result.stacks ?? [];
  const info = result.stackSampling;
  assert.ok(info && stacks.length > 0);
  let sum = 0n;
  let samples = 0;
  for (const s of stacks) {
    sum += s.fuel;
    samples += s.samples;
    assert.equal(s.frames.length, s.funcIndices.length);
    // wasm-ld wraps `_start` in `_start.command_export`, the exported entry.
    assert.match(s.frames[0], /^_start/, `outermost first: ${s.frames.join(' > ')}`);
    assert.ok(s.fuel > 0n);
  }
  assert.equal(sum, info.sampledFuel);
  assert.ok(samples <= info.samples);
  assert.ok(info.sampledFuel <= result.fuelConsumed);
  // The unsampled tail is at most about one interval.
  assert.ok(result.fuelConsumed - info.sampledFuel <= 2n * info.finalInterval, `tail ${result.fuelConsumed - info.sampledFuel}`);
  // Identical stacks are aggregated: keys are unique.
  assert.equal(new Set(stacks.map((s) => s.funcIndices.join(','))).size, stacks.length);
  // Innermost shares against the exact exclusive figures: fib burns nearly all the fuel.
  const innermost = new Map<string, bigint>();
  for (const s of stacks) innermost.set(s.frames[s.frames.length - 1], (innermost.get(s.frames[s.frames.length - 1]) ?? 0n) + s.fuel);
  const fib = result.functions.find((f) => f.name === 'fib');
  assert.ok(fib);
  const exact = Number(fib.fuelExclusive) / Number(result.fuelConsumed);
  const sampled = Number(innermost.get('fib') ?? 0n) / Number(info.sampledFuel);
  assert.ok(Math.abs(exact - sampled) < 0.02, `fib share exact ${exact} vs sampled ${sampled}`);
  // Recursion shows as nested fib frames.
  assert.ok(stacks.some((s) => s.frames.filter((f) => f === 'fib').length > 5));
});

test('the interval doubles, so the sample count grows with the log of the fuel', async () => {
  const { result } = await run('c/lzpack.wasm', true);
  const info = result.stackSampling!;
  const fuel = Number(result.fuelConsumed);
  // Default: 10,000 fuel at first, doubled after every 256 samples.
  const levels = Math.ceil(Math.log2(fuel / (256 * 10_000) + 1)) + 1;
  assert.ok(info.samples <= 256 * levels, `${info.samples} samples for ${fuel} fuel`);
  assert.ok(info.samples >= 512, `${info.samples} samples`);
  assert.ok(info.finalInterval > 10_000n);
  const k = info.finalInterval / 10_000n;
  assert.equal(k * 10_000n, info.finalInterval);
  assert.equal(k & (k - 1n), 0n, 'the initial interval times a power of two');
});

test('sampling changes nothing the module computes or is charged', async () => {
  for (const [program, args] of [['c/fib.wasm', ['25']], ['c/lzpack.wasm', ['16']], ['c/metrics.wasm', []]] as const) {
    const plain = await run(program, false, [...args]);
    const sampled = await run(program, true, [...args]);
    assert.equal(plain.result.stacks, undefined);
    assert.ok(sampled.result.stacks && sampled.result.stacks.length > 0, program);
    assert.equal(sampled.stdout, plain.stdout, program);
    assert.equal(sampled.result.exitCode, plain.result.exitCode, program);
    assert.equal(sampled.result.fuelConsumed, plain.result.fuelConsumed, program);
    assert.deepEqual(sampled.result.functions, plain.result.functions, program);
    assert.deepEqual(sampled.result.memory, plain.result.memory, program);
  }
});

test('a short run still gets samples; deep stacks keep their innermost frames under (truncated)', () => {
  const im = instrument(new Uint8Array(readFileSync(fixture('wat/fac.wasm'))));
  const sampler = new StackSampler(im, { initialInterval: 5n, samplesPerLevel: 4, maxDepth: 8 });
  const meter = new FuelMeter(im, { onDeadline: sampler.onDeadline });
  const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
  const inst = new WA.Instance(new WA.Module(im.bytes), { wasi_snapshot_preview1: { fd_write: () => 0 }, ...meter.imports });
  meter.bind(inst);
  sampler.start(meter);
  let fact = 1n;
  for (let i = 2n; i <= 40n; i++) fact *= i;
  assert.equal((inst.exports.fac as (n: bigint) => bigint)(40n), BigInt.asIntN(64, fact));
  const { stacks, stackSampling } = sampler.result();
  assert.ok(stackSampling.samples > 4);
  assert.ok(stackSampling.finalInterval > 5n, 'doubled after 4 samples');
  assert.ok(stacks.some((s) => s.frames[0] === TRUNCATED_FRAME && s.funcIndices[0] === -1), 'deep stacks are cut');
  for (const s of stacks) {
    assert.ok(s.frames.length <= 9);
    assert.ok(s.frames.slice(s.frames[0] === TRUNCATED_FRAME ? 1 : 0).every((f) => f === 'fac'), s.frames.join(' > '));
  }
  let sum = 0n;
  for (const s of stacks) sum += s.fuel;
  assert.equal(sum, stackSampling.sampledFuel);
  assert.ok(sum > 0n && sum <= meter.consumed());
});
