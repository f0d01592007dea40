// The SourceLineMap: the one interface the debugger uses to go between source lines and ORIGINAL
// module byte offsets, whatever produced the rows (DWARF .debug_line in dwarf-map.ts, a WAT file
// in wat-map.ts). LineTable implements it over module-relative rows grouped in sequences.
//
// Breakpoint sites: within a sequence, rows are grouped into runs of consecutive rows with the
// same file and line; the first is_stmt row of a run is a site. So a C `for` line gets a site at
// its init and one at its increment, but not at the condition that directly follows the init
// (clang marks that row not-is_stmt anyway), and a line split over several column rows stops once.

import { matchSourceFile } from './source-paths';

/** A source position; `line` and `column` are 1-based (0 = unknown / compiler-generated). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type LineBinding =
  | {
      bound: true;
      /** The file as the map names it (may differ in form from the requested path). */
      file: string;
      requestedLine: number;
      /** The line the breakpoint actually binds to: the requested one or the next with code. */
      line: number;
      moved: boolean;
      /** Module-relative offsets of the breakpoint sites for `line`, ascending. */
      offsets: number[];
    }
  | {
      bound: false;
      reason: 'unknown-file' | 'ambiguous-file' | 'no-code' | 'unmapped-code';
      /** A sentence for the breakpoint's `message` in the editor. */
      message: string;
      /** For `ambiguous-file`: the files that matched equally well. */
      candidates?: string[];
    };

export interface FunctionRange {
  name: string;
  /** Module-relative [start, end). */
  start: number;
  end: number;
}

export interface SourceLineMap {
  /** The source files that have breakpoint sites, normalized, sorted. */
  sourceFiles(): string[];
  /** Where a breakpoint on `file:line` binds; a line with no code moves to the next one with code. */
  locationsForLine(file: string, line: number): LineBinding;
  /** The source position of the instruction at module offset `offset`. */
  lineForOffset(offset: number): SourceLocation | undefined;
  /** Every breakpoint site (statement start) in the module, ascending module offsets. */
  lineStarts(): number[];
  /** Functions and their module ranges, ascending (empty when the source has none). */
  functionRanges(): FunctionRange[];
  /** The function containing module offset `offset`. */
  functionAt(offset: number): FunctionRange | undefined;
  /**
   * Where a function breakpoint on `fn` binds: the first site at or after the row marked
   * prologue_end (the frame is set up and arguments are in their locals), else the first site in
   * the function; undefined when the function has no site.
   */
  entryOffset(fn: FunctionRange): number | undefined;
}

/** A row in module-relative terms; `file` is already normalized. */
export interface TableRow {
  address: number;
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
  /** DWARF's prologue_end flag: the function's frame setup ends before this row. */
  prologueEnd?: boolean;
  /** Ends its sequence: `address` is one past the last byte described. */
  endSequence: boolean;
}

interface Range {
  start: number;
  end: number;
  row: TableRow;
}

export class LineTable implements SourceLineMap {
  private readonly ranges: Range[] = [];
  private readonly sites = new Map<string, Map<number, number[]>>();
  private readonly sortedLines = new Map<string, number[]>();
  private readonly allSites: number[];
  private readonly prologueEnds: number[] = [];
  private functions: FunctionRange[] | undefined;

  /**
   * @param rows module-relative rows, sequences delimited by `endSequence` rows (a trailing
   *   unterminated sequence's last row covers one byte)
   * @param functions function ranges, or a thunk computing them on first use
   */
  constructor(
    rows: readonly TableRow[],
    private readonly functionSource: FunctionRange[] | (() => FunctionRange[]) = [],
  ) {
    const siteSet = new Set<number>();
    let seq: TableRow[] = [];
    const flush = (end: number | undefined) => {
      this.addSequence(seq, end, siteSet);
      seq = [];
    };
    for (const r of rows) {
      if (r.endSequence) flush(r.address);
      else seq.push(r);
    }
    if (seq.length) flush(undefined);
    this.ranges.sort((a, b) => a.start - b.start || a.end - b.end);
    this.allSites = [...siteSet].sort((a, b) => a - b);
    this.prologueEnds.sort((a, b) => a - b);
    for (const [file, byLine] of this.sites) {
      for (const offs of byLine.values()) offs.sort((a, b) => a - b);
      this.sortedLines.set(file, [...byLine.keys()].sort((a, b) => a - b));
    }
  }

