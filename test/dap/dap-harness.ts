// Shared by the DAP tests: builds the bundles when the adapter bundle is missing or older than the
// sources (as `npm run build` would), starts the bundled stdio adapter under DebugClient, and
// finds fixture lines by their LINE-MARK comments.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const fixtures = join(root, 'fixtures');
const adapter = join(root, 'dist/debugAdapter.js');

function newestSource(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) t = Math.max(t, newestSource(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) t = Math.max(t, st.mtimeMs);
  }
  return t;
}

/** `node esbuild.mjs`, unless dist/ is already newer than every source of the adapter. */
export function buildOnce(): void {
  const fresh = existsSync(adapter) && existsSync(join(root, 'dist/runtime-worker.js')) && statSync(adapter).mtimeMs >= newestSource(join(root, 'debug-adapter'));
  if (fresh) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node esbuild.mjs failed: ${r.stderr}`);
}

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', adapter, 'wasi', { cwd: root }, true);
  dc.defaultTimeout = 15000;
  await dc.start();
  return dc;
}

/** 1-based line of the `LINE-MARK: name` comment in a fixture source. */
export function markLine(file: string, mark: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const re = new RegExp(`LINE-MARK: ${mark}(\\s|$)`);
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no LINE-MARK ${mark} in ${file}`);
  return i + 1;
}

/** Collects output events by category. */
export function collectOutput(dc: DebugClient): { text: (category?: string) => string } {
  const events: DebugProtocol.OutputEvent[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => events.push(e));
  return { text: (category) => events.filter((e) => !category || e.body.category === category).map((e) => e.body.output).join('') };
}

/** Launch and run to the end (no breakpoints); resolves with the exit code. */
export async function runToExit(dc: DebugClient, args: Record<string, unknown>): Promise<number> {
  const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
  await Promise.all([dc.configurationSequence(), dc.launch(args), dc.waitForEvent('terminated')]);
  return (await exited).body.exitCode;
}
