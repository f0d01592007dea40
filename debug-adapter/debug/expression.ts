// A small, safe expression language for watches, hovers, conditional breakpoints and logpoints:
// C-like operators over source variables (DWARF), wasm locals and globals, and linear memory.
// Parsed once into a tree (conditions are re-evaluated at every hit), evaluated without eval()
// and without side effects: no assignment, no calls.
//
//   names        a C variable in scope, else a wasm local by its name-section name
//   $name        a wasm local, else a wasm global, by name-section name
//   locals[i] globals[i]            wasm locals / globals by index
//   memory[a] (u8), i8/u8/i16/u16/i32/u32/i64/u64/f32/f64[a]   linear memory at byte address a
//   operators    + - * / % << >> < <= > >= == != & ^ | && || ! ~ unary - * & ?: [] . ->
//   literals     123 0x7b 1.5 'a'

import {
  EvalError, loadFloat, loadInt, resolveType, rvalue, sizeOf, typeName, wrapInt,
  type CType, type MemoryAccess, type Value,
} from './values';

export interface EvalEnv extends MemoryAccess {
  /** A source variable in scope, else a wasm local by name; undefined when unknown. */
  lookup(name: string): Value | undefined;
  /** `$name`: a wasm local, else a wasm global, by name-section name. */
  dollar(name: string): Value | undefined;
  local(index: number): Value | undefined;
  global(index: number): Value | undefined;
}

export type Expr =
  | { t: 'num'; v: Value }
  | { t: 'name'; name: string }
  | { t: 'dollar'; name: string }
  | { t: 'unary'; op: string; e: Expr }
  | { t: 'binary'; op: string; l: Expr; r: Expr }
  | { t: 'cond'; c: Expr; a: Expr; b: Expr }
  | { t: 'index'; e: Expr; i: Expr }
  | { t: 'member'; e: Expr; name: string; arrow: boolean };

interface Token {
  kind: 'num' | 'name' | 'dollar' | 'op' | 'char' | 'end';
  text: string;
  at: number;
}

const OPS = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '&', '^', '|', '!', '~', '?', ':', '(', ')', '[', ']', '.'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?)[uUlLfF]*/.exec(src.slice(i));
      if (!m) throw new EvalError(`bad number at ${i}`);
      out.push({ kind: 'num', text: m[0], at });
      i += m[0].length;
      continue;
    }
    if (c === '$' || /[A-Za-z_]/.test(c)) {
      // `$name` takes the identifier characters wat names use in practice (letters, digits, _ .).
      const m = c === '$' ? /^\$[A-Za-z0-9_.]+/.exec(src.slice(i)) : /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
      if (!m) throw new EvalError(`a name must follow $ at ${i}`);
      out.push({ kind: c === '$' ? 'dollar' : 'name', text: c === '$' ? m[0].slice(1) : m[0], at });
      i += m[0].length;
      continue;
    }
    if (c === "'") {
      const m = /^'(\\.|[^'\\])'/.exec(src.slice(i));
      if (!m) throw new EvalError(`bad character literal at ${i}`);
      out.push({ kind: 'char', text: m[1], at });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new EvalError(`unexpected '${c}' at ${i}`);
    out.push({ kind: 'op', text: op, at });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', at: src.length });
  return out;
}

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34 };

function numberLiteral(text: string): Value {
  const clean = text.replace(/_/g, '').replace(/[uUlLfF]+$/, (s) => (/^0[xX]/.test(text) ? s.replace(/[fF]/g, '') : ''));
  if (/^0[xX]/.test(clean)) {
    const v = BigInt(clean.replace(/[uUlL]+$/, ''));
    return v <= 0x7fffffffn ? { k: 'int', v, bits: 32, signed: true } : v <= 0xffffffffn ? { k: 'int', v, bits: 32, signed: false } : { k: 'int', v: wrapInt(v, 64, false), bits: 64, signed: false };
  }
  if (/[.eE]/.test(clean)) return { k: 'float', v: Number(clean), bits: 64 };
  const v = BigInt(clean);
  return v <= 0x7fffffffn ? { k: 'int', v, bits: 32, signed: true } : { k: 'int', v: wrapInt(v, 64, true), bits: 64, signed: true };
}

