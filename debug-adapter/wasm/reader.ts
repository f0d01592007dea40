// parseModule: bytes -> Module, for the whole binary format (see opcodes.ts for the operators).
// Structural decoding only (no type checking): every malformed input becomes a WasmDecodeError
// naming the problem and its byte offset. Counts are checked against the bytes left before any
// array is sized by them, so a hostile count cannot make the reader allocate or loop.

import { WasmDecodeError, hex } from './errors';
import * as leb128 from './leb128';
import * as scanner from './instr-scanner';
import type { InstrCursor } from './instr-scanner';
import {
  EXTERN_KINDS, SECTION_NAMES, SECTION_ORDER, SectionId,
  type ConstExpr, type CustomSection, type DataSegment, type ElemSegment, type Export, type FuncType,
  type FunctionBody, type Global, type GlobalType, type Import, type Limits, type LocalDecl, type Module,
  type SectionRecord, type Table, type TableType, type TagType, type ValType,
} from './module';

export interface ParseOptions {
  /**
   * Scan every instruction of every function body (default true): rejects unknown opcodes and
   * malformed immediates at parse time, and checks the data count rule. Set false when the bodies
   * will be scanned anyway (e.g. by the instrumenter) to save one pass.
   */
  checkBodies?: boolean;
}

// Imported functions as module constants: under a CommonJS transform (tsx) each imported name
// is a getter call, which is measurable in per-instruction loops.
const { leb, readS33, readU32, readU64Num } = leb128;
const { newCursor, scanExpr, scanInstr } = scanner;

const MAGIC = 0x6d736100;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Rank of a section id in the required order (custom sections have no rank). */
const RANK: number[] = [];
SECTION_ORDER.forEach((id, i) => (RANK[id] = i + 1));

class Reader {
  p = 0;
  constructor(readonly b: Uint8Array, public end: number) {}

  fail(what: string, detail?: string, at = this.p): never {
    throw new WasmDecodeError(at, what, detail);
  }

  u8(what: string): number {
    if (this.p >= this.end) this.fail('unexpected end', `${what} is missing (end of section or function)`);
    return this.b[this.p++];
  }

  u32(): number {
    const v = readU32(this.b, this.p, this.end);
    this.p = leb.end;
    return v;
  }

  /** A vector length: at most one element per `minBytes` bytes remaining. */
  count(what: string, minBytes = 1): number {
    const at = this.p;
    const n = this.u32();
    const left = this.end - this.p;
    if (n > left / minBytes) {
      this.fail(`${what} count too large`, `${n} entries but only ${left} bytes left in the section (length out of bounds)`, at);
    }
    return n;
  }

  bytes(n: number, what: string): Uint8Array {
    if (n > this.end - this.p) {
      this.fail('unexpected end', `${what} of ${n} bytes runs past the end (length out of bounds; ${this.end - this.p} left)`);
    }
    const out = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return out;
  }

