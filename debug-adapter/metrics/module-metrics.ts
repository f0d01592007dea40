// The `wasiscope_metrics` host import module: direct metrics a module may emit about itself
// (seed ADR, "Direct Module Metrics"). Signatures (wasm32; size_t is i32):
//
//   emit_metric(name_ptr: i32, name_len: i32, value: f64)        -> a counter increment/sample
//   start_timer(name_ptr: i32, name_len: i32) -> i32 handle       -> starts a named timer
//   stop_timer(handle: i32)                                       -> stops it, records its value
//   record_gauge(name_ptr: i32, name_len: i32, value: f64)        -> a gauge reading
//
// Two modes. Buffered (deterministic runs, the default there): a call only copies its name out of
// guest memory and appends to a buffer; nothing observable to the module depends on the host
// (handles are a plain counter 1, 2, ...; a timer's MetricEvent value is the fuel between start and
// stop), and the buffer becomes MetricEvents after the run (`drain`). Live: each call becomes a
// MetricEvent at once via the callback, a timer's value in wall-clock ms. Timers also keep both
// figures per name (`timerTotals`): fuel always, time when a clock is given (live: performance.now
// by default; buffered: only the clock the runtime passes, its virtual clock, so reports stay
// reproducible). A call never traps and never throws into the guest: bad pointers, bad UTF-8 and
// unknown handles are counted in `stats` instead.
import type { MetricEvent } from '../runtime/events';

export const METRICS_IMPORT_MODULE = 'wasiscope_metrics';

/** Name used for a metric whose name could not be read (out of bounds of guest memory). */
export const INVALID_NAME = '(invalid-name)';

export type MetricsMode = 'buffered' | 'live';

export interface ModuleMetricsOptions {
  mode: MetricsMode;
  /** Fuel consumed so far (read from the instrumentation's counter); stamps events, times timers. */
  getFuel?: () => bigint;
  /** Live mode: receives each MetricEvent as it happens. Buffered mode: receives them on drain. */
  onMetric?: (event: MetricEvent) => void;
  /** Clock in ms for timers: live mode defaults to performance.now; buffered mode uses none unless given. */
  now?: () => number;
  /** Buffered mode: calls kept at most (default 1,000,000); beyond, counted as dropped. */
  maxBufferedCalls?: number;
  /** Longest name read, in bytes (default 256); longer names are truncated. */
  maxNameBytes?: number;
  /** Timers open at once (default 65,536); beyond, start_timer still returns a handle (never 0) but the timer is counted as dropped. */
  maxOpenTimers?: number;
}

export interface ModuleMetricsStats {
  calls: number;
  dropped: number;
  invalidNames: number;
  unknownTimerStops: number;
  unclosedTimers: number;
}

/** The part of a `WebAssembly.Memory` the host uses (the tsconfig has no DOM/wasm lib types). */
export interface GuestMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** What the host sees of the guest: its memory, once instantiated. */
export type MemoryProvider = () => GuestMemory | ArrayBuffer | undefined;

type WasmInt = number | bigint;

export interface MetricsImports {
  emit_metric(namePtr: WasmInt, nameLen: WasmInt, value: number): void;
  start_timer(namePtr: WasmInt, nameLen: WasmInt): number;
  stop_timer(handle: WasmInt): void;
  record_gauge(namePtr: WasmInt, nameLen: WasmInt, value: number): void;
}

/** Per timer name: how often it ran, the fuel and (when a clock was given) the time it took. */
export interface ModuleTimerTotals {
  name: string;
  count: number;
  fuel: bigint;
  /** null when no clock measured it (buffered mode without a virtual clock). */
  ms: number | null;
}

type BufferedCall =
  | { op: 'counter' | 'gauge'; name: string; value: number; fuel: bigint }
  | { op: 'start'; handle: number; name: string; fuel: bigint; ms: number | null }
  | { op: 'stop'; handle: number; fuel: bigint; ms: number | null };

