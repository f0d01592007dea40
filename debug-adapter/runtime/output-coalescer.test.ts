import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputCoalescer } from './output-coalescer';
import type { OutputEvent } from './events';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('joins writes of one stream, keeps order across streams, flushes at the size cap', () => {
  const out: OutputEvent[] = [];
  const c = new OutputCoalescer((e) => out.push(e), 8);
  c.write('stdout', enc('ab'));
  c.write('stdout', enc('cd'));
  c.write('stderr', enc('E'));
  c.write('stdout', enc('0123456789'));
  c.write('stdout', enc('z'));
  c.flush();
  c.flush();
  assert.deepEqual(
    out.map((e) => [e.stream, Buffer.from(e.data).toString()]),
    [['stdout', 'abcd'], ['stderr', 'E'], ['stdout', '0123456789'], ['stdout', 'z']],
  );
});

test('a reused host buffer does not change output already written', () => {
  const out: OutputEvent[] = [];
  const c = new OutputCoalescer((e) => out.push(e));
  const buf = enc('one');
  c.write('stdout', buf);
  buf.set(enc('two'));
  c.write('stdout', buf);
  c.flush();
  assert.equal(Buffer.from(out[0].data).toString(), 'onetwo');
});
