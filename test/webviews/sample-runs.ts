// Real data for the webview tests: runs fixture programs through the real runtime (the same
// observed-run engine the debug adapter uses) and turns their events into the webviews' protocol
// messages. hello.wasm gives file reads and writes and a trace; escape.wasm, run against hello's
// baseline in a read-only sandbox, gives denied calls, security events and anomalies; lzpack.wasm gives a busy run's fuel
// samples and memory grows.
import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startObservedRun, type ObservedRunOutcome } from '../../debug-adapter/orchestration/observed-run';
import { buildBaseline, saveBaseline } from '../../debug-adapter/wasi/anomaly-detector';
import type { DecodedValue, RuntimeEvent } from '../../debug-adapter/runtime/events';
import type { AnomalyRow, BaselineSummary, CapabilityRow, CompleteTrace, FuelSample, MemorySample, SecurityRow, WireValue } from '../../webviews/shared/protocol';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface SampleRun {
  events: RuntimeEvent[];
  outcome: ObservedRunOutcome;
}

export interface WireRun {
  samples: FuelSample[];
  memory: MemorySample[];
  capabilities: CapabilityRow[];
  security: SecurityRow[];
  anomalies: AnomalyRow[];
  trace: CompleteTrace;
  fuelConsumed: number;
  exitCode: number;
}

function wireValue(v: DecodedValue): WireValue {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return [...v];
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wireValue(x)]));
}

function wireRecord(r: Record<string, DecodedValue>): Record<string, WireValue> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, wireValue(v)]));
}

/** RuntimeEvents as the webviews receive them (bigints as numbers). */
export function toWire(run: SampleRun): WireRun {
  const out: WireRun = {
    samples: [],
    memory: [],
    capabilities: [],
    security: [],
    anomalies: [],
    trace: run.outcome.trace,
    fuelConsumed: Number(run.outcome.result.fuelConsumed),
    exitCode: run.outcome.result.exitCode,
  };
  for (const e of run.events) {
    if (e.kind === 'fuel') out.samples.push({ consumed: Number(e.consumed), elapsedMs: e.elapsedMs });
    else if (e.kind === 'memory') out.memory.push({ memory: e.memory, beforePages: e.beforePages, afterPages: e.afterPages, fuel: Number(e.fuel) });
    else if (e.kind === 'capability')
      out.capabilities.push({
        seq: e.seq,
        fuel: Number(e.fuel),
        time: e.time,
        module: e.module,
        func: e.func,
        args: wireRecord(e.args),
        results: wireRecord(e.results),
        errno: e.errno,
        errnoName: e.errnoName,
        durationUs: e.durationUs,
        denied: e.denied,
      });
    else if (e.kind === 'security') out.security.push({ reason: e.reason, message: e.message, capabilitySeq: e.capabilitySeq });
    else if (e.kind === 'anomaly') out.anomalies.push({ anomaly: e.anomaly, message: e.message, evidence: wireRecord(e.evidence), capabilitySeq: e.capabilitySeq });
  }
  return out;
}

async function observe(program: string, args: string[], dir: string | null, extra: { baselineFile?: string; sampleEvery?: bigint; mode?: 'ro' | 'rw' } = {}): Promise<SampleRun> {
  const events: RuntimeEvent[] = [];
  const { mode = 'rw', ...options } = extra;
  const preopens = dir ? [{ hostPath: dir, guestPath: args[0], mode }] : [];
  const run = startObservedRun(
    { program: join(fixtures, program), args, env: {}, cwd: fixtures, preopens, ...options },
    (e) => events.push(e),
    {},
  );
  const outcome = await run.outcome;
  if (outcome.result.loadError) throw new Error(`${program}: ${outcome.result.loadError}`);
  return { events, outcome };
}

export interface SampleRuns {
  hello: SampleRun;
  escape: SampleRun;
  busy: SampleRun;
  /** hello's capability profile, which escape ran against. */
  baseline: BaselineSummary;
}

/** Runs hello.wasm on a scratch copy of its data, escape.wasm against hello's baseline, and lzpack.wasm. */
export async function sampleRuns(): Promise<SampleRuns> {
  const scratch = mkdtempSync(join(tmpdir(), 'wasiscope-webviews-'));
  try {
    const data = join(scratch, 'data');
    cpSync(join(fixtures, 'c', 'hello-data'), data, { recursive: true });
    const hello = await observe('c/hello.wasm', ['/data'], data);
    const b = buildBaseline(hello.events);
    const baselineFile = join(scratch, 'hello.baseline.json');
    saveBaseline(baselineFile, b);
    const sandbox = join(scratch, 'sandbox');
    mkdirSync(sandbox);
    const escape = await observe('c/escape.wasm', ['/sandbox'], sandbox, { baselineFile, mode: 'ro' });
    const busy = await observe('c/lzpack.wasm', ['256'], null, { sampleEvery: 2_000_000n });
    return { hello, escape, busy, baseline: { source: 'hello.baseline.json', calls: b.calls, functions: b.functions, paths: b.paths } };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
