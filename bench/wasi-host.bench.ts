// The WASI host's figures (issue 3), side by side in one run:
//  - a syscall-heavy C program (fixtures/c/syscalls.wasm: many small writes, file writes and
//    reads, clock calls, readdir, stat) through the product runtime (instrumented, every call
//    decoded into an audit event; also with the hash-chained trail written to disk) against the
//    same program under node:wasi; stdout goes to a file in every variant;
//  - one million audit events streamed to a chained trail: none lost, heap held stays bounded.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { interleaved, repoRoot, type Bench, type BenchRow } from './bench-kit';
import { runModule } from '../debug-adapter/runtime/module-runner';
import { AuditLogWriter, verifyAuditLog } from '../debug-adapter/wasi';
import { startObservedRun } from '../debug-adapter/orchestration/observed-run';
import type { CapabilityEvent, RuntimeEvent } from '../debug-adapter/runtime/events';

const reps = Number(process.env.BENCH_REPS ?? 7);
const program = join(repoRoot, 'fixtures/c/syscalls.wasm');
const ARGS = ['/sandbox', '20000', '10'];

async function syscallFigures(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-bench-wasi-'));
  const bytes = new Uint8Array(readFileSync(program));
  let calls = 0;
  try {
    const nodeWasi = async (): Promise<number> => {
      const fd = openSync(join(dir, 'node-out.txt'), 'w');
      const t = performance.now();
      const wasi = new WASI({ version: 'preview1', args: ['syscalls.wasm', ...ARGS], env: {}, preopens: { '/sandbox': dir }, stdout: fd, returnOnExit: true });
      const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject() as WebAssembly.Imports);
      const code = wasi.start(instance as never);
      const ms = performance.now() - t;
      closeSync(fd);
      if (code !== 0) throw new Error(`node:wasi exit ${code}`);
      return ms;
    };
    const options = { program, args: ARGS, env: {}, cwd: dir, preopens: [{ hostPath: dir, guestPath: '/sandbox', mode: 'rw' as const }] };
    // The runtime on this thread, every call decoded into an audit event.
    const audited = async (): Promise<number> => {
      const fd = openSync(join(dir, 'ours-out.txt'), 'w');
      let n = 0;
      const sink = (e: RuntimeEvent): void => {
        if (e.kind === 'output') writeSync(fd, e.data);
        else if (e.kind === 'capability') n++;
      };
      const t = performance.now();
      const r = await runModule(options, sink);
      const ms = performance.now() - t;
      closeSync(fd);
      if (r.exitCode !== 0) throw new Error(`wasiscope exit ${r.exitCode}: ${r.loadError ?? r.trap?.message}`);
      calls = n;
      return ms;
    };
    // The product path of `wasiscope run --audit`: the module in the runtime worker, the
    // hash-chained trail, report and spans on the controlling thread.
    const product = async (): Promise<number> => {
      const fd = openSync(join(dir, 'ours-out.txt'), 'w');
      const t = performance.now();
      const run = startObservedRun({ ...options, auditFile: join(dir, 'trail.jsonl') }, (e) => {
        if (e.kind === 'output') writeSync(fd, e.data);
      }, {});
      const { result } = await run.outcome;
      const ms = performance.now() - t;
      closeSync(fd);
      if (result.exitCode !== 0) throw new Error(`wasiscope exit ${result.exitCode}: ${result.loadError ?? result.trap?.message}`);
      return ms;
    };
    // Two series, each against node:wasi side by side: the product path writes an 80 MB trail
    // whose write-back to disk would otherwise land in the next variant's timing.
    const t = await interleaved({ nodeWasi, audited }, Math.max(reps, 11));
    const tp = await interleaved({ nodeWasi, trail: product }, reps);
    const same = readFileSync(join(dir, 'node-out.txt')).equals(readFileSync(join(dir, 'ours-out.txt')));
    if (!same) throw new Error('the two hosts printed different output');
    return [
      {
        metric: `syscalls.wasm ${ARGS.join(' ')}: wasiscope (instrumented, audited) / node:wasi`,
        value: t.audited / t.nodeWasi,
        unit: 'x',
        note: 'target <= 1.5',
        detail: { nodeWasiMs: t.nodeWasi, wasiscopeMs: t.audited, hostCalls: calls },
      },
      {
        metric: '  ... `wasiscope run --audit` path (worker + chained trail + report)',
        value: tp.trail / tp.nodeWasi,
        unit: 'x',
        detail: { trailMs: tp.trail, nodeWasiMs: tp.nodeWasi },
      },
      { metric: '  host calls per run', value: calls, unit: 'calls' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function millionEvents(): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-bench-trail-'));
  try {
    const path = join(dir, 'trail.jsonl');
    const writer = new AuditLogWriter(path);
    const N = 1_000_000;
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const t = performance.now();
    for (let i = 1; i <= N; i++) {
      const e: CapabilityEvent = {
        kind: 'capability', seq: i, fuel: BigInt(i) * 1000n, time: 1_700_000_000_000 + i, module: 'wasi_snapshot_preview1',
        func: 'fd_write', args: { fd: '1 (stdout)', iovs: 1, bytes: 64 }, results: { nwritten: 64 }, errno: 0, errnoName: 'ESUCCESS', durationUs: 1, denied: false,
      };
      writer.write(e);
      if (i % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    writer.close();
    const ms = performance.now() - t;
    const v = verifyAuditLog(path);
    if (!v.ok || v.records !== N) throw new Error(`trail lost events: ${v.records} of ${N}`);
    return [
      { metric: '1M audit events to a chained trail: events verified', value: v.records, unit: 'evts', note: `${(statSync(path).size / 2 ** 20).toFixed(0)} MiB file` },
      { metric: '  write rate', value: N / (ms / 1000) / 1000, unit: 'k/s' },
      { metric: '  heap growth while streaming (max over 100k checkpoints)', value: peak / 2 ** 20, unit: 'MiB', note: 'bounded: buffered 1 MiB chunks' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Bench = {
  name: 'WASI host: syscall-heavy program vs node:wasi; 1M audit events',
  async run() {
    return [...(await syscallFigures()), ...millionEvents()];
  },
};
export default bench;
