// Editing helpers for instrumenters: every change made through these functions marks the
// affected sections dirty, so encodeModule re-encodes exactly those and copies the rest.
// Direct edits of Module fields are fine too, as long as the section is marked with markDirty
// (pushes that change a section's entry count are noticed by the writer anyway).

import { ByteWriter } from './byte-writer';
import * as scanner from './instr-scanner';
import { decodeNameSection, encodeNameSection, type IndirectNameMap, type NameMap } from './name-section';
import {
  SectionId, importCount,
  type ConstExpr, type ExternKind, type FuncType, type GlobalType, type Module, type SectionRecord, type ValType,
} from './module';

const { newCursor, scanInstr } = scanner;

/** Have the writer encode section `id` from the structures (adds the section if it is missing). */
export function markDirty(m: Module, id: SectionId): void {
  for (const s of m.sections) if (s.id === id && id !== SectionId.Custom) s.dirty = true;
}

/** Replace the body of defined function `defIndex` (0 = first non-imported) with new bytes (locals + code). */
export function replaceBody(m: Module, defIndex: number, body: Uint8Array): void {
  const b = m.bodies[defIndex];
  if (!b) throw new Error(`no function body ${defIndex}`);
  b.replacement = body;
}

function sameValType(a: ValType, b: ValType): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.nullable === b.nullable && a.heap === b.heap;
}

function sameSig(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length
    && a.params.every((t, i) => sameValType(t, b.params[i])) && a.results.every((t, i) => sameValType(t, b.results[i]));
}

/** Index of a function type equal to `type`, appending it if there is none. */
export function addType(m: Module, type: FuncType): number {
  const found = m.types.findIndex((t) => sameSig(t, type));
  if (found >= 0) return found;
  m.types.push({ params: type.params.slice(), results: type.results.slice() });
  markDirty(m, SectionId.Type);
  return m.types.length - 1;
}

/** Append a defined global; returns its index in the global index space. No remapping needed. */
export function addGlobal(m: Module, type: GlobalType, init: ConstExpr): number {
  m.globals.push({ type, init });
  markDirty(m, SectionId.Global);
  return importCount(m, 'global') + m.globals.length - 1;
}

export function addExport(m: Module, name: string, kind: ExternKind, index: number): void {
  if (m.exports.some((e) => e.name === name)) throw new Error(`duplicate export name ${name}`);
  m.exports.push({ name, kind, index });
  markDirty(m, SectionId.Export);
}

/** Append a defined function with the given body bytes (locals + code); returns its function index. */
export function addFunction(m: Module, typeIndex: number, body: Uint8Array): number {
  m.funcs.push(typeIndex);
  m.bodies.push({ sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: body });
  markDirty(m, SectionId.Function);
  markDirty(m, SectionId.Code);
  return importCount(m, 'func') + m.funcs.length - 1;
}

/** Constant expressions for new globals. */
export function i32ConstExpr(v: number): ConstExpr {
  const w = new ByteWriter(8);
  w.u8(0x41);
  w.s32(v);
  w.u8(0x0b);
  return w.finish();
}

export function i64ConstExpr(v: bigint): ConstExpr {
  const w = new ByteWriter(16);
  w.u8(0x42);
  w.s64(v);
  w.u8(0x0b);
  return w.finish();
}

/**
 * Copy the code in `src[start, end)` to `w`, passing every function index immediate (call,
 * return_call, ref.func) through `map`. Other bytes are copied verbatim (padded LEB128s kept).
 */
export function rewriteFuncRefs(src: Uint8Array, start: number, end: number, w: ByteWriter, map: (index: number) => number): void {
  const c = newCursor();
  let copied = start;
  let p = start;
  while (p < end) {
    scanInstr(src, p, end, c);
    if (c.op.imm === 'func') {
      const to = map(c.idx);
      if (to !== c.idx) {
        w.bytes(src, copied, c.immStart);
        w.u32(to);
        copied = c.end;
      }
    }
    p = c.end;
  }
  w.bytes(src, copied, end);
}

