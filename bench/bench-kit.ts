// Shared pieces of the benchmarks: the shape a *.bench.ts file exports, interleaved timing with
// warm-up and medians (so every ratio compares runs taken side by side, under the same machine
// load), and running a WASI fixture program plain or instrumented.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FuelMeter } from '../debug-adapter/runtime/fuel-meter';
import type { InstrumentedModule } from '../debug-adapter/instrument/types';
import { WasiHost } from '../debug-adapter/wasi';

/** One line of the printed table (and of the JSON results). */
export interface BenchRow {
  /** What was measured, e.g. `fib(38) fuel+per-function / plain`. */
  metric: string;
  value: number;
  unit: string;
  /** The target or the comparison, e.g. `target <= 1.3`. */
  note?: string;
  /** Raw figures behind the value (medians, sizes), kept in the JSON. */
  detail?: Record<string, number | string>;
}

export interface Bench {
  name: string;
  run(): Promise<BenchRow[]>;
}

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export function readRepoFile(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../${rel}`, import.meta.url)));
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Time each variant `reps` times, interleaved (A B C A B C ...) after `warmup` untimed rounds, and
 * return the median per variant (ms).
 */
export async function interleaved(variants: Record<string, () => number | Promise<number>>, reps: number, warmup = 1): Promise<Record<string, number>> {
  const names = Object.keys(variants);
  for (let i = 0; i < warmup; i++) for (const n of names) await variants[n]();
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < reps; i++) for (const n of names) times[n].push(await variants[n]());
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

/**
 * A runnable WASI program: the module is compiled once (so V8's optimised code is reused across
 * repetitions, as it would be for a long-running program); each call runs `_start` in a fresh
 * instance and returns the wall time of the run in ms (instantiation excluded).
 */
export function wasiProgram(
  bytes: Uint8Array,
  args: string[],
  opts: {
    im?: InstrumentedModule;
    extraImports?: () => Record<string, Record<string, unknown>>;
    expectStdout?: string;
    preopens?: { hostPath: string; guestPath: string; mode: 'ro' | 'rw' }[];
  } = {},
): () => number {
  const mod = new WA.Module(bytes);
  return () => {
    const meter = opts.im ? new FuelMeter(opts.im) : undefined;
    let out = '';
    const host = new WasiHost({
      args: ['prog', ...args],
      env: {},
      preopens: opts.preopens ?? [],
      stdout: (d) => (out += Buffer.from(d).toString('utf8')),
      stderr: () => undefined,
      fuel: meter ? () => meter.consumed() : undefined,
    });
    const inst = new WA.Instance(mod, { ...host.imports, ...(meter?.imports ?? {}), ...(opts.extraImports?.() ?? {}) });
    meter?.bind(inst);
    const t = performance.now();
    const code = host.run(inst as never);
    const ms = performance.now() - t;
    if (code !== 0) throw new Error(`program exited with ${code}`);
    if (opts.expectStdout !== undefined && out !== opts.expectStdout) throw new Error(`unexpected output: ${out}`);
    return ms;
  };
}
