// `wasiscope baseline` saves the capability profile of a known-good run (from its audit trail);
// `wasiscope diff` compares a run (its trail, or its baseline) with it and exits 1 on drift.
import { existsSync, readFileSync } from 'node:fs';
import { buildBaseline, compareToBaseline, loadBaseline, saveBaseline, type Baseline } from '../wasi/anomaly-detector';
import { readLines, parseTagged } from '../wasi/json-lines';
import type { RuntimeEvent } from '../runtime/events';
import { UsageError } from './run-args';

/** The events of an audit trail (header and end records skipped). */
export function* readTrailEvents(path: string): Generator<RuntimeEvent> {
  for (const line of readLines(path)) {
    if (line.trim() === '') continue;
    const rec = parseTagged<Record<string, unknown>>(line);
    const kind = rec.kind;
    if (kind !== 'capability' && kind !== 'security' && kind !== 'anomaly') continue;
    // The trail writes fuel as a plain JSON number; events carry it as a bigint.
    if (kind === 'capability' && (typeof rec.fuel === 'number' || typeof rec.fuel === 'string')) rec.fuel = BigInt(rec.fuel);
    yield rec as unknown as RuntimeEvent;
  }
}

function isBaselineFile(path: string): boolean {
  const head = readFileSync(path, 'utf8').slice(0, 200);
  return /"format"\s*:\s*"wasiscope-baseline"/.test(head);
}

function loadRun(path: string): Baseline | Iterable<RuntimeEvent> {
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  return isBaselineFile(path) ? loadBaseline(path) : readTrailEvents(path);
}

export function baselineCommand(argv: string[]): number {
  let out: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-o' || argv[i] === '--output') out = argv[++i];
    else files.push(argv[i]);
  }
  if (files.length !== 1 || !out) throw new UsageError('usage: wasiscope baseline <trail.jsonl> -o <baseline.json>');
  if (!existsSync(files[0])) throw new UsageError(`no such file: ${files[0]}`);
  const b = buildBaseline(readTrailEvents(files[0]));
  saveBaseline(out, b);
  process.stdout.write(`baseline: ${b.calls} calls to ${Object.keys(b.functions).length} functions, ${b.paths.length} paths -> ${out}\n`);
  return 0;
}

export function diffCommand(argv: string[]): number {
  if (argv.length !== 2) throw new UsageError('usage: wasiscope diff <baseline.json> <trail.jsonl|baseline.json>');
  const [basePath, runPath] = argv;
  if (!existsSync(basePath)) throw new UsageError(`no such file: ${basePath}`);
  const report = compareToBaseline(loadBaseline(basePath), loadRun(runPath));
  if (!report.drift) {
    process.stdout.write('no drift: the run used the same capabilities as the baseline\n');
    return 0;
  }
  process.stdout.write(`drift against ${basePath}:\n`);
  for (const line of report.summary) process.stdout.write(`  ${line}\n`);
  return 1;
}
