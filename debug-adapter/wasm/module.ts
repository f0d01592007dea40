// The in-memory shape of a parsed module (what reader.ts produces and writer.ts consumes).
// Everything keeps its place in the original bytes: each section records its byte range and a
// `dirty` flag, each function body its module-relative range, constant expressions and data
// payloads are views into the original buffer. Untouched parts are copied, not re-encoded.

/** Section ids of the binary format. */
export enum SectionId {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
  Tag = 13,
}

export const SECTION_NAMES: readonly string[] = [
  'custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element',
  'code', 'data', 'datacount', 'tag',
];

/** Required order of the non-custom sections (tag sits between memory and global). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/**
 * A value type. Numbers are the one-byte codes (0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64, 0x7b v128,
 * 0x70 funcref, 0x6f externref, 0x69 exnref and the other abbreviated reference types); a RefType
 * is the long form `(ref null? heaptype)` (bytes 0x63 / 0x64).
 */
export type ValType = number | RefType;

export interface RefType {
  nullable: boolean;
  /** s33 heap type: negative = abstract (-16 func, -17 extern, ...), otherwise a type index. */
  heap: number;
}

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

/**
 * Memory or table limits. `min`/`max` are exact up to 2^53 (only memory64/table64 limits can
 * exceed that; they are rounded, and such modules are invalid anyway).
 */
export interface Limits {
  /** The raw flags byte: bit 0 has max, bit 1 shared, bit 2 64-bit addresses. */
  flags: number;
  min: number;
  max: number | null;
}

export interface TableType {
  elemType: ValType;
  limits: Limits;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

export interface TagType {
  /** Always 0 (exception) today. */
  attribute: number;
  type: number;
}

export type ImportDesc =
  | { kind: 'func'; type: number }
  | { kind: 'table'; table: TableType }
  | { kind: 'memory'; memory: Limits }
  | { kind: 'global'; global: GlobalType }
  | { kind: 'tag'; tag: TagType };

export type ExternKind = ImportDesc['kind'];

/** Export/import kind bytes, in binary-format order. */
export const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/**
 * A constant expression (global init, segment offsets, element items, table init): its raw
 * bytes including the final `end`. Decode with `decodeExpr` from instructions.ts if needed.
 */
export type ConstExpr = Uint8Array;

export interface Table {
  type: TableType;
  /** Present for tables declared with an explicit initializer (`0x40 0x00` prefix). */
  init: ConstExpr | null;
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export interface ElemSegment {
  /** Binary encoding flags 0-7; kept so the writer reproduces the same encoding. */
  flags: number;
  mode: 'active' | 'passive' | 'declarative';
  /** Table index (active segments; 0 when implicit). */
  table: number;
  offset: ConstExpr | null;
  /** Element type: funcref for the function-index encodings. */
  type: ValType;
  /** Function indices (flags 0-3) ... */
  funcs: number[] | null;
  /** ... or constant expressions (flags 4-7). */
  exprs: ConstExpr[] | null;
}

export interface DataSegment {
  /** Binary encoding flags 0-2. */
  flags: number;
  mode: 'active' | 'passive';
  memory: number;
  offset: ConstExpr | null;
  /** The payload (a view into the original bytes unless replaced). */
  data: Uint8Array;
}

export interface LocalDecl {
  count: number;
  type: ValType;
}

/**
 * A function body. All offsets are module-relative offsets into `Module.bytes` (the numbers DWARF
 * and V8 use, after subtracting the code section start for DWARF).
 */
export interface FunctionBody {
  /** Offset of the body's size LEB128. */
  sizeStart: number;
  /** Offset of the locals declaration (first byte counted by the size). */
  start: number;
  /** Offset of the first instruction. */
  codeStart: number;
  /** Offset just after the final `end`. */
  end: number;
  locals: LocalDecl[];
  /**
   * New body bytes (locals declaration + code, without the size prefix), set by an instrumenter;
   * the writer emits these instead of the original range. Use `replaceBody` (module-edit.ts).
   */
  replacement?: Uint8Array;
}

export interface CustomSection {
  name: string;
  /** The payload after the name (a view into the original bytes unless replaced). */
  content: Uint8Array;
}

/** One section as it appears in the file (or was added), in file order. */
export interface SectionRecord {
  id: SectionId;
  /** Offset of the section id byte; -1 for sections added after parsing. */
  start: number;
  /** Offset of the first content byte (after the size LEB). */
  contentStart: number;
  /** Offset just after the section. */
  end: number;
  /** Re-encode this section from the structures on write instead of copying its bytes. */
  dirty: boolean;
  /** Number of entries when parsed (for vector sections), so the writer notices pushes. */
  count: number;
  /** The custom section, for id 0. */
  custom?: CustomSection;
}

export interface Module {
  /** The bytes that were parsed. Untouched sections and bodies are copied from here. */
  readonly bytes: Uint8Array;
  version: number;
  /** All sections in file order, including custom sections. */
  sections: SectionRecord[];
  types: FuncType[];
  imports: Import[];
  /** Type index of each function defined in the module (the function section). */
  funcs: number[];
  tables: Table[];
  memories: Limits[];
  tags: TagType[];
  globals: Global[];
  exports: Export[];
  start: number | null;
  elements: ElemSegment[];
  dataCount: number | null;
  bodies: FunctionBody[];
  data: DataSegment[];
}

/** Number of imports of a kind (imported entities come first in each index space). */
export function importCount(m: Module, kind: ExternKind): number {
  let n = 0;
  for (const imp of m.imports) if (imp.desc.kind === kind) n++;
  return n;
}

/** The section record of a non-custom section id, if present. */
export function findSection(m: Module, id: SectionId): SectionRecord | undefined {
  if (id === SectionId.Custom) return undefined;
  return m.sections.find((s) => s.id === id);
}

/** Custom sections by name, in file order. */
export function customSections(m: Module, name?: string): CustomSection[] {
  const out: CustomSection[] = [];
  for (const s of m.sections) if (s.custom && (name === undefined || s.custom.name === name)) out.push(s.custom);
  return out;
}

/** Offset of the code section's content (DWARF code addresses are relative to it), or -1. */
export function codeSectionContentStart(m: Module): number {
  return findSection(m, SectionId.Code)?.contentStart ?? -1;
}

export function isRefType(t: ValType): boolean {
  return typeof t !== 'number' || (t >= 0x69 && t <= 0x74);
}

const HEAP_NAMES: Record<number, string> = {
  [-16]: 'func', [-17]: 'extern', [-18]: 'any', [-19]: 'eq', [-20]: 'i31', [-21]: 'struct',
  [-22]: 'array', [-23]: 'exn', [-12]: 'noexn', [-13]: 'nofunc', [-14]: 'noextern', [-15]: 'none',
};

export function heapTypeName(h: number): string {
  return h >= 0 ? String(h) : (HEAP_NAMES[h] ?? `heaptype${h}`);
}

const VAL_NAMES: Record<number, string> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref',
  0x6e: 'anyref', 0x6d: 'eqref', 0x6c: 'i31ref', 0x6b: 'structref', 0x6a: 'arrayref', 0x69: 'exnref',
  0x71: 'nullref', 0x72: 'nullexternref', 0x73: 'nullfuncref', 0x74: 'nullexnref',
};

/** Text-format spelling of a value type. */
export function valTypeName(t: ValType): string {
  if (typeof t === 'number') return VAL_NAMES[t] ?? `type0x${t.toString(16)}`;
  return `(ref ${t.nullable ? 'null ' : ''}${heapTypeName(t.heap)})`;
}
