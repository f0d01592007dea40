// Fuel profiles for the common viewers: speedscope's JSON file format
// (https://www.speedscope.app/file-format-schema.json; opens in speedscope.app and in the
// "Speedscope" VS Code extensions) and Brendan Gregg's folded stacks (flamegraph.pl, inferno,
// speedscope). Weights are fuel units (speedscope unit `none`); fuel beyond 2^53 loses precision
// in these files (viewers take numbers), the report keeps the exact figures.
import { exclusiveFuel, forEachNode, type CallTreeNode, type WeightedStack } from './call-tree';
import { bigintToNumber } from './fuel-number';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'none' | 'nanoseconds' | 'microseconds' | 'milliseconds' | 'seconds' | 'bytes';
  startValue: number;
  endValue: number;
  /** Stacks of indices into `shared.frames`, outermost caller first. */
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name?: string;
  activeProfileIndex?: number;
  exporter?: string;
}

export interface FuelProfileInput {
  /** Profile group name, typically the module file name. */
  name: string;
  /** Per-function exclusive fuel (always available from the instrumentation). */
  functions?: readonly { name: string; fuelExclusive: bigint }[];
  /** Calling-context tree, when the runtime tracked call paths. */
  callTree?: readonly CallTreeNode[];
  /** Sampled call stacks (outermost first) with fuel weights, when the runtime sampled them. */
  stacks?: readonly WeightedStack[];
  /** Module file, recorded as each frame's `file`. */
  file?: string;
  /** Version string recorded as `exporter`. */
  exporter?: string;
}

/**
 * A speedscope file with one sampled profile per kind of input given, richest first (the one
 * speedscope opens): call stacks, then the call tree, then the flat per-function profile.
 */
export function buildSpeedscopeProfile(input: FuelProfileInput): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const frameIndex = new Map<string, number>();
  const frameOf = (name: string): number => {
    let i = frameIndex.get(name);
    if (i === undefined) {
      i = frames.length;
      frames.push(input.file ? { name, file: input.file } : { name });
      frameIndex.set(name, i);
    }
    return i;
  };
  const profiles: SpeedscopeSampledProfile[] = [];
  const sampled = (name: string, samples: number[][], weights: number[]): SpeedscopeSampledProfile => ({
    type: 'sampled',
    name,
    unit: 'none',
    startValue: 0,
    endValue: weights.reduce((a, b) => a + b, 0),
    samples,
    weights,
  });

  if (input.stacks && input.stacks.length > 0) {
    const samples: number[][] = [];
    const weights: number[] = [];
    for (const s of input.stacks) {
      const w = bigintToNumber(s.weight);
      if (s.frames.length === 0 || w <= 0) continue;
      samples.push(s.frames.map(frameOf));
      weights.push(w);
    }
    profiles.push(sampled(`${input.name}: fuel by call stack`, samples, weights));
  }
  if (input.callTree && input.callTree.length > 0) {
    const samples: number[][] = [];
    const weights: number[] = [];
    forEachNode(input.callTree, (node, _depth, ancestors) => {
      const w = bigintToNumber(exclusiveFuel(node));
      if (w <= 0) return;
      samples.push([...ancestors.map((a) => frameOf(a.name)), frameOf(node.name)]);
      weights.push(w);
    });
    profiles.push(sampled(`${input.name}: fuel by call path`, samples, weights));
  }
  if (input.functions && input.functions.length > 0) {
    const samples: number[][] = [];
    const weights: number[] = [];
    for (const f of input.functions) {
      const w = bigintToNumber(f.fuelExclusive);
      if (w <= 0) continue;
      samples.push([frameOf(f.name)]);
      weights.push(w);
    }
    profiles.push(sampled(`${input.name}: fuel by function`, samples, weights));
  }
  if (profiles.length === 0) profiles.push(sampled(`${input.name}: no fuel recorded`, [], []));

  const file: SpeedscopeFile = {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames },
    profiles,
    name: input.name,
    activeProfileIndex: 0,
  };
  if (input.exporter) file.exporter = input.exporter;
  return file;
}

/**
 * Folded stacks (`main;fib;fib 1234` per line), from the richest input like the speedscope file.
 * Frame names have `;` and newlines replaced, since they separate frames and lines.
 */
export function buildFoldedStacks(input: FuelProfileInput): string {
  const clean = (n: string): string => n.replace(/[;\r\n]/g, '_');
  const lines: string[] = [];
  if (input.stacks && input.stacks.length > 0) {
    const merged = new Map<string, bigint>();
    for (const s of input.stacks) {
      if (s.frames.length === 0) continue;
      const key = s.frames.map(clean).join(';');
      const w = typeof s.weight === 'bigint' ? s.weight : BigInt(Math.round(s.weight));
      merged.set(key, (merged.get(key) ?? 0n) + w);
    }
    for (const [k, w] of merged) if (w > 0n) lines.push(`${k} ${w}`);
  } else if (input.callTree && input.callTree.length > 0) {
    forEachNode(input.callTree, (node, _d, ancestors) => {
      const w = exclusiveFuel(node);
      if (w > 0n) lines.push(`${[...ancestors.map((a) => clean(a.name)), clean(node.name)].join(';')} ${w}`);
    });
  } else if (input.functions) {
    for (const f of input.functions) if (f.fuelExclusive > 0n) lines.push(`${clean(f.name)} ${f.fuelExclusive}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
