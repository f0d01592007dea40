// What the controlling side knows about the module being debugged, computed once at launch: its
// bytes (a .wat compiled in-process), the source line map (DWARF or WAT), the breakpoint sites
// handed to the instrumenter with a line key and flags each, function names, where each
// function's source starts (for the fuel CodeLens), and the text form for the disassembly view.
// Breakpoints bind here while the module runs in the worker, so setting one never waits on it.

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { loadModule } from '../runtime/load-module';
import { loadDwarfLineMap } from '../source-map/dwarf-map';
import type { FunctionRange, LineBinding, SourceLineMap, SourceLocation } from '../source-map/line-table';
import { locateSourceFile, normalizePath } from '../source-map/source-paths';
import { buildWatLineMap } from '../source-map/wat-map';
import { listWatFunctions } from '../source-map/wat-instr-lines';
import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { customSections, importCount, type Module } from '../wasm/module';
import { decodeNameSection } from '../wasm/name-section';
import { demangle } from '../wasm/demangle';
import { PrintContext, printFunctionLines, type PrintedLine } from '../wasm/printer';
import { parseModule } from '../wasm/reader';
import type { DebugStart } from './debug-protocol';
import { readDwarfVariables } from './dwarf-variables';
import { SITE } from './step-logic';

export interface FunctionSource {
  funcIndex: number;
  name: string;
  /** The source file (absolute, on this machine) and 1-based line where the function starts. */
  file?: string;
  line?: number;
}

export interface DisassembledInstruction {
  address: number;
  text: string;
  funcIndex: number;
  location?: SourceLocation & { path?: string };
}

export interface ModuleDebugInfo {
  program: string;
  bytes: Uint8Array;
  isWat: boolean;
  hasDwarf: boolean;
  /** The line map, when the module has DWARF lines or is a .wat program. */
  lines: SourceLineMap | undefined;
  importedFuncs: number;
  /** Name of every function of the index space. */
  names: string[];
  start: DebugStart;
  warnings: string[];
  /** The text of a .wat program. */
  watText?: string;
}

/** Site offsets are in `start.sites`; these are helpers over the loaded module. */
export class ModuleDebugView {
  private module?: Module;
  private printCtx?: PrintContext;
  private instrAddrs?: Uint32Array;
  private instrFuncs?: Int32Array;
  private printed = new Map<number, PrintedLine[]>();
  private located = new Map<string, string | undefined>();
  private readonly roots: string[];

  constructor(
    readonly info: ModuleDebugInfo,
    cwd: string,
  ) {
    this.roots = [dirname(info.program), cwd];
  }

  get sites(): Uint32Array {
    return this.info.start.sites;
  }

  private mod(): Module {
    this.module ??= parseModule(this.info.bytes, { checkBodies: false });
    return this.module;
  }

  /** The file on this machine for a line-table file name, or undefined when it is not found. */
  localPath(file: string): string | undefined {
    if (!this.located.has(file)) {
      // Relative names are relative to the compilation directory, usually "." next to the module.
      const direct = !isAbsolute(file) ? normalizePath(join(this.roots[0], file)) : undefined;
      const found = this.info.isWat ? normalizePath(this.info.program) : direct && existsSync(direct) ? direct : locateSourceFile(file, this.roots, existsSync);
      this.located.set(file, found);
    }
    return this.located.get(file);
  }

  /** Where a breakpoint on `path:line` binds (sites only). */
  bindLine(path: string, line: number): LineBinding {
    if (!this.info.lines) {
      return { bound: false, reason: 'unknown-file', message: 'This module has no line information (no DWARF .debug_line): use function or instruction breakpoints.' };
    }
    const b = this.info.lines.locationsForLine(path, line);
    if (!b.bound) return b;
    const offsets = b.offsets.filter((o) => this.isSite(o));
    if (offsets.length === 0) return { bound: false, reason: 'no-code', message: `Line ${b.line} has no breakpoint site (dead code).` };
    return { ...b, offsets };
  }

  isSite(offset: number): boolean {
    return siteIndex(this.info.start.sites, offset) >= 0;
  }

  /** The source position of an original offset, with the file on this machine if found. */
  sourceAt(offset: number): (SourceLocation & { path?: string }) | undefined {
    const loc = this.info.lines?.lineForOffset(offset);
    if (!loc || loc.line === 0) return undefined;
    return { ...loc, path: this.localPath(loc.file) };
  }

  /** The original function index containing `offset`, or -1. */
  functionAt(offset: number): number {
    const m = this.mod();
    const bodies = m.bodies;
    let lo = 0;
    let hi = bodies.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bodies[mid].start <= offset) {
        if (offset < bodies[mid].end) return this.info.importedFuncs + mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return -1;
  }

