import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs, UsageError } from './run-args';

test('wasmtime-style flags, options stop at the module', () => {
  const o = parseRunArgs(
    ['--dir', 'data::/sandbox', '--dir-ro=/etc/x', '--env', 'A=1', '--fuel', '1_000', '--deterministic', 'm.wasm', '--dir', 'x'],
    '/work',
    {},
  );
  assert.equal(o.program, '/work/m.wasm');
  assert.deepEqual(o.args, ['--dir', 'x']);
  assert.deepEqual(o.preopens, [
    { hostPath: '/work/data', guestPath: '/sandbox', mode: 'rw' },
    { hostPath: '/etc/x', guestPath: '/etc/x', mode: 'ro' },
  ]);
  assert.deepEqual(o.env, { A: '1' });
  assert.equal(o.fuelLimit, 1000n);
  assert.equal(o.deterministic, true);
});

test('--env NAME passes the host value; TRACEPARENT comes from the environment', () => {
  const o = parseRunArgs(['--env', 'HOME', 'm.wasm'], '/w', { HOME: '/root', TRACEPARENT: '00-abc' });
  assert.deepEqual(o.env, { HOME: '/root' });
  assert.equal(o.traceparent, '00-abc');
});

test('bad usage says what is wrong', () => {
  assert.throws(() => parseRunArgs([], '/w', {}), UsageError);
  assert.throws(() => parseRunArgs(['--fuel', 'ten', 'm.wasm'], '/w', {}), /whole number/);
  assert.throws(() => parseRunArgs(['--bogus', 'm.wasm'], '/w', {}), /unknown option --bogus/);
  assert.throws(() => parseRunArgs(['--deny', 'network', 'm.wasm'], '/w', {}), /--deny takes/);
  assert.throws(() => parseRunArgs(['--record', 'a', '--replay', 'b', 'm.wasm'], '/w', {}), /together/);
});

test('--trace, --function-spans[=FUEL], progress auto by default, --progress / --no-progress', () => {
  const d = parseRunArgs(['m.wasm'], '/w', {});
  assert.equal(d.progress, 'auto');
  assert.equal(d.functionSpans, undefined);
  const o = parseRunArgs(['--trace', 't.json', '--function-spans', '--no-progress', 'm.wasm'], '/w', {});
  assert.equal(o.traceFile, '/w/t.json');
  assert.deepEqual(o.functionSpans, {});
  assert.equal(o.progress, false);
  assert.equal(o.program, '/w/m.wasm');
  const t = parseRunArgs(['--function-spans=5_000', '--progress', 'm.wasm', '1'], '/w', {});
  assert.deepEqual(t.functionSpans, { minFuel: 5000n });
  assert.equal(t.progress, true);
  assert.deepEqual(t.args, ['1']);
  assert.throws(() => parseRunArgs(['--function-spans=lots', 'm.wasm'], '/w', {}), /whole number/);
});
