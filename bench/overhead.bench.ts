// Run-time overhead of the instrumentation against the plain module under V8, on the three
// CPU-bound fixture programs (recursion-heavy fib, loop-heavy floating-point nbody, the real
// program lzpack) at their bench sizes from fixtures/expected.json; plus the npm package
// wasm-metering on fib as the baseline. Variants are run interleaved; medians after a warm-up.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { instrument } from '../debug-adapter/instrument/instrument';
import { interleaved, readRepoFile, wasiProgram, type Bench, type BenchRow } from './bench-kit';

const REPS = Number(process.env.BENCH_REPS ?? 7);

interface ExpectedRun { id: string; module: string; args: string[]; stdout?: string }
const expected = (JSON.parse(readFileSync(new URL('../fixtures/expected.json', import.meta.url), 'utf8')) as { runs: ExpectedRun[] }).runs;

const require = createRequire(import.meta.url);
const metering = require('wasm-metering') as { meterWASM(wasm: Uint8Array, opts: { meterType: string }): Uint8Array };

const PROGRAMS = [
  { id: 'fib-bench', label: 'fib', kind: 'recursion-heavy' },
  { id: 'nbody-bench', label: 'nbody', kind: 'loop-heavy floating point' },
  { id: 'lzpack-bench', label: 'lzpack', kind: 'real program' },
];

const bench: Bench = {
  name: 'run-time overhead (median wall time ratios, side by side)',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const p of PROGRAMS) {
      const run = expected.find((r) => r.id === p.id);
      if (!run) throw new Error(`no ${p.id} in fixtures/expected.json`);
      const bytes = readRepoFile(`fixtures/${run.module}`);
      const full = instrument(bytes);
      const fuelOnly = instrument(bytes, { perFunction: false });
      const opts = { expectStdout: run.stdout };
      const t = await interleaved({
        plain: wasiProgram(bytes, run.args, opts),
        full: wasiProgram(full.bytes, run.args, { ...opts, im: full }),
        fuelOnly: wasiProgram(fuelOnly.bytes, run.args, { ...opts, im: fuelOnly }),
      }, REPS);
      const what = `${p.label}(${run.args.join(' ')})`;
      rows.push({
        metric: `${what} fuel + per-function / plain`,
        value: t.full / t.plain,
        unit: 'x',
        note: `target <= 1.3 (${p.kind})`,
        detail: { plainMs: t.plain, instrumentedMs: t.full },
      });
      rows.push({
        metric: `${what} fuel only / plain`,
        value: t.fuelOnly / t.plain,
        unit: 'x',
        detail: { plainMs: t.plain, instrumentedMs: t.fuelOnly },
      });
    }

    // wasm-metering (a host call per basic block) on fib, at a size it finishes in reasonable time.
    const fib = readRepoFile('fixtures/c/fib.wasm');
    let metered: Uint8Array | undefined;
    let error = '';
    try {
      metered = metering.meterWASM(fib, { meterType: 'i64' });
    } catch (e) {
      error = String(e);
    }
    if (metered) {
      let gas = 0n;
      const extra = () => ({ metering: { usegas: (g: bigint) => void (gas += g) } });
      const full = instrument(fib);
      const args = ['32'];
      const t = await interleaved({
        plain: wasiProgram(fib, args),
        ours: wasiProgram(full.bytes, args, { im: full }),
        meteringPkg: wasiProgram(metered, args, { extraImports: extra }),
      }, REPS);
      rows.push({ metric: 'fib(32) wasm-metering / plain', value: t.meteringPkg / t.plain, unit: 'x', note: 'baseline (npm wasm-metering)', detail: { plainMs: t.plain, meteredMs: t.meteringPkg, gas: gas.toString() } });
      rows.push({ metric: 'fib(32) ours (fuel + per-function) / plain', value: t.ours / t.plain, unit: 'x', note: 'same run as the baseline', detail: { plainMs: t.plain, instrumentedMs: t.ours } });
      rows.push({ metric: 'fib(32) wasm-metering / ours', value: t.meteringPkg / t.ours, unit: 'x', note: 'how much faster ours runs' });
    } else {
      rows.push({ metric: 'wasm-metering on fib', value: NaN, unit: '', note: `could not process the module: ${error.slice(0, 80)}` });
    }
    return rows;
  },
};

export default bench;
