// Entry of the worker thread that runs a module (see worker-run.ts for the controlling side).
// Events leave in batches; a pause request (control word) blocks the module at its next fuel
// sample until the controller resumes it, and a terminate request ends it there. Under the
// debugger (workerData.debug) the debug engine takes over pausing: it is the one composition
// point where the runtime meets debug/ (the engine plugs into runModule's RuntimeDebugHooks).
import { parentPort, workerData } from 'node:worker_threads';
import { runModule, type RunControlHooks } from './module-runner';
import { EventBatcher } from './event-batcher';
import { CONTROL, STATE_PAUSE, STATE_TERMINATE, type WorkerMessage, type WorkerStart } from './worker-protocol';
import { DebugEngine } from '../debug/debug-engine';

class TerminatedError extends Error {}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runtime-worker must run in a worker thread');
  const start = workerData as WorkerStart;
  const ctl = new Int32Array(start.control);
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const batcher = new EventBatcher((events) => post({ type: 'events', events }));
  let control: RunControlHooks;
  if (start.debug) {
    // A stop must show all output written before it: coalesced output first, then the batch.
    let flushOutput = (): void => undefined;
    const flush = (): void => {
      flushOutput();
      batcher.flush();
    };
    const engine = new DebugEngine(start.debug.start, start.debug.port, ctl, (event) => post({ type: 'debug', event }), flush);
    control = { onSample: () => engine.onSample(), debug: engine.hooks(), onOutputFlush: (f) => (flushOutput = f) };
  } else {
    control = {
      onSample: () => {
        for (;;) {
          const state = Atomics.load(ctl, CONTROL.STATE);
          if (state === STATE_TERMINATE) throw new TerminatedError('terminated by the user');
          if (state !== STATE_PAUSE) return;
          batcher.flush();
          const wake = Atomics.load(ctl, CONTROL.WAKE);
          Atomics.wait(ctl, CONTROL.WAKE, wake, 1000);
        }
      },
    };
  }
  try {
    const result = await runModule(start.options, (e) => batcher.push(e), control);
    batcher.flush();
    post({ type: 'done', result });
  } catch (e) {
    batcher.flush();
    post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}

void main();
