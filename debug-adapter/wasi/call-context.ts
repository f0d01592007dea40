// What one host call carries while it runs (decoded arguments and results for the audit trail,
// security findings) and the state every call implementation reaches through HostCore.
import type { DecodedValue } from '../runtime/events';
import { decodeRights, E, RIGHT_NAMES } from './wasi-abi';
import { WasiError, type SecurityReason } from './wasi-error';
import type { FdEntry, FdTable } from './fd-table';
import type { GuestMemory } from './guest-memory';
import type { Sandbox } from './sandbox-resolver';
import type { FileIdentity } from './file-identity';
import type { ClockSource } from './clocks';
import type { RandomSource } from './seeded-random';
import type { PolicyView } from './capability-policy';
import type { StdinSource } from './stdin-source';

export interface SecurityNote {
  reason: SecurityReason;
  message: string;
}

export class Call {
  readonly args: Record<string, DecodedValue> = {};
  readonly results: Record<string, DecodedValue> = {};
  denied = false;
  /** Security findings, created on the first one (most calls have none). */
  security: SecurityNote[] | null = null;
  /** performance.now() when the call began (0 with virtual clocks). */
  startMs = 0;

  constructor(readonly func: string) {}

  /** A policy denial: ENOTCAPABLE, marked denied, with a capability-denied security event. */
  deny(message: string): never {
    throw new WasiError(E.NOTCAPABLE, message, 'capability-denied');
  }

  note(reason: SecurityReason, message: string): void {
    (this.security ??= []).push({ reason, message });
    if (reason === 'capability-denied') this.denied = true;
  }
}

export interface HostCore {
  readonly mem: GuestMemory;
  readonly fds: FdTable;
  readonly sandbox: Sandbox;
  readonly identity: FileIdentity;
  readonly clock: ClockSource;
  readonly random: RandomSource;
  readonly policy: PolicyView;
  readonly args: readonly string[];
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly withheldEnv: readonly string[];
  readonly stdin: StdinSource;
  output(stream: 'stdout' | 'stderr', data: Uint8Array): void;
}

/** Requires `right` on `e`; a right the policy withheld is a denial, any other missing one ENOTCAPABLE. */
export function needRight(c: Call, e: FdEntry, right: number): void {
  if ((e.rightsBase & right) === right) return;
  const missing = right & ~e.rightsBase;
  const name = decodeRights(missing);
  if (e.policyWithheld & missing) c.deny(`policy: ${e.guestPath} is read-only (${name} withheld)`);
  throw new WasiError(E.NOTCAPABLE, `fd lacks right ${name}`);
}

export function rightName(bit: number): string {
  return RIGHT_NAMES[Math.log2(bit)] ?? String(bit);
}