  name(what: string): string {
    const at = this.p;
    const len = this.u32();
    const raw = this.bytes(len, what);
    let ascii = true;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return raw.length < 4096 ? String.fromCharCode.apply(null, raw as unknown as number[]) : utf8.decode(raw);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('malformed UTF-8 encoding', `${what} is not valid UTF-8`, at);
    }
  }

  valType(what = 'value type'): ValType {
    const at = this.p;
    const b = this.u8(what);
    if (b === 0x63 || b === 0x64) {
      const heap = readS33(this.b, this.p, this.end);
      this.p = leb.end;
      return { nullable: b === 0x63, heap };
    }
    if ((b >= 0x7b && b <= 0x7f) || (b >= 0x69 && b <= 0x74)) return b;
    return this.fail('malformed value type', `${what} byte ${hex(b)}`, at);
  }

  refType(what: string): ValType {
    const at = this.p;
    const t = this.valType(what);
    if (typeof t === 'number' && t >= 0x7b) this.fail('malformed reference type', `${what} byte ${hex(t)}`, at);
    return t;
  }

  limits(kind: 'memory' | 'table'): Limits {
    const at = this.p;
    const flags = this.u8('limits flags');
    const allowed = kind === 'memory' ? flags <= 7 : flags <= 5 && (flags & 2) === 0;
    if (!allowed) {
      this.fail('malformed limits flags', `${kind} limits flags ${hex(flags)}${flags & 8 ? ' (custom page sizes are not supported)' : ''}`, at);
    }
    const is64 = (flags & 4) !== 0;
    const min = is64 ? this.u64n() : this.u32();
    const max = flags & 1 ? (is64 ? this.u64n() : this.u32()) : null;
    return { flags, min, max };
  }

  private u64n(): number {
    const v = readU64Num(this.b, this.p, this.end);
    this.p = leb.end;
    return v;
  }

  globalType(): GlobalType {
    const type = this.valType('global type');
    const at = this.p;
    const m = this.u8('global mutability');
    if (m > 1) this.fail('malformed mutability', `byte ${hex(m)}`, at);
    return { type, mutable: m === 1 };
  }

  tableType(): TableType {
    const elemType = this.refType('table element type');
    return { elemType, limits: this.limits('table') };
  }

  tagType(): TagType {
    const at = this.p;
    const attribute = this.u8('tag attribute');
    if (attribute !== 0) this.fail('malformed tag attribute', `${hex(attribute)} (expected 0x00)`, at);
    return { attribute, type: this.u32() };
  }

  /** A constant expression: scanned up to its matching end; returns its raw bytes. */
  constExpr(cursor: InstrCursor): ConstExpr {
    const start = this.p;
    this.p = scanExpr(this.b, start, this.end, cursor);
    return this.b.subarray(start, this.p);
  }
}

