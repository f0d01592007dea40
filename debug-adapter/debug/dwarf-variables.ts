// Source-level variables from DWARF .debug_info, enough for C (and simple Rust) at -O0: base
// types, pointers, arrays, structs/unions, enums, typedefs and qualifiers; globals at DW_OP_addr;
// parameters and locals at DW_OP_fbreg over a frame base held in a wasm local or global
// (DW_OP_WASM_location, as clang emits it), or held directly in a wasm local. Location lists and
// other DWARF expressions are reported as unsupported, never guessed. Module offsets are
// module-relative (DWARF address + Code payload offset), like the rest of the debugger.

import { ByteCursor } from '../source-map/byte-cursor';
import { findDebugSections, type SectionSlice } from '../source-map/dwarf-sections';
import { readAbbrevTable, type Abbrev } from '../source-map/dwarf-info';
import { readForm, resolveAddrx, resolveStrx, DW_FORM, type FormContext, type FormValue } from '../source-map/dwarf-forms';
import type { CMember, CType } from './values';

export type VarLocation =
  | { kind: 'fbreg'; offset: number }
  | { kind: 'addr'; addr: number }
  /** The value itself lives in a wasm local/global/operand (DW_OP_WASM_location ... DW_OP_stack_value). */
  | { kind: 'wasm'; space: 'local' | 'global' | 'stack'; index: number }
  /** The object is in memory at the address a wasm local/global holds (DW_OP_WASM_location alone). */
  | { kind: 'wasmAddr'; space: 'local' | 'global' | 'stack'; index: number }
  | { kind: 'unsupported'; why: string };

export interface DwarfVariable {
  name: string;
  type: CType | undefined;
  location: VarLocation;
  param: boolean;
  /** Module offset ranges where the variable is in scope (its lexical block); undefined = whole function. */
  scope?: [number, number][];
  declLine?: number;
}

export interface DwarfSubprogram {
  name: string;
  /** Module-relative [start, end). */
  start: number;
  end: number;
  /** Where DW_OP_fbreg's base is: a wasm local or global (as clang emits it). */
  frameBase?: { space: 'local' | 'global'; index: number };
  declLine?: number;
  vars: DwarfVariable[];
}

export interface DwarfVariables {
  functions: DwarfSubprogram[];
  globals: DwarfVariable[];
  /** Problems met while reading (units skipped...). */
  errors: string[];
}

const TAG = {
  array: 0x01, enumeration: 0x04, formal_parameter: 0x05, lexical_block: 0x0b, member: 0x0d, pointer: 0x0f,
  compile_unit: 0x11, structure: 0x13, subroutine: 0x15, typedef: 0x16, union: 0x17, inlined_subroutine: 0x1d,
  subrange: 0x21, base: 0x24, const: 0x26, enumerator: 0x28, subprogram: 0x2e, variable: 0x34, volatile: 0x35,
  restrict: 0x37, atomic: 0x47, rvalue_reference: 0x42, reference: 0x10, unspecified: 0x3b, namespace: 0x39, class: 0x02,
} as const;

const AT = {
  location: 0x02, name: 0x03, byte_size: 0x0b, bit_offset: 0x0c, bit_size: 0x0d, low_pc: 0x11, high_pc: 0x12,
  const_value: 0x1c, upper_bound: 0x2f, count: 0x37, data_member_location: 0x38, decl_line: 0x3b, declaration: 0x3c,
  encoding: 0x3e, frame_base: 0x40, specification: 0x47, type: 0x49, ranges: 0x55, data_bit_offset: 0x6b,
  str_offsets_base: 0x72, addr_base: 0x73, abstract_origin: 0x31,
} as const;

type Attr = FormValue | { cls: 'block'; b: Uint8Array };

interface Die {
  tag: number;
  attrs: Map<number, Attr>;
  children: number[];
  offset: number;
}


function readAttr(c: ByteCursor, form: number, ctx: FormContext, implicitConst: number): Attr {
  switch (form) {
    case DW_FORM.exprloc:
    case DW_FORM.block: {
      const n = c.uleb();
      const at = c.pos;
      c.skip(n);
      return { cls: 'block', b: c.bytes.subarray(at, at + n) };
    }
    case DW_FORM.block1: {
      const n = c.u8();
      const at = c.pos;
      c.skip(n);
      return { cls: 'block', b: c.bytes.subarray(at, at + n) };
    }
    case DW_FORM.block2: {
      const n = c.u16();
      const at = c.pos;
      c.skip(n);
      return { cls: 'block', b: c.bytes.subarray(at, at + n) };
    }
    case DW_FORM.block4: {
      const n = c.u32();
      const at = c.pos;
      c.skip(n);
      return { cls: 'block', b: c.bytes.subarray(at, at + n) };
    }
    default:
      return readForm(c, form, ctx, implicitConst);
  }
}

