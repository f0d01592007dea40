// The hash-chained audit trail: a clean trail verifies; an edited, removed, inserted, reordered
// or cut-off line is detected and named; a keyed trail cannot be re-chained without the key; and
// one million events stream to disk without loss while the writer's memory stays bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createHash } from 'node:crypto';
import type { CapabilityEvent, RuntimeEvent } from '../runtime/events';
import { AuditLogWriter, verifyAuditLog } from './audit-log';
import { readLines } from './json-lines';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-audit-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function event(seq: number): CapabilityEvent {
  return {
    kind: 'capability',
    seq,
    fuel: BigInt(seq) * 1000n,
    time: 1_700_000_000_000 + seq,
    module: 'wasi_snapshot_preview1',
    func: seq % 3 === 0 ? 'path_open' : 'fd_write',
    args: seq % 3 === 0 ? { fd: '3 (preopen /sandbox)', path: `f${seq}.txt`, oflags: 'CREAT|TRUNC' } : { fd: '1 (stdout)', iovs: 1, bytes: 12 },
    results: seq % 3 === 0 ? { opened_fd: '4 (file /sandbox/f.txt)' } : { nwritten: 12 },
    errno: 0,
    errnoName: 'ESUCCESS',
    durationUs: 1.5,
    denied: false,
  };
}

function writeTrail(file: string, n: number, key?: string): void {
  const w = new AuditLogWriter(file, { key, meta: { module: 'test.wasm' } });
  for (let i = 1; i <= n; i++) {
    w.write(event(i));
    if (i % 4 === 0) w.write({ kind: 'security', reason: 'sandbox-escape', message: 'absolute path', capabilitySeq: i } satisfies RuntimeEvent);
  }
  w.close();
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
}

function save(file: string, ls: string[]): void {
  fs.writeFileSync(file, `${ls.join('\n')}\n`);
}

test('a clean trail verifies, with bigints written as JSON numbers', () => {
  const f = path.join(dir, 'clean.jsonl');
  writeTrail(f, 20);
  const r = verifyAuditLog(f);
  assert.equal(r.ok, true, r.problem?.message);
  assert.equal(r.records, 25);
  const ls = lines(f);
  assert.equal(ls.length, 27);
  const second = JSON.parse(ls[1]) as { fuel: number; kind: string; prevHash: string; hash: string };
  assert.equal(second.kind, 'capability');
  assert.equal(second.fuel, 1000);
  assert.equal(second.prevHash, (JSON.parse(ls[0]) as { hash: string }).hash);
});

test('an edited line is named', () => {
  const f = path.join(dir, 'edited.jsonl');
  writeTrail(f, 20);
  const ls = lines(f);
  ls[6] = ls[6].replace('"errno":0', '"errno":76');
  save(f, ls);
  const r = verifyAuditLog(f);
  assert.equal(r.ok, false);
  assert.deepEqual([r.problem?.line, r.problem?.kind], [7, 'edited']);
});

test('an edit that recomputes its own hash still breaks the chain at the next line', () => {
  const f = path.join(dir, 'rehashed.jsonl');
  writeTrail(f, 10);
  const ls = lines(f);
  const m = /,"hash":"([0-9a-f]{64})"}$/.exec(ls[2]) as RegExpExecArray;
  assert.ok(ls[2].includes('fd_write'));
  const body = `${ls[2].slice(0, m.index).replace('fd_write', 'fd_read_')}}`;
  ls[2] = `${body.slice(0, -1)},"hash":"${createHash('sha256').update(body).digest('hex')}"}`;
  save(f, ls);
  const r = verifyAuditLog(f);
  assert.deepEqual([r.problem?.line, r.problem?.kind], [4, 'removed-or-reordered']);
});

test('a removed line is named', () => {
  const f = path.join(dir, 'removed.jsonl');
  writeTrail(f, 20);
  const ls = lines(f);
  ls.splice(9, 1);
  save(f, ls);
  const r = verifyAuditLog(f);
  assert.deepEqual([r.problem?.line, r.problem?.kind], [10, 'removed-or-reordered']);
});

test('reordered lines are named', () => {
  const f = path.join(dir, 'reordered.jsonl');
  writeTrail(f, 20);
  const ls = lines(f);
  [ls[4], ls[5]] = [ls[5], ls[4]];
  save(f, ls);
  const r = verifyAuditLog(f);
  assert.deepEqual([r.problem?.line, r.problem?.kind], [5, 'removed-or-reordered']);
});

test('a trail cut off at the end is detected', () => {
  const f = path.join(dir, 'cut.jsonl');
  writeTrail(f, 20);
  const ls = lines(f);
  save(f, ls.slice(0, -3));
  const r = verifyAuditLog(f);
  assert.equal(r.problem?.kind, 'truncated');
  assert.equal(r.problem?.line, ls.length - 2);
});

test('a keyed trail verifies only with its key', () => {
  const f = path.join(dir, 'keyed.jsonl');
  writeTrail(f, 10, 'k3y');
  assert.equal(verifyAuditLog(f, { key: 'k3y' }).ok, true);
  const wrong = verifyAuditLog(f, { key: 'other' });
  assert.deepEqual([wrong.ok, wrong.problem?.line, wrong.problem?.kind], [false, 1, 'edited']);
  assert.equal(verifyAuditLog(f).ok, false);
});

test('one million events stream to disk without loss, in bounded memory', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const f = path.join(dir, 'million.jsonl');
  const N = 1_000_000;
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const w = new AuditLogWriter(f, { chunkBytes: 1 << 20 });
  for (let i = 1; i <= N; i++) {
    w.write(event(i));
    if (i % 100_000 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
  }
  w.close();
  gc();
  const held = process.memoryUsage().heapUsed - base;
  const size = fs.statSync(f).size;
  // Reported by the test so the figure can be quoted (not a timing assertion).
  console.log(`audit stream: ${N} events, ${(size / 1e6).toFixed(1)} MB on disk, heap held while streaming <= ${(peak / 1e6).toFixed(2)} MB, after close ${(held / 1e6).toFixed(2)} MB`);
  assert.ok(peak < 16e6, `heap grew by ${peak} bytes while streaming`);
  let count = 0;
  let lastSeq = 0;
  for (const line of readLines(f)) {
    count++;
    if (count > 1 && count < N + 2) {
      const seq = Number(/"seq":(\d+)/.exec(line)?.[1]);
      assert.equal(seq, lastSeq + 1);
      lastSeq = seq;
    }
  }
  assert.equal(count, N + 2, 'header + every event + end');
  const r = verifyAuditLog(f);
  assert.equal(r.ok, true, r.problem?.message);
  assert.equal(r.records, N);
});
