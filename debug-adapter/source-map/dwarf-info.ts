// Just enough of .debug_info/.debug_abbrev: each compile unit's root DIE (name, comp_dir,
// stmt_list, string/address bases) so line-table paths can be resolved, and, on request, every
// DW_TAG_subprogram with code (low_pc/high_pc or DW_AT_ranges) and its scope-qualified name, for
// stack frames when the name section is missing. Addresses are DWARF's (Code-payload-relative).

import { ByteCursor } from './byte-cursor';
import type { SectionSlice } from './dwarf-sections';
import { readForm, resolveAddrx, resolveStrx, type FormContext, type FormValue, type StringSections } from './dwarf-forms';
import { SourceMapError } from './errors';

export interface InfoSections extends StringSections {
  info?: SectionSlice;
  abbrev?: SectionSlice;
  addr?: SectionSlice;
  ranges?: SectionSlice;
  rnglists?: SectionSlice;
}

export interface CompileUnit {
  /** Offset of the unit header in .debug_info. */
  offset: number;
  version: number;
  addressSize: number;
  offsetSize: number;
  name?: string;
  compDir?: string;
  producer?: string;
  /** DW_AT_stmt_list: the unit's line program offset in .debug_line. */
  stmtList?: number;
  lowPc?: number;
  /** The unit's code as DWARF address ranges (DW_AT_low_pc/high_pc or DW_AT_ranges), if given. */
  ranges?: [number, number][];
  strOffsetsBase?: number;
  addrBase?: number;
  rnglistsBase?: number;
}

export interface DwarfFunction {
  /** DW_AT_name, qualified by enclosing namespaces/types with `::` (C++, Rust). */
  name: string;
  /** DWARF address range [low, high). */
  low: number;
  high: number;
}

const DW_TAG_compile_unit = 0x11,
  DW_TAG_partial_unit = 0x3c,
  DW_TAG_skeleton_unit = 0x4a,
  DW_TAG_subprogram = 0x2e,
  DW_TAG_namespace = 0x39,
  DW_TAG_class_type = 0x02,
  DW_TAG_structure_type = 0x13,
  DW_TAG_union_type = 0x17;
const DW_AT_name = 0x03,
  DW_AT_stmt_list = 0x10,
  DW_AT_low_pc = 0x11,
  DW_AT_high_pc = 0x12,
  DW_AT_comp_dir = 0x1b,
  DW_AT_producer = 0x25,
  DW_AT_abstract_origin = 0x31,
  DW_AT_specification = 0x47,
  DW_AT_ranges = 0x55,
  DW_AT_linkage_name = 0x6e,
  DW_AT_MIPS_linkage_name = 0x2007,
  DW_AT_str_offsets_base = 0x72,
  DW_AT_addr_base = 0x73,
  DW_AT_rnglists_base = 0x74;
const WANTED = new Set([
  DW_AT_name,
  DW_AT_stmt_list,
  DW_AT_low_pc,
  DW_AT_high_pc,
  DW_AT_comp_dir,
  DW_AT_producer,
  DW_AT_abstract_origin,
  DW_AT_specification,
  DW_AT_ranges,
  DW_AT_linkage_name,
  DW_AT_MIPS_linkage_name,
  DW_AT_str_offsets_base,
  DW_AT_addr_base,
  DW_AT_rnglists_base,
]);
const SCOPE_TAGS = new Set([DW_TAG_namespace, DW_TAG_class_type, DW_TAG_structure_type, DW_TAG_union_type]);

/** One attribute specification of an abbreviation (.debug_abbrev). */
export interface AbbrevAttr {
  name: number;
  form: number;
  implicitConst: number;
}
/** One abbreviation: the shape of the DIEs that name its code. */
export interface Abbrev {
  tag: number;
  hasChildren: boolean;
  attrs: AbbrevAttr[];
}

/** The abbreviation table at `offset` in .debug_abbrev, by code. */
export function readAbbrevTable(s: SectionSlice, offset: number): Map<number, Abbrev> {
  const c = new ByteCursor(s.bytes, '.debug_abbrev', s.offset, offset);
  const table = new Map<number, Abbrev>();
  for (;;) {
    const code = c.uleb();
    if (code === 0) break;
    const tag = c.uleb();
    const hasChildren = c.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const name = c.uleb();
      const form = c.uleb();
      if (name === 0 && form === 0) break;
      attrs.push({ name, form, implicitConst: form === 0x21 ? c.sleb() : 0 });
    }
    table.set(code, { tag, hasChildren, attrs });
  }
  return table;
}

