// W3C Trace Context (https://www.w3.org/TR/trace-context/) for a run: reading the `traceparent`
// a launch or the environment (TRACEPARENT, as the OpenTelemetry env-carrier spec names it) gives,
// and writing the one the module sees. Parsed here rather than with @opentelemetry/core's
// parseTraceParent because that one accepts all-zero ids and version `ff`, which the spec forbids.

export interface TraceParent {
  version: string;
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span. */
  parentId: string;
  /** Trace flags byte; bit 0 = sampled. */
  traceFlags: number;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const HEX2 = /^[0-9a-f]{2}$/;

/** Parses a traceparent header value; null when it is not valid per the spec. */
export function parseTraceparent(value: string | undefined | null): TraceParent | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const parts = v.split('-');
  if (parts.length < 4) return null;
  const [version, traceId, parentId, flags] = parts;
  if (!HEX2.test(version) || version === 'ff') return null;
  // Version 00 has exactly four fields; later versions may append fields, which we ignore.
  if (version === '00' && parts.length !== 4) return null;
  if (!HEX32.test(traceId) || /^0+$/.test(traceId)) return null;
  if (!HEX16.test(parentId) || /^0+$/.test(parentId)) return null;
  if (!HEX2.test(flags)) return null;
  return { version, traceId, parentId, traceFlags: parseInt(flags, 16) };
}

/** Formats a version-00 traceparent. */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  if (!HEX32.test(traceId) || /^0+$/.test(traceId)) throw new RangeError(`invalid trace id ${traceId}`);
  if (!HEX16.test(spanId) || /^0+$/.test(spanId)) throw new RangeError(`invalid span id ${spanId}`);
  // Only the sampled bit is defined for version 00 (plus the random bit of level 2, kept as is).
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

export function isSampled(traceFlags: number): boolean {
  return (traceFlags & 1) === 1;
}
