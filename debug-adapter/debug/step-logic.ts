// Source-level stepping as decisions over breakpoint sites: when a step starts, which functions to
// arm (so their sites call the host); at each armed site hit, whether to stop. Depth is the number
// of the module's frames on the stack (computed only on armed hits), a line key identifies one
// source line (0 = a site without a source line, never a step target). Pure, so it is unit-tested
// without running anything.

/** Site flags, one byte per site (see module-debug-info.ts, which computes them). */
export const SITE = {
  /** A statement start with a source line: breakpoints bind here. */
  LINE: 1,
  /** The function's first instruction. */
  ENTRY: 2,
  /** Right after a call: where a step out lands (the caller's line). */
  RETURN: 4,
  /** Before the function's prologue end: step-in passes over it to the first statement. */
  PROLOGUE: 8,
  /** A loop header (functions without line information). */
  LOOP: 16,
} as const;

export type StepMode = 'over' | 'in' | 'out';

export interface StepStart {
  mode: StepMode;
  /** Depth of the frame the step started in. */
  depth: number;
  line: number;
  funcIndex: number;
}

export interface SiteHit {
  depth: number;
  line: number;
  flags: number;
  funcIndex: number;
}

/** Whether a step that started at `s` stops at the armed site `hit`. */
export function stepStopsAt(s: StepStart, hit: SiteHit): boolean {
  if (hit.line === 0) return false;
  const isReturn = (hit.flags & SITE.RETURN) !== 0;
  const prologue = (hit.flags & SITE.PROLOGUE) !== 0;
  if (hit.depth < s.depth) return true; // the frame returned: the caller's line
  switch (s.mode) {
    case 'out':
      return false;
    case 'over':
      if (hit.depth > s.depth) return false;
      // Same depth but another function: the start frame returned and the caller called again
      // without us seeing the return point. Stop rather than run away.
      if (hit.funcIndex !== s.funcIndex) return !prologue;
      return !isReturn && hit.line !== s.line;
    case 'in':
      if (prologue) return false;
      if (hit.depth > s.depth) return true;
      if (hit.funcIndex !== s.funcIndex) return true;
      return !isReturn && hit.line !== s.line;
  }
}

/**
 * Functions to arm for a step: `all` for step-in (any callee may be entered), else the functions
 * on the stack (the current one and every caller a return may land in).
 */
export function stepArming(mode: StepMode, stackFuncs: readonly number[]): 'all' | Set<number> {
  if (mode === 'in') return 'all';
  // Stepping out of a function that is not also a caller need not arm it: a hot loop in it then
  // runs at full speed until it returns.
  if (mode === 'out' && stackFuncs.length > 1 && !stackFuncs.slice(1).includes(stackFuncs[0])) return new Set(stackFuncs.slice(1));
  return new Set(stackFuncs);
}
