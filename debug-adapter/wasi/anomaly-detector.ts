// Baselines and anomalies. A baseline is the capability profile of a known-good run: which
// functions it called and how often, which guest paths it touched, how fast it called the host
// (calls per window of fuel, or of milliseconds when the module is not instrumented). The
// detector compares a live run against it call by call and raises AnomalyEvents with the
// evidence: a call the policy denied, a path or a function the baseline never saw, a burst of
// calls far above the baseline's busiest window. compareToBaseline is the offline drift report
// (`wasiscope diff`).
import { readFileSync, writeFileSync } from 'node:fs';
import type { AnomalyEvent, CapabilityEvent, DecodedValue, RuntimeEvent } from '../runtime/events';

export const BASELINE_FORMAT = 'wasiscope-baseline';

export interface RateWindow {
  unit: 'fuel' | 'ms';
  size: number;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  version: 1;
  /** Host calls in the run. */
  calls: number;
  /** Calls per function. */
  functions: Record<string, number>;
  /** Guest paths touched (full guest paths, sorted). */
  paths: string[];
  /** Calls the policy denied. */
  denied: number;
  /** Fuel at the last call (decimal string: fuel is a bigint). */
  fuel: string;
  /** Wall (or virtual) time between the first and last call, ms. */
  durationMs: number;
  rate: { window: RateWindow; maxCallsPerWindow: number; meanCallsPerWindow: number; windows: number };
}

export interface AnomalyOptions {
  /** A window with more than factor x the baseline's busiest window is a burst. Default 10. */
  burstFactor?: number;
  /** ...and at least this many calls (tiny baselines would flag everything). Default 100. */
  minBurstCalls?: number;
  /** Override the baseline's rate window. */
  window?: RateWindow;
}

const NONE: AnomalyEvent[] = [];
const DEFAULT_FUEL_WINDOW = 1_000_000;
const DEFAULT_MS_WINDOW = 100;
const PATH_KEYS = ['guest_path', 'old_guest_path', 'new_guest_path'];

