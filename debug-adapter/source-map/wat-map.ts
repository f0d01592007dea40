// The SourceLineMap of a `.wat` program: compiles the text in-process with jco's `parse` (the
// wasm-tools WAT parser; it has no option to emit DWARF, so lines are recovered here) and zips,
// function by function, the instructions the text lists (wat-instr-lines.ts) with the
// instructions decoded from the produced binary (wasm/instr-scanner.ts). A function whose two
// sequences differ in length or in any operator name is reported unmapped, never guessed.
// Each body's final `end` is mapped to the line of the func's closing parenthesis.

import { WasmDecodeError } from '../wasm/errors';
import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { listCodeBodies, type CodeBody } from './code-bodies';
import { findDebugSections } from './dwarf-sections';
import { LineTable, type FunctionRange, type LineBinding, type SourceLineMap, type SourceLocation, type TableRow } from './line-table';
import { matchSourceFile, normalizePath } from './source-paths';
import { listWatFunctions, type TextFunc } from './wat-instr-lines';

export interface UnmappedFunction {
  funcIndex: number;
  /** `$id` from the text, if any. */
  id?: string;
  /** Lines of the `(func` and its closing `)`. */
  startLine: number;
  endLine: number;
  reason: string;
}

export interface WatMapResult {
  map: WatLineMap;
  /** Functions whose lines could not be tied to offsets (their lines get no breakpoints). */
  unmapped: UnmappedFunction[];
}

/** A LineTable that also knows which line ranges belong to functions it could not map. */
export class WatLineMap implements SourceLineMap {
  constructor(
    private readonly table: LineTable,
    private readonly file: string,
    private readonly unmapped: readonly UnmappedFunction[],
  ) {}

  sourceFiles(): string[] {
    return this.table.sourceFiles().length ? this.table.sourceFiles() : [this.file];
  }

  locationsForLine(file: string, line: number): LineBinding {
    // A function that could not be mapped has no sites at all: rather than slide the breakpoint
    // into the next function, say why it cannot bind.
    const u = this.unmapped.find((f) => line >= f.startLine && line <= f.endLine);
    if (u && matchSourceFile(file, [this.file]).kind === 'found') {
      return {
        bound: false,
        reason: 'unmapped-code',
        message: `Line ${line} is in function ${u.id ?? `#${u.funcIndex}`}, whose instructions could not be matched to the binary: ${u.reason}`,
      };
    }
    return this.table.locationsForLine(file, line);
  }

  lineForOffset(offset: number): SourceLocation | undefined {
    return this.table.lineForOffset(offset);
  }

  lineStarts(): number[] {
    return this.table.lineStarts();
  }

  functionRanges(): FunctionRange[] {
    return this.table.functionRanges();
  }

  functionAt(offset: number): FunctionRange | undefined {
    return this.table.functionAt(offset);
  }

  entryOffset(fn: FunctionRange): number | undefined {
    return this.table.entryOffset(fn);
  }
}

interface BinInstr {
  offset: number;
  name: string;
}

function decodeBody(module: Uint8Array, body: CodeBody): BinInstr[] {
  const out: BinInstr[] = [];
  const cur = newCursor();
  for (let p = body.instrStart; p < body.end; p = cur.end) {
    scanInstr(module, p, body.end, cur);
    out.push({ offset: cur.start, name: cur.op.name });
  }
  return out;
}

const sameOp = (text: string, bin: string) => text === bin || (text === 'select' && bin === 'select_t');

/** Map the lines of `watText` (saved at `file`) to offsets of `wasm`, the binary parse(watText) produced. */
export function buildWatLineMap(watText: string, wasm: Uint8Array, file: string): WatMapResult {
  const path = normalizePath(file);
  const { funcs } = listWatFunctions(watText);
  const secs = findDebugSections(wasm);
  const bodies =
    secs.codePayloadOffset !== undefined ? listCodeBodies(wasm, secs.codePayloadOffset, secs.codePayloadEnd!) : [];
  const unmapped: UnmappedFunction[] = [];
  const rows: TableRow[] = [];
  const functions: FunctionRange[] = [];
  const skip = (f: TextFunc, reason: string) =>
    unmapped.push({ funcIndex: f.funcIndex, id: f.id, startLine: f.open.line, endLine: f.close.line, reason });

  if (bodies.length !== funcs.length) {
    for (const f of funcs) skip(f, `the text defines ${funcs.length} functions, the binary has ${bodies.length} bodies`);
  } else {
    for (const f of funcs) {
      const body = bodies[f.definedIndex];
      functions.push({ name: f.id ? f.id.slice(1) : `$func${f.funcIndex}`, start: body.start, end: body.end });
      if (f.problem) {
        skip(f, f.problem);
        continue;
      }
      let bin: BinInstr[];
      try {
        bin = decodeBody(wasm, body);
      } catch (e) {
        if (e instanceof WasmDecodeError) {
          skip(f, e.message);
          continue;
        }
        throw e;
      }
      const text = f.instrs;
      if (bin.length !== text.length + 1 || bin[bin.length - 1].name !== 'end') {
        skip(f, `the text lists ${text.length} instructions, the binary body has ${bin.length - 1} before its final end`);
        continue;
      }
      const bad = text.findIndex((t, k) => !sameOp(t.name, bin[k].name));
      if (bad >= 0) {
        const t = text[bad];
        skip(f, `instruction ${bad}: ${t.name} at line ${t.line} but ${bin[bad].name} at byte 0x${bin[bad].offset.toString(16)}`);
        continue;
      }
      text.forEach((t, k) => rows.push({ address: bin[k].offset, file: path, line: t.line, column: t.column, isStmt: true, endSequence: false }));
      rows.push({ address: bin[text.length].offset, file: path, line: f.close.line, column: f.close.column, isStmt: true, endSequence: false });
      rows.push({ address: body.end, file: path, line: f.close.line, column: f.close.column, isStmt: true, endSequence: true });
    }
  }
  return { map: new WatLineMap(new LineTable(rows, functions), path, unmapped), unmapped };
}

/** A WAT-to-binary compiler with jco's `parse` signature. */
export type WatParser = (watText: string) => Promise<Uint8Array>;

/**
 * Compile WAT text and map it. By default jco's `parse` is loaded on first use, so modules
 * debugged from C or Rust never load it. Bundles should pass `parse` from
 * `@bytecodealliance/jco-transpile/wasm-tools` instead (the same function without the rest of jco,
 * whose native minifier binding does not survive bundling; it needs wasm-tools.core*.wasm next
 * to the bundle). Text errors from the parser propagate as its own Error.
 */
export async function compileWat(
  watText: string,
  file: string,
  parse?: WatParser,
): Promise<{ wasm: Uint8Array } & WatMapResult> {
  const compile = parse ?? (await import('@bytecodealliance/jco')).parse;
  const wasm = await compile(watText);
  return { wasm, ...buildWatLineMap(watText, wasm, file) };
}
