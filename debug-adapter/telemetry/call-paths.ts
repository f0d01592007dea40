// Which paths a host call names, from its decoded arguments. The WASI host records a path both as
// the guest gave it (`path`, `old_path`, `new_path`) and as the full guest path it resolves to
// (`guest_path`, `old_guest_path`, `new_guest_path`); the full one is preferred, so a call counts
// each path once and the same file is one entry whichever directory fd reached it.
import type { DecodedValue } from '../runtime/events';

const PATH_KEY = /path$/i;
const NO_PATHS: string[] = [];

/** Every capability event passes through here (report and tracer): no allocation for calls without paths. */
export function pathsInArgs(args: Record<string, DecodedValue>): string[] {
  let out: string[] | undefined;
  for (const k of Object.keys(args)) {
    // Cheap pre-test (last letter h/H) before the regex: most keys (fd, iovs, bytes...) end otherwise.
    if ((k.charCodeAt(k.length - 1) | 32) !== 104) continue;
    const v = args[k];
    if (typeof v !== 'string' || !PATH_KEY.test(k)) continue;
    if (!/guest_path$/i.test(k)) {
      const guestKey = k === 'path' ? 'guest_path' : `${k.slice(0, -4)}guest_path`;
      if (typeof args[guestKey] === 'string') continue;
    }
    (out ??= []).push(v);
  }
  return out ?? NO_PATHS;
}
