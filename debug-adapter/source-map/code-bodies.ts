// Lists the function bodies of the Code section: where each body starts (its locals declaration,
// which is what DWARF DW_AT_low_pc and a sequence's first row point at), where its first
// instruction is, and where it ends. Only locals are decoded; instructions are not.

import { ByteCursor } from './byte-cursor';

export interface CodeBody {
  /** 0-based index among defined functions (function index minus imported functions). */
  definedIndex: number;
  /** Module-relative offset of the body (its locals vector count, just after the size LEB). */
  start: number;
  /** Module-relative offset of the body's first instruction. */
  instrStart: number;
  /** Module-relative end, exclusive (just after the body's final `end`). */
  end: number;
}

export function listCodeBodies(module: Uint8Array, payloadOffset: number, payloadEnd: number): CodeBody[] {
  const c = new ByteCursor(module, 'module', 0, payloadOffset, payloadEnd);
  const count = c.uleb();
  if (count > c.remaining) c.fail(`function count ${count} larger than the Code section`, payloadOffset);
  const bodies: CodeBody[] = [];
  for (let i = 0; i < count; i++) {
    const sizeAt = c.pos;
    const size = c.uleb();
    if (size === 0 || size > c.remaining) c.fail(`function body ${i} has bad size 0x${size.toString(16)}`, sizeAt);
    const start = c.pos;
    const body = c.sub(size);
    const groups = body.uleb();
    for (let g = 0; g < groups; g++) {
      body.uleb();
      const t = body.u8();
      // (ref null? ht): a heap type follows as s33.
      if (t === 0x63 || t === 0x64) body.sleb();
    }
    bodies.push({ definedIndex: i, start, instrStart: body.pos, end: start + size });
    c.pos = start + size;
  }
  return bodies;
}

/** The body containing module offset `offset` (binary search), or undefined. */
export function bodyAt(bodies: readonly CodeBody[], offset: number): CodeBody | undefined {
  let lo = 0;
  let hi = bodies.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bodies[mid];
    if (offset < b.start) hi = mid - 1;
    else if (offset >= b.end) lo = mid + 1;
    else return b;
  }
  return undefined;
}