interface Unit {
  offset: number;
  ctx: FormContext;
  dies: Map<number, Die>;
  root: Die | undefined;
  strOffsetsBase: number;
  addrBase: number;
}

function readUnit(info: SectionSlice, abbrevSec: SectionSlice, strings: FormContext['strings'], offset: number): { unit: Unit; next: number } {
  const c = new ByteCursor(info.bytes, '.debug_info', info.offset, offset);
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  }
  const next = c.pos + length;
  const version = c.u16();
  if (version < 2 || version > 5) c.fail(`unsupported .debug_info version ${version}`);
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    const unitType = c.u8();
    addressSize = c.u8();
    abbrevOffset = c.uN(offsetSize);
    if (unitType === 4 || unitType === 5) c.skip(8);
    else if (unitType === 2 || unitType === 6) c.skip(8 + offsetSize);
  } else {
    abbrevOffset = c.uN(offsetSize);
    addressSize = c.u8();
  }
  const abbrevs = readAbbrevTable(abbrevSec, abbrevOffset);
  const ctx: FormContext = { version, offsetSize, addressSize, strings };
  const dies = new Map<number, Die>();
  const stack: Die[] = [];
  let root: Die | undefined;
  c.end = Math.min(next, info.bytes.length);
  while (c.remaining > 0) {
    const at = c.pos;
    const code = c.uleb();
    if (code === 0) {
      stack.pop();
      if (stack.length === 0) break;
      continue;
    }
    const ab = abbrevs.get(code) ?? c.fail(`DIE uses undefined abbreviation ${code}`, at);
    const attrs = new Map<number, Attr>();
    for (const a of ab.attrs) attrs.set(a.name, readAttr(c, a.form, ctx, a.implicitConst));
    const die: Die = { tag: ab.tag, attrs, children: [], offset: at };
    dies.set(at, die);
    if (stack.length) stack[stack.length - 1].children.push(at);
    else root ??= die;
    if (ab.hasChildren) stack.push(die);
    else if (stack.length === 0) break;
  }
  const unit: Unit = { offset, ctx, dies, root, strOffsetsBase: 8, addrBase: 8 };
  const sob = root?.attrs.get(AT.str_offsets_base);
  if (sob && 'n' in sob) unit.strOffsetsBase = sob.n;
  const ab = root?.attrs.get(AT.addr_base);
  if (ab && 'n' in ab) unit.addrBase = ab.n;
  return { unit, next };
}

/** Reads DWARF types and variables of a module (empty when it has no .debug_info). */
export function readDwarfVariables(module: Uint8Array): DwarfVariables {
  const out: DwarfVariables = { functions: [], globals: [], errors: [] };
  let secs;
  try {
    secs = findDebugSections(module);
  } catch (e) {
    out.errors.push((e as Error).message);
    return out;
  }
  const d = secs.dwarf;
  const info = d['.debug_info'];
  const abbrev = d['.debug_abbrev'];
  const base = secs.codePayloadOffset;
  if (!info || !abbrev || base === undefined) return out;
  const strings = { str: d['.debug_str'], lineStr: d['.debug_line_str'], strOffsets: d['.debug_str_offsets'] };
  let off = 0;
  while (off < info.bytes.length) {
    let r;
    try {
      r = readUnit(info, abbrev, strings, off);
    } catch (e) {
      out.errors.push(`unit at .debug_info+0x${off.toString(16)}: ${(e as Error).message}`);
      break;
    }
    try {
      new UnitReader(r.unit, base, d['.debug_addr'], out).read();
    } catch (e) {
      out.errors.push(`unit at .debug_info+0x${off.toString(16)}: ${(e as Error).message}`);
    }
    if (r.next <= off) break;
    off = r.next;
  }
  out.functions.sort((a, b) => a.start - b.start);
  return out;
}

class UnitReader {
  private readonly types = new Map<number, CType>();

