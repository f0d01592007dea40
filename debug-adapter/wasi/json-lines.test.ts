// plainJson's direct text builder must give exactly what JSON.stringify gives (bigints as bare
// numbers, bytes as base64), whatever the value looks like: the audit trail's hashes depend on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineWriter, plainJson, readLines } from './json-lines';

function reference(v: unknown): string | undefined {
  const s = JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `\u0002${x.toString()}\u0002`;
    if (x instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
    return x;
  });
  return s === undefined ? undefined : s.replace(/"\\u0002(-?\d+)\\u0002"/g, '$1');
}

test('plainJson matches JSON.stringify on event-like and odd values', () => {
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1n, b: 'x' });
  const values: unknown[] = [
    { kind: 'capability', seq: 1, fuel: 123456789012345678901234567890n, time: 1.5, args: { fd: '3 (preopen /s)', offset: -5n, x: undefined, f: () => 1 }, results: {}, errno: 0, denied: false },
    { s: 'quote " backslash \\ newline \n control \u0001 lone \ud800 emoji 😀', n: [NaN, Infinity, -0, 1e21, 1e-7, undefined, null, 2n] },
    { '1': 'integer key', b: 2, a: 1, '0': 'first', bytes: new Uint8Array([1, 2, 3]) },
    { date: new Date(0), map: new Map([[1, 2]]), typed: new Uint16Array([1, 2]) },
    { nested: { toJSON: () => 'custom' } },
    { deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1n } } } } } } } } } } },
    nullProto,
    [1, 'a', [2n, [3]]],
    'plain string',
    42,
    7n,
    null,
    true,
  ];
  for (const v of values) assert.equal(plainJson(v), reference(v), JSON.stringify(reference(v)));
});

test('LineWriter keeps every line, in order, whatever its length against the chunk size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'line-writer-'));
  try {
    const path = join(dir, 'lines.txt');
    const lines = ['short', 'ü€😀 multibyte', 'x'.repeat(100), '', '😀'.repeat(40), 'tail'];
    for (const chunk of [1, 16, 64, 1 << 20]) {
      const w = new LineWriter(path, chunk);
      for (const l of lines) w.write(l);
      w.close();
      assert.deepEqual([...readLines(path, 7)], lines, `chunk ${chunk}`);
      assert.equal(w.written, Buffer.byteLength(lines.join('\n') + '\n'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readLines: lines spanning many chunks, multibyte characters cut by chunk edges, no final newline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-lines-'));
  try {
    const path = join(dir, 'lines.txt');
    const long = 'ab😀c'.repeat(5000);
    const lines = ['', long, 'ü€', '', long.slice(2), 'end'];
    const same = (got: string[]): boolean => got.length === lines.length && got.every((l, i) => l === lines[i]);
    writeFileSync(path, lines.join('\n'));
    for (const chunk of [1, 2, 3, 7, 64, 4096, 1 << 20]) assert.ok(same([...readLines(path, chunk)]), `chunk ${chunk}`);
    writeFileSync(path, lines.join('\n') + '\n');
    assert.ok(same([...readLines(path, 5)]), 'with a final newline');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeDigested writes the same line and digest whether or not the body fits a chunk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'line-writer-'));
  try {
    const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
    const bodies = ['{"a":1}', `{"s":"${'ü😀'.repeat(30)}"}`, '{}'];
    const texts: string[] = [];
    for (const chunk of [8, 1 << 20]) {
      const path = join(dir, `d${chunk}.txt`);
      const w = new LineWriter(path, chunk);
      for (const b of bodies) assert.equal(w.writeDigested(b, digest), digest(Buffer.from(b)));
      w.close();
      texts.push(readFileSync(path, 'utf8'));
    }
    assert.equal(texts[0], texts[1]);
    assert.equal(texts[0], bodies.map((b) => `${b.slice(0, -1)},"hash":"${digest(Buffer.from(b))}"}\n`).join(''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