  functionName(f: number): string {
    return this.info.names[f] ?? `$func${f}`;
  }

  /** A function breakpoint on `name`: its entry site (after the prologue where DWARF says). */
  bindFunction(name: string): { offset: number; funcIndex: number } | { error: string } {
    const want = name.startsWith('$') ? name.slice(1) : name;
    const m = this.mod();
    let range: FunctionRange | undefined = this.info.lines?.functionRanges().find((r) => r.name === want || r.name === name);
    let funcIndex = range ? this.functionAt(range.start) : this.info.names.findIndex((n, i) => i >= this.info.importedFuncs && (n === want || n === name));
    if (funcIndex < 0) funcIndex = this.functionByIndexName(name);
    if (funcIndex < 0 && want === 'main') {
      // A Rust program's own main is `<crate>::main`; wasi-libc links C's main as
      // __original_main (int main(void)) or __main_argc_argv.
      const defined = (test: (n: string) => boolean) => this.info.names.findIndex((n, i) => i >= this.info.importedFuncs && test(n));
      funcIndex = defined((n) => /^[A-Za-z_][A-Za-z0-9_]*::main$/.test(n));
      if (funcIndex < 0) funcIndex = defined((n) => n === '__original_main' || n === '__main_argc_argv');
    }
    if (funcIndex < 0) return { error: `No function named ${name} in this module.` };
    if (!range) {
      const body = m.bodies[funcIndex - this.info.importedFuncs];
      range = this.info.lines?.functionAt(body.codeStart);
    }
    const body = m.bodies[funcIndex - this.info.importedFuncs];
    let offset = range ? this.info.lines?.entryOffset(range) : undefined;
    if (offset === undefined || !this.isSite(offset)) offset = body.codeStart;
    if (!this.isSite(offset)) return { error: `Function ${name} has no breakpoint site.` };
    funcIndex = this.functionAt(offset);
    return { offset, funcIndex };
  }