interface UnitHeader {
  offset: number;
  version: number;
  offsetSize: number;
  addressSize: number;
  abbrevOffset: number;
  /** Offset of the first DIE. */
  diesAt: number;
  /** Offset of the next unit. */
  next: number;
}

function readUnitHeader(s: SectionSlice, offset: number): UnitHeader {
  const c = new ByteCursor(s.bytes, '.debug_info', s.offset, offset);
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) c.fail(`reserved unit length 0x${length.toString(16)}`, offset);
  if (length > c.remaining) c.fail(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
  const next = c.pos + length;
  const versionAt = c.pos;
  const version = c.u16();
  if (version < 2 || version > 5) c.fail(`unsupported .debug_info version ${version}`, versionAt);
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    const unitType = c.u8();
    addressSize = c.u8();
    abbrevOffset = c.uN(offsetSize);
    if (unitType === 4 || unitType === 5) c.skip(8); // skeleton/split: dwo_id
    else if (unitType === 2 || unitType === 6) c.skip(8 + offsetSize); // type units: signature, type_offset
  } else {
    abbrevOffset = c.uN(offsetSize);
    addressSize = c.u8();
  }
  if (addressSize !== 4 && addressSize !== 8) c.fail(`unsupported address size ${addressSize}`, versionAt);
  return { offset, version, offsetSize, addressSize, abbrevOffset, diesAt: c.pos, next };
}

type Attrs = Map<number, FormValue>;

function readDie(c: ByteCursor, abbrevs: Map<number, Abbrev>, ctx: FormContext): { abbrev: Abbrev; attrs: Attrs; offset: number } | null {
  const offset = c.pos;
  const code = c.uleb();
  if (code === 0) return null;
  const abbrev = abbrevs.get(code);
  if (!abbrev) c.fail(`DIE uses undefined abbreviation ${code}`, offset);
  const attrs: Attrs = new Map();
  for (const a of abbrev.attrs) {
    const v = readForm(c, a.form, ctx, a.implicitConst);
    if (WANTED.has(a.name)) attrs.set(a.name, v);
  }
  return { abbrev, attrs, offset };
}

interface UnitContext {
  header: UnitHeader;
  ctx: FormContext;
  unit: CompileUnit;
  sections: InfoSections;
}

function str(u: UnitContext, v: FormValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.cls === 'str') return v.s;
  if (v.cls === 'strx') return resolveStrx(v.n, u.unit.strOffsetsBase ?? 8, u.ctx);
  return undefined;
}

function addr(u: UnitContext, v: FormValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.cls === 'addr') return v.n;
  if (v.cls === 'addrx') return resolveAddrx(v.n, u.unit.addrBase ?? 8, u.header.addressSize, u.sections.addr);
  return undefined;
}

function num(v: FormValue | undefined): number | undefined {
  return v && v.cls !== 'str' && v.cls !== 'none' ? v.n : undefined;
}

function openUnit(s: InfoSections, offset: number, abbrevCache: Map<number, Map<number, Abbrev>>) {
  const info = s.info!;
  const header = readUnitHeader(info, offset);
  if (!s.abbrev) throw new SourceMapError('.debug_abbrev', 0, '.debug_info without a .debug_abbrev section');
  let abbrevs = abbrevCache.get(header.abbrevOffset);
  if (!abbrevs) {
    abbrevs = readAbbrevTable(s.abbrev, header.abbrevOffset);
    abbrevCache.set(header.abbrevOffset, abbrevs);
  }
  const ctx: FormContext = { version: header.version, offsetSize: header.offsetSize, addressSize: header.addressSize, strings: s };
  const c = new ByteCursor(info.bytes, '.debug_info', info.offset, header.diesAt, header.next);
  const root = readDie(c, abbrevs, ctx);
  const unit: CompileUnit = {
    offset,
    version: header.version,
    addressSize: header.addressSize,
    offsetSize: header.offsetSize,
  };
  const u: UnitContext = { header, ctx, unit, sections: s };
  if (root && [DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_skeleton_unit].includes(root.abbrev.tag)) {
    const a = root.attrs;
    unit.strOffsetsBase = num(a.get(DW_AT_str_offsets_base));
    unit.addrBase = num(a.get(DW_AT_addr_base));
    unit.rnglistsBase = num(a.get(DW_AT_rnglists_base));
    unit.name = str(u, a.get(DW_AT_name));
    unit.compDir = str(u, a.get(DW_AT_comp_dir));
    unit.producer = str(u, a.get(DW_AT_producer));
    unit.stmtList = num(a.get(DW_AT_stmt_list));
    unit.lowPc = addr(u, a.get(DW_AT_low_pc));
  }
  return { u, c, abbrevs, root };
}