/** Parse an expression; throws EvalError with the position of the problem. */
export function parseExpression(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const take = () => toks[p++];
  const expect = (text: string) => {
    const t = take();
    if (t.kind !== 'op' || t.text !== text) throw new EvalError(`expected '${text}' at ${t.at}${t.kind === 'end' ? ' (end of expression)' : ''}`);
  };

  function primary(): Expr {
    const t = take();
    if (t.kind === 'num') return { t: 'num', v: numberLiteral(t.text) };
    if (t.kind === 'char') {
      const ch = t.text.length === 2 ? (ESCAPES[t.text[1]] ?? t.text.charCodeAt(1)) : t.text.charCodeAt(0);
      return { t: 'num', v: { k: 'int', v: BigInt(ch), bits: 32, signed: true } };
    }
    if (t.kind === 'name') return { t: 'name', name: t.text };
    if (t.kind === 'dollar') return { t: 'dollar', name: t.text };
    if (t.kind === 'op' && t.text === '(') {
      const e = ternary();
      expect(')');
      return e;
    }
    throw new EvalError(t.kind === 'end' ? 'unexpected end of expression' : `unexpected '${t.text}' at ${t.at}`);
  }

  function postfix(): Expr {
    let e = primary();
    for (;;) {
      const t = peek();
      if (t.kind !== 'op') return e;
      if (t.text === '[') {
        take();
        const i = ternary();
        expect(']');
        e = { t: 'index', e, i };
      } else if (t.text === '.' || t.text === '->') {
        take();
        const n = take();
        if (n.kind !== 'name') throw new EvalError(`expected a member name at ${n.at}`);
        e = { t: 'member', e, name: n.text, arrow: t.text === '->' };
      } else return e;
    }
  }

  function unary(): Expr {
    const t = peek();
    if (t.kind === 'op' && ['-', '+', '!', '~', '*', '&'].includes(t.text)) {
      take();
      return { t: 'unary', op: t.text, e: unary() };
    }
    return postfix();
  }

  function binary(minPrec: number): Expr {
    let l = unary();
    for (;;) {
      const t = peek();
      const prec = t.kind === 'op' ? BINARY[t.text] : undefined;
      if (prec === undefined || prec < minPrec) return l;
      take();
      const r = binary(prec + 1);
      l = { t: 'binary', op: t.text, l, r };
    }
  }

  function ternary(): Expr {
    const c = binary(1);
    const t = peek();
    if (t.kind === 'op' && t.text === '?') {
      take();
      const a = ternary();
      expect(':');
      const b = ternary();
      return { t: 'cond', c, a, b };
    }
    return c;
  }

  const e = ternary();
  const rest = peek();
  if (rest.kind !== 'end') throw new EvalError(`unexpected '${rest.text}' at ${rest.at}`);
  return e;
}

const MEMORY_VIEWS: Record<string, { size: number; signed: boolean; float?: boolean }> = {
  memory: { size: 1, signed: false },
  i8: { size: 1, signed: true },
  u8: { size: 1, signed: false },
  i16: { size: 2, signed: true },
  u16: { size: 2, signed: false },
  i32: { size: 4, signed: true },
  u32: { size: 4, signed: false },
  i64: { size: 8, signed: true },
  u64: { size: 8, signed: false },
  f32: { size: 4, signed: true, float: true },
  f64: { size: 8, signed: true, float: true },
};

function toBig(v: Value): bigint {
  switch (v.k) {
    case 'int':
      return v.v;
    case 'ptr':
      return BigInt(v.addr);
    case 'float':
      if (!Number.isFinite(v.v)) throw new EvalError('cannot use a non-finite float as an integer');
      return BigInt(Math.trunc(v.v));
    default:
      throw new EvalError(`expected a number, got ${v.k === 'obj' ? typeName(v.type) : 'v128'}`);
  }
}

function toNum(v: Value): number {
  if (v.k === 'float') return v.v;
  return Number(toBig(v));
}

/** True when the value is non-zero (conditions). */
export function truthy(value: Value, mem?: MemoryAccess): boolean {
  const v = mem ? rvalue(mem, value) : value;
  if (v.k === 'float') return v.v !== 0;
  if (v.k === 'ptr') return v.addr !== 0;
  if (v.k === 'int') return v.v !== 0n;
  throw new EvalError('a condition must be a number or a pointer');
}

const bool = (b: boolean): Value => ({ k: 'int', v: b ? 1n : 0n, bits: 32, signed: true });

function address(v: Value): number {
  const n = toBig(v);
  if (n < 0n || n > 0xffffffffffffn) throw new EvalError(`address ${n} is out of range`);
  return Number(n);
}

