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

export interface FrameLine {
  id: number;
  name: string;
  line: number;
  pc?: string;
}

export async function frames(dc: DebugClient): Promise<FrameLine[]> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames.map((f) => ({ id: f.id, name: f.name, line: f.line, pc: f.instructionPointerReference }));
}

/** The variables of a frame's scope, by name. */
export async function scopeVars(dc: DebugClient, frameId: number, scope: string): Promise<Record<string, DebugProtocol.Variable>> {
  const sc = await dc.scopesRequest({ frameId });
  const s = sc.body.scopes.find((x) => x.name === scope);
  if (!s) throw new Error(`no scope ${scope} (have ${sc.body.scopes.map((x) => x.name).join(', ')})`);
  const v = await dc.variablesRequest({ variablesReference: s.variablesReference });
  return Object.fromEntries(v.body.variables.map((x) => [x.name, x]));
}

export async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<Record<string, string>> {
  const r = await dc.variablesRequest({ variablesReference: v.variablesReference });
  return Object.fromEntries(r.body.variables.map((x) => [x.name, x.value]));
}

/** Send a step (or continue) and wait for the next stop. */
export async function stepAndStop(dc: DebugClient, kind: 'next' | 'stepIn' | 'stepOut' | 'continue'): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  if (kind === 'next') await dc.nextRequest({ threadId: 1 });
  else if (kind === 'stepIn') await dc.stepInRequest({ threadId: 1 });
  else if (kind === 'stepOut') await dc.stepOutRequest({ threadId: 1 });
  else await dc.continueRequest({ threadId: 1 });
  return stopped;
}

/** Launch with source breakpoints (and optional function breakpoints) and wait for the first stop. */
export async function launchAndStop(
  dc: DebugClient,
  args: Record<string, unknown>,
  source: string | undefined,
  breakpoints: DebugProtocol.SourceBreakpoint[],
  extra: { functions?: DebugProtocol.FunctionBreakpoint[] } = {},
): Promise<{ stopped: DebugProtocol.StoppedEvent; bps: DebugProtocol.Breakpoint[] }> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  let bps: DebugProtocol.Breakpoint[] = [];
  await Promise.all([
    dc.waitForEvent('initialized')
      .then(async () => {
        if (source) bps = (await dc.setBreakpointsRequest({ source: { path: source }, breakpoints })).body.breakpoints;
        if (extra.functions) await dc.setFunctionBreakpointsRequest({ breakpoints: extra.functions });
      })
      .then(() => dc.configurationDoneRequest()),
    dc.launch(args),
  ]);
  return { stopped: await stopped, bps };
}

/** readMemory (DebugClient has no helper for it). */
export async function readMemory(dc: DebugClient, memoryReference: string, count: number, offset = 0): Promise<{ data: Buffer; unreadable: number; address: string }> {
  const args: DebugProtocol.ReadMemoryArguments = { memoryReference, count, offset };
  const r = (await dc.customRequest('readMemory', args)) as DebugProtocol.ReadMemoryResponse;
  return { data: Buffer.from(r.body?.data ?? '', 'base64'), unreadable: r.body?.unreadableBytes ?? 0, address: r.body?.address ?? '' };
}
