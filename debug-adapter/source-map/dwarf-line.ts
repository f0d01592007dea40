// The DWARF .debug_line program interpreter, versions 2-5 (clang emits 4 or 5 for wasm, rustc 4):
// parses each unit's header (including v5 directory/file entry formats) and runs its line-number
// program into rows. Addresses are returned as DWARF has them (for wasm: relative to the Code
// section payload); dwarf-map.ts converts them. Every read is bounds-checked and every loop
// consumes input, so malformed bytes end in a SourceMapError naming the offset, never a hang.

import { ByteCursor } from './byte-cursor';
import { readForm, resolveStrx, type FormContext, type StringSections } from './dwarf-forms';
import { SourceMapError } from './errors';
import { joinPath } from './source-paths';

export interface LineRow {
  /** DWARF address (for wasm: Code-section-payload-relative). */
  address: number;
  /** The file path as the header builds it (directory joined, not normalized). */
  file: string;
  /** 1-based; 0 means "no source line" (compiler-generated code). */
  line: number;
  /** 1-based; 0 means "unknown column". */
  column: number;
  isStmt: boolean;
  prologueEnd: boolean;
  /** The first address past the end of a sequence; no instruction is described by this row. */
  endSequence: boolean;
}

export interface LineProgram {
  /** Offset of the unit in .debug_line (what DW_AT_stmt_list refers to). */
  offset: number;
  version: number;
  /** Directories as numbered by this version (v2-4: index 0 is the compile dir). */
  includeDirectories: string[];
  /** Files as numbered by this version (v2-4: index 0 is unused and empty), directory joined. */
  fileNames: string[];
  rows: LineRow[];
}

export interface LineProgramOptions {
  strings?: StringSections;
  /** The compile unit's DW_AT_comp_dir for a unit at this offset (v2-4 directory 0). */
  compDirFor?: (unitOffset: number) => string | undefined;
  /** DW_AT_str_offsets_base of the unit's CU, needed only if v5 entries use DW_FORM_strx*. */
  strOffsetsBaseFor?: (unitOffset: number) => number | undefined;
  /** Module-relative offset of the section payload, for error messages. */
  moduleBase?: number;
}

const DW_LNS_copy = 1,
  DW_LNS_advance_pc = 2,
  DW_LNS_advance_line = 3,
  DW_LNS_set_file = 4,
  DW_LNS_set_column = 5,
  DW_LNS_negate_stmt = 6,
  DW_LNS_set_basic_block = 7,
  DW_LNS_const_add_pc = 8,
  DW_LNS_fixed_advance_pc = 9,
  DW_LNS_set_prologue_end = 10,
  DW_LNS_set_epilogue_begin = 11,
  DW_LNS_set_isa = 12;
const DW_LNE_end_sequence = 1,
  DW_LNE_set_address = 2,
  DW_LNE_define_file = 3,
  DW_LNE_set_discriminator = 4;
const DW_LNCT_path = 1,
  DW_LNCT_directory_index = 2;

/** Every unit of a .debug_line section, in order. A malformed unit throws (see readLineProgramsLenient). */
export function readLinePrograms(debugLine: Uint8Array, opts: LineProgramOptions = {}): LineProgram[] {
  const out: LineProgram[] = [];
  let off = 0;
  while (off < debugLine.length) {
    const { program, next } = readLineProgram(debugLine, off, opts);
    out.push(program);
    off = next;
  }
  return out;
}

/**
 * Every unit that decodes, and an error for each one that does not: a unit's length field lets
 * the walk skip a bad unit and go on, so one damaged library CU does not cost the user's file.
 */
export function readLineProgramsLenient(
  debugLine: Uint8Array,
  opts: LineProgramOptions = {},
): { programs: LineProgram[]; errors: SourceMapError[] } {
  const programs: LineProgram[] = [];
  const errors: SourceMapError[] = [];
  let off = 0;
  while (off < debugLine.length) {
    let next: number;
    try {
      next = unitExtent(debugLine, off, opts.moduleBase).next;
    } catch (e) {
      errors.push(asError(e));
      break;
    }
    try {
      programs.push(readLineProgram(debugLine, off, opts).program);
    } catch (e) {
      errors.push(asError(e));
    }
    off = next;
  }
  return { programs, errors };
}

function asError(e: unknown): SourceMapError {
  if (e instanceof SourceMapError) return e;
  throw e;
}

