// The audit trail on disk: one JSON object per line, each carrying `prevHash` (the previous
// line's hash) and `hash` = sha256 (or HMAC-SHA256 with a key) of the line's own text without the
// hash. A header line opens the chain, an end line closes it with the record count. verifyAuditLog
// streams the file and names the first line that was edited, removed, reordered or cut off.
//
// Without a key anyone who edits the file can recompute the whole chain; with a key (kept away
// from the file) they cannot, and publishing the last hash elsewhere anchors the trail too.
import * as crypto from 'node:crypto';
import type { RuntimeEvent } from '../runtime/events';
import { DEFAULT_CHUNK_BYTES, LineWriter, plainJsonMembers, readLines } from './json-lines';

export const AUDIT_FORMAT = 'wasiscope-audit';
export const AUDIT_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditLogOptions {
  /** Flush to disk whenever this many bytes are buffered (default 1 MiB). */
  chunkBytes?: number;
  /** HMAC key: makes the chain unforgeable by someone without the key. */
  key?: string | Uint8Array;
  /** Free-form facts about the run for the header (module, policy, deterministic...). */
  meta?: Record<string, unknown>;
}

// crypto.hash (Node >= 20.12) hashes in one call, about twice as fast as a Hash object.
const oneShot = (crypto as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash;

function hasher(key: string | Uint8Array | undefined): (body: string | Uint8Array) => string {
  if (key !== undefined) return (body) => crypto.createHmac('sha256', key).update(body).digest('hex');
  if (oneShot) return (body) => oneShot('sha256', body, 'hex');
  return (body) => crypto.createHash('sha256').update(body).digest('hex');
}

const SUFFIX_RE = /,"hash":"([0-9a-f]{64})"}$/;

export class AuditLogWriter {
  private readonly out: LineWriter;
  private readonly hash: (body: string | Uint8Array) => string;
  private prev = GENESIS_HASH;
  private n = 0;
  private closed = false;

  constructor(
    readonly path: string,
    o: AuditLogOptions = {},
  ) {
    this.out = new LineWriter(path, o.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.hash = hasher(o.key);
    this.append({ kind: 'audit-header', format: AUDIT_FORMAT, version: AUDIT_VERSION, keyed: o.key !== undefined, ...(o.meta ?? {}) });
  }

  /** Events written so far (header and end excluded). */
  get count(): number {
    return Math.max(0, this.n - 1);
  }

  get lastHash(): string {
    return this.prev;
  }

  private append(record: Record<string, unknown>): void {
    this.n++;
    const members = plainJsonMembers(record);
    const body = `{"n":${this.n},${members.length > 0 ? `${members},` : ''}"prevHash":"${this.prev}"}`;
    // The hash covers the UTF-8 of body, as verifyAuditLog recomputes it from the line's text.
    this.prev = this.out.writeDigested(body, this.hash);
  }

  write(event: RuntimeEvent): void {
    if (this.closed) throw new Error(`${this.path}: audit event after close`);
    this.append(event as unknown as Record<string, unknown>);
  }

  /** Forces buffered lines to disk (they are also flushed at every chunk). */
  flush(): void {
    this.out.flush();
  }

  close(): void {
    if (this.closed) return;
    this.append({ kind: 'audit-end', records: this.count });
    this.closed = true;
    this.out.close();
  }
}

export type AuditProblem = 'malformed' | 'edited' | 'removed-or-reordered' | 'truncated' | 'empty';

export interface AuditVerifyResult {
  ok: boolean;
  /** Event records checked (header and end excluded). */
  records: number;
  lastHash: string;
  /** The first problem: its 1-based line number and what it looks like. */
  problem?: { line: number; kind: AuditProblem; message: string };
}

/** Checks the whole chain, streaming; stops at the first broken line and says which one. */
export function verifyAuditLog(path: string, o: { key?: string | Uint8Array } = {}): AuditVerifyResult {
  const hash = hasher(o.key);
  let prev = GENESIS_HASH;
  let line = 0;
  let sawEnd = false;
  let endRecords = -1;
  const fail = (kind: AuditProblem, message: string): AuditVerifyResult => ({
    ok: false,
    records: Math.max(0, line - 2),
    lastHash: prev,
    problem: { line, kind, message },
  });
  for (const text of readLines(path)) {
    line++;
    if (text.length === 0) {
      line--;
      continue;
    }
    if (sawEnd) return fail('malformed', `line ${line} follows the end record`);
    const m = SUFFIX_RE.exec(text);
    if (!m) return fail('malformed', `line ${line} has no trailing "hash"`);
    const body = `${text.slice(0, m.index)}}`;
    let rec: { n?: unknown; kind?: unknown; prevHash?: unknown; records?: unknown };
    try {
      rec = JSON.parse(body) as typeof rec;
    } catch {
      return fail('malformed', `line ${line} is not JSON`);
    }
    if (hash(body) !== m[1]) return fail('edited', `line ${line} was changed after it was written (its hash does not match its content)`);
    if (rec.prevHash !== prev) {
      return fail('removed-or-reordered', `line ${line} does not follow line ${line - 1}: a line was removed, inserted or moved before line ${line}`);
    }
    if (rec.n !== line) return fail('removed-or-reordered', `line ${line} carries record number ${String(rec.n)}`);
    if (line === 1 && rec.kind !== 'audit-header') return fail('malformed', 'line 1 is not an audit header');
    if (rec.kind === 'audit-end') {
      sawEnd = true;
      endRecords = typeof rec.records === 'number' ? rec.records : -1;
    }
    prev = m[1];
  }
  if (line === 0) return { ok: false, records: 0, lastHash: prev, problem: { line: 0, kind: 'empty', message: 'the file is empty' } };
  if (!sawEnd) {
    line++;
    return fail('truncated', `no end record after line ${line - 1}: the trail was cut off (or its writer never closed)`);
  }
  if (endRecords !== line - 2) return fail('removed-or-reordered', `the end record counts ${endRecords} events, the file holds ${line - 2}`);
  return { ok: true, records: line - 2, lastHash: prev };
}
