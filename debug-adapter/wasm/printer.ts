// WebAssembly text format printer for functions and modules, one instruction per line prefixed
// with its byte offset as a `(;@offset;)` comment (the output stays valid text format). This is
// what the debugger's disassembly view shows; it is driven entirely by the operator table.

import { customSections, heapTypeName, importCount, valTypeName, type Limits, type Module, type ValType } from './module';
import { decodeNameSection, type NameSection } from './name-section';
import { decodeBody, decodeExpr, type BlockType, type Instr } from './instructions';

export interface PrintedLine {
  /** Offset of the instruction (module-relative; relative to the replacement for replaced bodies); -1 for non-instruction lines. */
  offset: number;
  /** Block nesting depth of the instruction (0 = function level). */
  depth: number;
  /** The instruction (or declaration) text, without indentation or offset. */
  text: string;
}

export interface PrintOptions {
  /** Use names from the name section (`$name`) where they are valid identifiers (default true). */
  names?: boolean;
}

const ID_CHARS = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;

function id(name: string | undefined): string | null {
  return name !== undefined && ID_CHARS.test(name) ? `$${name}` : null;
}

/** Name lookup context built once per module. */
export class PrintContext {
  readonly names: NameSection | null;
  constructor(readonly module: Module, options: PrintOptions = {}) {
    let names: NameSection | null = null;
    if (options.names ?? true) {
      const sec = customSections(module, 'name')[0];
      if (sec) {
        try {
          names = decodeNameSection(sec.content);
        } catch {
          names = null; // a broken name section only costs us the names
        }
      }
    }
    this.names = names;
  }

  func(i: number): string {
    return id(this.names?.functions.get(i)) ?? String(i);
  }

  local(f: number, i: number): string {
    return id(this.names?.locals.get(f)?.get(i)) ?? String(i);
  }

  global(i: number): string {
    return id(this.names?.globals.get(i)) ?? String(i);
  }
}