  constructor(
    private readonly u: Unit,
    private readonly codeBase: number,
    private readonly addrSec: SectionSlice | undefined,
    private readonly out: DwarfVariables,
  ) {}

  read(): void {
    const root = this.u.root;
    if (!root) return;
    this.walkScope(root, 0);
  }

  /** Globals and subprograms, also inside namespaces. */
  private walkScope(die: Die, depth: number): void {
    for (const co of die.children) {
      const c = this.u.dies.get(co)!;
      if (c.tag === TAG.variable) {
        const v = this.variable(c, false);
        // Discarded data keeps a tombstone address (-1 or -2, or 0): not a variable of this module.
        if (v && v.location.kind === 'addr' && v.location.addr !== 0 && v.location.addr < 0xfffffffe) this.out.globals.push(v);
      } else if (c.tag === TAG.subprogram) this.subprogram(c);
      else if ((c.tag === TAG.namespace || c.tag === TAG.structure || c.tag === TAG.class) && depth < 16) this.walkScope(c, depth + 1);
    }
  }

  private str(a: Attr | undefined): string | undefined {
    if (!a) return undefined;
    if (a.cls === 'str') return a.s;
    if (a.cls === 'strx') return resolveStrx(a.n, this.u.strOffsetsBase, this.u.ctx);
    return undefined;
  }

  private num(a: Attr | undefined): number | undefined {
    return a && 'n' in a ? a.n : undefined;
  }

  private addr(a: Attr | undefined): number | undefined {
    if (!a) return undefined;
    if (a.cls === 'addr') return a.n;
    if (a.cls === 'addrx') return resolveAddrx(a.n, this.u.addrBase, this.u.ctx.addressSize, this.addrSec);
    return undefined;
  }

  private ref(a: Attr | undefined): Die | undefined {
    if (!a) return undefined;
    if (a.cls === 'ref') return this.u.dies.get(this.u.offset + a.n);
    if (a.cls === 'refAddr') return this.u.dies.get(a.n);
    return undefined;
  }

  private name(die: Die): string | undefined {
    return this.str(die.attrs.get(AT.name)) ?? (() => {
      const o = this.ref(die.attrs.get(AT.abstract_origin)) ?? this.ref(die.attrs.get(AT.specification));
      return o ? this.str(o.attrs.get(AT.name)) : undefined;
    })();
  }

  private pcRange(die: Die): [number, number] | undefined {
    const low = this.addr(die.attrs.get(AT.low_pc));
    const hv = die.attrs.get(AT.high_pc);
    if (low === undefined || !hv) return undefined;
    const high = hv.cls === 'const' ? low + hv.n : this.addr(hv);
    if (high === undefined || high <= low) return undefined;
    return [low + this.codeBase, high + this.codeBase];
  }

  private subprogram(die: Die): void {
    const range = this.pcRange(die);
    if (!range || die.attrs.has(AT.declaration)) return;
    // Linkers leave discarded functions at address 0 (or tombstones): keep only plausible ones.
    if (range[0] <= this.codeBase) return;
    const spec = this.ref(die.attrs.get(AT.specification)) ?? this.ref(die.attrs.get(AT.abstract_origin));
    const fn: DwarfSubprogram = {
      name: this.name(die) ?? (spec ? this.name(spec) : undefined) ?? `<0x${range[0].toString(16)}>`,
      start: range[0],
      end: range[1],
      declLine: this.num(die.attrs.get(AT.decl_line)) ?? (spec ? this.num(spec.attrs.get(AT.decl_line)) : undefined),
      vars: [],
    };
    const fb = die.attrs.get(AT.frame_base);
    if (fb && fb.cls === 'block') {
      const loc = decodeLocation(fb.b);
      if ((loc.kind === 'wasm' || loc.kind === 'wasmAddr') && (loc.space === 'local' || loc.space === 'global')) fn.frameBase = { space: loc.space, index: loc.index };
    }
    this.collectVars(die, fn, undefined, 0);
    this.out.functions.push(fn);
  }

  private collectVars(die: Die, fn: DwarfSubprogram, scope: [number, number][] | undefined, depth: number): void {
    for (const co of die.children) {
      const c = this.u.dies.get(co)!;
      if (c.tag === TAG.formal_parameter || c.tag === TAG.variable) {
        const v = this.variable(c, c.tag === TAG.formal_parameter);
        if (v) {
          if (scope) v.scope = scope;
          fn.vars.push(v);
        }
      } else if (c.tag === TAG.lexical_block && depth < 32) {
        const r = this.pcRange(c);
        this.collectVars(c, fn, r ? [r] : scope, depth + 1);
      }
    }
  }

