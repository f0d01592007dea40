// Bundles the extension test suite (suite/index.ts) into one CommonJS file that VS Code's extension
// host can require as extensionTestsPath, with `vscode` left to the host. Used by run.ts
// (@vscode/test-electron) and by the code-server run of the same suite (test/e2e).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Writes <outDir>/index.js and returns its path. */
export async function buildSuite(outDir: string): Promise<string> {
  const outfile = join(outDir, 'index.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'vscode-electron', 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outfile;
}
