// What a finished run hands back: the figures the report, the CLI and the debugger show.
import type { TrapInfo } from './events';

export interface FunctionFigures {
  /** Index in the original module's function index space. */
  index: number;
  name: string;
  fuelExclusive: bigint;
  calls: bigint;
}

export interface RunResult {
  exitCode: number;
  trap?: TrapInfo;
  fuelConsumed: bigint;
  functions: FunctionFigures[];
  memory: { initialBytes: number; peakBytes: number; finalBytes: number };
  wallMs: number;
  /** Why the run could not even start (bad module, unknown import, missing preopen...). */
  loadError?: string;
}
