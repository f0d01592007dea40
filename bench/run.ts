// `npm run bench`: runs every bench/*.bench.ts (each default-exports a Bench) in one process, one
// after the other, prints one table of figures (ratios measured side by side) and writes them as
// JSON to bench/results/ (gitignored): latest.json plus a timestamped copy.
// Pass names to run a subset: `npm run bench -- overhead`. BENCH_REPS sets the repetitions.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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

async function main(): Promise<void> {
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: Bench };
  const b = mod.default;
  process.stderr.write(`running ${f} ...\n`);
  const t = performance.now();
  try {
    results.push({ bench: b.name, file: f, rows: await b.run(), ms: performance.now() - t });
  } catch (e) {
    results.push({ bench: b.name, file: f, rows: [], ms: performance.now() - t, error: String((e as Error).stack ?? e) });
  }
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
