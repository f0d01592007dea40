// Runs the public WASI testsuite's preview1 programs (../shared/conformance/wasi-testsuite) on
// WasiHost. `prepare` turns module bytes into a compiled module (plus any extra imports and a fuel
// reader once instantiated): plain WebAssembly.compile today, the instrumenter when it lands.
import { cpSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeEvent } from '../../debug-adapter/runtime/events';
import { WasiHost, type WasiHostOptions } from '../../debug-adapter/wasi/index';
import { wasmApi, type WasmImports, type WasmInstance, type WasmModule } from '../../debug-adapter/wasi/wasm-types';

export const SUITE_ROOT = fileURLToPath(new URL('../../../shared/conformance/wasi-testsuite/', import.meta.url));
export const SUITES = ['c', 'rust', 'assemblyscript'] as const;

export interface PreparedModule {
  module: WasmModule;
  /** Extra import modules the preparation needs (instrumentation hooks). */
  imports?: WasmImports;
  /** Called once instantiated; returns the fuel reader the host should use. */
  attach?(instance: WasmInstance): { fuel?: () => bigint };
}

export type Prepare = (bytes: Uint8Array) => Promise<PreparedModule>;

export const plainPrepare: Prepare = async (bytes) => ({ module: await wasmApi.compile(bytes) });

export interface TestSpec {
  suite: string;
  name: string;
  wasm: string;
  args: string[];
  env: Record<string, string>;
  dirs: string[];
  exitCode: number;
  stdout?: string;
}

export function listTests(): TestSpec[] {
  const out: TestSpec[] = [];
  for (const suite of SUITES) {
    const dir = join(SUITE_ROOT, suite);
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.wasm')) continue;
      const name = f.slice(0, -5);
      const jsonPath = join(dir, `${name}.json`);
      const j = existsSync(jsonPath)
        ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as { args?: string[]; env?: Record<string, string>; dirs?: string[]; exit_code?: number; stdout?: string })
        : {};
      out.push({
        suite,
        name,
        wasm: join(dir, f),
        args: j.args ?? [],
        env: j.env ?? {},
        dirs: j.dirs ?? [],
        exitCode: j.exit_code ?? 0,
        stdout: j.stdout,
      });
    }
  }
  return out;
}

function makeWritable(p: string): void {
  const st = statSync(p);
  chmodSync(p, st.mode | 0o200);
  if (st.isDirectory()) for (const n of readdirSync(p)) makeWritable(join(p, n));
}

export interface RunOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  events: RuntimeEvent[];
  error?: string;
}

const moduleCache = new Map<string, Promise<PreparedModule>>();

/** Runs one test program with fresh copies of its dirs; `extra` adds host options (record, replay...). */
export async function runTest(t: TestSpec, extra: Partial<WasiHostOptions> = {}, prepare: Prepare = plainPrepare): Promise<RunOutcome> {
  const key = `${prepare === plainPrepare ? 'plain' : 'custom'}:${t.wasm}`;
  let prepared = moduleCache.get(key);
  if (!prepared) {
    prepared = prepare(new Uint8Array(readFileSync(t.wasm)));
    moduleCache.set(key, prepared);
  }
  const p = await prepared;
  const scratch = mkdtempSync(join(tmpdir(), `wts-${t.name}-`));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const events: RuntimeEvent[] = [];
  try {
    const preopens = t.dirs.map((d) => {
      const copy = join(scratch, basename(d));
      cpSync(join(SUITE_ROOT, t.suite, d), copy, { recursive: true });
      makeWritable(copy);
      return { hostPath: copy, guestPath: d, mode: 'rw' as const };
    });
    const host = new WasiHost({
      args: [`${t.name}.wasm`, ...t.args],
      env: t.env,
      preopens,
      stdout: (d) => out.push(Buffer.from(d)),
      stderr: (d) => err.push(Buffer.from(d)),
      onEvent: (e) => events.push(e),
      ...extra,
    });
    const instance = await wasmApi.instantiate(p.module, { ...host.imports, ...(p.imports ?? {}) });
    const fuel = p.attach?.(instance).fuel;
    if (fuel) host.setFuel(fuel);
    let exitCode: number;
    let error: string | undefined;
    try {
      exitCode = host.run(instance);
    } catch (e) {
      exitCode = -1;
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    return { exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), events, error };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
