// The host side of an instrumented instance's fuel: the `__wasiscope` hook imports, reading the
// injected counters, the fuel limit (OutOfFuelError), sampling and user deadlines, memory-grow
// reports, and settling the counters after a trap or host exception so that the figures stay
// exact (refund of the trapping run's unexecuted tail, the innermost frame's unflushed share).
//
// Contract with the injected code (instrument/body-rewriter.ts): the deadline hook is called at a
// function entry or loop header when fuel >= deadline, before that run is charged; it returns 1 to
// make the instance trap (`unreachable`, which wasm exception handlers cannot catch). Hooks never
// write the fuel global.

import { CHAIN_COUNT_MASK, CHAIN_SHIFT, CHAIN_WINDOW } from '../instrument/recursion-chains';
import { trapRefund } from '../instrument/refund';
import {
  EXPORT_CHAIN_BASE, EXPORT_CHAIN_FUEL, EXPORT_CHAIN_FUNC, EXPORT_CHAIN_LIMIT,
  EXPORT_DEADLINE, EXPORT_DUMP, EXPORT_FUEL, EXPORT_PROBE, EXPORT_START, HOOK_COUNTER, HOOK_DEADLINE, HOOK_MEMORY_GROW,
  HOOK_MODULE, fcExportName, fxExportName, type InstrumentedModule,
} from '../instrument/types';
import type { CodeLocation, TrapInfo } from './events';
import { codeLocation, decodeTrap, isRuntimeError, originalFrames, parseWasmFrames } from './trap-decoder';

/** A WasmGlobalLike as the meter uses it (the project has no DOM lib, hence no WebAssembly types). */
export interface WasmGlobalLike {
  value: unknown;
}

/** A WebAssembly.Instance, structurally. */
export interface WasmInstanceLike {
  readonly exports: Record<string, unknown>;
}

const NEVER = (1n << 64n) - 1n;
const SHIFT = BigInt(CHAIN_SHIFT);

/** The globals of a module's recursion chains (instrument/recursion-chains.ts). */
interface ChainState {
  base: WasmGlobalLike;
  fuel: WasmGlobalLike;
  limit: WasmGlobalLike;
  func: WasmGlobalLike;
}

/** The fuel limit was reached at a check point (function entry or loop header). */
export class OutOfFuelError extends Error {
  constructor(
    readonly consumed: bigint,
    readonly limit: bigint,
    readonly location: CodeLocation,
  ) {
    super(
      `out of fuel: consumed ${consumed} of the ${limit} allowed, in ${location.funcName} at original offset 0x${location.offset.toString(16)}`,
    );
    this.name = 'OutOfFuelError';
  }
}

/** The host's onDeadline callback asked to stop the run. */
export class StopRequestedError extends Error {
  constructor(
    readonly consumed: bigint,
    readonly location: CodeLocation,
  ) {
    super(`stopped by the host at fuel ${consumed} in ${location.funcName} (original offset 0x${location.offset.toString(16)})`);
    this.name = 'StopRequestedError';
  }
}

export interface FunctionFuel {
  /** Original function index. */
  index: number;
  name: string;
  fuelExclusive: bigint;
  calls: bigint;
}

export interface DeadlineInfo {
  consumed: bigint;
  location: CodeLocation;
}

export interface MemoryGrowInfo {
  memory: number;
  deltaPages: bigint;
  beforePages: number;
  /** -1 when the grow failed. */
  afterPages: number;
  fuel: bigint;
}

export interface FuelMeterOptions {
  /** Trap with OutOfFuelError at the first check point where consumed >= limit. */
  limit?: bigint;
  /** Call onSample at the first check point after every `sampleEvery` units. */
  sampleEvery?: bigint;
  onSample?(info: DeadlineInfo): void;
  /** Called at the first check point at or past `setDeadline(at)`; return 'stop' to end the run. */
  onDeadline?(info: DeadlineInfo): void | 'stop';
  onMemoryGrow?(info: MemoryGrowInfo): void;
}

/** What settle() did after an instance threw. */
export interface Settled {
  /** The error to report: an OutOfFuelError/StopRequestedError replaces the trap it caused. */
  error: unknown;
  trap: TrapInfo;
  /** Fuel given back for operators charged but not executed (the trapping run's tail). */
  refund: bigint;
  /** Fuel attributed to the innermost frame (its share since its last flush). */
  attributed: bigint;
}

type HookImports = { [HOOK_MODULE]: Record<string, (...args: never[]) => unknown> };

