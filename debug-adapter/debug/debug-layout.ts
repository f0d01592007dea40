// What the debug-mode instrumentation leaves in a module for the engine: the names of the site
// hook and of the exported per-function arming globals, scratch globals (spilled locals), module
// globals and memories, and each function's local layout. (Until the instrumenter's debug mode
// lands in instrument/types.ts these shapes are declared here.)
import type { InstrumentedModule } from '../instrument/types';

/** Import `__wasiscope.site (param i32 funcIndex) (param i32 originalOffset) (result i32)`: nonzero reloads the spilled locals. */
export const HOOK_SITE = 'site';
export type ScratchType = 'i32' | 'i64' | 'f32' | 'f64';
/** Mutable i32 global: 1 arms function `f`'s sites. */
export const dbgExportName = (f: number): string => `__wasiscope_dbg${f}`;
export const scratchExportName = (t: ScratchType, k: number): string => `__wasiscope_s${t}_${k}`;
export const globalExportName = (g: number): string => `__wasiscope_g${g}`;
export const memoryExportName = (m: number): string => `__wasiscope_mem${m}`;

export interface DebugLayout {
  /** Original offsets where a site check was placed, ascending. */
  sites: Uint32Array;
  /** Requested sites that were not placed (not an instruction start, or unreachable code). */
  skipped: number;
  /** Per defined function: each local's value type byte (params first); 0 for reference types. */
  localTypes: Uint8Array[];
  /** Per defined function: each local's scratch slot in its type's scratch globals (-1: not spilled). */
  localSlots: Int32Array[];
  scratch: Record<ScratchType, number>;
}

export function debugLayout(im: InstrumentedModule): DebugLayout | undefined {
  return (im as InstrumentedModule & { debug?: DebugLayout }).debug;
}
