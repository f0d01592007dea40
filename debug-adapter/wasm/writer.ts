// encodeModule: Module -> bytes. Sections nobody changed are copied byte for byte from the
// original (so an unchanged module round-trips exactly and a 16 MB module is written at memcpy
// speed); changed ones (`dirty`, a different entry count, a replaced body) are encoded from the
// structures, mirroring reader.ts section by section.

import { ByteWriter } from './byte-writer';
import { readU32 } from './leb128';
import { decodeNameSection, encodeNameSection } from './name-section';
import {
  EXTERN_KINDS, SECTION_ORDER, SectionId,
  type ConstExpr, type ElemSegment, type FunctionBody, type GlobalType, type Limits, type Module,
  type SectionRecord, type TableType, type ValType,
} from './module';

export interface EncodeOptions {
  /**
   * Encode every section from the structures (custom sections too, re-encoding the name section
   * when it decodes), ignoring the original bytes. For tests: gives identical bytes when the
   * original used minimal encodings, and bytes that parse to equal structures otherwise.
   */
  forceReencode?: boolean;
}

export function writeValType(w: ByteWriter, t: ValType): void {
  if (typeof t === 'number') w.u8(t);
  else {
    w.u8(t.nullable ? 0x63 : 0x64);
    w.s33(t.heap);
  }
}

export function writeLimits(w: ByteWriter, l: Limits): void {
  w.u8(l.flags);
  const is64 = (l.flags & 4) !== 0;
  if (is64) w.u64(l.min);
  else w.u32(l.min);
  if (l.flags & 1) {
    const max = l.max ?? 0;
    if (is64) w.u64(max);
    else w.u32(max);
  }
}

function writeTableType(w: ByteWriter, t: TableType): void {
  writeValType(w, t.elemType);
  writeLimits(w, t.limits);
}

function writeGlobalType(w: ByteWriter, g: GlobalType): void {
  writeValType(w, g.type);
  w.u8(g.mutable ? 1 : 0);
}

function writeExpr(w: ByteWriter, e: ConstExpr): void {
  w.bytes(e);
}

/** Entry count of a vector section in the current structures (-1 for non-vector sections). */
function structCount(m: Module, id: SectionId): number {
  switch (id) {
    case SectionId.Type: return m.types.length;
    case SectionId.Import: return m.imports.length;
    case SectionId.Function: return m.funcs.length;
    case SectionId.Table: return m.tables.length;
    case SectionId.Memory: return m.memories.length;
    case SectionId.Tag: return m.tags.length;
    case SectionId.Global: return m.globals.length;
    case SectionId.Export: return m.exports.length;
    case SectionId.Element: return m.elements.length;
    case SectionId.Code: return m.bodies.length;
    case SectionId.Data: return m.data.length;
    case SectionId.Start: return m.start === null ? 0 : 1;
    case SectionId.DataCount: return m.dataCount === null ? 0 : 1;
    default: return -1;
  }
}

function sectionChanged(m: Module, s: SectionRecord): boolean {
  if (s.dirty || s.start < 0) return true;
  if (s.id === SectionId.Custom) return false;
  if (s.id === SectionId.Start || s.id === SectionId.DataCount) {
    const now = s.id === SectionId.Start ? m.start : m.dataCount;
    return now === null || now !== readU32(m.bytes, s.contentStart, s.end);
  }
  if (structCount(m, s.id) !== s.count) return true;
  if (s.id === SectionId.Code) {
    for (const b of m.bodies) if (b.replacement) return true;
  }
  return false;
}

/**
 * The sections to emit, in order: the original records plus a new record for each standard
 * section whose structure became non-empty, inserted right after the last earlier section.
 */
function plan(m: Module): SectionRecord[] {
  const out = m.sections.slice();
  const rankOf = (id: number) => SECTION_ORDER.indexOf(id);
  for (const id of SECTION_ORDER) {
    if (structCount(m, id) <= 0 || out.some((s) => s.id === id)) continue;
    let at = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i].id !== SectionId.Custom && rankOf(out[i].id) < rankOf(id)) at = i + 1;
    }
    out.splice(at, 0, { id, start: -1, contentStart: -1, end: -1, dirty: true, count: 0 });
  }
  return out;
}