function unitExtent(bytes: Uint8Array, offset: number, moduleBase?: number): { offsetSize: number; body: number; next: number } {
  const c = new ByteCursor(bytes, '.debug_line', moduleBase, offset);
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) c.fail(`reserved unit length 0x${length.toString(16)}`, offset);
  if (length > c.remaining) c.fail(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
  return { offsetSize, body: c.pos, next: c.pos + length };
}

/** The unit at `offset` and the offset of the next one. */
export function readLineProgram(
  debugLine: Uint8Array,
  offset: number,
  opts: LineProgramOptions = {},
): { program: LineProgram; next: number } {
  const where = '.debug_line';
  const { offsetSize, body, next } = unitExtent(debugLine, offset, opts.moduleBase);
  const c = new ByteCursor(debugLine, where, opts.moduleBase, body, next);
  const versionAt = c.pos;
  const version = c.u16();
  if (version < 2 || version > 5) c.fail(`unsupported .debug_line version ${version}`, versionAt);
  let addressSize: number | undefined;
  if (version >= 5) {
    addressSize = c.u8();
    c.u8(); // segment_selector_size: no segments in wasm
  }
  const headerLength = c.uN(offsetSize);
  if (headerLength > c.remaining) c.fail(`header_length 0x${headerLength.toString(16)} runs past the end of the unit`);
  const programStart = c.pos + headerLength;
  const h = new ByteCursor(debugLine, where, opts.moduleBase, c.pos, programStart);
  const minInstLength = h.u8();
  const maxOpsAt = h.pos;
  const maxOps = version >= 4 ? h.u8() : 1;
  if (maxOps === 0) h.fail('maximum_operations_per_instruction is 0', maxOpsAt);
  const defaultIsStmt = h.u8() !== 0;
  const lineBase = (h.u8() << 24) >> 24;
  const lineRangeAt = h.pos;
  const lineRange = h.u8();
  if (lineRange === 0) h.fail('line_range is 0', lineRangeAt);
  const opcodeBase = h.u8();
  const stdLengths = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(h.u8());

  const compDir = opts.compDirFor?.(offset);
  let dirs: string[];
  let files: string[];
  if (version >= 5) {
    const ctx: FormContext = { version, offsetSize, addressSize: addressSize ?? 4, strings: opts.strings ?? {} };
    const strBase = opts.strOffsetsBaseFor?.(offset);
    const dirEntries = readEntries(h, ctx, strBase, 'directory');
    dirs = dirEntries.map((e) => e.path);
    // v5 directory 0 is the compile dir; other relative directories are under it.
    dirs = dirs.map((d, i) => (i === 0 ? joinPath(compDir, d) : joinPath(dirs[0], d)));
    const fileEntries = readEntries(h, ctx, strBase, 'file');
    files = fileEntries.map((e) => {
      if (e.dir > 0 && e.dir >= dirs.length) h.fail(`file ${e.path} names directory ${e.dir} of ${dirs.length}`);
      return joinPath(dirs[e.dir], e.path);
    });
  } else {
    dirs = [compDir ?? ''];
    for (;;) {
      const d = h.cstr();
      if (d === '') break;
      dirs.push(joinPath(compDir, d));
    }
    files = [''];
    for (;;) {
      const at = h.pos;
      const name = h.cstr();
      if (name === '') break;
      const dir = h.uleb();
      h.uleb(); // modification time
      h.uleb(); // length
      if (dir >= dirs.length) h.fail(`file ${name} names directory ${dir} of ${dirs.length - 1}`, at);
      files.push(joinPath(dirs[dir], name));
    }
  }

  const rows: LineRow[] = [];
  const p = new ByteCursor(debugLine, where, opts.moduleBase, programStart, next);
  // State machine registers (DWARF 5 section 6.2.2).
  let address = 0,
    opIndex = 0,
    file = 1,
    line = 1,
    column = 0,
    isStmt = defaultIsStmt,
    prologueEnd = false;
  const reset = () => {
    address = 0;
    opIndex = 0;
    file = 1;
    line = 1;
    column = 0;
    isStmt = defaultIsStmt;
    prologueEnd = false;
  };
  const fileName = (at: number): string => {
    const f = files[file];
    if (f === undefined || (version < 5 && file === 0)) p.fail(`row names file ${file}, the header has ${version < 5 ? files.length - 1 : files.length}`, at);
    return f;
  };
  const emit = (at: number, endSequence: boolean) => {
    // An end_sequence row describes no instruction: its file register need not be valid.
    const f = endSequence ? (files[file] ?? '') : fileName(at);
    rows.push({ address, file: f, line, column, isStmt, prologueEnd, endSequence });
    prologueEnd = false;
  };
  const advance = (operationAdvance: number) => {
    if (maxOps === 1) address += minInstLength * operationAdvance;
    else {
      address += minInstLength * Math.floor((opIndex + operationAdvance) / maxOps);
      opIndex = (opIndex + operationAdvance) % maxOps;
    }
  };

  while (p.remaining > 0) {
    const at = p.pos;
    const op = p.u8();
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      line += lineBase + (adjusted % lineRange);
      emit(at, false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = p.uleb();
        if (len === 0) p.fail('extended opcode of length 0', at);
        const e = p.sub(len);
        p.pos += len;
        const sub = e.u8();
        switch (sub) {
          case DW_LNE_end_sequence:
            emit(at, true);
            reset();
            break;
          case DW_LNE_set_address: {
            const size = len - 1;
            if (addressSize !== undefined && size !== addressSize) e.fail(`DW_LNE_set_address of ${size} bytes, header says ${addressSize}`, at);
            address = e.uN(size);
            opIndex = 0;
            break;
          }
          case DW_LNE_define_file: {
            const name = e.cstr();
            const dir = e.uleb();
            if (dir >= dirs.length) e.fail(`DW_LNE_define_file names directory ${dir}`, at);
            files.push(joinPath(dirs[dir], name));
            break;
          }
          case DW_LNE_set_discriminator:
            break;
          default:
            break; // unknown or vendor extended opcode: its length lets us skip it
        }
        break;
      }
      case DW_LNS_copy:
        emit(at, false);
        break;
      case DW_LNS_advance_pc:
        advance(p.uleb());
        break;
      case DW_LNS_advance_line:
        line += p.sleb();
        break;
      case DW_LNS_set_file:
        file = p.uleb();
        break;
      case DW_LNS_set_column:
        column = p.uleb();
        break;
      case DW_LNS_negate_stmt:
        isStmt = !isStmt;
        break;
      case DW_LNS_set_basic_block:
      case DW_LNS_set_epilogue_begin:
        break;
      case DW_LNS_const_add_pc:
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case DW_LNS_fixed_advance_pc:
        address += p.u16();
        opIndex = 0;
        break;
      case DW_LNS_set_prologue_end:
        prologueEnd = true;
        break;
      case DW_LNS_set_isa:
        p.uleb();
        break;
      default:
        // An opcode this version does not define: the header says how many LEB operands it has.
        for (let i = 0; i < stdLengths[op]; i++) p.uleb();
    }
  }
  return { program: { offset, version, includeDirectories: dirs, fileNames: files, rows }, next };
}

