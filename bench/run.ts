// `npm run bench`: runs every bench/*.bench.ts (each default-exports a Bench), each in its own
// process, one after the other, prints one table of figures (ratios measured side by side) and
// writes them as JSON to bench/results/ (gitignored): latest.json plus a timestamped copy.
// Pass names to run a subset: `npm run bench -- overhead`. BENCH_REPS sets the repetitions.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchRow } from './bench-kit';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

const results: { bench: string; file: string; rows: BenchRow[]; ms: number; error?: string }[] = [];

type Result = { bench: string; file: string; rows: BenchRow[]; ms: number; error?: string };

/** Run one bench file in this process; the parent reads the result from `out`. */
async function runOne(f: string, out: string): Promise<void> {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: Bench };
  const b = mod.default;
  const t = performance.now();
  let r: Result;
  try {
    r = { bench: b.name, file: f, rows: await b.run(), ms: performance.now() - t };
  } catch (e) {
    r = { bench: b.name, file: f, rows: [], ms: performance.now() - t, error: String((e as Error).stack ?? e) };
  }
  writeFileSync(out, JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

async function main(): Promise<void> {
const child = process.argv.indexOf('--child');
if (child >= 0) return runOne(process.argv[child + 1], process.argv[child + 2]);
// Each bench file in its own process: one that instruments 75 MB modules leaves a heap whose
// garbage collection would otherwise run during the next file's timings (fib measured 1.40x
// after instrument-speed in one process, 1.24x on its own).
const tmp = mkdtempSync(join(tmpdir(), 'wasiscope-bench-'));
try {
  for (const f of files) {
    process.stderr.write(`running ${f} ...\n`);
    const out = join(tmp, `${f}.json`);
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', f, out], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (existsSync(out)) results.push(JSON.parse(readFileSync(out, 'utf8')) as Result);
    else results.push({ bench: f, file: f, rows: [], ms: 0, error: `the bench process exited with ${r.status ?? r.signal}` });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const width = Math.max(20, ...results.flatMap((r) => r.rows.map((x) => x.metric.length)));
const lines: string[] = [];
for (const r of results) {
  lines.push('', `## ${r.bench} (${(r.ms / 1000).toFixed(1)} s)`);
  if (r.error) lines.push(`  FAILED: ${r.error}`);
  for (const row of r.rows) lines.push(`  ${row.metric.padEnd(width)}  ${fmt(row.value).padStart(8)} ${row.unit.padEnd(5)} ${row.note ?? ''}`);
}
console.log(lines.join('\n'));

const out = join(dir, 'results');
mkdirSync(out, { recursive: true });
const json = JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2);
writeFileSync(join(out, 'latest.json'), json);
writeFileSync(join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`), json);
if (results.some((r) => r.error)) process.exitCode = 1;
}

void main();
