// The launch configuration: package.json's schema and the adapter's reading of it stay in step,
// and a configuration becomes the RunOptions the runtime takes (paths, fuel, policy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCH_ATTRIBUTES, toRunOptions } from '../../debug-adapter/dap/launch-config';
import { root, fixtures } from './dap-harness';

test('the package.json launch schema lists exactly the attributes the adapter reads', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dbg = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'wasi');
  const props = Object.keys(dbg.configurationAttributes.launch.properties).sort();
  assert.deepEqual(props, [...LAUNCH_ATTRIBUTES].sort());
  assert.deepEqual(dbg.configurationAttributes.launch.required, ['program']);
  assert.equal(dbg.program, './dist/debugAdapter.js');
  assert.equal(pkg.main, './dist/extension.js');
});

test('a configuration becomes RunOptions: paths against cwd, fuel as bigint, policy kept', () => {
  const r = toRunOptions({
    program: 'c/fib.wasm', cwd: fixtures, args: ['10'], env: { A: '1' }, fuel: '123456789012345678901',
    preopens: [{ path: 'c/hello-data', guest: '/data', mode: 'ro' }], stdin: 'c/hello-data/input.txt',
    deterministic: true, seed: 7, policy: { clocks: false }, stopOnEntry: true, report: 'out/report.json',
  });
  assert.ok(r.ok, !r.ok ? r.error : '');
  if (!r.ok) return;
  assert.equal(r.options.program, join(fixtures, 'c/fib.wasm'));
  assert.equal(r.options.fuelLimit, 123456789012345678901n);
  assert.deepEqual(r.options.preopens, [{ hostPath: join(fixtures, 'c/hello-data'), guestPath: '/data', mode: 'ro' }]);
  assert.equal(r.options.stdin?.file, join(fixtures, 'c/hello-data/input.txt'));
  assert.equal(r.options.reportFile, join(fixtures, 'out/report.json'));
  assert.deepEqual(r.options.policy, { clocks: false });
  assert.equal(r.options.seed, 7);
  assert.equal(r.stopOnEntry, true);
  const bad = toRunOptions({ program: 'x.wasm', policy: { network: true } });
  assert.ok(!bad.ok && /unknown keys: network/.test(bad.error));
  const out = toRunOptions({ program: 'x.wasm', cwd: fixtures, profile: 'p.json', trace: 't.json', functionSpans: { minFuel: '1000' } });
  assert.ok(out.ok && out.options.profileFile === join(fixtures, 'p.json') && out.options.traceFile === join(fixtures, 't.json'));
  assert.ok(out.ok && out.options.functionSpans?.minFuel === 1000n);
  const badSpans = toRunOptions({ program: 'x.wasm', functionSpans: { every: 3 } });
  assert.ok(!badSpans.ok && /functionSpans/.test(badSpans.error));
  const neg = toRunOptions({ program: 'x.wasm', fuel: -5 });
  assert.ok(!neg.ok && /non-negative integer/.test(neg.error));
});