  private variable(die: Die, param: boolean): DwarfVariable | undefined {
    const name = this.name(die);
    if (!name) return undefined;
    const typeDie = this.ref(die.attrs.get(AT.type)) ?? (() => {
      const o = this.ref(die.attrs.get(AT.abstract_origin)) ?? this.ref(die.attrs.get(AT.specification));
      return o ? this.ref(o.attrs.get(AT.type)) : undefined;
    })();
    const type = typeDie ? this.type(typeDie, 0) : undefined;
    const la = die.attrs.get(AT.location);
    let location: VarLocation;
    if (!la) location = { kind: 'unsupported', why: 'optimized out (no location)' };
    else if (la.cls === 'block') location = decodeLocation(la.b, this.u.ctx.addressSize);
    else location = { kind: 'unsupported', why: 'a location list (optimized code): not supported' };
    return { name, type, location, param, declLine: this.num(die.attrs.get(AT.decl_line)) };
  }

  private type(die: Die, depth: number): CType | undefined {
    const known = this.types.get(die.offset);
    if (known) return known;
    if (depth > 64) return { kind: 'void', name: '<too deep>' };
    const name = this.str(die.attrs.get(AT.name)) ?? '';
    const size = this.num(die.attrs.get(AT.byte_size)) ?? 0;
    const sub = () => {
      const t = this.ref(die.attrs.get(AT.type));
      return t ? this.type(t, depth + 1) : undefined;
    };
    switch (die.tag) {
      case TAG.base: {
        const enc = this.num(die.attrs.get(AT.encoding)) ?? 5;
        const e = enc === 4 ? 'float' : enc === 2 ? 'bool' : enc === 6 ? 'char' : enc === 8 ? 'uchar' : enc === 5 || enc === 0xd ? 'signed' : 'unsigned';
        const t: CType = { kind: 'base', name, size, enc: e };
        this.types.set(die.offset, t);
        return t;
      }
      case TAG.pointer:
      case TAG.reference:
      case TAG.rvalue_reference: {
        const t: CType = { kind: 'pointer', name: '', size: size || this.u.ctx.addressSize, to: undefined };
        this.types.set(die.offset, t);
        t.to = sub();
        if (!die.attrs.has(AT.type)) t.to = { kind: 'void', name: 'void' };
        return t;
      }
      case TAG.typedef:
      case TAG.const:
      case TAG.volatile:
      case TAG.restrict:
      case TAG.atomic: {
        const kind = die.tag === TAG.const ? 'const' : die.tag === TAG.volatile ? 'volatile' : 'typedef';
        const t: CType = { kind, name: die.tag === TAG.typedef ? name : '', of: undefined };
        this.types.set(die.offset, t);
        t.of = die.attrs.has(AT.type) ? sub() : { kind: 'void', name: 'void' };
        return t;
      }
      case TAG.structure:
      case TAG.union:
      case TAG.class: {
        const t: CType = { kind: die.tag === TAG.union ? 'union' : 'struct', name, size, members: [] };
        this.types.set(die.offset, t);
        for (const co of die.children) {
          const m = this.u.dies.get(co)!;
          if (m.tag !== TAG.member) continue;
          const mt = this.ref(m.attrs.get(AT.type));
          const loc = m.attrs.get(AT.data_member_location);
          let offset = 0;
          if (loc && loc.cls === 'const') offset = loc.n;
          else if (loc && loc.cls === 'block' && loc.b[0] === 0x23) offset = plusUconst(loc.b);
          const member: CMember = { name: this.str(m.attrs.get(AT.name)) ?? '<anonymous>', offset, type: (mt && this.type(mt, depth + 1)) ?? { kind: 'void', name: 'void' } };
          const bs = this.num(m.attrs.get(AT.bit_size));
          if (bs !== undefined) {
            member.bitSize = bs;
            member.bitOffset = this.num(m.attrs.get(AT.data_bit_offset)) ?? 0;
          }
          t.members.push(member);
        }
        return t;
      }
      case TAG.array: {
        const elem = sub() ?? { kind: 'void', name: 'void' };
        const dims: (number | undefined)[] = [];
        for (const co of die.children) {
          const s = this.u.dies.get(co)!;
          if (s.tag !== TAG.subrange) continue;
          const count = this.num(s.attrs.get(AT.count));
          const ub = s.attrs.get(AT.upper_bound);
          dims.push(count !== undefined ? count : ub && ub.cls === 'const' ? ub.n + 1 : undefined);
        }
        if (dims.length === 0) dims.push(undefined);
        // int a[2][3] is an array of 2 arrays of 3.
        let t: CType = elem;
        for (let i = dims.length - 1; i >= 0; i--) t = { kind: 'array', name: '', elem: t, count: dims[i] };
        this.types.set(die.offset, t);
        return t;
      }
      case TAG.enumeration: {
        const values: [string, bigint][] = [];
        let signed = false;
        for (const co of die.children) {
          const e = this.u.dies.get(co)!;
          if (e.tag !== TAG.enumerator) continue;
          const v = this.num(e.attrs.get(AT.const_value)) ?? 0;
          if (v < 0) signed = true;
          values.push([this.str(e.attrs.get(AT.name)) ?? '?', BigInt(v)]);
        }
        const t: CType = { kind: 'enum', name, size: size || 4, signed, values };
        this.types.set(die.offset, t);
        return t;
      }
      case TAG.subroutine: {
        const t: CType = { kind: 'func', name: name || 'function' };
        this.types.set(die.offset, t);
        return t;
      }
      case TAG.unspecified: {
        const t: CType = { kind: 'void', name: name || 'void' };
        this.types.set(die.offset, t);
        return t;
      }
      default:
        return { kind: 'void', name: name || `<DWARF tag 0x${die.tag.toString(16)}>` };
    }
  }
}

