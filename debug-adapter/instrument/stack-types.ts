// The operand stack's value types before given instructions of a function body, so a debug site
// can spill the stack too (WAT sites stop mid-expression; a return point holds the call's
// results). A small validator-style pass over the operators of the numeric, memory, table,
// reference and multi-value proposals, typed by the operator names of the one table. Functions
// using anything else (SIMD, atomics, exceptions, GC) answer "unknown" rather than guess, and the
// debugger says "operand stack not captured at this site".

import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { I32, I64, F32, F64, FUNCREF, EXTERNREF, type Module, type ValType } from '../wasm/module';

const NUM: Record<string, number> = { i32: I32, i64: I64, f32: F32, f64: F64 };
const BINARY = /^(i32|i64|f32|f64)\.(add|sub|mul|div|div_s|div_u|rem_s|rem_u|and|or|xor|shl|shr_s|shr_u|rotl|rotr|min|max|copysign)$/;
const COMPARE = /^(i32|i64|f32|f64)\.(eq|ne|lt|lt_s|lt_u|gt|gt_s|gt_u|le|le_s|le_u|ge|ge_s|ge_u)$/;
const UNARY = /^(i32|i64|f32|f64)\.(clz|ctz|popcnt|abs|neg|sqrt|ceil|floor|trunc|nearest|extend8_s|extend16_s|extend32_s)$/;
const CONVERT = /^(i32|i64|f32|f64)\.[a-z_]+?_(i32|i64|f32|f64)(_[su])?$/;
const LOAD = /^(i32|i64|f32|f64)\.load(8_s|8_u|16_s|16_u|32_s|32_u)?$/;
const STORE = /^(i32|i64|f32|f64)\.store(8|16|32)?$/;

interface Frame {
  /** Stack height when the block was entered (params included). */
  height: number;
  params: number[];
  results: number[];
  /** The rest of the block is unreachable (stack-polymorphic). */
  dead: boolean;
}

/** Value types of a function's view of the module: globals, tables, memories' address types, function types. */
export interface ModuleTypes {
  globals: number[];
  tables: number[];
  memory64: boolean[];
  funcTypes: { params: number[]; results: number[] }[];
  types: { params: number[]; results: number[] }[];
}

const flat = (t: ValType): number => (typeof t === 'number' ? t : t.nullable ? (t.heap === -16 ? FUNCREF : t.heap === -17 ? EXTERNREF : -1) : -1);

export function moduleTypes(m: Module): ModuleTypes {
  const out: ModuleTypes = { globals: [], tables: [], memory64: [], funcTypes: [], types: m.types.map((t) => ({ params: t.params.map(flat), results: t.results.map(flat) })) };
  for (const imp of m.imports) {
    const d = imp.desc;
    if (d.kind === 'global') out.globals.push(flat(d.global.type));
    else if (d.kind === 'table') out.tables.push(flat(d.table.elemType));
    else if (d.kind === 'memory') out.memory64.push((d.memory.flags & 4) !== 0);
    else if (d.kind === 'func') out.funcTypes.push(out.types[d.type]);
  }
  for (const g of m.globals) out.globals.push(flat(g.type.type));
  for (const t of m.tables) out.tables.push(flat(t.type.elemType));
  for (const mem of m.memories) out.memory64.push((mem.flags & 4) !== 0);
  for (const f of m.funcs) out.funcTypes.push(out.types[f]);
  return out;
}

class Unknown extends Error {}

/**
 * For each offset in `at` (instruction starts of the body), the operand stack's types before that
 * instruction, bottom first; undefined when the function uses operators this pass does not type
 * (or an offset is in unreachable code, or a value is a reference type that cannot be spilled).
 */
