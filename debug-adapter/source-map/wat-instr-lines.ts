// Lists, for each function a WAT module defines, the instructions its body encodes to, in the
// order the binary will hold them, each with the position of its keyword. This replicates how
// the text format is lowered: flat instructions in order; a folded `(op imm* x*)` emits the
// nested instructions x first and `op` last; `(block|loop|try_table ...)` emits the opener, the
// body, then `end` at the closing paren; `(if cond* (then ...) (else ...)?)` emits cond, `if`,
// then-arm, `else` (only if the else clause is written), `end`; legacy `(try (do ...) (catch ...))`
// likewise. Instruction names come from THE operator table (wasm/opcodes.ts).

import { opByName } from '../wasm/opcodes';
import { SourceMapError } from './errors';
import { headOf, isAtom, parseWat, type WatList, type WatNode, type WatPos } from './wat-tokens';

export interface TextInstr extends WatPos {
  /** Operator name as in opcodes.ts (`select` also stands for the typed `select_t`). */
  name: string;
}

export interface TextFunc {
  /** `$id` of the function (with the `$`), if it has one. */
  id?: string;
  /** Index among defined functions, i.e. position of its body in the Code section. */
  definedIndex: number;
  /** Index in the function index space (imported functions first). */
  funcIndex: number;
  /** Position of the `(func` and of its closing `)` (where the body's final `end` is mapped). */
  open: WatPos;
  close: WatPos;
  instrs: TextInstr[];
  /** Set when the body uses something this lister does not understand; the function is then not mapped. */
  problem?: string;
}

/** Keyword atoms that are immediates, not instructions (heap types, SIMD shapes, float specials). */
const IMMEDIATE_KEYWORDS = new Set([
  'i8x16', 'i16x8', 'i32x4', 'i64x2', 'f32x4', 'f64x2',
  'func', 'extern', 'any', 'eq', 'i31', 'struct', 'array', 'none', 'nofunc', 'noextern', 'exn', 'noexn', 'cont', 'nocont',
  'inf', 'nan', 'null',
]);
/** Lists that are part of an instruction's immediates (type uses, result types, reference types). */
const IMMEDIATE_LISTS = new Set(['type', 'param', 'result', 'ref', 'on', 'exact']);
const CATCH_CLAUSES = new Set(['catch', 'catch_ref', 'catch_all', 'catch_all_ref']);
/** Header lists of a func field before its body. */
const FUNC_HEADER_LISTS = new Set(['export', 'import', 'type', 'param', 'result', 'local']);

function isOp(name: string): boolean {
  return opByName(name) !== undefined || name === 'select';
}

function looksLikeKeyword(text: string): boolean {
  return /^[a-z][a-z0-9_.]*$/.test(text) && !IMMEDIATE_KEYWORDS.has(text) && !text.endsWith('ref');
}

class BodyLister {
  readonly out: TextInstr[] = [];
  problem: string | undefined;

  private emit(name: string, at: WatPos): void {
    this.out.push({ name, line: at.line, column: at.column });
  }

  private fail(what: string, at: WatPos): void {
    this.problem ??= `${what} (line ${at.line})`;
  }

  /** Index of the first node at or after `i` that is not an immediate of operator `op`. */
  private skipImmediates(items: WatNode[], i: number, op: string): number {
    for (; i < items.length; i++) {
      const n = items[i];
      if (n.kind === 'atom') {
        if (isOp(n.text) || looksLikeKeyword(n.text)) break;
      } else if (n.kind === 'list') {
        const h = headOf(n);
        const imm = h !== undefined && (IMMEDIATE_LISTS.has(h) || h.startsWith('@') || (op === 'try_table' && CATCH_CLAUSES.has(h)));
        if (!imm) break;
      }
    }
    return i;
  }

  /** A sequence of flat and folded instructions. */
  seq(items: WatNode[], i: number): void {
    while (i < items.length) {
      const n = items[i];
      if (n.kind === 'atom') {
        if (isOp(n.text)) {
          this.emit(n.text, n);
          i = this.skipImmediates(items, i + 1, n.text);
          continue;
        }
        if (looksLikeKeyword(n.text)) this.fail(`unknown instruction ${n.text}`, n);
        else this.fail(`unexpected ${n.text}`, n);
        i++;
      } else if (n.kind === 'list') {
        const h = headOf(n);
        if (h === undefined) this.fail('empty or malformed folded instruction', n);
        else if (!h.startsWith('@') && !IMMEDIATE_LISTS.has(h)) this.folded(n, h);
        i++;
      } else {
        this.fail('unexpected string', n);
        i++;
      }
    }
  }

