// `wasiscope demo` (the README's first command): runs the bundled word-frequency program through
// the real runtime, on a scratch copy of its data, and prints what the extension would show: the
// module's output, the fuel CodeLens over each function, the audit panel's capability lines, and
// the report summary.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startObservedRun } from '../orchestration/observed-run';
import { formatReportSummary } from '../telemetry/report';
import { formatCapabilityCall, RIGHTS_KEYS } from '../telemetry/capability-text';
import type { AnomalyEvent, CapabilityEvent, MemoryEvent, SecurityEvent } from '../runtime/events';

/** The fixtures folder from the bundle (dist/) or from source (debug-adapter/cli/). */
function fixturesDir(): string {
  for (const rel of ['../fixtures/', '../../fixtures/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'c', 'hello.wasm'))) return dir;
  }
  throw new Error('the bundled example (fixtures/c/hello.wasm) is missing');
}

const fmt = (n: bigint | number): string => n.toLocaleString('en-US');

export async function demoCommand(_argv: string[]): Promise<number> {
  const fixtures = fixturesDir();
  const program = join(fixtures, 'c', 'hello.wasm');
  const data = mkdtempSync(join(tmpdir(), 'wasiscope-demo-'));
  cpSync(join(fixtures, 'c', 'hello-data'), data, { recursive: true });
  const out = process.stdout;
  out.write(`Wasiscope demo: ${program}\n`);
  out.write(`  preopen ${data} as /data (read-write), args: /data\n\n── module output ──\n`);
  const caps: CapabilityEvent[] = [];
  const other: Array<SecurityEvent | AnomalyEvent | MemoryEvent> = [];
  const run = startObservedRun(
    { program, args: ['/data'], env: {}, cwd: fixtures, preopens: [{ hostPath: data, guestPath: '/data', mode: 'rw' }] },
    (e) => {
      if (e.kind === 'output') out.write(e.data);
      else if (e.kind === 'capability') caps.push(e);
      else if (e.kind === 'security' || e.kind === 'anomaly' || e.kind === 'memory') other.push(e);
    },
  );
  const { result, report } = await run.outcome;
  rmSync(data, { recursive: true, force: true });
  if (result.loadError) {
    process.stderr.write(`wasiscope: ${result.loadError}\n`);
    return 1;
  }
  const total = result.fuelConsumed;
  out.write(`\n── fuel CodeLens (shown above each function in the editor) ──\n`);
  const hot = [...result.functions].filter((f) => f.calls > 0n).sort((a, b) => (b.fuelExclusive > a.fuelExclusive ? 1 : b.fuelExclusive < a.fuelExclusive ? -1 : 0));
  for (const f of hot.slice(0, 12)) {
    const pct = total > 0n ? Number((f.fuelExclusive * 10000n) / total) / 100 : 0;
    out.write(`  ${f.name.padEnd(28)} fuel ${fmt(f.fuelExclusive).padStart(12)} (${pct.toFixed(1).padStart(5)}%) · ${fmt(f.calls)} call${f.calls === 1n ? '' : 's'}\n`);
  }
  if (hot.length > 12) out.write(`  … and ${hot.length - 12} more functions that ran\n`);
  out.write(`\n── audit panel: ${caps.length} capability calls ──\n`);
  const toStdout = (c: CapabilityEvent): boolean => c.func === 'fd_write' && String(c.args.fd).startsWith('1 ');
  const shown = caps.filter((c) => !toStdout(c)).slice(0, 20);
  for (const c of shown) out.write(`  #${String(c.seq).padEnd(4)} fuel ${fmt(c.fuel).padStart(10)}  ${formatCapabilityCall(c, RIGHTS_KEYS)}\n`);
  const writes = caps.filter(toStdout).length;
  if (writes > 0) out.write(`  (+ ${writes} fd_write calls to stdout)\n`);
  for (const e of other) {
    if (e.kind === 'memory') out.write(`  memory.grow: ${e.beforePages} -> ${e.afterPages} pages at fuel ${fmt(e.fuel)}\n`);
    else out.write(`  ${e.kind}: ${e.message}\n`);
  }
  out.write(`\n── report summary ──\n${formatReportSummary(report)}\n`);
  return result.exitCode;
}