/** The guest paths a capability event touched. */
export function eventPaths(e: CapabilityEvent): string[] {
  const out: string[] = [];
  for (const k of PATH_KEYS) {
    const v = e.args[k];
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

function windowIndex(e: CapabilityEvent, w: RateWindow): number {
  return w.unit === 'fuel' ? Number(e.fuel / BigInt(w.size)) : Math.floor(e.time / w.size);
}

function isCapability(e: RuntimeEvent): e is CapabilityEvent {
  return e.kind === 'capability';
}

/** Summarises a run's capability events into a baseline. */
export function buildBaseline(events: Iterable<RuntimeEvent>, o: { window?: RateWindow } = {}): Baseline {
  const caps: CapabilityEvent[] = [];
  for (const e of events) if (isCapability(e)) caps.push(e);
  const functions: Record<string, number> = {};
  const paths = new Set<string>();
  let denied = 0;
  for (const e of caps) {
    functions[e.func] = (functions[e.func] ?? 0) + 1;
    for (const p of eventPaths(e)) paths.add(p);
    if (e.denied) denied++;
  }
  const instrumented = caps.some((e) => e.fuel > 0n);
  const window = o.window ?? (instrumented ? { unit: 'fuel', size: DEFAULT_FUEL_WINDOW } : { unit: 'ms', size: DEFAULT_MS_WINDOW });
  const perWindow = new Map<number, number>();
  for (const e of caps) {
    const i = windowIndex(e, window);
    perWindow.set(i, (perWindow.get(i) ?? 0) + 1);
  }
  let max = 0;
  for (const n of perWindow.values()) max = Math.max(max, n);
  const last = caps[caps.length - 1];
  return {
    format: BASELINE_FORMAT,
    version: 1,
    calls: caps.length,
    functions: Object.fromEntries(Object.entries(functions).sort(([a], [b]) => (a < b ? -1 : 1))),
    paths: [...paths].sort(),
    denied,
    fuel: (last?.fuel ?? 0n).toString(),
    durationMs: caps.length ? caps[caps.length - 1].time - caps[0].time : 0,
    rate: { window, maxCallsPerWindow: max, meanCallsPerWindow: perWindow.size ? caps.length / perWindow.size : 0, windows: perWindow.size },
  };
}

export function saveBaseline(path: string, b: Baseline): void {
  writeFileSync(path, `${JSON.stringify(b, null, 2)}\n`);
}

export function loadBaseline(path: string): Baseline {
  const b = JSON.parse(readFileSync(path, 'utf8')) as Baseline;
  if (b.format !== BASELINE_FORMAT) throw new Error(`${path} is not a wasiscope baseline`);
  return b;
}

/** Live detection: feed it every capability event, in order; it returns the anomalies each raises. */
export class AnomalyDetector {
  private readonly knownPaths: Set<string>;
  private readonly knownFuncs: Set<string>;
  private readonly seenNewPaths = new Set<string>();
  private readonly seenNewFuncs = new Set<string>();
  private readonly deniedFuncs = new Map<string, number>();
  private readonly window: RateWindow;
  private readonly burstThreshold: number;
  private curWindow = Number.NaN;
  private curCount = 0;
  private burstReported = false;

  constructor(
    private readonly baseline?: Baseline,
    o: AnomalyOptions = {},
  ) {
    this.knownPaths = new Set(baseline?.paths ?? []);
    this.knownFuncs = new Set(Object.keys(baseline?.functions ?? {}));
    this.window = o.window ?? baseline?.rate.window ?? { unit: 'ms', size: DEFAULT_MS_WINDOW };
    const factor = o.burstFactor ?? 10;
    this.burstThreshold = Math.max(o.minBurstCalls ?? 100, Math.ceil(factor * (baseline?.rate.maxCallsPerWindow ?? 0)));
  }

  /**
   * Whether observe(e) can raise anything: without a baseline only a denial can. Small enough for
   * the host's per-call path to inline, so the common call skips observe() altogether.
   */
  watches(e: CapabilityEvent): boolean {
    return e.denied || this.baseline !== undefined;
  }

  observe(e: CapabilityEvent): AnomalyEvent[] {
    if (!this.watches(e)) return NONE;
    const out: AnomalyEvent[] = [];
    const raise = (anomaly: AnomalyEvent['anomaly'], message: string, evidence: Record<string, DecodedValue>): void => {
      out.push({ kind: 'anomaly', anomaly, message, evidence, capabilitySeq: e.seq });
    };
    if (e.denied) {
      // One anomaly per function (the security events carry every single denial).
      const n = (this.deniedFuncs.get(e.func) ?? 0) + 1;
      this.deniedFuncs.set(e.func, n);
      if (n === 1) {
        raise('outside-policy', `${e.func} asked for a capability outside the policy`, {
          func: e.func,
          args: e.args,
          errno: e.errnoName,
          baselineDenied: this.baseline?.denied ?? null,
        });
      }
    }
    if (!this.baseline) return out;
    if (!this.knownFuncs.has(e.func) && !this.seenNewFuncs.has(e.func)) {
      this.seenNewFuncs.add(e.func);
      raise('new-capability', `${e.func} was never called in the baseline`, {
        func: e.func,
        args: e.args,
        baselineFunctions: Object.keys(this.baseline.functions),
      });
    }
    for (const p of eventPaths(e)) {
      if (this.knownPaths.has(p) || this.seenNewPaths.has(p)) continue;
      this.seenNewPaths.add(p);
      raise('new-path', `${e.func} touched ${p}, a path the baseline never touched`, {
        func: e.func,
        path: p,
        errno: e.errnoName,
        baselinePaths: this.baseline.paths.length,
      });
    }
    const w = windowIndex(e, this.window);
    if (w !== this.curWindow) {
      this.curWindow = w;
      this.curCount = 0;
      this.burstReported = false;
    }
    this.curCount++;
    if (!this.burstReported && this.curCount > this.burstThreshold) {
      this.burstReported = true;
      raise('rate-burst', `more than ${this.burstThreshold} host calls in one window of ${this.window.size} ${this.window.unit} (baseline busiest window: ${this.baseline.rate.maxCallsPerWindow})`, {
        calls: this.curCount,
        window: `${this.window.size} ${this.window.unit}`,
        windowStart: this.window.unit === 'fuel' ? BigInt(w) * BigInt(this.window.size) : w * this.window.size,
        baselineMaxCallsPerWindow: this.baseline.rate.maxCallsPerWindow,
        threshold: this.burstThreshold,
        func: e.func,
      });
    }
    return out;
  }
}

export interface DriftReport {
  /** True when anything below differs beyond the thresholds. */
  drift: boolean;
  newFunctions: Array<{ name: string; calls: number }>;
  missingFunctions: Array<{ name: string; baselineCalls: number }>;
  changedCounts: Array<{ name: string; baseline: number; current: number; ratio: number }>;
  newPaths: string[];
  missingPaths: string[];
  rate: { baselineMax: number; currentMax: number; ratio: number; window: RateWindow };
  denied: { baseline: number; current: number };
  /** One line per finding, for the CLI. */
  summary: string[];
}

/** Compares a run (its events, or its own baseline) with a baseline: the drift report. */
export function compareToBaseline(
  baseline: Baseline,
  current: Baseline | Iterable<RuntimeEvent>,
  o: { countRatio?: number; rateRatio?: number } = {},
): DriftReport {
  const cur = isBaseline(current) ? current : buildBaseline(current, { window: baseline.rate.window });
  const countRatio = o.countRatio ?? 2;
  const rateRatio = o.rateRatio ?? 2;
  const newFunctions = Object.entries(cur.functions)
    .filter(([n]) => !(n in baseline.functions))
    .map(([name, calls]) => ({ name, calls }));
  const missingFunctions = Object.entries(baseline.functions)
    .filter(([n]) => !(n in cur.functions))
    .map(([name, baselineCalls]) => ({ name, baselineCalls }));
  const changedCounts = Object.entries(cur.functions)
    .filter(([n]) => n in baseline.functions)
    .map(([name, current]) => ({ name, baseline: baseline.functions[name], current, ratio: current / baseline.functions[name] }))
    .filter((c) => c.ratio >= countRatio || c.ratio <= 1 / countRatio);
  const basePaths = new Set(baseline.paths);
  const curPaths = new Set(cur.paths);
  const newPaths = cur.paths.filter((p) => !basePaths.has(p));
  const missingPaths = baseline.paths.filter((p) => !curPaths.has(p));
  const rb = baseline.rate.maxCallsPerWindow;
  const rc = cur.rate.maxCallsPerWindow;
  const ratio = rb === 0 ? (rc === 0 ? 1 : Number.POSITIVE_INFINITY) : rc / rb;
  const summary: string[] = [];
  for (const f of newFunctions) summary.push(`+ ${f.name}: new capability (${f.calls} calls)`);
  for (const f of missingFunctions) summary.push(`- ${f.name}: no longer used (baseline ${f.baselineCalls} calls)`);
  for (const c of changedCounts) summary.push(`~ ${c.name}: ${c.baseline} -> ${c.current} calls (x${c.ratio.toFixed(2)})`);
  for (const p of newPaths) summary.push(`+ path ${p}`);
  for (const p of missingPaths) summary.push(`- path ${p}`);
  const rateDrift = ratio >= rateRatio || ratio <= 1 / rateRatio;
  if (rateDrift) summary.push(`~ busiest window: ${rb} -> ${rc} calls per ${baseline.rate.window.size} ${baseline.rate.window.unit}`);
  if (cur.denied !== baseline.denied) summary.push(`~ denied calls: ${baseline.denied} -> ${cur.denied}`);
  return {
    drift: summary.length > 0,
    newFunctions,
    missingFunctions,
    changedCounts,
    newPaths,
    missingPaths,
    rate: { baselineMax: rb, currentMax: rc, ratio, window: baseline.rate.window },
    denied: { baseline: baseline.denied, current: cur.denied },
    summary,
  };
}

function isBaseline(v: Baseline | Iterable<RuntimeEvent>): v is Baseline {
  return (v as Baseline).format === BASELINE_FORMAT;
}
