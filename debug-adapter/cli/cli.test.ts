// The bundled `wasiscope` command as CI uses it: stdout is the module's byte for byte, the report
// summary goes to stderr, exit codes say what happened (module's code, 134 trap, 3 over budget,
// 1 launch failure, 2 usage), and diff/verify fail on drift and tampering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'fixtures');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as {
  runs: Array<{ id: string; stdout?: string }>;
};

function wasiscope(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root });
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run: stdout is the module output byte for byte; the summary goes to stderr', () => {
  const r = wasiscope(['run', join(fixtures, 'c/fib.wasm')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, expected.runs.find((x) => x.id === 'fib')?.stdout);
  assert.match(r.stderr, /fuel/);
  assert.match(r.stderr, /fib burned/);
});

test('run: --report writes the required fields; --profile writes speedscope', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-cli-'));
  const r = wasiscope(['run', '--quiet', '--report', join(dir, 'r.json'), '--profile', join(dir, 'p.json'), join(fixtures, 'c/fib.wasm')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  assert.equal(report.exitCode, 0);
  assert.ok(Number(report.fuel.consumed) > 0);
  assert.ok(report.memory.peakBytes > 0);
  const fib = report.functions.find((f: { name: string }) => f.name === 'fib');
  assert.ok(fib && Number(fib.calls) > 0 && Number(fib.fuelExclusive) > 0);
  const sum = report.functions.reduce((s: bigint, f: { fuelExclusive: number | string }) => s + BigInt(f.fuelExclusive), 0n);
  assert.equal(sum, BigInt(report.fuel.consumed));
  const profile = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
  assert.match(profile.$schema, /speedscope/);
});

test('run: exit codes for proc_exit, traps, out of fuel, fuel budget, launch failure and usage', () => {
  assert.equal(wasiscope(['run', '--quiet', join(fixtures, 'c/trap.wasm'), 'bogus']).status, 2);
  const trap = wasiscope(['run', '--quiet', join(fixtures, 'c/trap.wasm'), 'div0']);
  assert.equal(trap.status, 134);
  assert.match(trap.stderr, /divide by zero/);
  const spin = wasiscope(['run', '--quiet', '--fuel', '1000000', join(fixtures, 'c/spin.wasm')]);
  assert.equal(spin.status, 134);
  assert.match(spin.stderr, /out of fuel: consumed \d+ of the 1000000 allowed/);
  const budget = wasiscope(['run', '--quiet', '--fuel-budget', '1000', join(fixtures, 'c/fib.wasm')]);
  assert.equal(budget.status, 3);
  assert.match(budget.stderr, /fuel budget exceeded/);
  const missing = wasiscope(['run', join(fixtures, 'c/nope.wasm')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /program not found/);
  assert.equal(wasiscope(['run', '--frobnicate', 'x.wasm']).status, 2);
});

test('audit trail: verify passes, then catches an edited line; baseline + diff catch drift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasiscope-audit-'));
  const data = join(dir, 'data');
  cpSync(join(fixtures, 'c/hello-data'), data, { recursive: true });
  const trail = join(dir, 'trail.jsonl');
  const run = wasiscope(['run', '--quiet', '--dir', `${data}::/data`, '--audit', trail, join(fixtures, 'c/hello.wasm'), '/data']);
  assert.equal(run.status, 0, run.stderr);
  const ok = wasiscope(['verify', trail]);
  assert.equal(ok.status, 0, ok.stdout);
  const baseline = join(dir, 'baseline.json');
  assert.equal(wasiscope(['baseline', trail, '-o', baseline]).status, 0);
  assert.equal(wasiscope(['diff', baseline, trail]).status, 0);
  // A different run (fib touches no files) drifts.
  const other = join(dir, 'other.jsonl');
  assert.equal(wasiscope(['run', '--quiet', '--audit', other, join(fixtures, 'c/fib.wasm')]).status, 0);
  const drift = wasiscope(['diff', baseline, other]);
  assert.equal(drift.status, 1);
  assert.match(drift.stdout, /- path \/data\/input.txt/);
  // Tamper: change one byte count in the middle of the trail.
  const lines = readFileSync(trail, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('"fd_read"'));
  lines[i] = lines[i].replace('"nread":1024', '"nread":1023');
  writeFileSync(trail, lines.join('\n'));
  const bad = wasiscope(['verify', trail]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, new RegExp(`line ${i + 1}`));
});

test('demo: runs the bundled example and shows fuel, hot functions and capabilities', () => {
  const r = wasiscope(['demo']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fuel CodeLens/);
  assert.match(r.stdout, /path_open\(.*input\.txt/);
  assert.match(r.stdout, /burned/);
});
