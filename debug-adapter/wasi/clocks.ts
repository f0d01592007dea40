// The clocks the guest reads: the host's real clocks, or virtual clocks for deterministic runs.
// Virtual time is a function of what the guest did, never of the host: nsPerFuel nanoseconds per
// unit of fuel consumed, plus one microsecond per host call (so time moves even when nothing is
// instrumented and fuel stays 0, and two clock reads never return the same value), plus whatever
// the guest slept in poll_oneoff (sleeps are instantaneous: the virtual clock jumps to the
// deadline).
import { E } from './wasi-abi';
import { WasiError } from './wasi-error';

export interface ClockSource {
  readonly virtual: boolean;
  /** Nanoseconds on the WASI clock `id` (0 realtime, 1 monotonic, 2 process, 3 thread). */
  now(id: number): bigint;
  /**
   * The same, at the moment `perfMs` (a `performance.now()` reading the host took during this
   * call): clock_time_get answers with the call's own start stamp instead of reading the clock a
   * second time. Virtual clocks ignore `perfMs`.
   */
  at(id: number, perfMs: number): bigint;
  resolution(id: number): bigint;
  /** Waits `ns` on the monotonic clock (virtual: advances it). */
  sleep(ns: bigint): void;
  /** Time stamp for events, ms since the Unix epoch (virtual in deterministic mode). */
  eventTimeMs(): number;
  /** Called once per host call, before it runs (virtual clocks advance a tick). */
  tick(): void;
}

function checkId(id: number): void {
  if (id < 0 || id > 3) throw new WasiError(E.INVAL, `unknown clock id ${id}`);
}

const perf = performance;

export class RealClock implements ClockSource {
  readonly virtual = false;
  // realtime and monotonic both count from one performance.now() reading, so a value derived from
  // any later reading (the call's start stamp, or a fresh one) is consistent with every other.
  private readonly perfBase = perf.now();
  private readonly hrBase = process.hrtime.bigint();
  private readonly realBase = BigInt(Date.now()) * 1_000_000n;
  private readonly cpuBase = process.cpuUsage();
  private sleeper: Int32Array | null = null;

  now(id: number): bigint {
    checkId(id);
    if (id <= 1) return this.at(id, perf.now());
    const u = process.cpuUsage(this.cpuBase);
    return BigInt(u.user + u.system) * 1000n;
  }

  at(id: number, perfMs: number): bigint {
    // performance.now() carries nanoseconds (a double of ms: exact to well under 1 ns for months).
    if (id === 1) return this.hrBase + BigInt(Math.round((perfMs - this.perfBase) * 1e6));
    if (id === 0) return this.realBase + BigInt(Math.round((perfMs - this.perfBase) * 1e6));
    return this.now(id);
  }

  resolution(id: number): bigint {
    checkId(id);
    return id <= 1 ? 1n : 1000n;
  }

  sleep(ns: bigint): void {
    if (ns <= 0n) return;
    // Atomics.wait blocks this thread synchronously (allowed on Node's main thread and in workers).
    this.sleeper ??= new Int32Array(new SharedArrayBuffer(4));
    const ms = Number(ns) / 1e6;
    Atomics.wait(this.sleeper, 0, 0, Math.min(ms, 2 ** 31 - 1));
  }

  eventTimeMs(): number {
    return perf.timeOrigin + perf.now();
  }

  tick(): void {}
}

export interface VirtualClockOptions {
  /** Realtime at fuel 0, ns since the Unix epoch. Default 2000-01-01T00:00:00Z. */
  epochNs?: bigint;
  /** Virtual nanoseconds per unit of fuel. Default 1. */
  nsPerFuel?: bigint;
}

export const DEFAULT_EPOCH_NS = 946_684_800_000_000_000n;
const TICK_NS = 1000n;

export class VirtualClock implements ClockSource {
  readonly virtual = true;
  readonly epochNs: bigint;
  private readonly nsPerFuel: bigint;
  private ticks = 0n;
  private slept = 0n;

  constructor(
    private readonly fuel: () => bigint,
    o: VirtualClockOptions = {},
  ) {
    this.epochNs = o.epochNs ?? DEFAULT_EPOCH_NS;
    this.nsPerFuel = o.nsPerFuel ?? 1n;
  }

  /** Virtual ns since the start of the run (does not tick). */
  elapsed(): bigint {
    return this.fuel() * this.nsPerFuel + this.ticks * TICK_NS + this.slept;
  }

  tick(): void {
    this.ticks++;
  }

  now(id: number): bigint {
    checkId(id);
    const t = this.elapsed();
    return id === 0 ? this.epochNs + t : t;
  }

  at(id: number): bigint {
    return this.now(id);
  }

  resolution(id: number): bigint {
    checkId(id);
    return TICK_NS;
  }

  sleep(ns: bigint): void {
    if (ns > 0n) this.slept += ns;
  }

  /** Virtual realtime now, without ticking (file times, event stamps). */
  realtimeNs(): bigint {
    return this.epochNs + this.elapsed();
  }

  eventTimeMs(): number {
    return Number(this.realtimeNs() / 1000n) / 1000;
  }
}
