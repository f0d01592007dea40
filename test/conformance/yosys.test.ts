// A 30 MB C++ program nobody here wrote, doing real work through the product's runtime: Yosys (the
// YoWASP build from npm, `@yowasp/yosys`: a wasm32-wasi core module importing only
// wasi_snapshot_preview1) synthesises a small Verilog design, reading its techmap library from a
// read-only preopen and writing the netlist as JSON. What it writes must be byte for byte what the
// same module writes under Node's node:wasi; the per-function figures must add up to the fuel; and
// the run, recorded, must replay without a file system to the same fuel, output and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { plainJson } from '../../debug-adapter/wasi/json-lines';
import { runModule } from '../../debug-adapter/runtime/module-runner';
import type { RuntimeEvent } from '../../debug-adapter/runtime/events';
import type { RunOptions } from '../../debug-adapter/runtime/run-options';
import { writeYosysShare } from './yosys-share';

const gen = fileURLToPath(new URL('../../node_modules/@yowasp/yosys/gen/', import.meta.url));
const program = join(gen, 'yosys.core.wasm');
const present = existsSync(program);

const DESIGN = `module counter(input clk, input rst, input en, output reg [7:0] q, output wrap);
  always @(posedge clk) if (rst) q <= 0; else if (en) q <= q + 1;
  assign wrap = &q;
endmodule
`;
const SCRIPT = 'read_verilog /w/counter.v; synth -top counter -noabc; stat; write_json /w/out.json';

test('Yosys (30 MB of C++) synthesises a design instrumented and audited, as under node:wasi; replay reproduces it', { skip: !present && '@yowasp/yosys is not installed', timeout: 180_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'wasiscope-yosys-'));
  try {
    const share = join(root, 'share');
    await writeYosysShare(gen, share);
    const workdir = (name: string): { w: string; t: string } => {
      const w = join(root, name, 'w');
      const t = join(root, name, 'tmp');
      mkdirSync(w, { recursive: true });
      mkdirSync(t, { recursive: true });
      writeFileSync(join(w, 'counter.v'), DESIGN);
      return { w, t };
    };
    const args = ['-q', '-p', SCRIPT];

    // Reference: the same module under node:wasi.
    const ref = workdir('node');
    const wasi = new WASI({ version: 'preview1', args: ['yosys', ...args], env: {}, preopens: { '/w': ref.w, '/tmp': ref.t, '/share': share }, returnOnExit: true });
    const { instance } = await WebAssembly.instantiate(readFileSync(program), wasi.getImportObject() as WebAssembly.Imports);
    assert.equal(wasi.start(instance as never), 0);
    const expected = readFileSync(join(ref.w, 'out.json'));
    assert.match(expected.toString(), /"\$_DFFE_PP_"|"\$_SDFFE_PP0P_"|"\$_DFF_P_"/, 'the netlist has flip-flops');

    // Ours: instrumented (fuel + per-function), every call audited, recorded.
    const ours = workdir('ours');
    const rec = join(root, 'yosys.rec');
    const run = async (extra: Partial<RunOptions>, preopens: RunOptions['preopens']) => {
      const events: RuntimeEvent[] = [];
      const out: Uint8Array[] = [];
      const r = await runModule({ program, args, env: {}, cwd: root, preopens, ...extra }, (e) => {
        if (e.kind === 'output') out.push(e.data);
        else if (e.kind === 'capability' || e.kind === 'security') events.push(e);
      });
      return { r, events, out: Buffer.concat(out).toString('utf8') };
    };
    const live = await run({ recordFile: rec }, [
      { hostPath: ours.w, guestPath: '/w', mode: 'rw' },
      { hostPath: ours.t, guestPath: '/tmp', mode: 'rw' },
      { hostPath: share, guestPath: '/share', mode: 'ro' },
    ]);
    assert.equal(live.r.loadError, undefined);
    assert.equal(live.r.trap, undefined, live.r.trap?.message);
    assert.equal(live.r.exitCode, 0, live.out);
    assert.ok(readFileSync(join(ours.w, 'out.json')).equals(expected), 'the same netlist as under node:wasi');
    const fuel = live.r.fuelConsumed;
    assert.ok(fuel > 100_000_000n, `real work: ${fuel} fuel`);
    const attributed = live.r.functions.reduce((s, f) => s + f.fuelExclusive, 0n);
    assert.equal(attributed, fuel, 'per-function exclusive fuel sums to the total');
    assert.ok(live.r.functions.filter((f) => f.calls > 0n).length > 1000, 'thousands of functions ran');
    const opened = live.events.filter((e) => e.kind === 'capability' && e.func === 'path_open').map((e) => (e.kind === 'capability' ? String(e.args.guest_path ?? e.args.path) : ''));
    assert.ok(opened.some((p) => p.includes('counter.v')), `opened the design: ${opened.join(', ')}`);
    assert.ok(opened.some((p) => p.includes('/share/')), `read the techmap library: ${opened.join(', ')}`);

    // Replay: no preopens at all; every host answer comes from the recording.
    const again = await run({ replayFile: rec }, []);
    assert.equal(again.r.loadError, undefined);
    assert.equal(again.r.exitCode, 0);
    assert.equal(again.r.fuelConsumed, fuel, 'identical fuel on replay');
    assert.equal(again.out, live.out);
    assert.deepEqual(again.events.map((e) => plainJson(e)), live.events.map((e) => plainJson(e)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