/** Evaluate a parsed expression; the result may be an lvalue (`obj`) so callers can expand it. */
export function evaluate(e: Expr, env: EvalEnv): Value {
  const rv = (x: Expr) => rvalue(env, evaluate(x, env));
  switch (e.t) {
    case 'num':
      return e.v;
    case 'name': {
      const v = env.lookup(e.name);
      if (v === undefined) throw new EvalError(`no variable named '${e.name}' here`);
      return v;
    }
    case 'dollar': {
      const v = env.dollar(e.name);
      if (v === undefined) throw new EvalError(`no local or global named '$${e.name}'`);
      return v;
    }
    case 'cond':
      return truthy(rv(e.c)) ? evaluate(e.a, env) : evaluate(e.b, env);
    case 'unary':
      return unaryOp(e.op, e.e, env);
    case 'binary':
      return binaryOp(e.op, e.l, e.r, env);
    case 'member': {
      let base = evaluate(e.e, env);
      if (e.arrow) base = deref(rvalue(env, base));
      if (base.k !== 'obj') throw new EvalError(`'.${e.name}' needs a struct or union`);
      const r = resolveType(base.type);
      if (r?.kind !== 'struct' && r?.kind !== 'union') throw new EvalError(`${typeName(base.type)} has no members`);
      const m = r.members.find((x) => x.name === e.name);
      if (!m) throw new EvalError(`${typeName(base.type)} has no member '${e.name}'`);
      return { k: 'obj', addr: base.addr + m.offset, type: m.type };
    }
    case 'index': {
      if (e.e.t === 'name' && env.lookup(e.e.name) === undefined) {
        const special = specialIndex(e.e.name, rv(e.i), env);
        if (special) return special;
      }
      const base = evaluate(e.e, env);
      const i = Number(toBig(rv(e.i)));
      if (base.k === 'obj') {
        const r = resolveType(base.type);
        if (r?.kind === 'array') return { k: 'obj', addr: base.addr + i * sizeOf(r.elem), type: r.elem };
      }
      const p = rvalue(env, base);
      if (p.k === 'ptr') {
        if (!p.to) throw new EvalError('cannot index a void pointer');
        return { k: 'obj', addr: p.addr + i * sizeOf(p.to), type: p.to };
      }
      throw new EvalError('only arrays and pointers can be indexed');
    }
  }
}

function specialIndex(name: string, index: Value, env: EvalEnv): Value | undefined {
  if (name === 'locals' || name === 'globals') {
    const i = Number(toBig(index));
    const v = name === 'locals' ? env.local(i) : env.global(i);
    if (v === undefined) throw new EvalError(`${name}[${i}] is not available here`);
    return v;
  }
  const mv = MEMORY_VIEWS[name];
  if (!mv) return undefined;
  const a = address(index);
  if (mv.float) return { k: 'float', v: loadFloat(env, a, mv.size), bits: mv.size === 4 ? 32 : 64 };
  return { k: 'int', v: loadInt(env, a, mv.size, mv.signed), bits: mv.size * 8, signed: mv.signed };
}

function deref(p: Value): Value {
  if (p.k !== 'ptr') throw new EvalError('only pointers can be dereferenced');
  if (p.addr === 0) throw new EvalError('null pointer');
  const to = resolveType(p.to);
  if (!p.to || !to || to.kind === 'void') throw new EvalError('cannot dereference a void pointer');
  return { k: 'obj', addr: p.addr, type: p.to };
}

function unaryOp(op: string, x: Expr, env: EvalEnv): Value {
  if (op === '&') {
    const v = evaluate(x, env);
    if (v.k !== 'obj') throw new EvalError('& needs an object in memory');
    return { k: 'ptr', addr: v.addr, to: v.type };
  }
  const v = rvalue(env, evaluate(x, env));
  switch (op) {
    case '*':
      return deref(v);
    case '!':
      return bool(!truthy(v));
    case '+':
      return v;
    case '-':
      if (v.k === 'float') return { ...v, v: -v.v, type: undefined };
      if (v.k === 'int') return promote({ ...v, v: -v.v });
      throw new EvalError('unary - needs a number');
    case '~':
      if (v.k === 'int') return promote({ ...v, v: ~v.v });
      throw new EvalError('~ needs an integer');
  }
  throw new EvalError(`unknown operator ${op}`);
}

/** Integer promotion: at least 32 bits, wrapped. */
function promote(v: Extract<Value, { k: 'int' }>): Value {
  const bits = Math.max(32, v.bits);
  const signed = v.bits < 32 ? true : v.signed;
  return { k: 'int', v: wrapInt(v.v, bits, signed), bits, signed };
}

