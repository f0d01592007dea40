// The debugger's figures, on lzpack built at -O0 -g (test/dap/testdata/lzpack-O0g.wasm, 176 KB
// with DWARF):
//  - a run in debug mode (every breakpoint site instrumented) with breakpoints armed in functions
//    that never execute, against the plain instrumented run (target <= 1.5x), and V8's own
//    debugger (Debugger.enable, no breakpoints) on the same instrumented run, for comparison;
//  - launch request to the first breakpoint stop through the bundled DAP adapter process.

import { Session } from 'node:inspector';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { instrument } from '../debug-adapter/instrument/instrument';
import { HOOK_MODULE, HOOK_SITE, dbgExportName, type InstrumentedModule } from '../debug-adapter/instrument/types';
import { FuelMeter } from '../debug-adapter/runtime/fuel-meter';
import { WasiHost } from '../debug-adapter/wasi';
import { loadModuleDebugInfo } from '../debug-adapter/debug/module-debug-info';
import { buildOnce } from '../test/dap/dap-harness';
import { interleaved, median, repoRoot, type Bench, type BenchRow } from './bench-kit';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const MODULE = join(repoRoot, 'test/dap/testdata/lzpack-O0g.wasm');
const SOURCE = join(repoRoot, 'fixtures/c/lzpack.c');
const ARGS = ['1024'];

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

/** One run of `_start` in a fresh instance of a compiled module; returns ms (instantiation excluded). */
function program(im: InstrumentedModule, arm: number[], hits: { n: number }): () => number {
  const mod = new WA.Module(im.bytes);
  return () => {
    const meter = new FuelMeter(im);
    const host = new WasiHost({ args: ['lzpack', ...ARGS], env: {}, preopens: [], stdout: () => undefined, stderr: () => undefined, fuel: () => meter.consumed() });
    const hooks = { [HOOK_MODULE]: { ...meter.imports[HOOK_MODULE], [HOOK_SITE]: () => (hits.n++, 0) } };
    const inst = new WA.Instance(mod, { ...host.imports, ...hooks });
    meter.bind(inst);
    for (const f of arm) (inst.exports[dbgExportName(f)] as { value: number }).value = 1;
    const t = performance.now();
    const code = host.run(inst as never);
    const ms = performance.now() - t;
    if (code !== 0) throw new Error(`lzpack exited with ${code}`);
    return ms;
  };
}

function lineOf(text: string, re: RegExp): number {
  const i = text.split('\n').findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no line matches ${re}`);
  return i + 1;
}

async function launchToFirstBreakpoint(line: number): Promise<number> {
  const dc = new DebugClient('node', join(repoRoot, 'dist/debugAdapter.js'), 'wasi', { cwd: repoRoot });
  dc.defaultTimeout = 60000;
  await dc.start();
  try {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    const t = performance.now();
    await Promise.all([
      dc.waitForEvent('initialized')
        .then(() => dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line }] }))
        .then(() => dc.configurationDoneRequest()),
      dc.launch({ program: MODULE, args: ARGS, cwd: repoRoot }),
      stopped,
    ]);
    return performance.now() - t;
  } finally {
    await dc.stop();
  }
}

const bench: Bench = {
  name: 'debugger (lzpack -O0 -g, 176 KB with DWARF)',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const bytes = new Uint8Array(readFileSync(MODULE));
    const info = await loadModuleDebugInfo(MODULE, repoRoot);
    const sites = info.info.start.sites;
    const plain = instrument(bytes);
    const t0 = performance.now();
    const debug = instrument(bytes, { debug: { sites, locals: info.info.start.locals } });
    const instrumentMs = performance.now() - t0;

    // Functions with sites that the run never enters: arm them (breakpoints that never hit).
    const meter = new FuelMeter(plain);
    const host = new WasiHost({ args: ['lzpack', ...ARGS], env: {}, preopens: [], stdout: () => undefined, stderr: () => undefined, fuel: () => meter.consumed() });
    const inst = new WA.Instance(new WA.Module(plain.bytes), { ...host.imports, ...meter.imports });
    meter.bind(inst);
    host.run(inst as never);
    const sitesOf = new Set<number>();
    for (const s of debug.debug?.sites ?? []) sitesOf.add(info.functionAt(s));
    const never = meter.perFunction().filter((f) => f.calls === 0n && sitesOf.has(f.index)).map((f) => f.index);
    const armed = never.slice(0, 20);

    const hits = { n: 0 };
    const t = await interleaved({
      instrumented: program(plain, [], hits),
      debug: program(debug, armed, hits),
    }, REPS);
    if (hits.n !== 0) throw new Error(`armed never-run functions hit ${hits.n} sites`);
    rows.push({
      metric: `lzpack(${ARGS[0]}) debug mode, ${armed.length} breakpointed never-run functions / instrumented`,
      value: t.debug / t.instrumented,
      unit: 'x',
      note: 'target <= 1.5',
      detail: { instrumentedMs: t.instrumented, debugMs: t.debug, sites: debug.debug?.sites.length ?? 0, armedFunctions: armed.length },
    });
    rows.push({ metric: 'debug-mode module size / instrumented', value: debug.bytes.length / plain.bytes.length, unit: 'x', detail: { instrumentedBytes: plain.bytes.length, debugBytes: debug.bytes.length, sites: debug.debug?.sites.length ?? 0 } });
    rows.push({ metric: 'debug-mode instrumentation time', value: instrumentMs, unit: 'ms' });
    // What spilling every local (the first design) did to the unarmed code, for the record.
    const spillAll = instrument(bytes, { debug: { sites } });
    const one = program(spillAll, [], hits);
    one();
    rows.push({ metric: `lzpack(${ARGS[0]}) spilling all ~200 locals at every site / instrumented`, value: one() / t.instrumented, unit: 'x', note: 'why only DWARF-read locals are spilled in C functions' });

    // V8's debugger on the same instrumented run: enabled, no breakpoints.
    const session = new Session();
    session.connect();
    const post = (m: string) => new Promise<void>((res, rej) => session.post(m, (e) => (e ? rej(e) : res())));
    await post('Debugger.enable');
    const v8run = program(plain, [], hits);
    v8run();
    const v8 = median(Array.from({ length: Math.max(3, Math.ceil(REPS / 2)) }, () => v8run()));
    await post('Debugger.disable');
    session.disconnect();
    rows.push({ metric: `lzpack(${ARGS[0]}) under V8 Debugger.enable / instrumented`, value: v8 / t.instrumented, unit: 'x', note: 'what a V8-debugger-based wasm debugger pays', detail: { v8DebuggerMs: v8 } });

    // Launch request -> first breakpoint stop, through the adapter process.
    buildOnce();
    const text = readFileSync(SOURCE, 'utf8');
    const line = lineOf(text, /^\s*crc32_init\(\);/);
    const launches: number[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(REPS / 2)); i++) launches.push(await launchToFirstBreakpoint(line));
    rows.push({ metric: 'launch request -> first breakpoint stop (DAP process)', value: median(launches), unit: 'ms', detail: { min: Math.min(...launches), max: Math.max(...launches), line } });
    return rows;
  },
};

export default bench;