/** Walks the units of .debug_info (root DIE only); a bad unit is reported and skipped. */
export function readCompileUnits(s: InfoSections): { units: CompileUnit[]; errors: SourceMapError[] } {
  const units: CompileUnit[] = [];
  const errors: SourceMapError[] = [];
  if (!s.info) return { units, errors };
  const cache = new Map<number, Map<number, Abbrev>>();
  let off = 0;
  while (off < s.info.bytes.length) {
    let next: number;
    try {
      next = readUnitHeader(s.info, off).next;
    } catch (e) {
      errors.push(onlyOurs(e));
      break;
    }
    try {
      const { u, root } = openUnit(s, off, cache);
      units.push(u.unit);
      if (root) {
        try {
          const r = pcRanges(u, root.attrs);
          if (r.length) u.unit.ranges = r;
        } catch (e) {
          errors.push(onlyOurs(e));
        }
      }
    } catch (e) {
      errors.push(onlyOurs(e));
    }
    off = next;
  }
  return { units, errors };
}

function onlyOurs(e: unknown): SourceMapError {
  if (e instanceof SourceMapError) return e;
  throw e;
}

/** Every subprogram with code, across all units; a bad unit is reported and skipped. */
export function readFunctions(s: InfoSections): { functions: DwarfFunction[]; errors: SourceMapError[] } {
  const functions: DwarfFunction[] = [];
  const errors: SourceMapError[] = [];
  if (!s.info) return { functions, errors };
  const cache = new Map<number, Map<number, Abbrev>>();
  let off = 0;
  while (off < s.info.bytes.length) {
    let next: number;
    try {
      next = readUnitHeader(s.info, off).next;
    } catch (e) {
      errors.push(onlyOurs(e));
      break;
    }
    try {
      functionsOfUnit(s, off, cache, functions);
    } catch (e) {
      errors.push(onlyOurs(e));
    }
    off = next;
  }
  functions.sort((a, b) => a.low - b.low);
  return { functions, errors };
}

function functionsOfUnit(s: InfoSections, offset: number, cache: Map<number, Map<number, Abbrev>>, out: DwarfFunction[]): void {
  const { u, c, abbrevs, root } = openUnit(s, offset, cache);
  if (!root || !root.abbrev.hasChildren) return;
  // Names of subprogram DIEs by unit-relative and section-relative offset, for DW_AT_specification
  // and DW_AT_abstract_origin, which may point forward: resolved after the walk.
  const names = new Map<number, string>();
  const pending: { ref: FormValue; ranges: [number, number][] }[] = [];
  const scope: (string | null)[] = [];
  let depth = 1;
  while (depth > 0 && c.remaining > 0) {
    const die = readDie(c, abbrevs, u.ctx);
    if (!die) {
      depth--;
      scope.pop();
      continue;
    }
    const { abbrev, attrs } = die;
    let scopeName: string | null = null;
    if (SCOPE_TAGS.has(abbrev.tag)) scopeName = str(u, attrs.get(DW_AT_name)) ?? null;
    if (abbrev.tag === DW_TAG_subprogram) {
      const own = str(u, attrs.get(DW_AT_name)) ?? str(u, attrs.get(DW_AT_linkage_name)) ?? str(u, attrs.get(DW_AT_MIPS_linkage_name));
      const qualified = own === undefined ? undefined : qualify(scope, own);
      if (qualified !== undefined) {
        names.set(die.offset, qualified);
      }
      const ranges = pcRanges(u, attrs);
      if (ranges.length > 0) {
        if (qualified !== undefined) for (const [low, high] of ranges) if (high > low) out.push({ name: qualified, low, high });
        else {
          const ref = attrs.get(DW_AT_specification) ?? attrs.get(DW_AT_abstract_origin);
          if (ref) pending.push({ ref, ranges });
        }
      }
    }
    if (abbrev.hasChildren) {
      depth++;
      scope.push(scopeName);
    }
  }
  for (const p of pending) {
    const target = p.ref.cls === 'ref' ? offset + p.ref.n : p.ref.cls === 'refAddr' ? p.ref.n : undefined;
    const name = (target !== undefined ? names.get(target) : undefined) ?? `<subprogram at .debug_info+0x${(target ?? 0).toString(16)}>`;
    for (const [low, high] of p.ranges) if (high > low) out.push({ name, low, high });
  }
}

