// The progress line: automatic only on a terminal and only after two seconds, forced on or off by
// flags; redrawn in place on a terminal and cleared before the module's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTO_PROGRESS_AFTER_MS, ProgressLine, progressVisible } from './progress';

function fake(isTTY: boolean): { stream: { isTTY: boolean; write(s: string): boolean }; out: string[] } {
  const out: string[] = [];
  return { stream: { isTTY, write: (s: string) => out.push(s) > 0 }, out };
}

test('auto: a terminal after two seconds; never a pipe; flags force it on or off', () => {
  assert.equal(progressVisible('auto', true, AUTO_PROGRESS_AFTER_MS - 1), false);
  assert.equal(progressVisible('auto', true, AUTO_PROGRESS_AFTER_MS), true);
  assert.equal(progressVisible('auto', false, 60_000), false, 'not when stderr is not a terminal (tests, CI logs)');
  assert.equal(progressVisible(true, false, 0), true);
  assert.equal(progressVisible(false, true, 60_000), false);
});

test('on a terminal the line redraws in place, is cleared before output and at the end', () => {
  let now = 0;
  const { stream, out } = fake(true);
  const p = new ProgressLine(stream, 'auto', () => now);
  p.onFuel(10_000_000n, 500);
  assert.deepEqual(out, [], 'a short run shows nothing');
  now = 2100;
  p.onFuel(50_000_000n, 2100);
  assert.deepEqual(out, ['\r\x1b[K[wasiscope] fuel 50,000,000 after 2.1 s']);
  now = 2200;
  p.onFuel(60_000_000n, 2200);
  assert.equal(out.length, 1, 'at most four redraws a second');
  p.beforeOutput();
  assert.equal(out[1], '\r\x1b[K');
  p.beforeOutput();
  assert.equal(out.length, 2, 'nothing to clear twice');
  now = 2400;
  p.onFuel(70_000_000n, 2400);
  p.finish();
  assert.equal(out[out.length - 1], '\r\x1b[K');
  assert.equal(p.wasShown, true);
});

test('forced into a pipe it prints whole lines, at a slower pace', () => {
  let now = 0;
  const { stream, out } = fake(false);
  const p = new ProgressLine(stream, true, () => now);
  p.onFuel(1n, 10);
  now = 1000;
  p.onFuel(2n, 1000);
  now = 6000;
  p.onFuel(3_000n, 6000);
  assert.deepEqual(out, ['[wasiscope] fuel 1 after 0.0 s\n', '[wasiscope] fuel 3,000 after 6.0 s\n']);
  p.finish();
  assert.equal(out.length, 2, 'no terminal codes in a pipe');
});