export class FuelMeter {
  /** Merge into the instance's import object. */
  readonly imports: HookImports;
  private fuelG?: WasmGlobalLike;
  private deadlineG?: WasmGlobalLike;
  private fx: WasmGlobalLike[] = [];
  private fc: WasmGlobalLike[] = [];
  /** `counters: 'dump'` modules: the exported reporter, what it reported, and host-side additions. */
  private dump?: () => void;
  private dumpFx: bigint[] = [];
  private dumpFc: bigint[] = [];
  private adjust: bigint[] = [];
  /** Recursion chains' globals, and the calls the host took out of live chains (per defined function). */
  private chain?: ChainState;
  private chainCalls: bigint[] = [];
  private limit?: bigint;
  private nextSample?: bigint;
  private userDeadline?: bigint;
  private pendingStop?: OutOfFuelError | StopRequestedError;
  /** The V8 script id of this instance's frames (learned by the probe at bind). */
  private script?: string;
  /** Function whose check is calling the hook right now (its unflushed share is pending). */
  private inHook = -1;

  constructor(
    readonly im: InstrumentedModule,
    private readonly opts: FuelMeterOptions = {},
  ) {
    this.limit = opts.limit;
    if (opts.sampleEvery !== undefined && opts.sampleEvery > 0n) this.nextSample = opts.sampleEvery;
    this.imports = {
      [HOOK_MODULE]: {
        [HOOK_DEADLINE]: (f: number, off: number) => this.onHook(f, off),
        [HOOK_MEMORY_GROW]: (mem: number, delta: bigint, result: bigint, now: bigint) => this.onGrow(mem, delta, result, now),
        [HOOK_COUNTER]: (f: number, fx: bigint, fc: bigint) => {
          this.dumpFx[f - im.importedFuncs] = fx;
          this.dumpFc[f - im.importedFuncs] = fc;
        },
      },
    };
  }

  /** The module's start function, until it has run (InstrumentedModule.deferredStart). */
  private startFn?: () => void;

  /**
   * Find the injected globals of `instance` (an instance of `im.bytes`), then run the module's
   * start function, if it has one, as V8 would have at instantiation (a trap there throws from
   * here: treat it as a failed instantiation, after settle()). With `deferStart` the caller runs
   * it with runStart(), e.g. inside the try block that handles the run's traps.
   */
  bind(instance: WasmInstanceLike, opts: { deferStart?: boolean } = {}): this {
    const ex = instance.exports;
    this.fuelG = ex[EXPORT_FUEL] as WasmGlobalLike;
    this.deadlineG = ex[EXPORT_DEADLINE] as WasmGlobalLike;
    if (!this.fuelG || !this.deadlineG) throw new Error('not an instance of the instrumented module');
    this.fx = [];
    this.fc = [];
    const n = this.im.definedFuncs;
    if (this.im.counters === 'globals') {
      for (let i = 0; i < n; i++) {
        const f = this.im.importedFuncs + i;
        this.fx.push(ex[fxExportName(f)] as WasmGlobalLike);
        this.fc.push(ex[fcExportName(f)] as WasmGlobalLike);
      }
    } else if (this.im.counters === 'dump') {
      this.dump = ex[EXPORT_DUMP] as () => void;
      this.dumpFx = new Array<bigint>(n).fill(0n);
      this.dumpFc = new Array<bigint>(n).fill(0n);
      this.adjust = new Array<bigint>(n).fill(0n);
    }
    this.chain = undefined;
    if (this.im.chains) {
      const g = (name: string) => {
        const v = ex[name] as WasmGlobalLike | undefined;
        if (!v) throw new Error(`not an instance of the instrumented module (no ${name})`);
        return v;
      };
      this.chain = { base: g(EXPORT_CHAIN_BASE), fuel: g(EXPORT_CHAIN_FUEL), limit: g(EXPORT_CHAIN_LIMIT), func: g(EXPORT_CHAIN_FUNC) };
      this.chainCalls = new Array<bigint>(n).fill(0n);
    }
    (ex[EXPORT_PROBE] as (f: number, o: number) => void)(-1, 0);
    this.updateDeadline();
    this.startFn = undefined;
    if (this.im.deferredStart) {
      const start = ex[EXPORT_START] as (() => void) | undefined;
      if (typeof start !== 'function') throw new Error(`not an instance of the instrumented module (no ${EXPORT_START})`);
      this.startFn = start;
      if (!opts.deferStart) this.runStart();
    }
    return this;
  }

