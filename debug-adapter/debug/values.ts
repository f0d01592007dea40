// The values the debugger shows and computes with: wasm numbers (locals, globals, memory cells)
// and C objects described by DWARF types (base types, pointers, arrays, structs, unions, enums),
// read from linear memory. Shared by the expression evaluator, the variables views and the DWARF
// variable reader; runs in the worker, where memory is a plain Uint8Array view.

/** A source-level type (from DWARF); qualifiers and typedefs keep their name but read as `of`. */
export type CType =
  | { kind: 'base'; name: string; size: number; enc: 'signed' | 'unsigned' | 'float' | 'bool' | 'char' | 'uchar' }
  | { kind: 'pointer'; name: string; size: number; to: CType | undefined }
  | { kind: 'array'; name: string; elem: CType; count: number | undefined }
  | { kind: 'struct' | 'union'; name: string; size: number; members: CMember[] }
  | { kind: 'enum'; name: string; size: number; signed: boolean; values: [string, bigint][] }
  | { kind: 'typedef' | 'const' | 'volatile'; name: string; of: CType | undefined }
  | { kind: 'void'; name: string }
  | { kind: 'func'; name: string };

export interface CMember {
  name: string;
  offset: number;
  type: CType;
  /** Bit-field width and offset from the member's storage start, when a bit field. */
  bitSize?: number;
  bitOffset?: number;
}

/** A value while evaluating. `obj` is an lvalue in linear memory (any type); the rest are rvalues. */
export type Value =
  | { k: 'int'; v: bigint; bits: number; signed: boolean; type?: CType }
  | { k: 'float'; v: number; bits: 32 | 64; type?: CType }
  | { k: 'ptr'; addr: number; to: CType | undefined; type?: CType }
  | { k: 'obj'; addr: number; type: CType }
  | { k: 'v128'; lo: bigint; hi: bigint };

export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}

/** Strip typedefs and qualifiers. */
export function resolveType(t: CType | undefined): CType | undefined {
  let cur = t;
  for (let i = 0; cur && i < 64; i++) {
    if (cur.kind === 'typedef' || cur.kind === 'const' || cur.kind === 'volatile') cur = cur.of;
    else return cur;
  }
  return cur;
}

export function sizeOf(t: CType | undefined): number {
  const r = resolveType(t);
  if (!r) return 0;
  switch (r.kind) {
    case 'base':
    case 'pointer':
    case 'struct':
    case 'union':
    case 'enum':
      return r.size;
    case 'array':
      return r.count === undefined ? 0 : r.count * sizeOf(r.elem);
    default:
      return 0;
  }
}

/** The type's name as C spells it (`int`, `struct point`, `int *`, `int[5]`). */
export function typeName(t: CType | undefined): string {
  if (!t) return 'void';
  switch (t.kind) {
    case 'pointer':
      return t.name || `${typeName(t.to)} *`;
    case 'array':
      return t.name || `${typeName(t.elem)}[${t.count ?? ''}]`;
    case 'struct':
    case 'union':
      return t.name ? `${t.kind} ${t.name}` : `${t.kind} <anonymous>`;
    case 'enum':
      return t.name ? `enum ${t.name}` : 'enum <anonymous>';
    case 'const':
      return t.name || `const ${typeName(t.of)}`;
    case 'volatile':
      return t.name || `volatile ${typeName(t.of)}`;
    default:
      return t.name;
  }
}

/** Read-only access to linear memory (a fresh view each time: memory may have grown). */
export interface MemoryAccess {
  bytes(): Uint8Array | undefined;
}

function view(mem: MemoryAccess, addr: number, size: number): DataView {
  const b = mem.bytes();
  if (!b) throw new EvalError('the module has no linear memory');
  if (!Number.isInteger(addr) || addr < 0 || addr + size > b.length) {
    throw new EvalError(`address 0x${Math.max(0, addr).toString(16)} (+${size}) is outside linear memory (${b.length} bytes)`);
  }
  return new DataView(b.buffer, b.byteOffset + addr, size);
}

/** Load a scalar of `size` bytes at `addr` as an integer. */
export function loadInt(mem: MemoryAccess, addr: number, size: number, signed: boolean): bigint {
  const d = view(mem, addr, size);
  switch (size) {
    case 1:
      return BigInt(signed ? d.getInt8(0) : d.getUint8(0));
    case 2:
      return BigInt(signed ? d.getInt16(0, true) : d.getUint16(0, true));
    case 4:
      return BigInt(signed ? d.getInt32(0, true) : d.getUint32(0, true));
    case 8:
      return signed ? d.getBigInt64(0, true) : d.getBigUint64(0, true);
    default:
      throw new EvalError(`cannot load an integer of ${size} bytes`);
  }
}

export function loadFloat(mem: MemoryAccess, addr: number, size: number): number {
  const d = view(mem, addr, size);
  if (size === 4) return d.getFloat32(0, true);
  if (size === 8) return d.getFloat64(0, true);
  throw new EvalError(`cannot load a float of ${size} bytes`);
}

