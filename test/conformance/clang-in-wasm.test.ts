// The largest real program we run: LLVM (clang and wasm-ld in one 75 MB wasm32-wasi core module,
// the YoWASP build from npm, `@yowasp/clang`) compiles a C file and links it against wasi-libc,
// both through the product's runtime (instrumented, every call audited), with the compiler's
// headers and libraries in a read-only preopen. The object file must be byte for byte what the
// same compiler writes under node:wasi, and the program it built must run, under Wasiscope too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { runModule } from '../../debug-adapter/runtime/module-runner';
import type { RunOptions } from '../../debug-adapter/runtime/run-options';

const gen = fileURLToPath(new URL('../../node_modules/@yowasp/clang/gen/', import.meta.url));
const llvm = join(gen, 'llvm.core.wasm');
const present = existsSync(llvm);

const SOURCE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  char buf[64];
  snprintf(buf, sizeof buf, "fib(%d) = %d", n, fib(n));
  printf("%s (%zu chars)\\n", buf, strlen(buf));
  return 0;
}
`;

const COMPILE = ['clang', '--target=wasm32-wasip1', '-O2', '-c', '/w/prog.c', '-o', '/w/prog.o'];
const LINK = ['wasm-ld', '-m', 'wasm32', '-L/usr/lib/wasm32-wasip1', '/usr/lib/wasm32-wasip1/crt1-command.o', '/w/prog.o', '-lc', '/usr/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a', '-o', '/w/prog.wasm'];

test('clang and wasm-ld (75 MB of LLVM) compile and link C instrumented and audited; same object as node:wasi; the program runs', { skip: !present && '@yowasp/clang is not installed', timeout: 300_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'wasiscope-clang-'));
  try {
    // The compiler's resource directory (headers, wasi-libc, compiler-rt) ships as a tar.
    const usr = join(root, 'usr');
    mkdirSync(usr);
    execFileSync('tar', ['-xf', join(gen, 'llvm-resources.tar'), '-C', usr]);
    const dirs = (name: string): { w: string; t: string } => {
      const w = join(root, name, 'w');
      const t = join(root, name, 'tmp');
      mkdirSync(w, { recursive: true });
      mkdirSync(t, { recursive: true });
      writeFileSync(join(w, 'prog.c'), SOURCE);
      return { w, t };
    };

    const ours = dirs('ours');
    const preopens: RunOptions['preopens'] = [
      { hostPath: usr, guestPath: '/usr', mode: 'ro' },
      { hostPath: ours.t, guestPath: '/tmp', mode: 'rw' },
      { hostPath: ours.w, guestPath: '/w', mode: 'rw' },
    ];
    const run = async (program: string, args: string[], pre: RunOptions['preopens']) => {
      const out: Uint8Array[] = [];
      const calls: string[] = [];
      const r = await runModule({ program, args, env: {}, cwd: root, preopens: pre }, (e) => {
        if (e.kind === 'output') out.push(e.data);
        else if (e.kind === 'capability') calls.push(e.func);
      });
      const text = Buffer.concat(out).toString('utf8');
      assert.equal(r.loadError, undefined);
      assert.equal(r.trap, undefined, `${r.trap?.message}\n${text}`);
      assert.equal(r.exitCode, 0, text);
      return { r, text, calls };
    };
    const compiled = await run(llvm, COMPILE, preopens);
    assert.ok(compiled.r.fuelConsumed > 10_000_000n, `real work: ${compiled.r.fuelConsumed}`);
    assert.equal(compiled.r.functions.reduce((s, f) => s + f.fuelExclusive, 0n), compiled.r.fuelConsumed, 'per-function fuel sums to the total');
    assert.ok(compiled.calls.includes('path_open'), 'it opened the headers');
    await run(llvm, LINK, preopens);
    const built = await run(join(ours.w, 'prog.wasm'), ['25'], []);
    assert.equal(built.text, 'fib(25) = 75025 (15 chars)\n');

    // The same compiler under node:wasi writes the same object file.
    const ref = dirs('node');
    const wasi = new WASI({ version: 'preview1', args: ['llvm', ...COMPILE], env: {}, preopens: { '/usr': usr, '/tmp': ref.t, '/w': ref.w }, returnOnExit: true });
    const { instance } = await WebAssembly.instantiate(readFileSync(llvm), wasi.getImportObject() as WebAssembly.Imports);
    assert.equal(wasi.start(instance as never), 0);
    assert.ok(readFileSync(join(ours.w, 'prog.o')).equals(readFileSync(join(ref.w, 'prog.o'))), 'the same object file as under node:wasi');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