  private addSequence(seq: TableRow[], end: number | undefined, siteSet: Set<number>): void {
    let runFile: string | undefined;
    let runLine = -1;
    let runHasSite = false;
    for (let i = 0; i < seq.length; i++) {
      const r = seq[i];
      const next = i + 1 < seq.length ? seq[i + 1].address : (end ?? r.address + 1);
      // Rows that describe no bytes (the next row has the same address) are superseded.
      if (next <= r.address) continue;
      this.ranges.push({ start: r.address, end: next, row: r });
      if (r.prologueEnd) this.prologueEnds.push(r.address);
      if (r.line === 0) {
        runFile = undefined;
        runLine = -1;
        continue;
      }
      if (r.file !== runFile || r.line !== runLine) {
        runFile = r.file;
        runLine = r.line;
        runHasSite = false;
      }
      if (r.isStmt && !runHasSite) {
        runHasSite = true;
        siteSet.add(r.address);
        let byLine = this.sites.get(r.file);
        if (!byLine) this.sites.set(r.file, (byLine = new Map()));
        const list = byLine.get(r.line);
        if (list) {
          if (!list.includes(r.address)) list.push(r.address);
        } else byLine.set(r.line, [r.address]);
      }
    }
  }

  sourceFiles(): string[] {
    return [...this.sites.keys()].sort();
  }

  locationsForLine(file: string, line: number): LineBinding {
    const m = matchSourceFile(file, this.sites.keys());
    if (m.kind === 'none') return { bound: false, reason: 'unknown-file', message: `No line information for ${file} in this module.` };
    if (m.kind === 'ambiguous') {
      return {
        bound: false,
        reason: 'ambiguous-file',
        message: `${file} matches several files in the module's line information (${m.candidates.join(', ')}).`,
        candidates: m.candidates,
      };
    }
    const lines = this.sortedLines.get(m.file)!;
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid] < line) lo = mid + 1;
      else hi = mid;
    }
    if (lo === lines.length) return { bound: false, reason: 'no-code', message: `No code at or after line ${line} of ${m.file}.` };
    const used = lines[lo];
    return { bound: true, file: m.file, requestedLine: line, line: used, moved: used !== line, offsets: [...this.sites.get(m.file)!.get(used)!] };
  }

  lineForOffset(offset: number): SourceLocation | undefined {
    const rs = this.ranges;
    let lo = 0;
    let hi = rs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rs[mid].start <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || offset >= rs[found].end) return undefined;
    const { file, line, column } = rs[found].row;
    return { file, line, column };
  }

  lineStarts(): number[] {
    return [...this.allSites];
  }

  functionRanges(): FunctionRange[] {
    if (!this.functions) {
      const f = typeof this.functionSource === 'function' ? this.functionSource() : this.functionSource;
      this.functions = [...f].sort((a, b) => a.start - b.start);
    }
    return this.functions;
  }

  entryOffset(fn: FunctionRange): number | undefined {
    const pe = firstAtOrAfter(this.prologueEnds, fn.start);
    const from = pe !== undefined && pe < fn.end ? pe : fn.start;
    const site = firstAtOrAfter(this.allSites, from);
    return site !== undefined && site < fn.end ? site : undefined;
  }

  functionAt(offset: number): FunctionRange | undefined {
    const fs = this.functionRanges();
    let lo = 0;
    let hi = fs.length - 1;
    let found: FunctionRange | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (fs[mid].start <= offset) {
        if (offset < fs[mid].end) found = fs[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

/** The smallest element of ascending `xs` that is >= `v`. */
function firstAtOrAfter(xs: readonly number[], v: number): number | undefined {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return xs[lo];
}