interface OpenTimer {
  name: string;
  startFuel: bigint;
  startMs: number | null;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads `len` bytes at `ptr` from guest memory as UTF-8 (invalid sequences become U+FFFD), at most
 * `maxBytes` of them. Returns null when the range is not inside the memory.
 */
export function readGuestString(memory: ArrayBuffer | SharedArrayBuffer, ptr: WasmInt, len: WasmInt, maxBytes = 256): string | null {
  // i32 arguments arrive signed: reinterpret as the unsigned addresses/lengths the guest meant.
  const p = typeof ptr === 'bigint' ? ptr : BigInt(ptr >>> 0);
  const l = typeof len === 'bigint' ? len : BigInt(len >>> 0);
  if (p < 0n || l < 0n || p + l > BigInt(memory.byteLength)) return null;
  const n = Number(l < BigInt(maxBytes) ? l : BigInt(maxBytes));
  const view = new Uint8Array(memory, Number(p), n);
  // TextDecoder refuses views of shared memory (threads): decode a private copy then.
  return decoder.decode(memory instanceof ArrayBuffer ? view : view.slice());
}

export class ModuleMetricsHost {
  readonly mode: MetricsMode;
  private readonly opts: ModuleMetricsOptions;
  private memory: MemoryProvider = () => undefined;
  private readonly buffer: BufferedCall[] = [];
  private readonly timers = new Map<number, OpenTimer>();
  private nextHandle = 1;
  private readonly totals = new Map<string, ModuleTimerTotals>();
  private drained = false;
  private readonly counters: ModuleMetricsStats = { calls: 0, dropped: 0, invalidNames: 0, unknownTimerStops: 0, unclosedTimers: 0 };

  constructor(options: ModuleMetricsOptions) {
    this.mode = options.mode;
    this.opts = options;
  }

  /** Where to read names from; call after instantiation (the memory is the module's export). */
  attachMemory(memory: GuestMemory | MemoryProvider): void {
    this.memory = typeof memory === 'function' ? memory : () => memory;
  }

  /** The import object entry: `{ wasiscope_metrics: host.imports() }`. */
  imports(): MetricsImports {
    return {
      emit_metric: (namePtr, nameLen, value) => this.record('counter', namePtr, nameLen, value),
      record_gauge: (namePtr, nameLen, value) => this.record('gauge', namePtr, nameLen, value),
      start_timer: (namePtr, nameLen) => this.startTimer(namePtr, nameLen),
      stop_timer: (handle) => this.stopTimer(handle),
    };
  }

  /** The whole import object for this module. */
  importObject(): { [METRICS_IMPORT_MODULE]: MetricsImports } {
    return { [METRICS_IMPORT_MODULE]: this.imports() };
  }