/** v5 directory or file entries: a format description, then entries in that format. */
function readEntries(
  h: ByteCursor,
  ctx: FormContext,
  strBase: number | undefined,
  kind: string,
): { path: string; dir: number }[] {
  const formatCount = h.u8();
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) format.push([h.uleb(), h.uleb()]);
  const countAt = h.pos;
  const count = h.uleb();
  if (count > 0 && formatCount === 0) h.fail(`${count} ${kind} entries with an empty entry format`, countAt);
  if (count > h.remaining) h.fail(`${kind} count ${count} larger than the header`, countAt);
  const out: { path: string; dir: number }[] = [];
  for (let i = 0; i < count; i++) {
    let path: string | undefined;
    let dir = 0;
    for (const [content, form] of format) {
      const at = h.pos;
      const v = readForm(h, form, ctx);
      if (content === DW_LNCT_path) {
        if (v.cls === 'str') path = v.s;
        else if (v.cls === 'strx') {
          if (strBase === undefined) h.fail(`${kind} path uses DW_FORM_strx without a DW_AT_str_offsets_base`, at);
          path = resolveStrx(v.n, strBase, ctx);
        } else h.fail(`${kind} path has non-string form 0x${form.toString(16)}`, at);
      } else if (content === DW_LNCT_directory_index) {
        if (v.cls !== 'const') h.fail(`directory index has non-constant form 0x${form.toString(16)}`, at);
        dir = v.n;
      }
      // Timestamp, size, MD5 and vendor content types are read (skipped) by readForm.
    }
    if (path === undefined) h.fail(`${kind} entry ${i} has no path`);
    out.push({ path, dir });
  }
  return out;
}
