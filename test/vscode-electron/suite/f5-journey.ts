// The user's first journey, from inside VS Code (the same steps the code-server test drives through
// the UI in test/e2e/vscode.e2e.test.ts): a breakpoint in `add` of debugme.c, F5 with the workspace's
// launch configuration, the stop on that line, the fuel CodeLens, a step, and a continue to the end.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOfMark } from '../../e2e/line-marks';
import { SessionWatch } from './session-watch';

export const EXTENSION_ID = 'wasiscope.wasiscope';
export const LAUNCH_NAME = 'Debug debugme.wasm';

export interface SuiteTest {
  name: string;
  /** The steps after this one need it (a failure skips them rather than failing them too). */
  essential?: boolean;
  run(): Promise<void>;
}

async function codeLensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.map((l) => l.command?.title ?? '').filter((x) => /fuel/i.test(x) && /\d/.test(x));
}

function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'VS Code was started without the fixture workspace');
  return f;
}

async function topFrame(session: vscode.DebugSession, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = (await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 20 })) as DebugProtocol.StackTraceResponse['body'];
  assert.ok(st.stackFrames.length > 0, 'an empty stack at a stop');
  return st.stackFrames[0];
}

/** Polls a condition (CodeLens arrive after the session sends its figures); never a fixed sleep. */
async function eventually<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function f5Journey(): SuiteTest[] {
  const watch = new SessionWatch('wasi');
  let source: vscode.Uri;
  let line = 0;
  let threadId = 1;

  return [
    {
      name: 'the extension activates and contributes the wasi debugger',
      essential: true,
      async run() {
        const ext = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(ext, `${EXTENSION_ID} is not loaded`);
        await ext.activate();
        const debuggers = (ext.packageJSON as { contributes: { debuggers: { type: string }[] } }).contributes.debuggers;
        assert.ok(debuggers.some((d) => d.type === 'wasi'));
      },
    },
    {
      name: 'F5 stops at the breakpoint in add (debugme.c)',
      essential: true,
      async run() {
        source = vscode.Uri.file(join(folder().uri.fsPath, 'debugme.c'));
        line = lineOfMark(source.fsPath, 'add_body');
        await vscode.window.showTextDocument(source);
        vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
        vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(source, new vscode.Position(line - 1, 0)))]);
        const stopped = watch.waitForEvent<DebugProtocol.StoppedEvent>('stopped');
        assert.ok(await vscode.debug.startDebugging(folder(), LAUNCH_NAME), 'startDebugging refused the launch configuration');
        const stop = await stopped;
        assert.equal(stop.body.reason, 'breakpoint');
        threadId = stop.body.threadId ?? 1;
        const frame = await topFrame(watch.session!, threadId);
        assert.equal(frame.name, 'add');
        assert.equal(frame.line, line);
        // A plain path in a desktop window, a vscode-remote:// URI in a remote (code-server) one.
        assert.ok(frame.source?.path?.endsWith(source.path), `frame source ${frame.source?.path}`);
      },
    },
    {
      name: 'the fuel CodeLens shows over the functions of debugme.c while stopped',
      async run() {
        const sent = (): number => watch.messages.filter((m) => m.type === 'event' && (m as DebugProtocol.Event).event === 'wasiscope/functions').length;
        const titles = await eventually(
          `a CodeLens with fuel over debugme.c at the breakpoint (the adapter has sent ${sent()} wasiscope/functions events so far)`,
          async () => {
            const t = await codeLensTitles(source);
            return t.length > 0 ? t : undefined;
          },
          20_000,
        ).catch((e: Error) => {
          throw new Error(`${e.message.replace(/sent \d+ /, `sent ${sent()} `)}`);
        });
        assert.ok(titles.length > 0);
      },
    },
    {
      name: 'F10 steps to the next line of add',
      async run() {
        const stopped = watch.waitForEvent<DebugProtocol.StoppedEvent>('stopped');
        await watch.session!.customRequest('next', { threadId });
        await stopped;
        const frame = await topFrame(watch.session!, threadId);
        assert.equal(frame.line, lineOfMark(source.fsPath, 'add_return'));
      },
    },
    {
      name: 'continue runs the program to its end and shows its output',
      async run() {
        // The breakpoint's removal reaches the adapter asynchronously, so a continue may still meet
        // it (add runs five times): keep continuing until the session ends.
        vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
        const ended = watch.waitForEvent('terminated');
        let stops = 0;
        for (;;) {
          const next = watch.waitForEvent<DebugProtocol.StoppedEvent>('stopped', 60_000);
          next.catch(() => undefined);
          await watch.session!.customRequest('continue', { threadId });
          const r = await Promise.race([ended.then(() => 'ended' as const), next.then(() => 'stopped' as const)]);
          if (r === 'ended') break;
          assert.ok(++stops <= 5, 'still stopping after five continues');
        }
        assert.match(watch.output(), /hello from debugme/);
        watch.dispose();
      },
    },
    {
      name: 'the fuel CodeLens shows the whole run after it ended',
      async run() {
        const titles = await eventually('a CodeLens with fuel over debugme.c after the run', async () => {
          const t = await codeLensTitles(source);
          return t.length > 0 ? t : undefined;
        });
        assert.ok(titles.length >= 5, `expected a lens over each function that ran: ${titles.join(' | ')}`);
      },
    },
  ];
}