/** DW_OP_plus_uconst N (a member's offset as an expression). */
function plusUconst(b: Uint8Array): number {
  const c = new ByteCursor(b, 'member location');
  c.u8();
  return c.uleb();
}

/** Decode a single-location DWARF expression of the shapes clang and rustc emit for wasm. */
export function decodeLocation(b: Uint8Array, addressSize = 4): VarLocation {
  const c = new ByteCursor(b, 'location');
  try {
    const op = c.u8();
    if (op === 0x91) {
      // DW_OP_fbreg
      const offset = c.sleb();
      return c.remaining === 0 ? { kind: 'fbreg', offset } : { kind: 'unsupported', why: 'a computed location (fbreg with more operations)' };
    }
    if (op === 0x03) {
      const addr = c.uN(addressSize);
      return c.remaining === 0 ? { kind: 'addr', addr } : { kind: 'unsupported', why: 'a computed address' };
    }
    if (op === 0xed) {
      // DW_OP_WASM_location kind index [DW_OP_stack_value]
      const kind = c.u8();
      const index = kind === 3 ? c.u32() : c.uleb();
      const space = kind === 0 ? 'local' : kind === 2 ? 'stack' : 'global';
      if (c.remaining === 0) return { kind: 'wasmAddr', space, index };
      if (c.remaining === 1 && c.u8() === 0x9f) return { kind: 'wasm', space, index };
      return { kind: 'unsupported', why: 'a computed wasm location' };
    }
    return { kind: 'unsupported', why: `DWARF expression DW_OP 0x${op.toString(16)} is not supported` };
  } catch {
    return { kind: 'unsupported', why: 'a malformed DWARF expression' };
  }
}

/** The innermost subprogram containing module offset `offset`. */
export function subprogramAt(vars: DwarfVariables, offset: number): DwarfSubprogram | undefined {
  const fs = vars.functions;
  let lo = 0;
  let hi = fs.length - 1;
  let found: DwarfSubprogram | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fs[mid].start <= offset) {
      if (offset < fs[mid].end) found = fs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The variables of `fn` in scope at `offset` (inner blocks shadow outer names). */
export function varsInScope(fn: DwarfSubprogram, offset: number): DwarfVariable[] {
  const byName = new Map<string, DwarfVariable>();
  for (const v of fn.vars) {
    if (v.scope && !v.scope.some(([a, b]) => offset >= a && offset < b)) continue;
    const prev = byName.get(v.name);
    // A variable in a lexical block shadows one of the function's scope.
    if (!prev || (v.scope && !prev.scope)) byName.set(v.name, v);
  }
  return [...byName.values()];
}
