// The controlling side of a run: starts the runtime worker, relays its events, and can pause,
// resume or end it. The module never runs on the caller's thread, so a runaway module never
// blocks the caller (the VS Code extension host, the adapter process, the CLI).
import { MessageChannel, Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DebugEvent, DebugRequest, DebugStart } from '../debug/debug-protocol';
import type { RuntimeEvent } from './events';
import type { RunOptions } from './run-options';
import type { RunResult } from './run-result';
import { CONTROL, STATE_PAUSE, STATE_RUN, STATE_TERMINATE, type WorkerMessage, type WorkerStart } from './worker-protocol';

export interface RunHandle {
  /** Resolves when the module exits, traps or is terminated; never rejects. */
  readonly done: Promise<RunResult>;
  pause(): void;
  resume(): void;
  /** Ends the run now, even a module stuck in an infinite loop. */
  terminate(): Promise<void>;
  /** Under the debugger: hand a command to the worker's debug engine (see debug-protocol.ts). */
  sendDebug?(request: DebugRequest): void;
}

/** Running under the debugger: what the worker needs, and where its debug events go. */
export interface DebugRunOptions {
  start: DebugStart;
  onDebugEvent(e: DebugEvent): void;
}

/**
 * The worker entry: the bundled `.js` beside this file, or (tests, run from source) a bootstrap
 * that registers tsx in the worker and imports the `.ts` source.
 */
function workerEntry(): { file: string; eval: boolean } {
  const js = fileURLToPath(new URL('./runtime-worker.js', import.meta.url));
  if (existsSync(js)) return { file: js, eval: false };
  const ts = fileURLToPath(new URL('./runtime-worker.ts', import.meta.url));
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = join(tsxRoot, 'dist/cjs/api/index.cjs');
  const boot = `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(ts)});`;
  return { file: boot, eval: true };
}

function emptyResult(exitCode: number, loadError: string): RunResult {
  return {
    exitCode,
    fuelConsumed: 0n,
    functions: [],
    memory: { initialBytes: 0, peakBytes: 0, finalBytes: 0 },
    wallMs: 0,
    loadError,
  };
}

export function startRun(options: RunOptions, onEvent: (e: RuntimeEvent) => void, debug?: DebugRunOptions): RunHandle {
  const control = new SharedArrayBuffer(CONTROL.SIZE * 4);
  const ctl = new Int32Array(control);
  const entry = workerEntry();
  const channel = debug ? new MessageChannel() : undefined;
  const start: WorkerStart = { options, control };
  if (debug && channel) start.debug = { start: debug.start, port: channel.port2 };
  const worker = new Worker(entry.file, {
    workerData: start,
    eval: entry.eval,
    stdout: false,
    stderr: false,
    transferList: channel ? [channel.port2] : undefined,
  });
  let settled = false;
  let terminated = false;
  let resolveDone!: (r: RunResult) => void;
  const done = new Promise<RunResult>((r) => (resolveDone = r));
  const finish = (r: RunResult): void => {
    if (settled) return;
    settled = true;
    resolveDone(r);
  };
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'events') for (const e of m.events) onEvent(e);
    else if (m.type === 'done') finish(m.result);
    else if (m.type === 'failed') finish(emptyResult(1, m.message));
    else if (m.type === 'debug') debug?.onDebugEvent(m.event);
  });
  worker.on('error', (err) => finish(emptyResult(1, `runtime worker failed: ${err.message}`)));
  worker.on('exit', (code) => {
    if (terminated) finish(emptyResult(130, 'terminated'));
    else finish(emptyResult(code || 1, `runtime worker exited (${code}) before the module finished`));
  });
  const wake = (): void => {
    Atomics.add(ctl, CONTROL.WAKE, 1);
    Atomics.notify(ctl, CONTROL.WAKE);
  };
  const finishOnce = done.then((r) => {
    channel?.port1.close();
    return r;
  });
  return {
    done: finishOnce,
    sendDebug: channel
      ? (request: DebugRequest) => {
          channel.port1.postMessage(request);
          Atomics.store(ctl, CONTROL.DEBUG_PENDING, 1);
          wake();
        }
      : undefined,
    pause() {
      Atomics.store(ctl, CONTROL.STATE, STATE_PAUSE);
    },
    resume() {
      Atomics.store(ctl, CONTROL.STATE, STATE_RUN);
      wake();
    },
    async terminate() {
      terminated = true;
      Atomics.store(ctl, CONTROL.STATE, STATE_TERMINATE);
      wake();
      await worker.terminate();
    },
  };
}
