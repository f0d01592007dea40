// Instrumentation speed (MB/s) and size growth on a real 16 MB module (ruby.wasm from the npm
// registry) and two larger C++ ones (Yosys 30 MB, LLVM 75 MB), and the speed against
// wasm-metering on a module it can process (onig.wasm, 466 KB). Measured twice: as the tests run
// the code (tsx, one CommonJS module per file) and as the product ships it (one esbuild bundle).

import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { instrument as instrumentTsx } from '../debug-adapter/instrument/instrument';
import type { InstrumentOptions, InstrumentedModule } from '../debug-adapter/instrument/types';
import { interleaved, readRepoFile, repoRoot, type Bench, type BenchRow } from './bench-kit';

type InstrumentFn = (b: Uint8Array, o?: InstrumentOptions) => InstrumentedModule;

const require = createRequire(import.meta.url);
const metering = require('wasm-metering') as { meterWASM(wasm: Uint8Array, opts: { meterType: string }): Uint8Array };

const RUBY = 'node_modules/@ruby/3.4-wasm-wasi/dist/ruby.wasm';
const SMALL = 'node_modules/vscode-oniguruma/release/onig.wasm';
const MORE: [string, string][] = [
  ['yosys.core.wasm', 'node_modules/@yowasp/yosys/gen/yosys.core.wasm'],
  ['llvm.core.wasm (clang + wasm-ld)', 'node_modules/@yowasp/clang/gen/llvm.core.wasm'],
];
const REPS = Number(process.env.BENCH_REPS ?? 7);

async function bundled(): Promise<{ instrument: InstrumentFn; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-bench-'));
  const outfile = join(dir, 'instrument.mjs');
  await build({
    entryPoints: [join(repoRoot, 'debug-adapter/instrument/instrument.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  const mod = (await import(pathToFileURL(outfile).href)) as { instrument: InstrumentFn };
  return { instrument: mod.instrument, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const mb = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

const bench: Bench = {
  name: 'instrumentation speed and size',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const { instrument: instrumentBundle, cleanup } = await bundled();
    try {
      if (existsSync(join(repoRoot, RUBY))) {
        const ruby = readRepoFile(RUBY);
        const timed = (fn: InstrumentFn, o?: InstrumentOptions) => () => {
          const t = performance.now();
          fn(ruby, o);
          return performance.now() - t;
        };
        const t = await interleaved({ bundle: timed(instrumentBundle), tsx: timed(instrumentTsx) }, REPS);
        const full = instrumentBundle(ruby);
        const fuelOnly = instrumentBundle(ruby, { perFunction: false });
        const mib = (ruby.length / 1e6).toFixed(1);
        rows.push({ metric: `ruby.wasm (${mib} MB) instrumentation speed, bundle`, value: mb(ruby.length, t.bundle), unit: 'MB/s', note: 'target >= 30', detail: { ms: t.bundle } });
        rows.push({ metric: `ruby.wasm instrumentation speed, tsx`, value: mb(ruby.length, t.tsx), unit: 'MB/s', detail: { ms: t.tsx } });
        rows.push({
          metric: 'ruby.wasm size growth, fuel + per-function',
          value: full.bytes.length / ruby.length,
          unit: 'x',
          note: 'target <= 1.5',
          detail: { inputBytes: ruby.length, outputBytes: full.bytes.length, runs: full.stats.runs, checks: full.stats.checks, flushes: full.stats.flushes, mapSegments: full.stats.mapSegments, mapBytes: full.map.byteLength },
        });
        rows.push({ metric: 'ruby.wasm size growth, fuel only', value: fuelOnly.bytes.length / ruby.length, unit: 'x', detail: { outputBytes: fuelOnly.bytes.length } });
      } else {
        rows.push({ metric: 'ruby.wasm', value: NaN, unit: '', note: `${RUBY} not installed` });
      }
      for (const [label, rel] of MORE) {
        // More real modules, C++ (more calls per byte than ruby's C): the same figures, bundled.
        if (!existsSync(join(repoRoot, rel))) continue;
        const bytes = readRepoFile(rel);
        const t = await interleaved({ bundle: () => {
          const s = performance.now();
          instrumentBundle(bytes);
          return performance.now() - s;
        } }, Math.min(REPS, 3));
        const full = instrumentBundle(bytes);
        const fuelOnly = instrumentBundle(bytes, { perFunction: false });
        const mib = (bytes.length / 1e6).toFixed(1);
        rows.push({ metric: `${label} (${mib} MB, C++) instrumentation speed, bundle`, value: mb(bytes.length, t.bundle), unit: 'MB/s', detail: { ms: t.bundle } });
        rows.push({ metric: `${label} size growth, fuel + per-function`, value: full.bytes.length / bytes.length, unit: 'x', detail: { outputBytes: full.bytes.length, runs: full.stats.runs, flushes: full.stats.flushes, functions: full.stats.functions } });
        rows.push({ metric: `${label} size growth, fuel only`, value: fuelOnly.bytes.length / bytes.length, unit: 'x', detail: { outputBytes: fuelOnly.bytes.length } });
      }

      const small = readRepoFile(SMALL);
      const t = await interleaved({
        ours: () => {
          const s = performance.now();
          instrumentBundle(small);
          return performance.now() - s;
        },
        meteringPkg: () => {
          const s = performance.now();
          metering.meterWASM(small, { meterType: 'i64' });
          return performance.now() - s;
        },
      }, Math.min(REPS, 3));
      const kb = Math.round(small.length / 1000);
      rows.push({ metric: `onig.wasm (${kb} KB) wasm-metering speed`, value: mb(small.length, t.meteringPkg), unit: 'MB/s', note: 'baseline', detail: { ms: t.meteringPkg } });
      rows.push({ metric: `onig.wasm (${kb} KB) our speed`, value: mb(small.length, t.ours), unit: 'MB/s', detail: { ms: t.ours } });
      rows.push({ metric: 'onig.wasm speed ours / wasm-metering', value: t.meteringPkg / t.ours, unit: 'x', note: 'same module, same run' });
    } finally {
      cleanup();
    }
    return rows;
  },
};

export default bench;