function remapExpr(e: ConstExpr, map: (i: number) => number): ConstExpr {
  const w = new ByteWriter(e.length + 8);
  rewriteFuncRefs(e, 0, e.length, w, map);
  return w.len === e.length && w.view().every((b, i) => b === e[i]) ? e : w.finish();
}

function remapKeys<T>(map: Map<number, T>, f: (i: number) => number): Map<number, T> {
  const out = new Map<number, T>();
  for (const [k, v] of map) out.set(f(k), v);
  return out;
}

/**
 * Remap function indices everywhere outside code bodies: exports, start, element segments,
 * constant expressions (globals, tables, element items) and the name section (function, local
 * and label names). Marks what changed. Bodies are left to the caller (see rewriteFuncRefs),
 * since an instrumenter rewrites them anyway.
 */
export function remapFunctionIndices(m: Module, map: (index: number) => number): void {
  let changed = false;
  for (const e of m.exports) {
    if (e.kind === 'func' && map(e.index) !== e.index) {
      e.index = map(e.index);
      changed = true;
    }
  }
  if (changed) markDirty(m, SectionId.Export);
  if (m.start !== null) m.start = map(m.start);
  let elemChanged = false;
  for (const seg of m.elements) {
    if (seg.funcs) {
      const next = seg.funcs.map(map);
      if (next.some((v, i) => v !== seg.funcs?.[i])) {
        seg.funcs = next;
        elemChanged = true;
      }
    }
    if (seg.exprs) {
      const next = seg.exprs.map((x) => remapExpr(x, map));
      if (next.some((x, i) => x !== seg.exprs?.[i])) {
        seg.exprs = next;
        elemChanged = true;
      }
    }
  }
  if (elemChanged) markDirty(m, SectionId.Element);
  let globalsChanged = false;
  for (const g of m.globals) {
    const init = remapExpr(g.init, map);
    if (init !== g.init) {
      g.init = init;
      globalsChanged = true;
    }
  }
  if (globalsChanged) markDirty(m, SectionId.Global);
  let tablesChanged = false;
  for (const t of m.tables) {
    if (!t.init) continue;
    const init = remapExpr(t.init, map);
    if (init !== t.init) {
      t.init = init;
      tablesChanged = true;
    }
  }
  if (tablesChanged) markDirty(m, SectionId.Table);
  for (const s of m.sections) {
    if (s.custom?.name !== 'name') continue;
    try {
      const ns = decodeNameSection(s.custom.content);
      ns.functions = remapKeys<string>(ns.functions, map) as NameMap;
      ns.locals = remapKeys(ns.locals, map) as IndirectNameMap;
      ns.labels = remapKeys(ns.labels, map) as IndirectNameMap;
      setCustomContent(s, encodeNameSection(ns));
    } catch {
      // An undecodable name section is left alone: names are advisory.
    }
  }
}

function setCustomContent(s: SectionRecord, content: Uint8Array): void {
  if (!s.custom) throw new Error('not a custom section');
  s.custom = { name: s.custom.name, content };
  s.dirty = true;
}

/**
 * Add a function import after the existing ones. Every defined function's index goes up by one:
 * exports, start, elements, constant expressions and names are remapped here; the returned
 * `remap` must be applied to the bodies (rewriteFuncRefs) by the caller.
 */
export function addFuncImport(m: Module, module: string, name: string, type: FuncType): { index: number; remap: (i: number) => number } {
  const typeIndex = addType(m, type);
  const index = importCount(m, 'func');
  const remap = (i: number) => (i >= index ? i + 1 : i);
  remapFunctionIndices(m, remap);
  m.imports.push({ module, name, desc: { kind: 'func', type: typeIndex } });
  markDirty(m, SectionId.Import);
  return { index, remap };
}

/** Replace the payload of the first custom section named `name`, or append a new one at the end. */
export function setCustomSection(m: Module, name: string, content: Uint8Array): void {
  const s = m.sections.find((r) => r.custom?.name === name);
  if (s) setCustomContent(s, content);
  else m.sections.push({ id: SectionId.Custom, start: -1, contentStart: -1, end: -1, dirty: true, count: 0, custom: { name, content } });
}