  private folded(list: WatList, h: string): void {
    const items = list.items;
    const head = items[0];
    switch (h) {
      case 'block':
      case 'loop':
      case 'try_table': {
        this.emit(h, head);
        this.seq(items, this.skipImmediates(items, 1, h));
        this.emit('end', list.close);
        return;
      }
      case 'if': {
        const start = this.skipImmediates(items, 1, 'if');
        const thenAt = items.findIndex((x, k) => k >= start && headOf(x) === 'then');
        if (thenAt < 0) {
          this.fail('folded if without a (then ...) clause', list);
          return;
        }
        this.seq(items.slice(0, thenAt), start);
        this.emit('if', head);
        this.seq((items[thenAt] as WatList).items, 1);
        const els = items[thenAt + 1];
        if (headOf(els) === 'else') {
          this.emit('else', (els as WatList).items[0]);
          this.seq((els as WatList).items, 1);
        }
        if (thenAt + (headOf(els) === 'else' ? 2 : 1) < items.length) this.fail('unexpected text after the if arms', list);
        this.emit('end', list.close);
        return;
      }
      case 'try': {
        let k = this.skipImmediates(items, 1, 'try');
        const body = items[k];
        if (headOf(body) !== 'do') {
          this.fail('folded try without a (do ...) clause', list);
          return;
        }
        this.emit('try', head);
        this.seq((body as WatList).items, 1);
        let delegated = false;
        for (k++; k < items.length; k++) {
          const clause = items[k];
          const ch = headOf(clause);
          if (ch === 'catch' || ch === 'catch_all') {
            const c = clause as WatList;
            this.emit(ch, c.items[0]);
            this.seq(c.items, this.skipImmediates(c.items, 1, ch));
          } else if (ch === 'delegate') {
            this.emit('delegate', (clause as WatList).items[0]);
            delegated = true;
          } else this.fail('unexpected clause in folded try', clause);
        }
        if (!delegated) this.emit('end', list.close);
        return;
      }
      default:
        if (!isOp(h)) {
          this.fail(`unknown instruction ${h}`, head);
          return;
        }
        this.seq(items, this.skipImmediates(items, 1, h));
        this.emit(h, head);
    }
  }
}

/** The module fields of a WAT text: the items of `(module $id? ...)`, or the bare fields. */
function moduleFields(nodes: WatNode[]): WatNode[] {
  const mods = nodes.filter((n) => headOf(n) === 'module');
  if (mods.length === 0) {
    const comp = nodes.find((n) => headOf(n) === 'component');
    if (comp) throw new SourceMapError('wat', comp.line, 'a component, not a core module');
    return nodes;
  }
  if (mods.length > 1) throw new SourceMapError('wat', mods[1].line, 'more than one module in one file');
  const items = (mods[0] as WatList).items;
  let i = 1;
  const first = items[i];
  if (isAtom(first) && first.text.startsWith('$')) i++;
  const kind = items[i];
  if (isAtom(kind) && (kind.text === 'binary' || kind.text === 'quote')) {
    throw new SourceMapError('wat', mods[0].line, `(module ${kind.text} ...) has no text to map`);
  }
  return items.slice(i);
}

/** Every function the text defines (imports excluded), with its instructions. */
export function listWatFunctions(text: string): { funcs: TextFunc[]; importedFuncs: number } {
  const fields = moduleFields(parseWat(text));
  const funcs: TextFunc[] = [];
  let imported = 0;
  for (const f of fields) {
    const h = headOf(f);
    if (h === 'import') {
      if ((f as WatList).items.some((x) => headOf(x) === 'func')) imported++;
      continue;
    }
    if (h !== 'func') continue;
    const items = (f as WatList).items;
    let i = 1;
    let id: string | undefined;
    const first = items[i];
    if (isAtom(first) && first.text.startsWith('$')) {
      id = first.text;
      i++;
    }
    let isImport = false;
    for (; i < items.length; i++) {
      const hh = headOf(items[i]);
      if (hh === undefined || !(FUNC_HEADER_LISTS.has(hh) || hh.startsWith('@'))) break;
      if (hh === 'import') isImport = true;
    }
    if (isImport) {
      imported++;
      continue;
    }
    const lister = new BodyLister();
    lister.seq(items, i);
    const list = f as WatList;
    funcs.push({
      id,
      definedIndex: funcs.length,
      funcIndex: -1,
      open: { line: list.line, column: list.column },
      close: list.close,
      instrs: lister.out,
      problem: lister.problem,
    });
  }
  for (const fn of funcs) fn.funcIndex = imported + fn.definedIndex;
  return { funcs, importedFuncs: imported };
}