function binaryOp(op: string, lx: Expr, rx: Expr, env: EvalEnv): Value {
  if (op === '&&') return bool(truthy(rvalue(env, evaluate(lx, env))) && truthy(rvalue(env, evaluate(rx, env))));
  if (op === '||') return bool(truthy(rvalue(env, evaluate(lx, env))) || truthy(rvalue(env, evaluate(rx, env))));
  const l = rvalue(env, evaluate(lx, env));
  const r = rvalue(env, evaluate(rx, env));
  if (l.k === 'obj' || r.k === 'obj' || l.k === 'v128' || r.k === 'v128') throw new EvalError(`operator ${op} needs numbers or pointers`);
  // Pointer arithmetic.
  if (l.k === 'ptr' && r.k === 'ptr' && op === '-') {
    const size = Math.max(1, sizeOf(l.to));
    return { k: 'int', v: BigInt(Math.trunc((l.addr - r.addr) / size)), bits: 32, signed: true };
  }
  if ((op === '+' || op === '-') && (l.k === 'ptr' || r.k === 'ptr')) {
    const p = l.k === 'ptr' ? l : (r as Extract<Value, { k: 'ptr' }>);
    const n = Number(toBig(l.k === 'ptr' ? r : l));
    if (op === '-' && l.k !== 'ptr') throw new EvalError('cannot subtract a pointer from a number');
    const size = Math.max(1, sizeOf(p.to));
    return { ...p, addr: p.addr + (op === '+' ? n : -n) * size, type: undefined };
  }
  if (l.k === 'float' || r.k === 'float') {
    const a = toNum(l);
    const b = toNum(r);
    const bits: 32 | 64 = l.k === 'float' && r.k === 'float' && l.bits === 32 && r.bits === 32 ? 32 : 64;
    const f = (v: number): Value => ({ k: 'float', v: bits === 32 ? Math.fround(v) : v, bits });
    switch (op) {
      case '+': return f(a + b);
      case '-': return f(a - b);
      case '*': return f(a * b);
      case '/': return f(a / b);
      case '<': return bool(a < b);
      case '<=': return bool(a <= b);
      case '>': return bool(a > b);
      case '>=': return bool(a >= b);
      case '==': return bool(a === b);
      case '!=': return bool(a !== b);
    }
    throw new EvalError(`operator ${op} needs integers`);
  }
  // Integers (and pointers compared or masked as integers): the usual arithmetic conversions.
  const li = l.k === 'int' ? promote(l) : ({ k: 'int', v: BigInt(l.addr), bits: 32, signed: false } as const);
  const ri = r.k === 'int' ? promote(r) : ({ k: 'int', v: BigInt(r.addr), bits: 32, signed: false } as const);
  if (li.k !== 'int' || ri.k !== 'int') throw new EvalError('internal: not integers');
  const bits = Math.max(li.bits, ri.bits);
  const signed = (li.bits === bits ? li.signed : true) && (ri.bits === bits ? ri.signed : true);
  const a = wrapInt(li.v, bits, signed);
  const b = wrapInt(ri.v, bits, signed);
  const int = (v: bigint): Value => ({ k: 'int', v: wrapInt(v, bits, signed), bits, signed });
  switch (op) {
    case '+': return int(a + b);
    case '-': return int(a - b);
    case '*': return int(a * b);
    case '/':
      if (b === 0n) throw new EvalError('division by zero');
      return int(a / b);
    case '%':
      if (b === 0n) throw new EvalError('division by zero');
      return int(a % b);
    case '<<': return int(a << (b & BigInt(bits - 1)));
    case '>>': return int(a >> (b & BigInt(bits - 1)));
    case '&': return int(a & b);
    case '|': return int(a | b);
    case '^': return int(a ^ b);
    case '<': return bool(a < b);
    case '<=': return bool(a <= b);
    case '>': return bool(a > b);
    case '>=': return bool(a >= b);
    case '==': return bool(a === b);
    case '!=': return bool(a !== b);
  }
  throw new EvalError(`unknown operator ${op}`);
}

/** Parse and evaluate in one go. */
export function evaluateText(src: string, env: EvalEnv): Value {
  return evaluate(parseExpression(src), env);
}

/** The parts of a logpoint message: literal text and `{expression}`s (`{{`/`}}` escape braces). */
export function parseLogMessage(msg: string): (string | Expr)[] {
  const parts: (string | Expr)[] = [];
  let text = '';
  for (let i = 0; i < msg.length; i++) {
    const c = msg[i];
    if ((c === '{' || c === '}') && msg[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const close = msg.indexOf('}', i);
      if (close < 0) throw new EvalError('unclosed { in log message');
      if (text) parts.push(text);
      text = '';
      parts.push(parseExpression(msg.slice(i + 1, close)));
      i = close;
    } else text += c;
  }
  if (text) parts.push(text);
  return parts;
}

/** An integer or float as a JS number, for hit counts and the like. */
export function valueToNumber(v: Value): number {
  return toNum(v);
}

export type { CType };
