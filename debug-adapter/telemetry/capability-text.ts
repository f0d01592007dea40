// One line of text per capability event, in the style of wazero's host logging, which users find
// the most readable: `path_open(fd=3 (preopen /data), path="input.txt", oflags=[]) => opened_fd=4`
// followed by the errno. Used by the CLI demo, the debug console and span attributes.
import type { CapabilityEvent, DecodedValue } from '../runtime/events';

function formatDecoded(v: DecodedValue): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 128 ? `${v.slice(0, 125)}...` : v);
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.join('|')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}=${formatDecoded(x)}`)
    .join(', ')}}`;
}

/** `k=v, k=v` with strings quoted, flags joined by `|`; capped at 512 characters. */
export function summarize(values: Record<string, DecodedValue>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(values)) parts.push(`${k}=${formatDecoded(v)}`);
  const s = parts.join(', ');
  return s.length > 512 ? `${s.slice(0, 509)}...` : s;
}

/** Rights masks: complete in the trail, but they drown a one-line view. */
export const RIGHTS_KEYS = ['fs_rights_base', 'fs_rights_inheriting', 'rights_base', 'rights_inheriting'];

function without(values: Record<string, DecodedValue>, omit: readonly string[]): Record<string, DecodedValue> {
  if (omit.length === 0) return values;
  return Object.fromEntries(Object.entries(values).filter(([k]) => !omit.includes(k)));
}

/** `func(args) => results errno`, with a marker for denied calls; `omit` drops keys (e.g. RIGHTS_KEYS). */
export function formatCapabilityCall(e: CapabilityEvent, omit: readonly string[] = []): string {
  const res = without(e.results, omit);
  const results = Object.keys(res).length > 0 ? ` => ${summarize(res)}` : '';
  const denied = e.denied ? ' [DENIED by policy]' : '';
  return `${e.func}(${summarize(without(e.args, omit))})${results} ${e.errnoName}${denied}`;
}
