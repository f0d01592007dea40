// Samples the module's call stack at fuel deadlines, for the fuel profile (speedscope, per function
// with call stacks) and function-level spans. At each sample the stack comes from
// `new Error().stack` (wasm frames mapped to ORIGINAL functions through the instrumenter's offset
// map) and is weighted by the fuel burned since the previous sample: the innermost frame's share.
// Identical stacks are aggregated. The interval adapts: it starts small so short runs still get a
// profile, and doubles every `samplesPerLevel` samples, so a 1e10-fuel run costs about 3,000
// samples (logarithmic in the fuel), not millions.
//
// It rides FuelMeter's user deadline (setDeadline/onDeadline): deadlines are checked at function
// entries and loop headers whatever their value, so sampling only changes how often the host is
// called, never what the module computes or the fuel it is charged.
import type { InstrumentedModule } from '../instrument/types';
import type { DeadlineInfo, FuelMeter } from './fuel-meter';
import type { SampledStack, StackSamplingSummary } from './run-result';
import { originalFrames, parseWasmFrames } from './trap-decoder';

export interface StackSamplerOptions {
  /** First interval, in fuel (default 10,000). */
  initialInterval?: bigint;
  /** Samples taken at one interval before it doubles (default 256). */
  samplesPerLevel?: number;
  /** Deepest stack captured, in frames; deeper stacks keep their innermost frames (default 1024). */
  maxDepth?: number;
}

/** Outermost frame of a stack deeper than `maxDepth` (its outer frames were cut). */
export const TRUNCATED_FRAME = '(truncated)';

const DEFAULT_INTERVAL = 10_000n;
const DEFAULT_PER_LEVEL = 256;
const DEFAULT_DEPTH = 1024;
/** Room in the captured trace for the JS frames above the module's (hook, meter, sampler). */
const JS_FRAMES = 32;

interface Acc {
  frames: string[];
  funcIndices: number[];
  fuel: bigint;
  samples: number;
}

export class StackSampler {
  private readonly perLevel: number;
  private readonly maxDepth: number;
  private interval: bigint;
  private levelSamples = 0;
  private samples = 0;
  private lastFuel = 0n;
  private next: bigint;
  private script?: string;
  private meter?: FuelMeter;
  private readonly stacks = new Map<string, Acc>();

  constructor(
    private readonly im: InstrumentedModule,
    options: StackSamplerOptions = {},
  ) {
    this.interval = options.initialInterval ?? DEFAULT_INTERVAL;
    if (this.interval <= 0n) throw new RangeError('the sampling interval must be positive');
    this.perLevel = options.samplesPerLevel ?? DEFAULT_PER_LEVEL;
    this.maxDepth = options.maxDepth ?? DEFAULT_DEPTH;
    this.next = this.interval;
  }

  /** FuelMeterOptions.onDeadline (bound): takes a sample and sets the next deadline. */
  readonly onDeadline = (info: DeadlineInfo): void => {
    this.sample(info.consumed);
    this.meter?.setDeadline(this.next);
  };

  /** Call once the meter is bound to the instance: arms the first deadline. */
  start(meter: FuelMeter): void {
    this.meter = meter;
    meter.setDeadline(this.next);
  }

  /** Takes one sample now (the caller is a host function called from the module's code). */
  sample(consumed: bigint): void {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    let stack: string | undefined;
    try {
      // JS frames (this method, the hook, the meter) come first in the trace: leave room for them.
      Error.stackTraceLimit = this.maxDepth + JS_FRAMES;
      Error.prepareStackTrace = wasmFramesOnly;
      stack = new Error().stack;
    } finally {
      Error.stackTraceLimit = limit;
      Error.prepareStackTrace = prepare;
    }
    const raw = parseWasmFrames(stack);
    if (this.script === undefined && raw.length > 0) this.script = raw[0].script;
    let frames = originalFrames(this.im, raw, this.script);
    let truncated = lastSiteCount >= this.maxDepth + JS_FRAMES;
    if (frames.length > this.maxDepth) {
      frames = frames.slice(0, this.maxDepth);
      truncated = true;
    }
    const weight = consumed - this.lastFuel;
    this.lastFuel = consumed;
    this.samples++;
    this.levelSamples++;
    if (this.levelSamples >= this.perLevel) {
      this.interval *= 2n;
      this.levelSamples = 0;
    }
    this.next = consumed + this.interval;
    if (frames.length === 0 || weight <= 0n) return;
    let key = truncated ? 't' : '';
    const funcIndices = new Array<number>(frames.length);
    // Outermost first, as profile viewers and call trees want them.
    for (let i = 0; i < frames.length; i++) {
      const f = frames[frames.length - 1 - i].funcIndex;
      funcIndices[i] = f;
      key += `,${f}`;
    }
    const acc = this.stacks.get(key);
    if (acc) {
      acc.fuel += weight;
      acc.samples++;
      return;
    }
    const names = funcIndices.map((f) => this.im.names[f] ?? `$func${f}`);
    if (truncated) {
      names.unshift(TRUNCATED_FRAME);
      funcIndices.unshift(-1);
    }
    this.stacks.set(key, { frames: names, funcIndices, fuel: weight, samples: 1 });
  }

  /** The aggregated stacks, heaviest first. */
  result(): { stacks: SampledStack[]; stackSampling: StackSamplingSummary } {
    let sampledFuel = 0n;
    const stacks: SampledStack[] = [];
    for (const a of this.stacks.values()) {
      sampledFuel += a.fuel;
      stacks.push({ frames: a.frames, funcIndices: a.funcIndices, fuel: a.fuel, samples: a.samples });
    }
    stacks.sort((a, b) => (b.fuel > a.fuel ? 1 : b.fuel < a.fuel ? -1 : 0));
    return { stacks, stackSampling: { samples: this.samples, finalInterval: this.interval, sampledFuel } };
  }
}

let lastSiteCount = 0;

/**
 * Formats only the wasm frames, as V8 does (`at name (wasm://wasm/<id>:wasm-function[N]:0xOFF)`,
 * what parseWasmFrames reads): the default formatter (or a source-map one installed by a loader)
 * would format and map every JS frame too, which costs several times the capture itself.
 */
function wasmFramesOnly(_error: Error, sites: NodeJS.CallSite[]): string {
  lastSiteCount = sites.length;
  let out = 'Error';
  for (const site of sites) {
    const file = site.getFileName();
    if (file !== undefined && file !== null && file.startsWith('wasm://')) out += `\n    at ${String(site)}`;
  }
  return out;
}
