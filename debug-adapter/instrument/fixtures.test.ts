// The fixture programs (fixtures/c, fixtures/wat; expected outputs in fixtures/expected.json) run
// under the project's WASI host three ways: plain, instrumented fast, instrumented reference.
// Same stdout/stderr, same exit code or trap; fast and reference agree on fuel to the unit (total
// and per function); exclusive figures sum to the total, on traps and proc_exit too; the trap
// decoder names the trap and its original location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument } from './instrument';
import { FuelMeter } from '../runtime/fuel-meter';
import { WasiHost } from '../wasi';
import { parseModule } from '../wasm/reader';
import type { PreopenSpec } from '../runtime/run-options';

interface Instance { exports: Record<string, unknown> }
const WA = (globalThis as unknown as {
  WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => Instance };
}).WebAssembly;

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

interface Run {
  id: string;
  module: string;
  args: string[];
  preopens?: Record<string, string>;
  bench?: boolean;
  exitCode?: number;
  trap?: { kind: string };
  stdout?: string;
  stderr?: string;
}

const runs = (JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as { runs: Run[] }).runs.filter((r) => !r.bench);

/** Stub host functions for imports other than WASI (the metrics API): deterministic handles. */
function stubs(bytes: Uint8Array): Record<string, Record<string, () => number>> {
  const m = parseModule(bytes);
  const out: Record<string, Record<string, () => number>> = {};
  let handle = 0;
  for (const imp of m.imports) {
    if (imp.desc.kind !== 'func' || imp.module === 'wasi_snapshot_preview1') continue;
    (out[imp.module] ??= {})[imp.name] = () => ++handle;
  }
  return out;
}

function execute(run: Run, mode?: 'fast' | 'reference') {
  const original = new Uint8Array(readFileSync(join(fixtures, run.module)));
  // The reference is the plainest form: no recursion clones (recursion-chains.ts) either.
  const im = mode ? instrument(original, { mode, recursionClones: mode === 'fast' }) : undefined;
  const meter = im ? new FuelMeter(im) : undefined;
  const dirs: string[] = [];
  const preopens: PreopenSpec[] = Object.entries(run.preopens ?? {}).map(([guestPath, what]) => {
    const dir = mkdtempSync(join(tmpdir(), 'wasiscope-fixture-'));
    dirs.push(dir);
    if (!what.startsWith('(')) cpSync(join(fixtures, what), dir, { recursive: true });
    return { hostPath: dir, guestPath, mode: 'rw' };
  });
  let stdout = '';
  let stderr = '';
  const host = new WasiHost({
    args: [run.module.split('/').pop() as string, ...run.args],
    env: {},
    preopens,
    stdout: (d) => (stdout += Buffer.from(d).toString('utf8')),
    stderr: (d) => (stderr += Buffer.from(d).toString('utf8')),
    fuel: meter ? () => meter.consumed() : undefined,
    // Virtual clocks: a program whose branches read the clock (syscalls.c compares successive
    // monotonic reads) must take the same path in every mode for fuel to be comparable.
    deterministic: { seed: 0, epochNs: DETERMINISTIC_EPOCH_NS },
  });
  const inst = new WA.Instance(new WA.Module(im ? im.bytes : original), { ...stubs(original), ...host.imports, ...(meter?.imports ?? {}) });
  meter?.bind(inst);
  let exitCode: number | undefined;
  let trap: string | undefined;
  let location: string | undefined;
  let offset: number | undefined;
  try {
    exitCode = host.run(inst as never);
  } catch (e) {
    if (meter) {
      const s = meter.settle(e);
      trap = s.trap.kind;
      location = s.trap.location?.funcName;
      offset = s.trap.location?.offset;
    } else trap = (e as Error).message;
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const per = meter?.perFunction().map((f) => `${f.name}:${f.fuelExclusive}/${f.calls}`).join(' ');
  return { stdout, stderr, exitCode, trap, location, offset, original, fuel: meter?.consumed(), per, exact: meter?.exactness(), im };
}

// 2026-01-01T00:00:00Z: after every date a fixture checks against.
const DETERMINISTIC_EPOCH_NS = 1_767_225_600_000_000_000n;

for (const run of runs) {
  test(`fixture ${run.id}: plain, fast and reference behave the same; fuel exact`, () => {
    const plain = execute(run);
    const fast = execute(run, 'fast');
    const ref = execute(run, 'reference');
    if (run.stdout !== undefined) assert.equal(plain.stdout, run.stdout, 'plain run matches expected.json');
    for (const v of [fast, ref]) {
      assert.equal(v.stdout, plain.stdout);
      assert.equal(v.stderr, plain.stderr);
      assert.equal(v.exitCode, plain.exitCode);
      assert.equal(v.exact?.sum, v.exact?.total, 'exclusive figures sum to the total');
      if (run.trap) assert.equal(v.trap, run.trap.kind, 'trap kind decoded');
      else assert.equal(v.trap, undefined);
    }
    assert.equal(fast.fuel, ref.fuel, 'fuel: fast vs reference');
    assert.equal(fast.per, ref.per, 'per-function figures: fast vs reference');
    assert.equal(fast.location, ref.location);
    if (run.trap && run.module === 'c/trap.wasm') {
      const expected: Record<string, string> = { 'integer divide by zero': 'divide', 'out of bounds memory access': 'load_at', unreachable: 'give_up' };
      if (expected[run.trap.kind]) assert.equal(fast.location, expected[run.trap.kind]);
    }
    if (run.trap) {
      // the location is the trapping instruction itself, in the ORIGINAL module
      const opcode = fast.original[fast.offset as number];
      const want: Record<string, (b: number) => boolean> = {
        'integer divide by zero': (b) => b >= 0x6d && b <= 0x70,
        'out of bounds memory access': (b) => b >= 0x28 && b <= 0x35,
        unreachable: (b) => b === 0x00,
      };
      assert.ok(want[run.trap.kind]?.(opcode), `opcode 0x${opcode.toString(16)} at the reported offset`);
      assert.equal(ref.offset, fast.offset);
    }
    assert.ok((fast.fuel ?? 0n) > 0n);
  });
}