  /** Run the module's start function if it has one and it has not run yet (see bind). */
  runStart(): void {
    const start = this.startFn;
    this.startFn = undefined;
    start?.();
  }

  /**
   * Fuel consumed so far, for a host import to stamp its call with (the WASI host calls this on
   * every call): no recursion chain is live while an import runs (a clone calls nothing but
   * itself), so the fuel global alone is the answer. Anywhere else use consumed().
   */
  readonly atHostCall = (): bigint => (this.fuelG ? (this.fuelG.value as bigint) : 0n);

  /** Fuel consumed so far. */
  consumed(): bigint {
    const c = this.chain;
    if (c && (c.func.value as number) >= 0) return (c.base.value as bigint) + ((c.fuel.value as bigint) >> SHIFT);
    return this.fuelG ? (this.fuelG.value as bigint) : 0n;
  }

  /**
   * A hook runs inside a live chain: take its calls out and restart its register at the fuel now,
   * so neither part can overflow however long the chain runs (its limit is clamped to
   * CHAIN_WINDOW, so a long chain comes here at least that often).
   */
  private rebaseChain(): void {
    const c = this.chain;
    if (!c) return;
    const f = c.func.value as number;
    if (f < 0) return;
    const consumed = this.consumed();
    this.chainCalls[f - this.im.importedFuncs] += (c.fuel.value as bigint) & CHAIN_COUNT_MASK;
    c.base.value = consumed;
    c.fuel.value = 0n;
  }

  /** End a chain that a trap or host exception unwound: its fuel back in the fuel global, its calls counted. */
  private closeChain(): void {
    const c = this.chain;
    if (!c || (c.func.value as number) < 0) return;
    const consumed = this.consumed();
    this.rebaseChain();
    c.func.value = -1;
    if (this.fuelG) this.fuelG.value = consumed;
  }

  /** Change (or remove) the fuel limit; takes effect at the next check point. */
  setLimit(limit: bigint | undefined): void {
    this.limit = limit;
    this.updateDeadline();
  }

  /** Ask for onDeadline at the first check point at or past `at` (undefined cancels). */
  setDeadline(at: bigint | undefined): void {
    this.userDeadline = at;
    this.updateDeadline();
  }

  /**
   * Exclusive fuel and call count of every defined function (original indices). While a hook is
   * running, the calling function's not-yet-flushed share is included.
   */
  perFunction(): FunctionFuel[] {
    const out: FunctionFuel[] = [];
    const n = this.im.importedFuncs;
    const { fx, fc } = this.counters();
    let sum = 0n;
    const c = this.chain;
    if (c) {
      for (let i = 0; i < fc.length; i++) fc[i] += this.chainCalls[i];
      const live = c.func.value as number;
      if (live >= n) fc[live - n] += (c.fuel.value as bigint) & CHAIN_COUNT_MASK;
    }
    for (let i = 0; i < fx.length; i++) {
      sum += fx[i];
      out.push({ index: n + i, name: this.im.names[n + i], fuelExclusive: fx[i], calls: fc[i] });
    }
    if (this.inHook >= n && fx.length > 0) out[this.inHook - n].fuelExclusive += this.consumed() - sum;
    return out;
  }

  /** Total consumed and the sum of exclusive figures (equal whenever no wasm frame is active). */
  exactness(): { total: bigint; sum: bigint } {
    let sum = 0n;
    for (const v of this.counters().fx) sum += v;
    return { total: this.consumed(), sum };
  }

  /** Current exclusive fuel and calls of every defined function (empty without per-function counters). */
  private counters(): { fx: bigint[]; fc: bigint[] } {
    if (this.dump) {
      this.dump();
      return { fx: this.dumpFx.map((v, i) => v + this.adjust[i]), fc: this.dumpFc.slice() };
    }
    return { fx: this.fx.map((g) => g.value as bigint), fc: this.fc.map((g) => g.value as bigint) };
  }

  private get hasCounters(): boolean {
    return this.fx.length > 0 || this.dump !== undefined;
  }

