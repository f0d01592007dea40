// Builds the SourceLineMap of a module from its own DWARF: finds the sections, resolves each line
// program's paths with its compile unit's DW_AT_comp_dir, converts DWARF addresses
// (Code-payload-relative) to module-relative offsets, drops sequences of code the linker
// discarded, and moves each function's first row from the body start (the locals declaration,
// where DW_AT_low_pc points) to the body's first instruction, so every site is an instruction.

import { bodyAt, listCodeBodies, type CodeBody } from './code-bodies';
import { readCompileUnits, readFunctions, type CompileUnit, type InfoSections } from './dwarf-info';
import { readLineProgramsLenient } from './dwarf-line';
import { findDebugSections, type ModuleDebugSections } from './dwarf-sections';
import { SourceMapError } from './errors';
import { LineTable, type FunctionRange, type TableRow } from './line-table';
import { normalizePath } from './source-paths';

export interface DwarfLineMapResult {
  /** Undefined when the module has no .debug_line section (see externalDebugInfo then). */
  map: LineTable | undefined;
  /** Units and sequences that could not be read, each naming its section and offset. The map is
   * built from the rest. Function-range errors are appended when functionRanges() first runs. */
  errors: SourceMapError[];
  units: CompileUnit[];
  /** Line sequences whose code is not in the module (dead-stripped: tombstone or 0 addresses). */
  droppedSequences: number;
  /** Module-relative offset of the Code section payload: module offset = DWARF address + this. */
  codePayloadOffset: number | undefined;
  externalDebugInfo?: string;
  sourceMappingURL?: string;
}

export function loadDwarfLineMap(module: Uint8Array, found?: ModuleDebugSections): DwarfLineMapResult {
  const secs = found ?? findDebugSections(module);
  const d = secs.dwarf;
  const result: DwarfLineMapResult = {
    map: undefined,
    errors: [],
    units: [],
    droppedSequences: 0,
    codePayloadOffset: secs.codePayloadOffset,
    externalDebugInfo: secs.externalDebugInfo,
    sourceMappingURL: secs.sourceMappingURL,
  };
  const info: InfoSections = {
    info: d['.debug_info'],
    abbrev: d['.debug_abbrev'],
    str: d['.debug_str'],
    lineStr: d['.debug_line_str'],
    strOffsets: d['.debug_str_offsets'],
    addr: d['.debug_addr'],
    ranges: d['.debug_ranges'],
    rnglists: d['.debug_rnglists'],
  };
  const cu = readCompileUnits(info);
  result.units = cu.units;
  result.errors.push(...cu.errors);
  const line = d['.debug_line'];
  if (!line) return result;

  const byStmt = new Map<number, CompileUnit>();
  for (const u of cu.units) if (u.stmtList !== undefined) byStmt.set(u.stmtList, u);
  const { programs, errors } = readLineProgramsLenient(line.bytes, {
    strings: info,
    compDirFor: (off) => byStmt.get(off)?.compDir,
    strOffsetsBaseFor: (off) => byStmt.get(off)?.strOffsetsBase,
    moduleBase: line.offset,
  });
  result.errors.push(...errors);

  const base = secs.codePayloadOffset;
  const bodies: CodeBody[] = base !== undefined ? listCodeBodies(module, base, secs.codePayloadEnd!) : [];
  const rows: TableRow[] = [];
  const normalized = new Map<string, string>();
  const norm = (f: string) => {
    let n = normalized.get(f);
    if (n === undefined) normalized.set(f, (n = normalizePath(f)));
    return n;
  };
  for (const p of programs) {
    let body: CodeBody | undefined;
    let keep = false;
    let seqStart = true;
    for (const r of p.rows) {
      const at = base === undefined ? -1 : base + r.address;
      if (seqStart) {
        // Linkers leave discarded functions' sequences at 0, -1 or -2: none of them is in a body.
        body = bodyAt(bodies, at);
        keep = body !== undefined;
        if (!keep) result.droppedSequences++;
        seqStart = false;
      }
      if (r.endSequence) seqStart = true;
      if (!keep) continue;
      const address = !r.endSequence && body && at >= body.start && at < body.instrStart ? body.instrStart : at;
      rows.push({
        address,
        file: norm(r.file),
        line: r.line,
        column: r.column,
        isStmt: r.isStmt,
        prologueEnd: r.prologueEnd,
        endSequence: r.endSequence,
      });
    }
    // An unterminated sequence must not run into the next program's rows.
    if (!seqStart && keep && rows.length) {
      const last = rows[rows.length - 1];
      rows.push({ ...last, address: last.address + 1, endSequence: true });
    }
  }

  const functions = (): FunctionRange[] => {
    if (base === undefined) return [];
    const f = readFunctions(info);
    result.errors.push(...f.errors);
    return f.functions
      .filter((fn) => bodyAt(bodies, base + fn.low) !== undefined)
      .map((fn) => ({ name: fn.name, start: base + fn.low, end: base + fn.high }));
  };
  result.map = new LineTable(rows, functions);
  return result;
}