  /** Per timer name, fuel and time of the completed timers (after drain in buffered mode). */
  timerTotals(): ModuleTimerTotals[] {
    return [...this.totals.values()].map((t) => ({ ...t })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get stats(): ModuleMetricsStats {
    return { ...this.counters, unclosedTimers: this.drained ? this.counters.unclosedTimers : this.timers.size };
  }

  /**
   * After the run: turns the buffer into MetricEvents in call order (timers at their stop), hands
   * each to onMetric, and returns them. Live mode has nothing buffered and returns []. Once only.
   */
  drain(): MetricEvent[] {
    if (this.drained) return [];
    this.drained = true;
    const out: MetricEvent[] = [];
    if (this.mode === 'buffered') {
      const open = new Map<number, { name: string; fuel: bigint; ms: number | null }>();
      for (const c of this.buffer) {
        switch (c.op) {
          case 'counter':
          case 'gauge':
            out.push({ kind: 'metric', metric: c.op, name: c.name, value: c.value, fuel: c.fuel });
            break;
          case 'start':
            open.set(c.handle, { name: c.name, fuel: c.fuel, ms: c.ms });
            break;
          case 'stop': {
            const t = open.get(c.handle);
            if (!t) break;
            open.delete(c.handle);
            const fuel = c.fuel - t.fuel;
            this.addTotal(t.name, fuel, t.ms !== null && c.ms !== null ? c.ms - t.ms : null);
            out.push({ kind: 'metric', metric: 'timer', name: t.name, value: Number(fuel), fuel: c.fuel });
            break;
          }
        }
      }
      this.buffer.length = 0;
      for (const e of out) this.opts.onMetric?.(e);
    }
    this.counters.unclosedTimers = this.timers.size;
    return out;
  }

  private addTotal(name: string, fuel: bigint, ms: number | null): void {
    const t = this.totals.get(name);
    if (!t) this.totals.set(name, { name, count: 1, fuel, ms });
    else {
      t.count++;
      t.fuel += fuel;
      t.ms = t.ms === null || ms === null ? null : t.ms + ms;
    }
  }

  /** The timer clock: live mode always has one; buffered mode only the one it was given. */
  private clock(): number | null {
    if (this.opts.now) return this.opts.now();
    return this.mode === 'live' ? performance.now() : null;
  }

  private fuel(): bigint {
    return this.opts.getFuel ? this.opts.getFuel() : 0n;
  }

  private readName(ptr: WasmInt, len: WasmInt): string {
    const m = this.memory();
    const buf = m === undefined ? undefined : m instanceof ArrayBuffer ? m : m.buffer;
    const s = buf ? readGuestString(buf, ptr, len, this.opts.maxNameBytes ?? 256) : null;
    if (s === null) {
      this.counters.invalidNames++;
      return INVALID_NAME;
    }
    return s;
  }

  private record(op: 'counter' | 'gauge', ptr: WasmInt, len: WasmInt, value: number): void {
    try {
      this.counters.calls++;
      if (this.mode === 'buffered') {
        if (this.buffer.length >= (this.opts.maxBufferedCalls ?? 1_000_000)) {
          this.counters.dropped++;
          return;
        }
        // The name is copied now: the guest may reuse that memory right after the call.
        this.buffer.push({ op, name: this.readName(ptr, len), value: Number(value), fuel: this.fuel() });
        return;
      }
      this.emit({ kind: 'metric', metric: op, name: this.readName(ptr, len), value: Number(value), fuel: this.fuel() });
    } catch {
      // A failing callback must not turn into a trap in the guest.
      this.counters.dropped++;
    }
  }

  private startTimer(ptr: WasmInt, len: WasmInt): number {
    this.counters.calls++;
    // Handles are a counter only, identical from run to run: nothing host-dependent leaks in.
    // Never 0 (the C header promises it), even for a timer that could not be recorded.
    const handle = this.nextHandle;
    this.nextHandle = (this.nextHandle % 0x7fffffff) + 1;
    try {
      if (this.timers.size >= (this.opts.maxOpenTimers ?? 65536) || (this.mode === 'buffered' && this.buffer.length >= (this.opts.maxBufferedCalls ?? 1_000_000))) {
        this.counters.dropped++;
        return handle;
      }
      const fuel = this.fuel();
      const name = this.readName(ptr, len);
      const ms = this.clock();
      this.timers.set(handle, { name, startFuel: fuel, startMs: ms });
      if (this.mode === 'buffered') this.buffer.push({ op: 'start', handle, name, fuel, ms });
    } catch {
      this.counters.dropped++;
    }
    return handle;
  }

  private stopTimer(handleIn: WasmInt): void {
    try {
      this.counters.calls++;
      const handle = Number(typeof handleIn === 'bigint' ? handleIn : handleIn >>> 0);
      const t = this.timers.get(handle);
      if (!t) {
        this.counters.unknownTimerStops++;
        return;
      }
      this.timers.delete(handle);
      const fuel = this.fuel();
      const ms = this.clock();
      if (this.mode === 'buffered') {
        if (this.buffer.length >= (this.opts.maxBufferedCalls ?? 1_000_000)) {
          this.counters.dropped++;
          return;
        }
        this.buffer.push({ op: 'stop', handle, fuel, ms });
        return;
      }
      const elapsed = ms !== null && t.startMs !== null ? ms - t.startMs : 0;
      this.addTotal(t.name, fuel - t.startFuel, elapsed);
      this.emit({ kind: 'metric', metric: 'timer', name: t.name, value: elapsed, fuel });
    } catch {
      this.counters.dropped++;
    }
  }

  private emit(e: MetricEvent): void {
    this.opts.onMetric?.(e);
  }
}
