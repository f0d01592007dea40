// DWARF attribute forms (versions 2-5): reads or skips one attribute value of any form, so the
// .debug_info walker and the v5 line-table entry formats can step over attributes they ignore.
// String and address indexes (strx, addrx) are returned unresolved: the bases that resolve them
// (DW_AT_str_offsets_base, DW_AT_addr_base) may come later in the same DIE.

import { ByteCursor, stringAt } from './byte-cursor';
import { SourceMapError } from './errors';
import type { SectionSlice } from './dwarf-sections';

export const DW_FORM = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  ref_sup4: 0x1c,
  strp_sup: 0x1d,
  data16: 0x1e,
  line_strp: 0x1f,
  ref_sig8: 0x20,
  implicit_const: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  ref_sup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  GNU_addr_index: 0x1f01,
  GNU_str_index: 0x1f02,
  GNU_ref_alt: 0x1f20,
  GNU_strp_alt: 0x1f21,
} as const;

/** The string sections a form may point into. */
export interface StringSections {
  str?: SectionSlice;
  lineStr?: SectionSlice;
  strOffsets?: SectionSlice;
}

export interface FormContext {
  version: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: number;
  addressSize: number;
  strings: StringSections;
}

/**
 * A decoded value, by class: `const` (data, flag, sdata), `addr`, `ref` (unit-relative DIE
 * offset), `refAddr` (section-relative DIE offset), `sec` (offset into another section), `str`,
 * `strx`/`addrx`/`rnglistx` (unresolved indexes), `none` (blocks, signatures, supplementary refs).
 */
export type FormValue =
  | { cls: 'const' | 'addr' | 'ref' | 'refAddr' | 'sec' | 'strx' | 'addrx' | 'rnglistx' | 'loclistx'; n: number }
  | { cls: 'str'; s: string }
  | { cls: 'none' };

const NONE: FormValue = { cls: 'none' };

export function readForm(c: ByteCursor, form: number, ctx: FormContext, implicitConst = 0): FormValue {
  const F = DW_FORM;
  switch (form) {
    case F.addr:
      return { cls: 'addr', n: c.uN(ctx.addressSize) };
    case F.data1:
    case F.flag:
      return { cls: 'const', n: c.u8() };
    case F.data2:
      return { cls: 'const', n: c.u16() };
    case F.data4:
      return { cls: 'const', n: c.u32() };
    case F.data8:
      return { cls: 'const', n: c.u64() };
    case F.sdata:
      return { cls: 'const', n: c.sleb() };
    case F.udata:
      return { cls: 'const', n: c.uleb() };
    case F.implicit_const:
      return { cls: 'const', n: implicitConst };
    case F.flag_present:
      return { cls: 'const', n: 1 };
    case F.data16:
      c.skip(16);
      return NONE;
    case F.string:
      return { cls: 'str', s: c.cstr() };
    case F.strp: {
      const at = c.pos;
      const off = c.uN(ctx.offsetSize);
      return { cls: 'str', s: sectionString(c, at, ctx.strings.str, '.debug_str', off) };
    }
    case F.line_strp: {
      const at = c.pos;
      const off = c.uN(ctx.offsetSize);
      return { cls: 'str', s: sectionString(c, at, ctx.strings.lineStr, '.debug_line_str', off) };
    }
    case F.strx:
    case F.GNU_str_index:
      return { cls: 'strx', n: c.uleb() };
    case F.strx1:
      return { cls: 'strx', n: c.u8() };
    case F.strx2:
      return { cls: 'strx', n: c.u16() };
    case F.strx3:
      return { cls: 'strx', n: c.u24() };
    case F.strx4:
      return { cls: 'strx', n: c.u32() };
    case F.addrx:
    case F.GNU_addr_index:
      return { cls: 'addrx', n: c.uleb() };
    case F.addrx1:
      return { cls: 'addrx', n: c.u8() };
    case F.addrx2:
      return { cls: 'addrx', n: c.u16() };
    case F.addrx3:
      return { cls: 'addrx', n: c.u24() };
    case F.addrx4:
      return { cls: 'addrx', n: c.u32() };
    case F.ref1:
      return { cls: 'ref', n: c.u8() };
    case F.ref2:
      return { cls: 'ref', n: c.u16() };
    case F.ref4:
      return { cls: 'ref', n: c.u32() };
    case F.ref8:
      return { cls: 'ref', n: c.u64() };
    case F.ref_udata:
      return { cls: 'ref', n: c.uleb() };
    case F.ref_addr:
      // DWARF 2 sized DW_FORM_ref_addr like an address; later versions like an offset.
      return { cls: 'refAddr', n: c.uN(ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize) };
    case F.sec_offset:
      return { cls: 'sec', n: c.uN(ctx.offsetSize) };
    case F.loclistx:
      return { cls: 'loclistx', n: c.uleb() };
    case F.rnglistx:
      return { cls: 'rnglistx', n: c.uleb() };
    case F.strp_sup:
    case F.GNU_strp_alt:
    case F.GNU_ref_alt:
      c.skip(ctx.offsetSize);
      return NONE;
    case F.ref_sup4:
      c.skip(4);
      return NONE;
    case F.ref_sup8:
    case F.ref_sig8:
      c.skip(8);
      return NONE;
    case F.block1:
      c.skip(c.u8());
      return NONE;
    case F.block2:
      c.skip(c.u16());
      return NONE;
    case F.block4:
      c.skip(c.u32());
      return NONE;
    case F.block:
    case F.exprloc:
      c.skip(c.uleb());
      return NONE;
    case F.indirect: {
      const at = c.pos;
      const actual = c.uleb();
      if (actual === F.indirect || actual === F.implicit_const) c.fail(`bad DW_FORM_indirect form 0x${actual.toString(16)}`, at);
      return readForm(c, actual, ctx);
    }
    default:
      return c.fail(`unknown DW_FORM 0x${form.toString(16)}`);
  }
}

function sectionString(c: ByteCursor, at: number, s: SectionSlice | undefined, name: string, off: number): string {
  if (!s) c.fail(`string form points into missing section ${name}`, at);
  return stringAt(s.bytes, name, off, s.offset);
}

/** Resolve a `strx` index through .debug_str_offsets (base: DW_AT_str_offsets_base). */
export function resolveStrx(index: number, base: number, ctx: FormContext): string {
  const so = ctx.strings.strOffsets;
  if (!so) throw new SourceMapError('.debug_str_offsets', 0, 'string index without a .debug_str_offsets section');
  const c = new ByteCursor(so.bytes, '.debug_str_offsets', so.offset, base + index * ctx.offsetSize);
  const off = c.uN(ctx.offsetSize);
  const str = ctx.strings.str;
  if (!str) return c.fail('string offset without a .debug_str section');
  return stringAt(str.bytes, '.debug_str', off, str.offset);
}

/** Resolve an `addrx` index through .debug_addr (base: DW_AT_addr_base). */
export function resolveAddrx(index: number, base: number, addressSize: number, addr: SectionSlice | undefined): number {
  if (!addr) throw new SourceMapError('.debug_addr', 0, 'address index without a .debug_addr section');
  return new ByteCursor(addr.bytes, '.debug_addr', addr.offset, base + index * addressSize).uN(addressSize);
}
