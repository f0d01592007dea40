// Recording and replaying a run's host calls.
//
// A recording is JSON lines (bigints and bytes tagged, so they round-trip exactly): a header,
// one line per host call — function, raw arguments, a digest of what the call read from guest
// memory (paths, written data, subscriptions), fuel, errno, the bytes the call left in guest
// memory, the output it produced, the decoded audit event and its security findings — and an end
// line. Replaying answers every call from the recording without touching the file system: the
// same bytes land in guest memory, the same output is produced and the same events are emitted.
// The first call whose function, arguments, inputs or fuel differ from the recording stops the
// replay with a ReplayDivergenceError naming that call, what was expected and what came.
import { createHash } from 'node:crypto';
import type { DecodedValue } from '../runtime/events';
import { DEFAULT_CHUNK_BYTES, LineWriter, parseTagged, readLines, taggedJson } from './json-lines';
import type { GuestMemory } from './guest-memory';
import type { SecurityNote } from './call-context';
import { SIZE } from './wasi-abi';

export const RECORDING_FORMAT = 'wasiscope-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  deterministic: boolean;
  args: string[];
  [k: string]: unknown;
}

export interface RecordedCall {
  seq: number;
  func: string;
  /** Raw arguments as the engine passed them (u32 numbers, i64 bigints). */
  raw: Array<number | bigint>;
  /** Digest of the guest memory the call read (paths, buffers written out, subscriptions). */
  input?: string;
  fuel: bigint;
  time: number;
  durationUs: number;
  errno: number;
  /** Guest memory ranges the call wrote, with their final bytes. */
  writes: Array<[number, Uint8Array]>;
  /** stdout/stderr output the call produced. */
  out?: Array<['stdout' | 'stderr', Uint8Array]>;
  /** proc_exit's code. */
  exit?: number;
  args: Record<string, DecodedValue>;
  results: Record<string, DecodedValue>;
  denied: boolean;
  security?: SecurityNote[];
}

interface RecordingEnd {
  end: true;
  calls: number;
  exitCode?: number;
}

export class Recorder {
  private readonly out: LineWriter;
  private calls = 0;
  private closed = false;

  constructor(
    readonly path: string,
    o: { chunkBytes?: number } = {},
  ) {
    this.out = new LineWriter(path, o.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  }

  /** Called by the host once, before the first call. */
  start(header: Omit<RecordingHeader, 'format' | 'version'>): void {
    this.out.write(taggedJson({ format: RECORDING_FORMAT, version: RECORDING_VERSION, ...header }));
  }

  record(call: RecordedCall): void {
    this.calls++;
    this.out.write(taggedJson(call));
  }

  close(exitCode?: number): void {
    if (this.closed) return;
    this.closed = true;
    const end: RecordingEnd = { end: true, calls: this.calls, ...(exitCode === undefined ? {} : { exitCode }) };
    this.out.write(taggedJson(end));
    this.out.close();
  }
}

export interface Divergence {
  /** Sequence number of the first call that differs. */
  seq: number;
  func: string;
  what: 'function' | 'arguments' | 'inputs' | 'fuel' | 'extra-call' | 'missing-calls' | 'memory';
  expected: unknown;
  actual: unknown;
  message: string;
}

export class ReplayDivergenceError extends Error {
  constructor(readonly divergence: Divergence) {
    super(`replay diverged at call ${divergence.seq} (${divergence.func}): ${divergence.message}`);
    this.name = 'ReplayDivergenceError';
  }
}

export class Replayer {
  readonly header: RecordingHeader;
  private readonly lines: Generator<string>;
  private nextCall: RecordedCall | undefined;
  private ended: RecordingEnd | undefined;
  /** Calls answered so far. */
  answered = 0;

  constructor(readonly path: string) {
    this.lines = readLines(path);
    const first = this.lines.next();
    if (first.done) throw new Error(`${path}: empty recording`);
    const h = parseTagged<RecordingHeader>(first.value);
    if (h.format !== RECORDING_FORMAT) throw new Error(`${path}: not a wasiscope recording`);
    if (h.version !== RECORDING_VERSION) throw new Error(`${path}: recording version ${h.version}, expected ${RECORDING_VERSION}`);
    this.header = h;
    this.advance();
  }

  private advance(): void {
    this.nextCall = undefined;
    for (;;) {
      const r = this.lines.next();
      if (r.done) return;
      if (r.value.length === 0) continue;
      const v = parseTagged<RecordedCall | RecordingEnd>(r.value);
      if ('end' in v) {
        this.ended = v;
        return;
      }
      this.nextCall = v;
      return;
    }
  }

  /** The next recorded call, consumed. */
  next(): RecordedCall | undefined {
    const c = this.nextCall;
    if (c) {
      this.answered++;
      this.advance();
    }
    return c;
  }

  /** The next recorded call without consuming it. */
  peek(): RecordedCall | undefined {
    return this.nextCall;
  }

  get recordedExitCode(): number | undefined {
    return this.ended?.exitCode;
  }

  /** Releases the recording file (also when the replay stopped early). */
  close(): void {
    this.lines.return(undefined);
  }
}

/** Which raw arguments point at guest data a call reads: [pointer index, length index, kind]. */
const INPUTS: Record<string, Array<[number, number, 'bytes' | 'iovecs' | 'subscriptions']>> = {
  fd_write: [[1, 2, 'iovecs']],
  fd_pwrite: [[1, 2, 'iovecs']],
  sock_send: [[1, 2, 'iovecs']],
  poll_oneoff: [[0, 2, 'subscriptions']],
  path_create_directory: [[1, 2, 'bytes']],
  path_filestat_get: [[2, 3, 'bytes']],
  path_filestat_set_times: [[2, 3, 'bytes']],
  path_link: [[2, 3, 'bytes'], [5, 6, 'bytes']],
  path_open: [[2, 3, 'bytes']],
  path_readlink: [[1, 2, 'bytes']],
  path_remove_directory: [[1, 2, 'bytes']],
  path_rename: [[1, 2, 'bytes'], [4, 5, 'bytes']],
  path_symlink: [[0, 1, 'bytes'], [3, 4, 'bytes']],
  path_unlink_file: [[1, 2, 'bytes']],
};

/**
 * A digest of the guest data a call reads, computed the same way when recording and replaying
 * (so a guest that writes different bytes or paths diverges). Undefined for calls that read none.
 */
export function inputDigest(func: string, raw: ReadonlyArray<number | bigint>, mem: GuestMemory): string | undefined {
  const spec = INPUTS[func];
  if (!spec) return undefined;
  const h = createHash('sha1');
  try {
    for (const [pi, li, kind] of spec) {
      const ptr = Number(raw[pi]);
      const len = Number(raw[li]);
      if (kind === 'bytes') h.update(mem.view(ptr, len));
      else if (kind === 'subscriptions') h.update(mem.view(ptr, len * SIZE.SUBSCRIPTION));
      else for (const v of mem.iovecs(ptr, len).views) h.update(v);
      h.update('\0');
    }
  } catch {
    return 'fault';
  }
  return h.digest('hex').slice(0, 20);
}

export function sameRaw(a: ReadonlyArray<number | bigint>, b: ReadonlyArray<number | bigint>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'bigint' || typeof y === 'bigint') {
      if (BigInt(x) !== BigInt(y)) return false;
    } else if (x !== y) return false;
  }
  return true;
}