  /**
   * A function named by its index, as reports and stacks name a function without a name:
   * `$func12`, `func12`, `func[12]` or `#12` (when no function is literally called that).
   */
  private functionByIndexName(name: string): number {
    const m = /^(?:\$?func\[?(\d+)\]?|#(\d+))$/.exec(name.trim());
    if (!m) return -1;
    const f = Number(m[1] ?? m[2]);
    return f >= this.info.importedFuncs && f < this.info.importedFuncs + this.mod().bodies.length ? f : -1;
  }

  /** Every function with where its source starts (for CodeLens). */
  functionSources(): FunctionSource[] {
    const m = this.mod();
    const out: FunctionSource[] = [];
    const watOpen = new Map<number, number>();
    if (this.info.isWat && this.info.watText !== undefined) {
      try {
        for (const f of listWatFunctions(this.info.watText).funcs) watOpen.set(f.funcIndex, f.open.line);
      } catch {
        /* the lens then uses the first instruction's line */
      }
    }
    m.bodies.forEach((b, i) => {
      const funcIndex = this.info.importedFuncs + i;
      const src: FunctionSource = { funcIndex, name: this.functionName(funcIndex) };
      const first = this.info.lines?.lineForOffset(b.codeStart);
      if (first && first.line > 0) {
        const path = this.localPath(first.file);
        if (path) {
          src.file = path;
          src.line = watOpen.get(funcIndex) ?? first.line;
        }
      }
      out.push(src);
    });
    return out;
  }

  private instructions(): { addrs: Uint32Array; funcs: Int32Array } {
    if (!this.instrAddrs || !this.instrFuncs) {
      const m = this.mod();
      const addrs: number[] = [];
      const funcs: number[] = [];
      const cur = newCursor();
      m.bodies.forEach((b, i) => {
        for (let p = b.codeStart; p < b.end; p = cur.end) {
          scanInstr(this.info.bytes, p, b.end, cur);
          addrs.push(cur.start);
          funcs.push(this.info.importedFuncs + i);
        }
      });
      this.instrAddrs = Uint32Array.from(addrs);
      this.instrFuncs = Int32Array.from(funcs);
    }
    return { addrs: this.instrAddrs, funcs: this.instrFuncs };
  }

  /** `count` instructions starting `instructionOffset` instructions away from the one at or before `address`. */
  disassemble(address: number, instructionOffset: number, count: number): DisassembledInstruction[] {
    const { addrs, funcs } = this.instructions();
    let lo = 0;
    let hi = addrs.length - 1;
    let at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (addrs[mid] <= address) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const out: DisassembledInstruction[] = [];
    for (let k = 0; k < count; k++) {
      const i = at + instructionOffset + k;
      if (i < 0 || i >= addrs.length) {
        out.push({ address: i < 0 ? Math.max(0, (addrs[0] ?? 0) + i) : (addrs[addrs.length - 1] ?? 0) + (i - addrs.length + 1), text: '', funcIndex: -1 });
        continue;
      }
      const f = funcs[i];
      const line = this.printedLine(f, addrs[i]);
      out.push({ address: addrs[i], text: line ?? '?', funcIndex: f, location: this.sourceAt(addrs[i]) });
    }
    return out;
  }

  private printedLine(f: number, address: number): string | undefined {
    let lines = this.printed.get(f);
    if (!lines) {
      this.printCtx ??= new PrintContext(this.mod());
      try {
        lines = printFunctionLines(this.mod(), f, this.printCtx);
      } catch {
        lines = [];
      }
      this.printed.set(f, lines);
    }
    const l = lines.find((x) => x.offset === address);
    return l ? `${'  '.repeat(Math.max(0, l.depth - 1))}${l.text}` : undefined;
  }

  /** Is `address` an instruction start? */
  isInstruction(address: number): boolean {
    const { addrs } = this.instructions();
    let lo = 0;
    let hi = addrs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (addrs[mid] === address) return true;
      if (addrs[mid] < address) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

export function siteIndex(sites: Uint32Array, off: number): number {
  let lo = 0;
  let hi = sites.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sites[mid] === off) return mid;
    if (sites[mid] < off) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Load a program and compute everything the debugger needs before the module runs. */
export async function loadModuleDebugInfo(program: string, cwd: string): Promise<ModuleDebugView> {
  const loaded = await loadModule(program);
  const bytes = loaded.bytes;
  const warnings: string[] = [];
  let lines: SourceLineMap | undefined;
  let hasDwarf = false;
  if (loaded.source === 'wat' && loaded.watText !== undefined) {
    const r = buildWatLineMap(loaded.watText, bytes, program);
    lines = r.map;
    for (const u of r.unmapped) warnings.push(`function ${u.id ?? u.funcIndex} (lines ${u.startLine}-${u.endLine}): ${u.reason}`);
  } else {
    try {
      const r = loadDwarfLineMap(bytes);
      lines = r.map;
      hasDwarf = r.map !== undefined;
      for (const e of r.errors.slice(0, 5)) warnings.push(`DWARF: ${e.message}`);
      if (!r.map && r.externalDebugInfo) warnings.push(`the DWARF is in a separate file (${r.externalDebugInfo}), which is not read`);
    } catch (e) {
      warnings.push(`DWARF line information unreadable: ${(e as Error).message}`);
    }
  }
  const m = parseModule(bytes, { checkBodies: false });
  const importedFuncs = importCount(m, 'func');
  const names = functionNames(m, importedFuncs, lines);
  const info: ModuleDebugInfo = {
    program,
    bytes,
    isWat: loaded.source === 'wat',
    hasDwarf,
    lines,
    importedFuncs,
    names,
    start: { bytes, sites: new Uint32Array(0), siteLines: new Int32Array(0), siteFlags: new Uint8Array(0), hasDwarf, isWat: loaded.source === 'wat' },
    warnings,
    watText: loaded.watText,
  };
  const view = new ModuleDebugView(info, cwd);
  info.start = { ...info.start, ...computeSites(m, importedFuncs, lines, (f) => view.localPath(f) !== undefined) };
  if (hasDwarf) info.start.locals = dwarfLocals(bytes, view);
  return view;
}

/**
 * For each function DWARF describes, the wasm locals its variables are read from (the frame base,
 * values or addresses held in locals); only values held in locals are reloaded after the hook.
 */
function dwarfLocals(bytes: Uint8Array, view: ModuleDebugView): Record<number, { spill: number[]; reload: number[] }> {
  const out: Record<number, { spill: number[]; reload: number[] }> = {};
  for (const fn of readDwarfVariables(bytes).functions) {
    const f = view.functionAt(fn.start + 1);
    if (f < 0 || out[f]) continue;
    const spill = new Set<number>();
    const reload = new Set<number>();
    if (fn.frameBase?.space === 'local') spill.add(fn.frameBase.index);
    for (const v of fn.vars) {
      const loc = v.location;
      if ((loc.kind === 'wasm' || loc.kind === 'wasmAddr') && loc.space === 'local') {
        spill.add(loc.index);
        if (loc.kind === 'wasm') reload.add(loc.index);
      }
    }
    out[f] = { spill: [...spill].sort((a, b) => a - b), reload: [...reload].sort((a, b) => a - b) };
  }
  return out;
}

/** A name-section name with Rust's mangling undone (wasm/demangle.ts). */
const demangleOpt = (n: string | undefined): string | undefined => (n === undefined ? undefined : demangle(n));

function functionNames(m: Module, importedFuncs: number, lines: SourceLineMap | undefined): string[] {
  const names: string[] = [];
  let ns: Map<number, string> = new Map();
  const sec = customSections(m, 'name')[0];
  if (sec) {
    try {
      ns = decodeNameSection(sec.content).functions;
    } catch {
      /* fall back to DWARF names */
    }
  }
  let i = 0;
  for (const imp of m.imports) if (imp.desc.kind === 'func') names.push(demangleOpt(ns.get(i)) ?? `${imp.module}.${imp.name}`), i++;
  m.bodies.forEach((b, d) => {
    const f = importedFuncs + d;
    // Source names first: clang's name section says `__original_main` where the source says `main`.
    const fromLines = lines?.functionAt(b.codeStart);
    const dwarf = fromLines && fromLines.start <= b.start + 1 && fromLines.end >= b.end - 1 ? fromLines.name : undefined;
    // Unnamed: `$func<N>`, the name the report, the CodeLens and trap messages give it too.
    names.push(dwarf ?? demangleOpt(ns.get(f)) ?? `$func${f}`);
  });
  return names;
}

/**
 * The breakpoint sites: statement starts from the line map, every function's entry, the return
 * point after each call (step-out lands on the caller's line), and loop headers in functions with
 * no line information. A site whose source file is not on this machine gets line key 0: stepping
 * passes through library code rather than stopping in files the editor cannot show.
 */
export function computeSites(
  m: Module,
  importedFuncs: number,
  lines: SourceLineMap | undefined,
  fileExists: (file: string) => boolean,
): Pick<DebugStart, 'sites' | 'siteLines' | 'siteFlags'> {
  const flags = new Map<number, number>();
  const add = (o: number, f: number) => flags.set(o, (flags.get(o) ?? 0) | f);
  const lineStarts = new Set(lines?.lineStarts() ?? []);
  for (const o of lineStarts) add(o, SITE.LINE);
  const cur = newCursor();
  const bytes = m.bytes;
  const noMap = !lines;
  m.bodies.forEach((b) => {
    add(b.codeStart, SITE.ENTRY);
    const range = lines?.functionAt(b.codeStart);
    const entry = range ? lines?.entryOffset(range) : undefined;
    let hasLines = false;
    for (let p = b.codeStart; p < b.end; p = cur.end) {
      scanInstr(bytes, p, b.end, cur);
      if (lineStarts.has(cur.start)) hasLines = true;
      if (entry !== undefined && lineStarts.has(cur.start) && cur.start < entry) add(cur.start, SITE.PROLOGUE);
    }
    for (let p = b.codeStart; p < b.end; p = cur.end) {
      scanInstr(bytes, p, b.end, cur);
      const k = cur.op.control;
      if (cur.end >= b.end) break;
      if (hasLines && (k === 'call' || k === 'call_indirect' || k === 'call_ref')) add(cur.end, SITE.RETURN);
      if (!hasLines && k === 'loop') add(cur.end, SITE.LOOP);
    }
    if (entry !== undefined && entry > b.codeStart && !lineStarts.has(b.codeStart)) add(b.codeStart, SITE.PROLOGUE);
  });
  const sites = Uint32Array.from([...flags.keys()].sort((a, b) => a - b));
  const siteFlags = new Uint8Array(sites.length);
  const siteLines = new Int32Array(sites.length);
  const keys = new Map<string, number>();
  const fileOk = new Map<string, boolean>();
  sites.forEach((o, i) => {
    siteFlags[i] = flags.get(o)!;
    if (noMap) {
      // Without line information every site is its own "line": stepping goes site by site.
      siteLines[i] = i + 1;
      return;
    }
    const loc = lines?.lineForOffset(o);
    if (!loc || loc.line === 0) return;
    let ok = fileOk.get(loc.file);
    if (ok === undefined) fileOk.set(loc.file, (ok = fileExists(loc.file)));
    if (!ok) return;
    const k = `${loc.file}\n${loc.line}`;
    let key = keys.get(k);
    if (key === undefined) keys.set(k, (key = keys.size + 1));
    siteLines[i] = key;
  });
  return { sites, siteLines, siteFlags };
}
