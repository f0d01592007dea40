// What a finished run hands back: the figures the report, the CLI and the debugger show.
import type { TrapInfo } from './events';
import type { ModuleMetricsStats, ModuleTimerTotals } from '../metrics/module-metrics';

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
  /**
   * Sampled call stacks (RunOptions.sampleStacks), aggregated, heaviest first. Their fuel adds up
   * to `stackSampling.sampledFuel`: the fuel up to the last sample (the tail after it is unsampled).
   */
  stacks?: SampledStack[];
  stackSampling?: StackSamplingSummary;
  /** Direct module metrics (`wasiscope_metrics`): how they were collected, the host's counters, timer totals. */
  metrics?: { mode: 'buffered' | 'live'; stats: ModuleMetricsStats; timers: ModuleTimerTotals[] };
  /** For a `.wat` program: the module compiled from it (as it ran, before instrumentation). */
  watBytes?: Uint8Array;
}

/** One distinct call stack seen by the stack sampler. */
export interface SampledStack {
  /** ORIGINAL function names, outermost first (`(truncated)` first when outer frames were cut). */
  frames: string[];
  /** Original function indices, parallel to `frames` (-1 for `(truncated)`). */
  funcIndices: number[];
  /** Fuel burned since the previous sample, summed over the samples of this stack (the innermost frame's share). */
  fuel: bigint;
  samples: number;
}

export interface StackSamplingSummary {
  samples: number;
  /** The interval in fuel when the run ended (it doubles as samples accumulate). */
  finalInterval: bigint;
  /** Fuel covered by the stacks (the sum of their `fuel`). */
  sampledFuel: bigint;
}
