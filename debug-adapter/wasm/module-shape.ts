// A plain, offset-free view of a module for equality checks: two modules that differ only in
// how their integers were encoded (padded LEB128s, section sizes) have deep-equal shapes.
// Used by round-trip tests and available to instrumentation tests.

import type { Module } from './module';
import { decodeExpr, type Instr } from './instructions';
import { decodeNameSection } from './name-section';
import { readLocals } from './reader';

/** An instruction without its offset. */
export function instrShape(i: Instr): Record<string, unknown> {
  const { offset: _offset, op, ...rest } = i;
  return { op: op.name, ...rest };
}

function exprShape(bytes: Uint8Array | null): unknown {
  if (!bytes) return null;
  return decodeExpr(bytes, 0, bytes.length).map(instrShape);
}

/** Offset-free deep-comparable shape of every section's contents (bodies fully decoded). */
export function moduleShape(m: Module): Record<string, unknown> {
  const bodies = m.bodies.map((b) => {
    if (b.replacement) {
      const { locals, codeStart } = readLocals(b.replacement);
      return { locals, code: decodeExpr(b.replacement, codeStart, b.replacement.length).map(instrShape) };
    }
    return { locals: b.locals, code: decodeExpr(m.bytes, b.codeStart, b.end).map(instrShape) };
  });
  const sections = m.sections.map((s) => {
    if (!s.custom) return { id: s.id };
    let content: unknown = Array.from(s.custom.content);
    if (s.custom.name === 'name') {
      try {
        content = decodeNameSection(s.custom.content);
      } catch {
        // keep the raw bytes
      }
    }
    return { id: 0, name: s.custom.name, content };
  });
  return {
    version: m.version,
    sections,
    types: m.types,
    imports: m.imports,
    funcs: m.funcs,
    tables: m.tables.map((t) => ({ type: t.type, init: exprShape(t.init) })),
    memories: m.memories,
    tags: m.tags,
    globals: m.globals.map((g) => ({ type: g.type, init: exprShape(g.init) })),
    exports: m.exports,
    start: m.start,
    elements: m.elements.map((e) => ({ ...e, offset: exprShape(e.offset), exprs: e.exprs?.map(exprShape) ?? null })),
    dataCount: m.dataCount,
    data: m.data.map((d) => ({ ...d, offset: exprShape(d.offset), data: Array.from(d.data) })),
    bodies,
  };
}