/** Parse a whole module. Throws WasmDecodeError on malformed input. */
export function parseModule(bytes: Uint8Array, options: ParseOptions = {}): Module {
  const checkBodies = options.checkBodies ?? true;
  const r = new Reader(bytes, bytes.length);
  if (bytes.length < 4) r.fail('unexpected end', 'magic header not detected (file shorter than 4 bytes)', 0);
  const magic = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  if (magic !== MAGIC) r.fail('magic header not detected', `expected \\0asm, found ${hex(magic)}`, 0);
  if (bytes.length < 8) r.fail('unexpected end', 'version field is truncated (unknown binary version)', 4);
  const version = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0;
  if (version !== 1) {
    const layer = version >>> 16 === 1 ? ' (a component; only core modules are supported)' : '';
    throw new WasmDecodeError(4, 'unknown binary version', `${hex(version)}${layer}`, layer ? 'unsupported' : 'malformed');
  }
  r.p = 8;

  const m: Module = {
    bytes, version, sections: [], types: [], imports: [], funcs: [], tables: [], memories: [], tags: [],
    globals: [], exports: [], start: null, elements: [], dataCount: null, bodies: [], data: [],
  };
  const cursor = newCursor();
  let lastRank = 0;
  let lastId = -1;
  let usesDataIndex = false;

  while (r.p < bytes.length) {
    const start = r.p;
    const id = bytes[r.p++];
    const sizeAt = r.p;
    r.end = bytes.length;
    const size = r.u32();
    const contentStart = r.p;
    if (size > bytes.length - contentStart) {
      r.fail('section size out of bounds', `${SECTION_NAMES[id] ?? 'section'} size ${size} exceeds the ${bytes.length - contentStart} bytes left (length out of bounds / unexpected end)`, sizeAt);
    }
    const end = contentStart + size;
    r.end = end;
    if (id > 13) r.fail('malformed section id', `${id}`, start);
    if (id !== SectionId.Custom) {
      const rank = RANK[id];
      if (rank === lastRank) r.fail(`duplicate ${SECTION_NAMES[id]} section`, 'unexpected content after last section', start);
      if (rank < lastRank) {
        r.fail(`${SECTION_NAMES[id]} section out of order`, `it must come before the ${SECTION_NAMES[lastId]} section (unexpected content after last section)`, start);
      }
      lastRank = rank;
      lastId = id;
    }
    const rec: SectionRecord = { id, start, contentStart, end, dirty: false, count: 0 };
    switch (id) {
      case SectionId.Custom: {
        const name = r.name('custom section name');
        rec.custom = { name, content: bytes.subarray(r.p, end) } satisfies CustomSection;
        r.p = end;
        break;
      }
      case SectionId.Type:
        rec.count = readTypes(r, m.types);
        break;
      case SectionId.Import:
        rec.count = readImports(r, m.imports);
        break;
      case SectionId.Function: {
        const n = r.count('function');
        for (let i = 0; i < n; i++) m.funcs.push(r.u32());
        rec.count = n;
        break;
      }
      case SectionId.Table: {
        const n = r.count('table', 3);
        for (let i = 0; i < n; i++) m.tables.push(readTable(r, cursor));
        rec.count = n;
        break;
      }
      case SectionId.Memory: {
        const n = r.count('memory', 2);
        for (let i = 0; i < n; i++) m.memories.push(r.limits('memory'));
        rec.count = n;
        break;
      }
      case SectionId.Tag: {
        const n = r.count('tag', 2);
        for (let i = 0; i < n; i++) m.tags.push(r.tagType());
        rec.count = n;
        break;
      }
      case SectionId.Global: {
        const n = r.count('global', 3);
        for (let i = 0; i < n; i++) {
          const type = r.globalType();
          m.globals.push({ type, init: r.constExpr(cursor) } satisfies Global);
        }
        rec.count = n;
        break;
      }
      case SectionId.Export:
        rec.count = readExports(r, m.exports);
        break;
      case SectionId.Start:
        m.start = r.u32();
        break;
      case SectionId.Element: {
        const n = r.count('element segment', 2);
        for (let i = 0; i < n; i++) m.elements.push(readElem(r, cursor));
        rec.count = n;
        break;
      }
      case SectionId.DataCount:
        m.dataCount = r.u32();
        break;
      case SectionId.Code: {
        const n = r.count('function body', 2);
        if (n !== m.funcs.length) {
          r.fail('function and code section have inconsistent lengths', `${m.funcs.length} functions declared, ${n} bodies`, contentStart);
        }
        for (let i = 0; i < n; i++) {
          const body = readBody(r);
          if (checkBodies) {
            const stop = scanBody(bytes, body.codeStart, body.end, cursor);
            if (stop < 0) usesDataIndex = true;
            if (Math.abs(stop) !== body.end) {
              r.fail('section size mismatch', `function body ${i} has bytes after its final end`, Math.abs(stop));
            }
          } else if (bytes[body.end - 1] !== 0x0b) {
            r.fail('END opcode expected', `function body ${i} does not end with end (0x0b)`, body.end - 1);
          }
          m.bodies.push(body);
        }
        rec.count = n;
        break;
      }
      case SectionId.Data: {
        const n = r.count('data segment', 2);
        if (m.dataCount !== null && n !== m.dataCount) {
          r.fail('data count and data section have inconsistent lengths', `datacount says ${m.dataCount}, data section has ${n}`, contentStart);
        }
        for (let i = 0; i < n; i++) m.data.push(readData(r, cursor));
        rec.count = n;
        break;
      }
    }
    if (r.p !== end) {
      r.fail('section size mismatch', `${SECTION_NAMES[id]} section declares ${size} bytes but its contents end at ${hex(r.p)}`, r.p);
    }
    m.sections.push(rec);
  }
  r.end = bytes.length;

  if (m.funcs.length > 0 && m.bodies.length === 0) {
    r.fail('function and code section have inconsistent lengths', `${m.funcs.length} functions declared but there is no code section`, bytes.length);
  }
  if (m.dataCount !== null && m.dataCount !== 0 && !m.sections.some((s) => s.id === SectionId.Data)) {
    r.fail('data count and data section have inconsistent lengths', `datacount says ${m.dataCount} but there is no data section`, bytes.length);
  }
  if (usesDataIndex && m.dataCount === null) {
    r.fail('data count section required', 'memory.init or data.drop is used but the module has no datacount section', bytes.length);
  }
  return m;
}

