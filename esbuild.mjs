// Bundles every part of Wasiscope in one run:
//  - the extension (cjs, node, `vscode` external)            -> dist/extension.js
//  - the debug adapter as a separate process (DAP over stdio) -> dist/debugAdapter.js
//  - the runtime worker that runs a module off the main thread -> dist/runtime-worker.js
//  - the command line `wasiscope`                              -> dist/cli.js
//  - each webview (browser, iife)                              -> dist/webviews/<name>.js
// `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'node20',
};

const nodeEntries = [
  { in: 'extension/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'debug-adapter/dap/debug-adapter-main.ts', out: 'debugAdapter' },
  { in: 'debug-adapter/runtime/runtime-worker.ts', out: 'runtime-worker' },
  { in: 'debug-adapter/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
].filter((e) => existsSync(e.in));

const builds = nodeEntries.map((e) => ({
  ...common,
  entryPoints: [e.in],
  outfile: `dist/${e.out}.js`,
  platform: 'node',
  format: 'cjs',
  external: e.external ?? [],
  banner: e.banner ? { js: e.banner } : undefined,
  // Bundled ESM deps may use import.meta.url; map it to the cjs equivalent.
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['./esbuild-import-meta.js'],
}));

const webviewRoot = 'webviews';
if (existsSync(webviewRoot)) {
  for (const name of readdirSync(webviewRoot)) {
    const entry = join(webviewRoot, name, 'main.ts');
    if (!existsSync(entry)) continue;
    builds.push({
      ...common,
      target: 'es2022',
      entryPoints: [entry],
      outfile: `dist/webviews/${name}.js`,
      platform: 'browser',
      format: 'iife',
      tsconfig: 'webviews/tsconfig.json',
    });
  }
}

if (watch) {
  const ctxs = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log(`watching ${builds.length} bundles`);
} else {
  mkdirSync('dist', { recursive: true });
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
  // wasm-tools (the in-process WAT parser) loads its core modules next to the bundle.
  const vendor = 'node_modules/@bytecodealliance/jco-transpile/vendor';
  for (const f of ['wasm-tools.core.wasm', 'wasm-tools.core2.wasm']) copyFileSync(join(vendor, f), join('dist', f));
  // Its WASI shim starts an I/O worker from `./worker-thread.bundle.js` beside the bundle as soon
  // as it loads; without the file that worker's error event kills the process (the debug adapter
  // compiles .wat programs in its own process).
  const shimIo = ['node_modules/@bytecodealliance/jco-transpile/node_modules/@bytecodealliance/preview2-shim/dist/io', 'node_modules/@bytecodealliance/preview2-shim/dist/io']
    .map((d) => join(d, 'worker-thread.bundle.js'))
    .find((f) => existsSync(f));
  if (shimIo) copyFileSync(shimIo, join('dist', 'worker-thread.bundle.js'));
  console.log(`built ${builds.length} bundles${production ? ' (production)' : ''}`);
}