/** Where things landed in the output of encodeModuleWithLayout. */
export interface ModuleLayout {
  /** Every emitted section, in output order (offsets into the output bytes). */
  sections: { id: SectionId; start: number; contentStart: number; end: number; name?: string }[];
  /**
   * For each body (same order as Module.bodies): output offset of its first byte after the size
   * LEB (the locals declaration); add the locals length to get the first instruction.
   */
  bodyStarts: Uint32Array;
}

export function encodeModule(m: Module, options: EncodeOptions = {}): Uint8Array {
  return encode(m, options, null).bytes;
}

/** encodeModule plus the output positions of sections and bodies (for offset maps). */
export function encodeModuleWithLayout(m: Module, options: EncodeOptions = {}): { bytes: Uint8Array; layout: ModuleLayout } {
  const layout: ModuleLayout = { sections: [], bodyStarts: new Uint32Array(m.bodies.length) };
  return { bytes: encode(m, options, layout).bytes, layout };
}

function encode(m: Module, options: EncodeOptions, layout: ModuleLayout | null): { bytes: Uint8Array } {
  const force = options.forceReencode ?? false;
  const w = new ByteWriter(m.bytes.length + 1024);
  w.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d));
  w.u8(m.version & 0xff);
  w.u8((m.version >>> 8) & 0xff);
  w.u8((m.version >>> 16) & 0xff);
  w.u8((m.version >>> 24) & 0xff);
  for (const s of plan(m)) {
    const start = w.len;
    if (!force && !sectionChanged(m, s)) {
      w.bytes(m.bytes, s.start, s.end);
      if (layout) {
        const shift = start - s.start;
        layout.sections.push({ id: s.id, start, contentStart: s.contentStart + shift, end: w.len, name: s.custom?.name });
        if (s.id === SectionId.Code) m.bodies.forEach((b, i) => (layout.bodyStarts[i] = b.start + shift));
      }
      continue;
    }
    if ((s.id === SectionId.Start && m.start === null) || (s.id === SectionId.DataCount && m.dataCount === null)) {
      continue; // removed by an editor
    }
    w.u8(s.id);
    const mark = w.beginSize();
    encodeSection(w, m, s, force, layout);
    const before = w.len;
    w.endSize(mark);
    if (layout) {
      const width = w.len - before;
      layout.sections.push({ id: s.id, start, contentStart: mark + width, end: w.len, name: s.custom?.name });
      if (s.id === SectionId.Code) for (let i = 0; i < layout.bodyStarts.length; i++) layout.bodyStarts[i] += width;
    }
  }
  return { bytes: w.finish() };
}

function vec<T>(w: ByteWriter, items: readonly T[], each: (item: T) => void): void {
  w.u32(items.length);
  for (const it of items) each(it);
}

