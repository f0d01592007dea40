// Decode and encode the `name` custom section (module, function, local names and the extended
// subsections: labels, types, tables, memories, globals, elem/data segments, fields, tags).
// Subsection order and unknown subsections are kept so an unchanged section re-encodes identically.

import { ByteWriter } from './byte-writer';
import { WasmDecodeError } from './errors';
import { leb, readU32 } from './leb128';

/** Index -> name, in encoding order (ascending index in well-formed sections). */
export type NameMap = Map<number, string>;
/** Outer index (function, type...) -> inner name map (locals, labels, fields). */
export type IndirectNameMap = Map<number, NameMap>;

export interface NameSection {
  module: string | null;
  functions: NameMap;
  locals: IndirectNameMap;
  labels: IndirectNameMap;
  types: NameMap;
  tables: NameMap;
  memories: NameMap;
  globals: NameMap;
  elemSegments: NameMap;
  dataSegments: NameMap;
  fields: IndirectNameMap;
  tags: NameMap;
  /** Subsection ids in the order they appeared (the encoder follows it, then adds new ones). */
  order: number[];
  /** Subsections with ids this decoder does not know, kept raw. */
  unknown: Map<number, Uint8Array>;
}

export function emptyNameSection(): NameSection {
  return {
    module: null, functions: new Map(), locals: new Map(), labels: new Map(), types: new Map(),
    tables: new Map(), memories: new Map(), globals: new Map(), elemSegments: new Map(),
    dataSegments: new Map(), fields: new Map(), tags: new Map(), order: [], unknown: new Map(),
  };
}

type DirectKey = 'functions' | 'types' | 'tables' | 'memories' | 'globals' | 'elemSegments' | 'dataSegments' | 'tags';
type IndirectKey = 'locals' | 'labels' | 'fields';
const DIRECT: Record<number, DirectKey> = {
  1: 'functions', 4: 'types', 5: 'tables', 6: 'memories', 7: 'globals', 8: 'elemSegments', 9: 'dataSegments', 11: 'tags',
};
const INDIRECT: Record<number, IndirectKey> = { 2: 'locals', 3: 'labels', 10: 'fields' };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode the payload of a `name` custom section (after the section's own name). `base` is added
 * to offsets in error messages (pass the payload's module offset to get module-relative offsets).
 */
export function decodeNameSection(content: Uint8Array, base = 0): NameSection {
  const ns = emptyNameSection();
  const b = content;
  let p = 0;
  const fail = (at: number, what: string, detail?: string): never => {
    throw new WasmDecodeError(base + at, what, detail);
  };
  const u32 = (limit: number): number => {
    try {
      const v = readU32(b, p, limit);
      p = leb.end;
      return v;
    } catch (e) {
      if (e instanceof WasmDecodeError) throw new WasmDecodeError(base + e.offset, e.what, e.message);
      throw e;
    }
  };
  const name = (limit: number): string => {
    const at = p;
    const len = u32(limit);
    if (len > limit - p) fail(at, 'name out of bounds', `name of ${len} bytes with ${limit - p} left`);
    const raw = b.subarray(p, p + len);
    p += len;
    try {
      return utf8.decode(raw);
    } catch {
      return fail(at, 'malformed UTF-8 encoding', 'in the name section');
    }
  };
  const nameMap = (limit: number): NameMap => {
    const n = u32(limit);
    if (n > (limit - p) / 2) fail(p, 'name map count too large', `${n} entries`);
    const map: NameMap = new Map();
    for (let i = 0; i < n; i++) {
      const idx = u32(limit);
      map.set(idx, name(limit));
    }
    return map;
  };
  while (p < b.length) {
    const at = p;
    const id = b[p++];
    const size = u32(b.length);
    if (size > b.length - p) fail(at, 'name subsection out of bounds', `subsection ${id} of ${size} bytes`);
    const end = p + size;
    if (ns.order.includes(id)) fail(at, 'duplicate name subsection', `id ${id}`);
    ns.order.push(id);
    if (id === 0) {
      ns.module = name(end);
    } else if (DIRECT[id]) {
      ns[DIRECT[id]] = nameMap(end);
    } else if (INDIRECT[id]) {
      const n = u32(end);
      if (n > (end - p) / 2) fail(p, 'indirect name map count too large', `${n} entries`);
      const outer: IndirectNameMap = new Map();
      for (let i = 0; i < n; i++) {
        const idx = u32(end);
        outer.set(idx, nameMap(end));
      }
      ns[INDIRECT[id]] = outer;
    } else {
      ns.unknown.set(id, b.subarray(p, end));
      p = end;
    }
    if (p !== end) fail(p, 'name subsection size mismatch', `subsection ${id} should end at ${end}`);
  }
  return ns;
}

function isEmpty(ns: NameSection, id: number): boolean {
  if (id === 0) return ns.module === null;
  if (DIRECT[id]) return ns[DIRECT[id]].size === 0;
  if (INDIRECT[id]) return ns[INDIRECT[id]].size === 0;
  return !ns.unknown.has(id);
}

/** Encode a name section payload (without the custom section header and the "name" string). */
export function encodeNameSection(ns: NameSection): Uint8Array {
  const w = new ByteWriter(256);
  const ids = ns.order.slice();
  for (const id of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...ns.unknown.keys()]) {
    if (!ids.includes(id) && !isEmpty(ns, id)) ids.push(id);
  }
  const writeMap = (map: NameMap) => {
    w.u32(map.size);
    for (const [i, n] of map) {
      w.u32(i);
      w.name(n);
    }
  };
  for (const id of ids) {
    const raw = ns.unknown.get(id);
    if (!raw && isEmpty(ns, id) && !ns.order.includes(id)) continue;
    w.u8(id);
    const mark = w.beginSize();
    if (id === 0) w.name(ns.module ?? '');
    else if (DIRECT[id]) writeMap(ns[DIRECT[id]]);
    else if (INDIRECT[id]) {
      const outer = ns[INDIRECT[id]];
      w.u32(outer.size);
      for (const [i, inner] of outer) {
        w.u32(i);
        writeMap(inner);
      }
    } else if (raw) w.bytes(raw);
    w.endSize(mark);
  }
  return w.finish();
}