export function storeBytes(mem: MemoryAccess, addr: number, data: Uint8Array): void {
  const b = mem.bytes();
  if (!b) throw new EvalError('the module has no linear memory');
  if (addr < 0 || addr + data.length > b.length) throw new EvalError(`address 0x${addr.toString(16)} is outside linear memory`);
  b.set(data, addr);
}

/** Wrap an integer to `bits` (two's complement, signed or not). */
export function wrapInt(v: bigint, bits: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/** An rvalue for a scalar object at `addr` of type `t` (objects of aggregate type stay lvalues). */
export function loadValue(mem: MemoryAccess, addr: number, t: CType): Value {
  const r = resolveType(t);
  if (!r) throw new EvalError('cannot read an object of type void');
  switch (r.kind) {
    case 'base':
      if (r.enc === 'float') return { k: 'float', v: loadFloat(mem, addr, r.size), bits: r.size === 4 ? 32 : 64, type: t };
      return { k: 'int', v: loadInt(mem, addr, r.size, r.enc === 'signed' || r.enc === 'char'), bits: r.size * 8, signed: r.enc === 'signed' || r.enc === 'char', type: t };
    case 'enum':
      return { k: 'int', v: loadInt(mem, addr, r.size, r.signed), bits: r.size * 8, signed: r.signed, type: t };
    case 'pointer':
      return { k: 'ptr', addr: Number(loadInt(mem, addr, r.size, false)), to: r.to, type: t };
    default:
      return { k: 'obj', addr, type: t };
  }
}

/** Turn an lvalue into an rvalue (arrays decay to pointers to their first element). */
export function rvalue(mem: MemoryAccess, v: Value): Value {
  if (v.k !== 'obj') return v;
  const r = resolveType(v.type);
  if (r?.kind === 'array') return { k: 'ptr', addr: v.addr, to: r.elem };
  if (r?.kind === 'struct' || r?.kind === 'union') return v;
  return loadValue(mem, v.addr, v.type);
}

const MAX_STRING = 200;

/** A C string at `addr` for display, quoted and escaped (cut at MAX_STRING bytes). */
export function cStringAt(mem: MemoryAccess, addr: number, max = MAX_STRING): string | undefined {
  const b = mem.bytes();
  if (!b || addr <= 0 || addr >= b.length) return undefined;
  let s = '';
  let i = 0;
  for (; i < max && addr + i < b.length; i++) {
    const c = b[addr + i];
    if (c === 0) return `"${s}"`;
    s += escapeChar(c);
  }
  return `"${s}"...`;
}

function escapeChar(c: number): string {
  if (c === 0x0a) return '\\n';
  if (c === 0x09) return '\\t';
  if (c === 0x0d) return '\\r';
  if (c === 0x22) return '\\"';
  if (c === 0x5c) return '\\\\';
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
  return `\\x${c.toString(16).padStart(2, '0')}`;
}

function isCharType(t: CType | undefined): boolean {
  const r = resolveType(t);
  return r?.kind === 'base' && r.size === 1 && (r.enc === 'char' || r.enc === 'uchar');
}

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** A float as debuggers print it (shortest round-trip, `inf`/`nan`). */
export function floatText(v: number, bits: 32 | 64): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (bits === 32) {
    for (let p = 1; p < 10; p++) {
      const s = v.toPrecision(p);
      if (Math.fround(Number(s)) === v) return String(Number(s));
    }
  }
  return String(v);
}

/** One line of text for a value (no children), as the variables view and hovers show it. */
export function formatValue(mem: MemoryAccess, v: Value): string {
  switch (v.k) {
    case 'int': {
      const r = resolveType(v.type);
      if (r?.kind === 'enum') {
        const hit = r.values.find(([, n]) => n === v.v);
        return hit ? hit[0] : v.v.toString();
      }
      if (r?.kind === 'base' && r.enc === 'bool') return v.v === 0n ? 'false' : 'true';
      if (isCharType(v.type)) return `${v.v} '${escapeChar(Number(BigInt.asUintN(8, v.v)))}'`;
      return v.v.toString();
    }
    case 'float':
      return floatText(v.v, v.bits);
    case 'ptr': {
      if (v.addr === 0) return 'NULL';
      if (isCharType(v.to)) {
        const s = cStringAt(mem, v.addr);
        return s ? `${hex(v.addr)} ${s}` : hex(v.addr);
      }
      return hex(v.addr);
    }
    case 'v128':
      return `i64x2 ${hex(v.lo)} ${hex(v.hi)}`;
    case 'obj': {
      const r = resolveType(v.type);
      if (!r) return 'void';
      if (r.kind === 'array') {
        if (isCharType(r.elem)) return cStringAt(mem, v.addr, r.count ?? MAX_STRING) ?? `[${r.count ?? '?'}]`;
        return summarizeArray(mem, v.addr, r.elem, r.count);
      }
      if (r.kind === 'struct' || r.kind === 'union') return summarizeStruct(mem, v.addr, r.members);
      try {
        return formatValue(mem, loadValue(mem, v.addr, v.type));
      } catch (e) {
        return `<${(e as Error).message}>`;
      }
    }
  }
}

