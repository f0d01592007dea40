// Measures a syscall-heavy guest (test/wasi/testdata/syscall-loop.c: small unbuffered writes,
// small reads, clock reads, stats) on node:wasi and on WasiHost (auditing on: every call decoded
// into an event; also with the events streamed to a hash-chained trail, recording, and
// deterministic mode). Run: node --import tsx test/wasi/syscall-bench.ts [iterations] [rounds]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { AuditLogWriter, Recorder, WasiHost, type WasiHostOptions } from '../../debug-adapter/wasi/index';
import { wasmApi, type WasmImports, type WasmModule } from '../../debug-adapter/wasi/wasm-types';

const wasmPath = fileURLToPath(new URL('./testdata/syscall-loop.wasm', import.meta.url));

export interface BenchResult {
  name: string;
  ms: number;
  stdout: string;
  calls?: number;
}

async function timeIt(name: string, fn: () => Promise<{ stdout: string; calls?: number }>, rounds: number): Promise<BenchResult> {
  let best = Number.POSITIVE_INFINITY;
  let last: { stdout: string; calls?: number } = { stdout: "" };
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    last = await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { name, ms: best, ...last };
}

export async function runBench(iterations: number, rounds: number): Promise<BenchResult[]> {
  const module = await wasmApi.compile(new Uint8Array(readFileSync(wasmPath)));
  const dir = mkdtempSync(join(tmpdir(), 'wasi-bench-'));
  const args = ['syscall-loop.wasm', String(iterations)];
  try {
    const nodeWasi = async (): Promise<{ stdout: string }> => {
      const { openSync, closeSync, readFileSync: rf } = await import('node:fs');
      const outFile = join(dir, 'node-stdout.txt');
      const fd = openSync(outFile, 'w');
      const wasi = new WASI({ version: 'preview1', args, env: {}, preopens: { '.': dir }, stdout: fd, returnOnExit: true });
      const inst = await wasmApi.instantiate(module as WasmModule, wasi.getImportObject() as unknown as WasmImports);
      wasi.start(inst as never);
      closeSync(fd);
      return { stdout: rf(outFile, 'utf8') };
    };
    const ours = (extra: Partial<WasiHostOptions>, sink?: () => { write(e: unknown): void; close(): void }) => async (): Promise<{ stdout: string; calls: number }> => {
      const out: Buffer[] = [];
      let calls = 0;
      const s = sink?.();
      const host = new WasiHost({
        args,
        env: {},
        preopens: [{ hostPath: dir, guestPath: '.', mode: 'rw' }],
        stdout: (d) => out.push(Buffer.from(d)),
        onEvent: (e) => {
          if (e.kind === 'capability') calls++;
          s?.write(e);
        },
        ...extra,
      });
      const inst = await wasmApi.instantiate(module, host.imports);
      host.run(inst);
      s?.close();
      return { stdout: Buffer.concat(out).toString(), calls };
    };
    const results: BenchResult[] = [];
    results.push(await timeIt('node:wasi', nodeWasi, rounds));
    results.push(await timeIt('WasiHost, audit events', ours({}), rounds));
    results.push(await timeIt('WasiHost, audit trail to disk', ours({}, () => new AuditLogWriter(join(dir, 'audit.jsonl')) as never), rounds));
    results.push(await timeIt('WasiHost, recording', () => ours({ record: new Recorder(join(dir, 'run.rec')) })(), rounds));
    results.push(await timeIt('WasiHost, deterministic', ours({ deterministic: { seed: 1 } }), rounds));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 20000);
  const rounds = Number(process.argv[3] ?? 5);
  const results = await runBench(iterations, rounds);
  const base = results[0].ms;
  for (const r of results) {
    console.log(`${r.name.padEnd(32)} ${r.ms.toFixed(1).padStart(8)} ms  x${(r.ms / base).toFixed(2)}${r.calls ? `  (${r.calls} host calls, ${((r.ms * 1000) / r.calls).toFixed(2)} us/call)` : ''}  ${r.stdout.trim()}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