function encodeSection(w: ByteWriter, m: Module, s: SectionRecord, force: boolean, layout: ModuleLayout | null): void {
  switch (s.id) {
    case SectionId.Custom: {
      const c = s.custom;
      if (!c) throw new Error('custom section record without its custom section');
      w.name(c.name);
      let content = c.content;
      if (force && c.name === 'name') {
        try {
          content = encodeNameSection(decodeNameSection(content));
        } catch {
          // A malformed name section is kept as it was: custom sections must never fail a write.
        }
      }
      w.bytes(content);
      return;
    }
    case SectionId.Type:
      vec(w, m.types, (t) => {
        w.u8(0x60);
        vec(w, t.params, (p) => writeValType(w, p));
        vec(w, t.results, (p) => writeValType(w, p));
      });
      return;
    case SectionId.Import:
      vec(w, m.imports, (imp) => {
        w.name(imp.module);
        w.name(imp.name);
        const d = imp.desc;
        w.u8(EXTERN_KINDS.indexOf(d.kind));
        switch (d.kind) {
          case 'func': w.u32(d.type); break;
          case 'table': writeTableType(w, d.table); break;
          case 'memory': writeLimits(w, d.memory); break;
          case 'global': writeGlobalType(w, d.global); break;
          case 'tag': w.u8(d.tag.attribute); w.u32(d.tag.type); break;
        }
      });
      return;
    case SectionId.Function:
      vec(w, m.funcs, (t) => w.u32(t));
      return;
    case SectionId.Table:
      vec(w, m.tables, (t) => {
        if (t.init) {
          w.u8(0x40);
          w.u8(0x00);
          writeTableType(w, t.type);
          writeExpr(w, t.init);
        } else writeTableType(w, t.type);
      });
      return;
    case SectionId.Memory:
      vec(w, m.memories, (l) => writeLimits(w, l));
      return;
    case SectionId.Tag:
      vec(w, m.tags, (t) => {
        w.u8(t.attribute);
        w.u32(t.type);
      });
      return;
    case SectionId.Global:
      vec(w, m.globals, (g) => {
        writeGlobalType(w, g.type);
        writeExpr(w, g.init);
      });
      return;
    case SectionId.Export:
      vec(w, m.exports, (e) => {
        w.name(e.name);
        w.u8(EXTERN_KINDS.indexOf(e.kind));
        w.u32(e.index);
      });
      return;
    case SectionId.Start:
      w.u32(m.start ?? 0);
      return;
    case SectionId.Element:
      vec(w, m.elements, (e) => writeElem(w, e));
      return;
    case SectionId.DataCount:
      w.u32(m.dataCount ?? m.data.length);
      return;
    case SectionId.Code:
      writeCode(w, m, force, layout);
      return;
    case SectionId.Data:
      vec(w, m.data, (d) => {
        w.u32(d.flags);
        if (d.flags === 2) w.u32(d.memory);
        if (d.flags !== 1) writeExpr(w, d.offset ?? EMPTY_OFFSET);
        w.u32(d.data.length);
        w.bytes(d.data);
      });
      return;
  }
}

/** `i32.const 0; end`, used when a segment lost its offset expression. */
const EMPTY_OFFSET = Uint8Array.of(0x41, 0x00, 0x0b);

function writeElem(w: ByteWriter, e: ElemSegment): void {
  const f = e.flags;
  w.u32(f);
  if ((f & 1) === 0) {
    if (f & 2) w.u32(e.table);
    writeExpr(w, e.offset ?? EMPTY_OFFSET);
  }
  if (f & 3) {
    if (f & 4) writeValType(w, e.type);
    else w.u8(0x00);
  }
  if (f & 4) vec(w, e.exprs ?? [], (x) => writeExpr(w, x));
  else vec(w, e.funcs ?? [], (i) => w.u32(i));
}

function writeCode(w: ByteWriter, m: Module, force: boolean, layout: ModuleLayout | null): void {
  const src = m.bytes;
  w.u32(m.bodies.length);
  for (let i = 0; i < m.bodies.length; i++) {
    const b = m.bodies[i];
    if (b.replacement) {
      w.u32(b.replacement.length);
      if (layout) layout.bodyStarts[i] = w.len;
      w.bytes(b.replacement);
    } else if (force) {
      const mark = w.beginSize();
      writeLocals(w, b);
      w.bytes(src, b.codeStart, b.end);
      w.endSize(mark);
      if (layout) layout.bodyStarts[i] = mark + (w.len - mark - (b.end - b.codeStart) - localsLength(b));
    } else {
      w.bytes(src, b.sizeStart, b.end);
      if (layout) layout.bodyStarts[i] = w.len - (b.end - b.start);
    }
  }
}

function localsLength(b: Pick<FunctionBody, 'locals'>): number {
  const w = new ByteWriter(16);
  writeLocals(w, b);
  return w.len;
}

/** The locals declaration of a body, as it is encoded at the start of the body. */
export function writeLocals(w: ByteWriter, b: Pick<FunctionBody, 'locals'>): void {
  vec(w, b.locals, (l) => {
    w.u32(l.count);
    writeValType(w, l.type);
  });
}