function shortScalar(mem: MemoryAccess, addr: number, t: CType): string {
  const r = resolveType(t);
  if (r && (r.kind === 'struct' || r.kind === 'union')) return '{...}';
  if (r && r.kind === 'array') return '[...]';
  try {
    return formatValue(mem, loadValue(mem, addr, t));
  } catch {
    return '?';
  }
}

function summarizeArray(mem: MemoryAccess, addr: number, elem: CType, count: number | undefined): string {
  const n = count ?? 0;
  const size = sizeOf(elem);
  const parts: string[] = [];
  for (let i = 0; i < Math.min(n, 10); i++) parts.push(shortScalar(mem, addr + i * size, elem));
  return `[${parts.join(', ')}${n > 10 ? ', ...' : ''}]`;
}

function summarizeStruct(mem: MemoryAccess, addr: number, members: CMember[]): string {
  const parts = members.slice(0, 8).map((m) => `${m.name}: ${shortScalar(mem, addr + m.offset, m.type)}`);
  return `{${parts.join(', ')}${members.length > 8 ? ', ...' : ''}}`;
}

/** True when a value has children to expand (structs, arrays, non-null pointers to objects). */
export function hasChildren(v: Value): boolean {
  if (v.k === 'obj') {
    const r = resolveType(v.type);
    return r?.kind === 'struct' || r?.kind === 'union' || (r?.kind === 'array' && (r.count ?? 0) > 0);
  }
  if (v.k === 'ptr') {
    const to = resolveType(v.to);
    return v.addr !== 0 && to !== undefined && to.kind !== 'void' && to.kind !== 'func';
  }
  return false;
}

export interface Child {
  name: string;
  value: Value;
}

/** Up to `max` children of an expandable value: members, elements, or the pointee. */
export function childrenOf(v: Value, start = 0, max = 1000): Child[] {
  if (v.k === 'ptr') {
    const to = v.to;
    if (!to || v.addr === 0) return [];
    return [{ name: `*`, value: { k: 'obj', addr: v.addr, type: to } }];
  }
  if (v.k !== 'obj') return [];
  const r = resolveType(v.type);
  if (!r) return [];
  if (r.kind === 'struct' || r.kind === 'union') {
    return r.members.map((m) => ({ name: m.name, value: { k: 'obj', addr: v.addr + m.offset, type: m.type } as Value }));
  }
  if (r.kind === 'array') {
    const n = r.count ?? 0;
    const size = sizeOf(r.elem);
    const out: Child[] = [];
    for (let i = start; i < Math.min(n, start + max); i++) out.push({ name: `[${i}]`, value: { k: 'obj', addr: v.addr + i * size, type: r.elem } });
    return out;
  }
  return [];
}

/** The number of array elements of an expandable value (for paging), else undefined. */
export function arrayLength(v: Value): number | undefined {
  if (v.k !== 'obj') return undefined;
  const r = resolveType(v.type);
  return r?.kind === 'array' ? r.count : undefined;
}

/** The type text of a value. */
export function valueTypeName(v: Value): string {
  switch (v.k) {
    case 'int':
      return v.type ? typeName(v.type) : `${v.signed ? 'i' : 'u'}${v.bits}`;
    case 'float':
      return v.type ? typeName(v.type) : `f${v.bits}`;
    case 'ptr':
      return v.type ? typeName(v.type) : `${typeName(v.to)} *`;
    case 'obj':
      return typeName(v.type);
    case 'v128':
      return 'v128';
  }
}

/** The bytes a scalar value of type `t` is stored as (for assignments into memory). */
export function encodeScalar(v: Value, t: CType): Uint8Array {
  const r = resolveType(t);
  if (!r) throw new EvalError('cannot assign to void');
  const size = sizeOf(r);
  const out = new Uint8Array(size);
  const d = new DataView(out.buffer);
  if (r.kind === 'base' && r.enc === 'float') {
    const n = v.k === 'float' ? v.v : v.k === 'int' ? Number(v.v) : v.k === 'ptr' ? v.addr : NaN;
    if (size === 4) d.setFloat32(0, n, true);
    else d.setFloat64(0, n, true);
    return out;
  }
  if (r.kind === 'base' || r.kind === 'enum' || r.kind === 'pointer') {
    const n = v.k === 'int' ? v.v : v.k === 'ptr' ? BigInt(v.addr) : v.k === 'float' ? BigInt(Math.trunc(v.v)) : undefined;
    if (n === undefined) throw new EvalError('cannot assign an aggregate to a scalar');
    const u = BigInt.asUintN(size * 8, n);
    for (let i = 0; i < size; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
    return out;
  }
  throw new EvalError(`cannot assign to an object of type ${typeName(t)}`);
}