function qualify(scope: (string | null)[], name: string): string {
  const parts = scope.filter((x): x is string => x !== null);
  return parts.length ? `${parts.join('::')}::${name}` : name;
}

/** A DIE's code ranges: low_pc/high_pc, or DW_AT_ranges through .debug_ranges (v2-4) or .debug_rnglists (v5). */
function pcRanges(u: UnitContext, attrs: Attrs): [number, number][] {
  const low = addr(u, attrs.get(DW_AT_low_pc));
  const highV = attrs.get(DW_AT_high_pc);
  if (low !== undefined && highV) {
    // DWARF 4+: a constant-class high_pc is a length from low_pc.
    const high = highV.cls === 'const' ? low + highV.n : addr(u, highV);
    return high !== undefined && high > low ? [[low, high]] : [];
  }
  const r = attrs.get(DW_AT_ranges);
  if (!r) return [];
  if (u.header.version >= 5) {
    if (r.cls === 'sec') return rnglist(u, r.n);
    if (r.cls === 'rnglistx') {
      const rl = u.sections.rnglists;
      if (!rl) throw new SourceMapError('.debug_rnglists', 0, 'DW_FORM_rnglistx without a .debug_rnglists section');
      const base = u.unit.rnglistsBase ?? (u.header.offsetSize === 8 ? 20 : 12);
      const rel = new ByteCursor(rl.bytes, '.debug_rnglists', rl.offset, base + r.n * u.header.offsetSize).uN(u.header.offsetSize);
      return rnglist(u, base + rel);
    }
    return [];
  }
  return r.cls === 'sec' || r.cls === 'const' ? rangesV4(u, r.n) : [];
}

/** A DWARF 2-4 .debug_ranges list: address pairs relative to a base (the CU's low_pc by default). */
function rangesV4(u: UnitContext, offset: number): [number, number][] {
  const s = u.sections.ranges;
  if (!s) throw new SourceMapError('.debug_ranges', offset, 'DW_AT_ranges without a .debug_ranges section');
  const c = new ByteCursor(s.bytes, '.debug_ranges', s.offset, offset);
  const size = u.header.addressSize;
  // The base-address-selection marker is the largest address (2^64 - 1 reads as 2^64 here).
  const maxAddr = size === 8 ? 2 ** 64 : 0xffffffff;
  let base = u.unit.lowPc ?? 0;
  const out: [number, number][] = [];
  for (;;) {
    const a = c.uN(size);
    const b = c.uN(size);
    if (a === 0 && b === 0) break;
    if (a === maxAddr) base = b;
    else if (b > a) out.push([base + a, base + b]);
  }
  return out;
}

/** A DWARF 5 .debug_rnglists list. */
function rnglist(u: UnitContext, offset: number): [number, number][] {
  const s = u.sections.rnglists;
  if (!s) throw new SourceMapError('.debug_rnglists', offset, 'DW_AT_ranges without a .debug_rnglists section');
  const c = new ByteCursor(s.bytes, '.debug_rnglists', s.offset, offset);
  const ax = (i: number) => resolveAddrx(i, u.unit.addrBase ?? 8, u.header.addressSize, u.sections.addr);
  const size = u.header.addressSize;
  let base = u.unit.lowPc ?? 0;
  const out: [number, number][] = [];
  for (;;) {
    const at = c.pos;
    const kind = c.u8();
    switch (kind) {
      case 0: // end_of_list
        return out;
      case 1: // base_addressx
        base = ax(c.uleb());
        break;
      case 2: {
        const a = ax(c.uleb());
        out.push([a, ax(c.uleb())]);
        break;
      }
      case 3: {
        const a = ax(c.uleb());
        out.push([a, a + c.uleb()]);
        break;
      }
      case 4: {
        const a = c.uleb();
        out.push([base + a, base + c.uleb()]);
        break;
      }
      case 5:
        base = c.uN(size);
        break;
      case 6: {
        const a = c.uN(size);
        out.push([a, c.uN(size)]);
        break;
      }
      case 7: {
        const a = c.uN(size);
        out.push([a, a + c.uleb()]);
        break;
      }
      default:
        c.fail(`unknown range list entry kind ${kind}`, at);
    }
  }
}
