// Run-time overhead of the instrumentation against the plain module under V8, on the three
// CPU-bound fixture programs (recursion-heavy fib, loop-heavy floating-point nbody, the real
// program lzpack) at their bench sizes from fixtures/expected.json; plus the npm package
// wasm-metering on fib as the baseline. Variants are run interleaved; medians after a warm-up.
// A fourth program, when installed: Yosys (30 MB of C++ from npm, `@yowasp/yosys`) synthesising a
// generated design, a large call-heavy program nobody here wrote.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { instrument } from '../debug-adapter/instrument/instrument';
import { interleaved, readRepoFile, repoRoot, wasiProgram, type Bench, type BenchRow } from './bench-kit';
import { writeYosysShare } from '../test/conformance/yosys-share';

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

    rows.push(...(await yosysRows()));

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

const YOSYS = join(repoRoot, 'node_modules/@yowasp/yosys/gen');

/** A design that keeps Yosys busy for about a second: a 32x32 multiplier and 24 counters. */
function design(): string {
  const n = 24;
  const lines = ['module top(input clk, input rst, input [31:0] a, input [31:0] b, output [63:0] p, output [31:0] s);', '  assign p = a * b;'];
  for (let i = 0; i < n; i++) lines.push(`  reg [31:0] c${i}; always @(posedge clk) if (rst) c${i} <= ${i}; else c${i} <= c${i} + a[${i % 32}] + (b >> ${i % 7});`);
  lines.push(`  assign s = ${Array.from({ length: n }, (_, i) => `c${i}`).join(' ^ ')};`, 'endmodule', '');
  return lines.join('\n');
}

async function yosysRows(): Promise<BenchRow[]> {
  const file = join(YOSYS, 'yosys.core.wasm');
  if (!existsSync(file)) return [{ metric: 'yosys', value: NaN, unit: '', note: '@yowasp/yosys not installed' }];
  const root = mkdtempSync(join(tmpdir(), 'wasiscope-bench-yosys-'));
  try {
    await writeYosysShare(YOSYS, join(root, 'share'));
    mkdirSync(join(root, 'w'));
    mkdirSync(join(root, 'tmp'));
    writeFileSync(join(root, 'w', 'top.v'), design());
    const preopens = [
      { hostPath: join(root, 'w'), guestPath: '/w', mode: 'rw' as const },
      { hostPath: join(root, 'tmp'), guestPath: '/tmp', mode: 'rw' as const },
      { hostPath: join(root, 'share'), guestPath: '/share', mode: 'ro' as const },
    ];
    const args = ['-q', '-p', 'read_verilog /w/top.v; synth -top top -noabc; write_json /w/out.json'];
    const bytes = new Uint8Array(readFileSync(file));
    const full = instrument(bytes);
    const fuelOnly = instrument(bytes, { perFunction: false });
    // A 30 MB module keeps tiering up for several runs: three warm-up rounds.
    const t = await interleaved({
      plain: wasiProgram(bytes, args, { preopens }),
      full: wasiProgram(full.bytes, args, { im: full, preopens }),
      fuelOnly: wasiProgram(fuelOnly.bytes, args, { im: fuelOnly, preopens }),
    }, Math.max(5, REPS), 3);
    return [
      { metric: 'yosys synth (30 MB C++) fuel + per-function / plain', value: t.full / t.plain, unit: 'x', note: 'a fourth, call-heavy program', detail: { plainMs: t.plain, instrumentedMs: t.full } },
      { metric: 'yosys synth fuel only / plain', value: t.fuelOnly / t.plain, unit: 'x', detail: { plainMs: t.plain, instrumentedMs: t.fuelOnly } },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export default bench;