function shortestF32(v: number): string {
  for (let p = 1; p < 10; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

function floatText(bytes: Uint8Array, is32: boolean): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v = is32 ? dv.getFloat32(0, true) : dv.getFloat64(0, true);
  if (Number.isNaN(v)) {
    const neg = (bytes[bytes.length - 1] & 0x80) !== 0;
    const payload = is32 ? dv.getUint32(0, true) & 0x7fffff : dv.getBigUint64(0, true) & 0xfffffffffffffn;
    const canonical = is32 ? 0x400000 : 0x8000000000000n;
    return `${neg ? '-' : ''}nan${payload === canonical ? '' : `:0x${payload.toString(16)}`}`;
  }
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return is32 ? shortestF32(v) : String(v);
}

function blockTypeText(t: BlockType | undefined): string {
  if (t === undefined || t === -64) return '';
  if (typeof t !== 'number') return ` (result ${valTypeName(t)})`;
  if (t >= 0) return ` (type ${t})`;
  return ` (result ${valTypeName(t & 0x7f)})`;
}

function memargText(ins: Instr): string {
  const m = ins.memarg;
  if (!m) return '';
  let s = m.memory !== 0 ? ` ${m.memory}` : '';
  if (m.offset !== 0n) s += ` offset=${m.offset}`;
  if (m.align !== ins.op.naturalAlign) s += ` align=${2 ** m.align}`;
  return s;
}

/** The text of one instruction with its immediates (`funcIndex` resolves local names). */
export function instrText(ins: Instr, ctx?: PrintContext, funcIndex = -1): string {
  const op = ins.op;
  const n = op.name;
  const idx = ins.index ?? 0;
  const idx2 = ins.index2 ?? 0;
  switch (op.imm) {
    case 'none':
    case 'atomic_fence':
      return n;
    case 'blocktype':
      return n + blockTypeText(ins.blockType);
    case 'try_table': {
      const cs = (ins.catches ?? []).map((c) =>
        c.kind === 0 ? ` (catch ${c.tag} ${c.label})` : c.kind === 1 ? ` (catch_ref ${c.tag} ${c.label})`
          : c.kind === 2 ? ` (catch_all ${c.label})` : ` (catch_all_ref ${c.label})`);
      return n + blockTypeText(ins.blockType) + cs.join('');
    }
    case 'label': case 'table': case 'data': case 'elem': case 'type': case 'tag':
      return `${n} ${idx}`;
    case 'mem':
      return idx === 0 ? n : `${n} ${idx}`;
    case 'func':
      return `${n} ${ctx ? ctx.func(idx) : idx}`;
    case 'local':
      return `${n} ${ctx && funcIndex >= 0 ? ctx.local(funcIndex, idx) : idx}`;
    case 'global':
      return `${n} ${ctx ? ctx.global(idx) : idx}`;
    case 'br_table':
      return `${n} ${[...(ins.labels ?? []), idx].join(' ')}`;
    case 'call_indirect':
      return idx2 === 0 ? `${n} (type ${idx})` : `${n} ${idx2} (type ${idx})`;
    case 'data_mem':
      return idx2 === 0 ? `${n} ${idx}` : `${n} ${idx2} ${idx}`;
    case 'mem_mem':
    case 'table_table':
      return idx === 0 && idx2 === 0 ? n : `${n} ${idx} ${idx2}`;
    case 'elem_table':
      return idx2 === 0 ? `${n} ${idx}` : `${n} ${idx2} ${idx}`;
    case 'memarg':
      return n + memargText(ins);
    case 'memarg_lane':
      return `${n}${memargText(ins)} ${ins.lane}`;
    case 'lane':
      return `${n} ${ins.lane}`;
    case 'i32':
    case 'i64':
      return `${n} ${ins.value}`;
    case 'f32':
    case 'f64':
      return `${n} ${floatText(ins.bytes ?? new Uint8Array(8), op.imm === 'f32')}`;
    case 'v128': {
      const b = ins.bytes ?? new Uint8Array(16);
      const dv = new DataView(b.buffer, b.byteOffset, 16);
      const lanes = [0, 4, 8, 12].map((i) => `0x${dv.getUint32(i, true).toString(16).padStart(8, '0')}`);
      return `${n} i32x4 ${lanes.join(' ')}`;
    }
    case 'shuffle':
      return `${n} ${Array.from(ins.bytes ?? []).join(' ')}`;
    case 'select_t':
      return `select (result${(ins.types ?? []).map((t) => ` ${valTypeName(t)}`).join('')})`;
    case 'heaptype':
      return `${n} ${heapTypeName(ins.heapType ?? -16)}`;
  }
}

function sigText(m: Module, typeIndex: number): string {
  const t = m.types[typeIndex];
  if (!t) return ` (type ${typeIndex})`;
  const params = t.params.length ? ` (param ${t.params.map(valTypeName).join(' ')})` : '';
  const results = t.results.length ? ` (result ${t.results.map(valTypeName).join(' ')})` : '';
  return ` (type ${typeIndex})${params}${results}`;
}

/** Lines of one function (by index in the function index space; imports have no body). */
export function printFunctionLines(m: Module, funcIndex: number, ctx = new PrintContext(m)): PrintedLine[] {
  const imported = importCount(m, 'func');
  const def = funcIndex - imported;
  if (def < 0 || def >= m.bodies.length) throw new Error(`function ${funcIndex} has no body in this module`);
  const body = decodeBody(m, def);
  const name = ctx.names?.functions.get(funcIndex);
  const lines: PrintedLine[] = [];
  const head = `(func ${id(name) ?? ''}${id(name) ? ' ' : ''}(;${funcIndex};)${sigText(m, m.funcs[def])}`;
  lines.push({ offset: -1, depth: 0, text: head });
  if (body.locals.length) {
    const types: string[] = [];
    for (const l of body.locals) for (let i = 0; i < Math.min(l.count, 64); i++) types.push(valTypeName(l.type));
    const total = body.locals.reduce((s, l) => s + l.count, 0);
    lines.push({ offset: -1, depth: 1, text: `(local ${types.join(' ')})${total > types.length ? ` ;; ${total} locals` : ''}` });
  }
  let depth = 1;
  const last = body.instrs.length - 1;
  body.instrs.forEach((ins, i) => {
    const k = ins.op.control;
    if (k === 'end' || k === 'else' || k === 'catch' || k === 'catch_all' || k === 'delegate') depth--;
    let text = instrText(ins, ctx, funcIndex);
    if (k === 'block' || k === 'loop' || k === 'if' || k === 'try' || k === 'try_table') text += `  ;; label = @${depth}`;
    if (i === last) text = ')';
    lines.push({ offset: ins.offset, depth: i === last ? 0 : depth, text });
    if (k === 'block' || k === 'loop' || k === 'if' || k === 'try' || k === 'try_table' || k === 'else' || k === 'catch' || k === 'catch_all') depth++;
  });
  return lines;
}

function render(lines: PrintedLine[], indent = 1): string {
  return lines
    .map((l) => {
      const off = l.offset >= 0 ? `(;@${l.offset.toString(16)};)`.padEnd(12) : ' '.repeat(12);
      return `${off}${'  '.repeat(l.depth + indent)}${l.text}`;
    })
    .join('\n');
}

/** One function as text, one instruction per line with its offset. */
export function printFunction(m: Module, funcIndex: number, options: PrintOptions = {}): string {
  return render(printFunctionLines(m, funcIndex, new PrintContext(m, options)), 0);
}

function limitsText(l: Limits): string {
  const is64 = l.flags & 4 ? 'i64 ' : '';
  return `${is64}${l.min}${l.max !== null ? ` ${l.max}` : ''}${l.flags & 2 ? ' shared' : ''}`;
}

function exprText(bytes: Uint8Array): string {
  try {
    const ins = decodeExpr(bytes, 0, bytes.length);
    return ins.slice(0, -1).map((i) => `(${instrText(i)})`).join(' ');
  } catch {
    return '(;malformed expression;)';
  }
}

/** A text-format string literal (quotes included) for a name. */
function watString(name: string): string {
  let s = '"';
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || c === 0x22 || c === 0x5c) s += `\\${c.toString(16).padStart(2, '0')}`;
    else s += ch;
  }
  return `${s}"`;
}

