// The report's per-operator-class fuel breakdown (the seed's instruction_breakdown), ESTIMATED:
// counting fuel per class exactly would cost counters in every run, so instead each function's
// static operator-class mix (the fuel cost of its operators by class, from the one operator table)
// is weighted by the function's exact exclusive fuel. Exact per function, an estimate within one:
// a function whose loop is all loads and whose prologue is all arithmetic gets its mix's average.
// Integer shares (largest remainder) make the classes add up to the functions' fuel exactly.
import { parseModule } from '../wasm/reader';
import { importCount } from '../wasm/module';
import { newCursor, scanExpr } from '../wasm/instr-scanner';
import type { OpInfo } from '../wasm/opcodes';

export type OperatorClass =
  | 'control'
  | 'call'
  | 'parametric'
  | 'variable'
  | 'memory.load'
  | 'memory.store'
  | 'memory.size_grow'
  | 'bulk_memory'
  | 'reference'
  | 'numeric.int'
  | 'numeric.float'
  | 'simd'
  | 'atomic';

/** Every class, in a fixed order. */
export const OPERATOR_CLASSES: readonly OperatorClass[] = [
  'control', 'call', 'parametric', 'variable', 'memory.load', 'memory.store', 'memory.size_grow',
  'bulk_memory', 'reference', 'numeric.int', 'numeric.float', 'simd', 'atomic',
];

/** Fuel of functions whose code could not be classified (no costed operator, or a function missing from the module). */
export const UNCLASSIFIED = 'unclassified';
/** Fuel consumed but attributed to no function (0 whenever the counters are exact). */
export const UNATTRIBUTED = 'unattributed';

export const OPERATOR_CLASS_METHOD =
  "estimated: each function's exclusive fuel split by the fuel cost of its operators per class " +
  '(static mix of its code, operator table classes), largest-remainder integer shares; ' +
  'SIMD and atomic operators count in their own classes, including their loads and stores';

const BULK = new Set(['memory.init', 'memory.copy', 'memory.fill', 'data.drop', 'table.init', 'table.copy', 'elem.drop']);
const PARAMETRIC = new Set(['drop', 'select', 'select_t']);

/** The class of an operator, from its prefix, control kind and name. */
export function operatorClass(op: OpInfo): OperatorClass {
  if (op.prefix === 0xfd) return 'simd';
  if (op.prefix === 0xfe) return 'atomic';
  const c = op.control;
  if (c === 'call' || c === 'call_indirect' || c === 'call_ref' || c === 'return_call' || c === 'return_call_indirect' || c === 'return_call_ref') {
    return 'call';
  }
  if (c !== undefined || op.name === 'nop') return 'control';
  if (PARAMETRIC.has(op.name)) return 'parametric';
  if (op.name.startsWith('local.') || op.name.startsWith('global.')) return 'variable';
  if (BULK.has(op.name)) return 'bulk_memory';
  if (op.imm === 'memarg') return op.name.includes('.store') ? 'memory.store' : 'memory.load';
  if (op.name === 'memory.size' || op.name === 'memory.grow') return 'memory.size_grow';
  if (op.name.startsWith('ref.') || op.name.startsWith('table.')) return 'reference';
  if (op.name.startsWith('i32.') || op.name.startsWith('i64.')) return 'numeric.int';
  if (op.name.startsWith('f32.') || op.name.startsWith('f64.')) return 'numeric.float';
  throw new Error(`operator ${op.name} has no class`);
}

/** Per function (original index): the fuel cost of its operators by class. */
export type StaticMix = Map<number, Map<OperatorClass, number>>;

/**
 * Scans the bodies of the defined functions `funcIndices` (default: all) of a module and sums the
 * cost of their operators by class. Only the bodies asked for are scanned (the hot ones).
 */
export function staticOperatorMix(bytes: Uint8Array, funcIndices?: Iterable<number>): StaticMix {
  const m = parseModule(bytes, { checkBodies: false });
  const imported = importCount(m, 'func');
  const wanted = funcIndices ? [...funcIndices] : m.bodies.map((_, i) => imported + i);
  const out: StaticMix = new Map();
  const cursor = newCursor();
  for (const f of wanted) {
    const body = m.bodies[f - imported];
    if (!body || out.has(f)) continue;
    const mix = new Map<OperatorClass, number>();
    scanExpr(bytes, body.codeStart, body.end, cursor, (c) => {
      if (c.op.cost === 0) return;
      const k = operatorClass(c.op);
      mix.set(k, (mix.get(k) ?? 0) + c.op.cost);
    });
    out.set(f, mix);
  }
  return out;
}

export interface FunctionFuelLike {
  index?: number;
  fuelExclusive: bigint;
}

/**
 * Splits each function's exclusive fuel over its static class mix. The result adds up to
 * `total` exactly: fuel of functions without a mix is `unclassified`, and `total` minus the
 * functions' fuel (when the counters were not exact) is `unattributed`. Zero classes are left out.
 */
export function estimateOperatorClassFuel(functions: readonly FunctionFuelLike[], mix: StaticMix, total: bigint): Record<string, bigint> {
  const out = new Map<string, bigint>();
  const add = (k: string, v: bigint): void => {
    if (v !== 0n) out.set(k, (out.get(k) ?? 0n) + v);
  };
  let attributed = 0n;
  for (const f of functions) {
    attributed += f.fuelExclusive;
    if (f.fuelExclusive === 0n) continue;
    const m = f.index === undefined ? undefined : mix.get(f.index);
    let weight = 0;
    if (m) for (const w of m.values()) weight += w;
    if (!m || weight === 0) {
      add(UNCLASSIFIED, f.fuelExclusive);
      continue;
    }
    for (const [k, v] of apportion(f.fuelExclusive, m, BigInt(weight))) add(k, v);
  }
  add(UNATTRIBUTED, total - attributed);
  return Object.fromEntries(out);
}

/** `amount` split in proportion to `weights` (summing to `sum`), in integers that add up to `amount`. */
function apportion(amount: bigint, weights: Map<OperatorClass, number>, sum: bigint): [OperatorClass, bigint][] {
  const parts: { k: OperatorClass; v: bigint; rem: bigint }[] = [];
  let given = 0n;
  for (const k of OPERATOR_CLASSES) {
    const w = weights.get(k);
    if (!w) continue;
    const exact = amount * BigInt(w);
    const v = exact / sum;
    parts.push({ k, v, rem: exact % sum });
    given += v;
  }
  // Largest remainders first; ties by the fixed class order (stable sort).
  const order = [...parts].sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : 0));
  for (let i = 0; given < amount; i++, given++) order[i % order.length].v += 1n;
  return parts.map((p) => [p.k, p.v]);
}
