// Messages between the controlling thread and the runtime worker. Structured clone carries
// bigints and Uint8Arrays as they are, so events cross unchanged.
import type { MessagePort } from 'node:worker_threads';
import type { DebugEvent, DebugStart } from '../debug/debug-protocol';
import type { RuntimeEvent } from './events';
import type { RunOptions } from './run-options';
import type { RunResult } from './run-result';

/** Layout of the shared control word (Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** 0 = run, 1 = pause requested, 2 = terminate requested. */
  STATE: 0,
  /** Bumped by the controller to wake a paused worker. */
  WAKE: 1,
  /** Set by the controller when debug commands wait on the debug port (read at fuel samples). */
  DEBUG_PENDING: 2,
  SIZE: 3,
} as const;

export const STATE_RUN = 0;
export const STATE_PAUSE = 1;
export const STATE_TERMINATE = 2;

export interface WorkerStart {
  options: RunOptions;
  control: SharedArrayBuffer;
  /** Present when the module runs under the debugger: sites to instrument and the command port. */
  debug?: { start: DebugStart; port: MessagePort };
}

export type WorkerMessage =
  | { type: 'events'; events: RuntimeEvent[] }
  | { type: 'done'; result: RunResult }
  | { type: 'failed'; message: string }
  | { type: 'debug'; event: DebugEvent };
