// The errors that travel inside the host. A WasiError carries the errno a call returns; every one
// thrown by a call implementation is caught at the call boundary and turned into that errno, so
// no exception ever leaves the host except the two that must: ProcExit (the module asked to exit)
// and ReplayDivergenceError (a replay can no longer answer truthfully).
import { E } from './wasi-abi';

export type SecurityReason = 'capability-denied' | 'sandbox-escape' | 'bad-fd' | 'memory-fault';

export class WasiError extends Error {
  constructor(
    readonly errno: number,
    message = '',
    /** When set, the failure is a security event of this kind (the host reports it). */
    readonly security?: SecurityReason,
  ) {
    super(message);
    this.name = 'WasiError';
  }
}

/** An out-of-bounds guest pointer or length: EFAULT and a memory-fault security event. */
export class MemoryFault extends WasiError {
  constructor(ptr: number, len: number, size: number) {
    super(E.FAULT, `guest range [${ptr}, +${len}) is outside linear memory (${size} bytes)`, 'memory-fault');
    this.name = 'MemoryFault';
  }
}

/** Thrown by proc_exit, caught by WasiHost.run(); unwinds the wasm stack. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
    this.name = 'ProcExit';
  }
}