  /**
   * Call after the instance threw (trap, stack overflow, host exception such as proc_exit): gives
   * back the fuel charged for operators that never ran, attributes the innermost frame's unflushed
   * share to it, and decodes the trap. Leaves the counters consistent for further calls.
   */
  settle(error: unknown): Settled {
    const im = this.im;
    const stop = this.pendingStop;
    this.pendingStop = undefined;
    this.closeChain();
    let refund = 0n;
    let funcIndex = -1;
    let trap: TrapInfo;
    let reported: unknown = error;
    if (stop && isRuntimeError(error)) {
      // The check that stopped runs before its run is charged: nothing to give back.
      funcIndex = stop.location.funcIndex;
      reported = stop;
      trap = {
        kind: stop instanceof OutOfFuelError ? 'out of fuel' : 'stopped',
        message: stop.message,
        location: stop.location,
      };
    } else {
      const stack = error instanceof Error ? error.stack : undefined;
      const { total, sum } = this.exactness();
      // The innermost frame of this module, skipping any whose refund exceeds what is unflushed:
      // that frame belongs to another instance of the same bytes (same V8 script id).
      for (const frame of originalFrames(im, parseWasmFrames(stack), this.script)) {
        const r = BigInt(trapRefund(im, frame));
        if (r <= total - sum || !this.hasCounters) {
          funcIndex = frame.funcIndex;
          refund = r;
          break;
        }
      }
      trap = decodeTrap(im, error, this.script);
    }
    let attributed = 0n;
    if (this.fuelG) {
      if (refund > 0n) this.fuelG.value = (this.fuelG.value as bigint) - refund;
      if (funcIndex >= im.importedFuncs && this.hasCounters) {
        const { total, sum } = this.exactness();
        attributed = total - sum;
        if (attributed !== 0n) {
          const i = funcIndex - im.importedFuncs;
          if (this.dump) this.adjust[i] += attributed;
          else this.fx[i].value = (this.fx[i].value as bigint) + attributed;
        }
      }
    }
    return { error: reported, trap, refund, attributed };
  }

  private onHook(f: number, off: number): number {
    if (f === -1) {
      // Probe from bind(): the frame below this hook is the instance's slow path.
      const frames = parseWasmFrames(new Error().stack);
      if (frames.length > 0) this.script = frames[0].script;
      return 0;
    }
    this.rebaseChain();
    // A recursion clone's entry check passes ~offset: its call is counted by the charge after the
    // check, so count it here while the hook runs (and keep it when the run stops at this check).
    const cloneEntry = off < 0 ? f - this.im.importedFuncs : -1;
    if (cloneEntry >= 0) {
      off = ~off;
      this.chainCalls[cloneEntry] += 1n;
    }
    const consumed = this.consumed();
    const location = codeLocation(this.im, f, off);
    const r = this.deadlineReached(f, consumed, location);
    if (r === 0 && cloneEntry >= 0) this.chainCalls[cloneEntry] -= 1n;
    return r;
  }

  private deadlineReached(f: number, consumed: bigint, location: CodeLocation): number {
    if (this.limit !== undefined && consumed >= this.limit) {
      this.pendingStop = new OutOfFuelError(consumed, this.limit, location);
      return 1;
    }
    this.inHook = f;
    try {
      if (this.nextSample !== undefined && consumed >= this.nextSample) {
        const every = this.opts.sampleEvery ?? 1n;
        this.nextSample = consumed + every;
        this.opts.onSample?.({ consumed, location });
      }
      if (this.userDeadline !== undefined && consumed >= this.userDeadline) {
        this.userDeadline = undefined;
        if (this.opts.onDeadline?.({ consumed, location }) === 'stop') {
          this.pendingStop = new StopRequestedError(consumed, location);
          return 1;
        }
      }
    } finally {
      this.inHook = -1;
    }
    this.updateDeadline();
    return 0;
  }

  private onGrow(memory: number, delta: bigint, result: bigint, now: bigint): void {
    const fuel = this.consumed();
    const failed = result === -1n;
    this.opts.onMemoryGrow?.({
      memory,
      deltaPages: delta,
      beforePages: Number(failed ? now : result),
      afterPages: failed ? -1 : Number(now),
      fuel,
    });
  }

  private updateDeadline(): void {
    if (!this.deadlineG) return;
    let d = NEVER;
    if (this.limit !== undefined && this.limit < d) d = this.limit;
    if (this.nextSample !== undefined && this.nextSample < d) d = this.nextSample;
    if (this.userDeadline !== undefined && this.userDeadline < d) d = this.userDeadline;
    if (d < 0n) d = 0n;
    this.deadlineG.value = d;
    const c = this.chain;
    if (c && (c.func.value as number) >= 0) {
      // The live chain's limit, relative to its base (what chain_enter computes at a chain's start).
      const base = c.base.value as bigint;
      const rel = d > base ? (d - base < CHAIN_WINDOW ? d - base : CHAIN_WINDOW) : 0n;
      c.limit.value = rel << SHIFT;
    }
  }
}