/** A text-format string literal body for raw bytes. */
function escapeBytes(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) s += String.fromCharCode(c);
    else s += `\\${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function vt(t: ValType): string {
  return valTypeName(t);
}

/** The whole module as text (declarations first, then every function with offsets). */
export function printModule(m: Module, options: PrintOptions = {}): string {
  const ctx = new PrintContext(m, options);
  const out: string[] = ['(module'];
  const pad = ' '.repeat(12) + '  ';
  m.types.forEach((t, i) => {
    const p = t.params.length ? ` (param ${t.params.map(vt).join(' ')})` : '';
    const r = t.results.length ? ` (result ${t.results.map(vt).join(' ')})` : '';
    out.push(`${pad}(type (;${i};) (func${p}${r}))`);
  });
  const counters = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  for (const imp of m.imports) {
    const d = imp.desc;
    const i = counters[d.kind]++;
    const desc =
      d.kind === 'func' ? `(func ${d.kind === 'func' && ctx.func(i) !== String(i) ? ctx.func(i) + ' ' : ''}(;${i};) (type ${d.type}))`
        : d.kind === 'table' ? `(table (;${i};) ${limitsText(d.table.limits)} ${vt(d.table.elemType)})`
          : d.kind === 'memory' ? `(memory (;${i};) ${limitsText(d.memory)})`
            : d.kind === 'global' ? `(global (;${i};) ${d.global.mutable ? `(mut ${vt(d.global.type)})` : vt(d.global.type)})`
              : `(tag (;${i};) (type ${d.tag.type}))`;
    out.push(`${pad}(import ${watString(imp.module)} ${watString(imp.name)} ${desc})`);
  }
  m.tables.forEach((t, i) => out.push(`${pad}(table (;${counters.table + i};) ${limitsText(t.type.limits)} ${vt(t.type.elemType)})`));
  m.memories.forEach((l, i) => out.push(`${pad}(memory (;${counters.memory + i};) ${limitsText(l)})`));
  m.tags.forEach((t, i) => out.push(`${pad}(tag (;${counters.tag + i};) (type ${t.type}))`));
  m.globals.forEach((g, i) => {
    const ty = g.type.mutable ? `(mut ${vt(g.type.type)})` : vt(g.type.type);
    out.push(`${pad}(global (;${counters.global + i};) ${ty} ${exprText(g.init)})`);
  });
  for (const e of m.exports) out.push(`${pad}(export ${watString(e.name)} (${e.kind} ${e.index}))`);
  if (m.start !== null) out.push(`${pad}(start ${ctx.func(m.start)})`);
  m.elements.forEach((e, i) => {
    const mode = e.mode === 'active' ? ` (table ${e.table}) (offset ${exprText(e.offset ?? new Uint8Array())})` : e.mode === 'declarative' ? ' declare' : '';
    const items = e.funcs ? `func ${e.funcs.join(' ')}` : `${vt(e.type)} ${(e.exprs ?? []).map((x) => `(item ${exprText(x)})`).join(' ')}`;
    out.push(`${pad}(elem (;${i};)${mode} ${items})`);
  });
  m.data.forEach((d, i) => {
    const mode = d.mode === 'active' ? ` (memory ${d.memory}) (offset ${exprText(d.offset ?? new Uint8Array())})` : '';
    const payload = d.data.length <= 4096 ? ` "${escapeBytes(d.data)}"` : ` (; ${d.data.length} bytes ;)`;
    out.push(`${pad}(data (;${i};)${mode}${payload})`);
  });
  const imported = counters.func;
  for (let i = 0; i < m.bodies.length; i++) out.push(render(printFunctionLines(m, imported + i, ctx)));
  out.push(')');
  return out.join('\n');
}