function readTypes(r: Reader, out: FuncType[]): number {
  const n = r.count('type', 3);
  for (let i = 0; i < n; i++) {
    const at = r.p;
    const form = r.u8('type form');
    if (form !== 0x60) {
      const gc: Record<number, string> = { 0x4e: 'rec group', 0x50: 'sub type', 0x4f: 'final sub type', 0x5f: 'struct type', 0x5e: 'array type' };
      const feature = gc[form];
      if (feature) throw new WasmDecodeError(at, `unsupported GC ${feature} (${hex(form)})`, `type ${i}`, 'unsupported');
      r.fail('malformed type form', `type ${i} starts with ${hex(form)}, expected 0x60 (func)`, at);
    }
    const np = r.count('parameter');
    const params: ValType[] = [];
    for (let j = 0; j < np; j++) params.push(r.valType('parameter type'));
    const nr = r.count('result');
    const results: ValType[] = [];
    for (let j = 0; j < nr; j++) results.push(r.valType('result type'));
    out.push({ params, results });
  }
  return n;
}

function readImports(r: Reader, out: Import[]): number {
  const n = r.count('import', 4);
  for (let i = 0; i < n; i++) {
    const module = r.name('import module name');
    const name = r.name('import field name');
    const at = r.p;
    const kind = r.u8('import kind');
    switch (kind) {
      case 0:
        out.push({ module, name, desc: { kind: 'func', type: r.u32() } });
        break;
      case 1:
        out.push({ module, name, desc: { kind: 'table', table: r.tableType() } });
        break;
      case 2:
        out.push({ module, name, desc: { kind: 'memory', memory: r.limits('memory') } });
        break;
      case 3:
        out.push({ module, name, desc: { kind: 'global', global: r.globalType() } });
        break;
      case 4:
        out.push({ module, name, desc: { kind: 'tag', tag: r.tagType() } });
        break;
      default:
        r.fail('malformed import kind', `${hex(kind)} for import ${i}`, at);
    }
  }
  return n;
}

function readExports(r: Reader, out: Export[]): number {
  const n = r.count('export', 3);
  for (let i = 0; i < n; i++) {
    const name = r.name('export name');
    const at = r.p;
    const kind = r.u8('export kind');
    if (kind > 4) r.fail('malformed export kind', `${hex(kind)} for export ${i}`, at);
    out.push({ name, kind: EXTERN_KINDS[kind], index: r.u32() });
  }
  return n;
}

function readTable(r: Reader, cursor: InstrCursor): Table {
  if (r.p < r.end && r.b[r.p] === 0x40) {
    const at = r.p;
    r.p++;
    const zero = r.u8('table reserved byte');
    if (zero !== 0) r.fail('malformed table', `byte after 0x40 is ${hex(zero)}, expected 0x00`, at + 1);
    const type = r.tableType();
    return { type, init: r.constExpr(cursor) };
  }
  return { type: r.tableType(), init: null };
}