export function stackTypesAt(
  bytes: Uint8Array,
  body: { codeStart: number; end: number },
  localTypes: readonly number[],
  mt: ModuleTypes,
  funcResults: readonly number[],
  at: ReadonlySet<number>,
): Map<number, number[] | undefined> | undefined {
  const out = new Map<number, number[] | undefined>();
  const stack: number[] = [];
  const frames: Frame[] = [{ height: 0, params: [], results: [...funcResults], dead: false }];
  const cur = newCursor();
  const pop = (n = 1): number[] => {
    const f = frames[frames.length - 1];
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      if (stack.length > f.height) got.unshift(stack.pop()!);
      else if (f.dead) got.unshift(-1);
      else throw new Unknown('stack underflow');
    }
    return got;
  };
  const push = (...ts: number[]) => stack.push(...ts);
  const blockType = (idx: number): { params: number[]; results: number[] } => {
    if (idx === -64) return { params: [], results: [] };
    if (idx >= 0) {
      const t = mt.types[idx];
      if (!t) throw new Unknown('bad block type');
      return t;
    }
    if (idx < -17) throw new Unknown('typed reference block type');
    return { params: [], results: [idx & 0x7f] };
  };
  const kill = () => {
    const f = frames[frames.length - 1];
    stack.length = f.height;
    f.dead = true;
  };
  try {
    for (let p = body.codeStart; p < body.end; p = cur.end) {
      scanInstr(bytes, p, body.end, cur);
      const op = cur.op;
      if (at.has(cur.start)) {
        const f = frames[frames.length - 1];
        // Spilled into scratch globals: numbers only (a v128 or a reference stays unseen).
        const ok = !f.dead && stack.every((t) => t === I32 || t === I64 || t === F32 || t === F64);
        out.set(cur.start, ok ? [...stack] : undefined);
      }
      if (op.prefix === 0xfd || op.prefix === 0xfe) throw new Unknown(op.name);
      const n = op.name;
      switch (op.control) {
        case 'block':
        case 'loop': {
          const bt = blockType(cur.idx);
          pop(bt.params.length);
          frames.push({ height: stack.length, params: bt.params, results: bt.results, dead: false });
          push(...bt.params);
          continue;
        }
        case 'if': {
          pop();
          const bt = blockType(cur.idx);
          pop(bt.params.length);
          frames.push({ height: stack.length, params: bt.params, results: bt.results, dead: false });
          push(...bt.params);
          continue;
        }
        case 'else': {
          const f = frames[frames.length - 1];
          stack.length = f.height;
          f.dead = false;
          push(...f.params);
          continue;
        }
        case 'end': {
          const f = frames.pop()!;
          stack.length = f.height;
          push(...f.results);
          if (frames.length === 0) return out;
          continue;
        }
        case 'br':
        case 'br_table':
        case 'return':
        case 'unreachable':
        case 'return_call':
        case 'return_call_indirect':
          if (op.control === 'br_table') pop();
          kill();
          continue;
        case 'br_if':
          pop();
          continue;
        case 'call':
        case 'call_indirect': {
          const t = op.control === 'call' ? mt.funcTypes[cur.idx] : mt.types[cur.idx];
          if (!t) throw new Unknown('bad call');
          if (op.control === 'call_indirect') pop();
          pop(t.params.length);
          push(...t.results);
          continue;
        }
        case undefined:
          break;
        default:
          throw new Unknown(op.name);
      }
      let m: RegExpExecArray | null;
      if (n === 'nop') continue;
      if (n === 'drop') pop();
      else if (n === 'select') {
        pop();
        const [a] = pop(2);
        push(a);
      } else if (n === 'select_t') {
        pop(3);
        push(cur.idx2);
      } else if (n === 'local.get') push(localTypes[cur.idx] ?? -1);
      else if (n === 'local.set') pop();
      else if (n === 'local.tee') {
        pop();
        push(localTypes[cur.idx] ?? -1);
      } else if (n === 'global.get') push(mt.globals[cur.idx] ?? -1);
      else if (n === 'global.set') pop();
      else if ((m = /^(i32|i64|f32|f64)\.const$/.exec(n))) push(NUM[m[1]]);
      else if ((m = BINARY.exec(n))) {
        pop(2);
        push(NUM[m[1]]);
      } else if ((m = COMPARE.exec(n))) {
        pop(2);
        push(I32);
      } else if ((m = /^(i32|i64)\.eqz$/.exec(n))) {
        pop();
        push(I32);
      } else if ((m = UNARY.exec(n))) {
        pop();
        push(NUM[m[1]]);
      } else if ((m = LOAD.exec(n))) {
        pop();
        push(NUM[m[1]]);
      } else if (STORE.test(n)) pop(2);
      else if ((m = CONVERT.exec(n))) {
        pop();
        push(NUM[m[1]]);
      } else if (n === 'memory.size') push(mt.memory64[cur.idx] ? I64 : I32);
      else if (n === 'memory.grow') {
        pop();
        push(mt.memory64[cur.idx] ? I64 : I32);
      } else if (n === 'memory.fill' || n === 'memory.copy' || n === 'memory.init' || n === 'table.init' || n === 'table.copy' || n === 'table.fill') pop(3);
      else if (n === 'data.drop' || n === 'elem.drop') continue;
      else if (n === 'table.get') {
        pop();
        push(mt.tables[cur.idx] ?? -1);
      } else if (n === 'table.set') pop(2);
      else if (n === 'table.size') push(I32);
      else if (n === 'table.grow') {
        pop(2);
        push(I32);
      } else if (n === 'ref.null') push(cur.idx === -16 ? FUNCREF : cur.idx === -17 ? EXTERNREF : -1);
      else if (n === 'ref.is_null') {
        pop();
        push(I32);
      } else if (n === 'ref.func') push(FUNCREF);
      else throw new Unknown(n);
    }
  } catch (e) {
    if (e instanceof Unknown) return undefined;
    throw e;
  }
  return out;
}