function readElem(r: Reader, cursor: InstrCursor): ElemSegment {
  const at = r.p;
  const flags = r.u32();
  if (flags > 7) r.fail('malformed elements segment kind', `flags ${flags}`, at);
  const passiveOrDecl = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExprs = (flags & 4) !== 0;
  const mode = !passiveOrDecl ? 'active' : explicitTable ? 'declarative' : 'passive';
  let table = 0;
  let offset: ConstExpr | null = null;
  if (!passiveOrDecl) {
    if (explicitTable) table = r.u32();
    offset = r.constExpr(cursor);
  }
  let type: ValType = 0x70;
  if (passiveOrDecl || explicitTable) {
    if (usesExprs) type = r.refType('element type');
    else {
      const kAt = r.p;
      const kind = r.u8('element kind');
      if (kind !== 0) r.fail('malformed element kind', `${hex(kind)} (only 0x00 funcref)`, kAt);
    }
  }
  let funcs: number[] | null = null;
  let exprs: ConstExpr[] | null = null;
  if (usesExprs) {
    const n = r.count('element expression', 2);
    exprs = [];
    for (let i = 0; i < n; i++) exprs.push(r.constExpr(cursor));
  } else {
    const n = r.count('element function index');
    funcs = [];
    for (let i = 0; i < n; i++) funcs.push(r.u32());
  }
  return { flags, mode, table, offset, type, funcs, exprs };
}

function readData(r: Reader, cursor: InstrCursor): DataSegment {
  const at = r.p;
  const flags = r.u32();
  if (flags > 2) r.fail('malformed data segment kind', `flags ${flags}`, at);
  let memory = 0;
  let offset: ConstExpr | null = null;
  if (flags !== 1) {
    if (flags === 2) memory = r.u32();
    offset = r.constExpr(cursor);
  }
  const len = r.u32();
  const data = r.bytes(len, 'data segment payload');
  return { flags, mode: flags === 1 ? 'passive' : 'active', memory, offset, data };
}

/**
 * Walk a body's instructions to its final end; returns the offset after it, negated when the body
 * uses a data index (memory.init / data.drop), which requires a datacount section.
 */
function scanBody(bytes: Uint8Array, p: number, end: number, c: InstrCursor): number {
  let depth = 1;
  let usesData = false;
  while (depth > 0) {
    scanInstr(bytes, p, end, c);
    const op = c.op;
    const k = op.control;
    if (k !== undefined) {
      if (k === 'block' || k === 'loop' || k === 'if' || k === 'try' || k === 'try_table') depth++;
      else if (k === 'end' || k === 'delegate') depth--;
    } else if (op.prefix === 0xfc && (op.code === 8 || op.code === 9)) usesData = true;
    p = c.end;
  }
  return usesData ? -p : p;
}

function readBody(r: Reader): FunctionBody {
  const sizeStart = r.p;
  const size = r.u32();
  const start = r.p;
  if (size > r.end - start) {
    r.fail('function body out of bounds', `body of ${size} bytes runs past the code section (unexpected end of section or function)`, sizeStart);
  }
  if (size === 0) r.fail('unexpected end', 'empty function body (no locals declaration)', sizeStart);
  const end = start + size;
  const sectionEnd = r.end;
  r.end = end;
  const groups = r.count('local declaration', 2);
  const locals: LocalDecl[] = [];
  let total = 0;
  for (let i = 0; i < groups; i++) {
    const at = r.p;
    const count = r.u32();
    total += count;
    if (total > 0xffffffff) r.fail('too many locals', `${total} locals declared (more than 2^32-1)`, at);
    locals.push({ count, type: r.valType('local type') });
  }
  const codeStart = r.p;
  if (codeStart >= end) r.fail('unexpected end', 'function body has no code (END opcode expected)', codeStart);
  r.end = sectionEnd;
  r.p = end;
  return { sizeStart, start, codeStart, end, locals };
}

/** Read the locals declaration of a replacement body (locals + code bytes), for tools. */
export function readLocals(body: Uint8Array): { locals: LocalDecl[]; codeStart: number } {
  const r = new Reader(body, body.length);
  const n = r.count('local declaration', 2);
  const locals: LocalDecl[] = [];
  for (let i = 0; i < n; i++) locals.push({ count: r.u32(), type: r.valType('local type') });
  return { locals, codeStart: r.p };
}
