// What per-function accounting costs a call, in the design we ship and in the two smaller designs
// that would bring ruby.wasm's size growth under 1.5x (see instrument/README.md, "Why ruby grows").
// One generated module per design: a loop calls a tiny leaf function n times, with the accounting
// each design injects around that call, and nothing else differing. Figures: ns per call and the
// ratio to the design we ship, measured interleaved in one run.
//
//  - plain:    no accounting;
//  - inline:   what instrument/ emits (caller flushes `fx += f - m` before the call and resets its
//              mark after it; the callee counts the call, sets its mark, flushes at exit);
//  - dispatch: the owner/mark design: no code at call sites; the callee's entry calls one injected
//              function that attributes the caller's fuel through a br_table over all functions;
//  - flush-fn: a flush function per function: a call site holds `call $flush_F` (4 bytes, not 12).
// Both smaller designs add one wasm call per call, and that call is what costs (V8 in Node 20 does
// not inline wasm into wasm), not the br_table.

import type { Bench, BenchRow } from './bench-kit';
import { interleaved } from './bench-kit';
import { ByteWriter } from '../debug-adapter/wasm/byte-writer';

/** Functions the dispatch switches over (ruby.wasm has 17,825). */
const N = 16384;
const CALLS = 20_000_000;
const reps = Number(process.env.BENCH_REPS ?? 5);

const u = (v: number): number[] => {
  const w = new ByteWriter(8);
  w.u32(v);
  return [...w.finish()];
};
const s = (v: number): number[] => {
  const w = new ByteWriter(8);
  w.s32(v);
  return [...w.finish()];
};
const vec = (items: number[][]): number[] => [...u(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u(body.length), ...body];

// Opcodes.
const [GG, GS, LG, LS, I32C, I64C, ADD64, SUB64, CALL, END, LOOP, BLOCK, BR_IF, BR_TABLE, RETURN] =
  [0x23, 0x24, 0x20, 0x21, 0x41, 0x42, 0x7c, 0x7d, 0x10, 0x0b, 0x03, 0x02, 0x0d, 0x0e, 0x0f];
const I32MUL = 0x6c, I32ADD = 0x6a, I32SUB = 0x6b;

// Globals: 0 fuel F, 1 mark M, 2 owner O, then fx[i] = 3 + 2i, fc[i] = 4 + 2i.
const F = 0, M = 1, O = 2;
const fx = (i: number): number => 3 + 2 * i;
const fc = (i: number): number => 4 + 2 * i;
const LEAF = 16000; // the leaf's and the loop's function numbers in the counters (large, like most of ruby's)
const RUN = 100;

type Design = 'plain' | 'inline' | 'dispatch' | 'flush-fn';

const charge = (k: number): number[] => [GG, ...u(F), I64C, ...s(k), ADD64, GS, ...u(F)];
/** fx[i] += F - M; M = F (global mark) */
const flushGlobal = (i: number): number[] => [GG, ...u(fx(i)), GG, ...u(F), GG, ...u(M), SUB64, ADD64, GS, ...u(fx(i)), GG, ...u(F), GS, ...u(M)];
/** fx[i] += F - m (local mark) */
const flushLocal = (i: number, m: number): number[] => [GG, ...u(fx(i)), GG, ...u(F), LG, ...u(m), SUB64, ADD64, GS, ...u(fx(i))];
const countCall = (i: number): number[] => [GG, ...u(fc(i)), I64C, 1, ADD64, GS, ...u(fc(i))];

function build(design: Design): Uint8Array {
  // Types: 0 (i32)->(i32), 1 (i32)->(), 2 ()->().
  const types = vec([[0x60, 1, 0x7f, 1, 0x7f], [0x60, 1, 0x7f, 0], [0x60, 0, 0]]);
  const g = (t: number, init: number[]): number[] => [t, 1, ...init, END];
  const globals = vec([g(0x7e, [I64C, 0]), g(0x7e, [I64C, 0]), g(0x7f, [I32C, ...s(-1)]), ...Array.from({ length: 2 * N }, () => g(0x7e, [I64C, 0]))]);
  // Functions: 0 leaf, 1 run, 2 helper (switch or flush fn).
  const funcs: number[][] = [];
  const typesOf: number[] = [];
  const body = (locals: number[][], code: number[]): number[] => {
    const b = [...vec(locals), ...code, END];
    return [...u(b.length), ...b];
  };
  // leaf(x): x * 3 + 1, locals: 1 m (i64), 2 o (i32)
  const work = [LG, 0, I32C, 3, I32MUL, I32C, 1, I32ADD];
  let entry: number[] = [];
  let exit: number[] = [];
  if (design === 'inline') {
    entry = [...countCall(LEAF), GG, ...u(F), LS, 1, ...charge(5)];
    exit = flushLocal(LEAF, 1);
  } else if (design === 'dispatch') {
    entry = [...countCall(LEAF), GG, ...u(O), LS, 2, I32C, ...s(LEAF), CALL, 2, ...charge(5)];
    exit = [...flushGlobal(LEAF), LG, 2, GS, ...u(O)];
  } else if (design === 'flush-fn') {
    entry = [...countCall(LEAF), ...charge(5)];
    exit = flushGlobal(LEAF);
  }
  funcs.push(body([[1, 0x7e], [1, 0x7f]], [...entry, ...work, ...exit]));
  typesOf.push(0);
  // run(n): loop { charge; a = leaf(a); n -= 1; br_if } a. locals: 1 a (i32), 2 m (i64)
  const before = design === 'inline' ? flushLocal(RUN, 2) : design === 'flush-fn' ? [CALL, 2] : [];
  const after = design === 'inline' ? [GG, ...u(F), LS, 2] : [];
  const loop = [LOOP, 0x40, ...(design === 'plain' ? [] : charge(7)), LG, 1, ...before, CALL, 0, ...after, LS, 1, LG, 0, I32C, 1, I32SUB, 0x22, 0, BR_IF, 0, END, LG, 1];
  funcs.push(body([[1, 0x7f], [1, 0x7e]], loop));
  typesOf.push(0);
  if (design === 'dispatch') {
    // switch(g): d = F - M; o = O; O = g; M = F; fx[o] += d (br_table over N functions). locals: 1 d, 2 o
    const code: number[] = [GG, ...u(F), GG, ...u(M), SUB64, LS, 1, GG, ...u(O), LS, 2, LG, 0, GS, ...u(O), GG, ...u(F), GS, ...u(M)];
    for (let i = 0; i <= N; i++) code.push(BLOCK, 0x40);
    code.push(LG, 2, BR_TABLE, ...u(N), ...Array.from({ length: N + 1 }, (_, i) => u(i)).flat());
    for (let i = 0; i < N; i++) code.push(END, GG, ...u(fx(i)), LG, 1, ADD64, GS, ...u(fx(i)), RETURN);
    code.push(END);
    funcs.push(body([[1, 0x7e], [1, 0x7f]], code));
    typesOf.push(1);
  } else if (design === 'flush-fn') {
    funcs.push(body([], flushGlobal(RUN)));
    typesOf.push(2);
  }
  const exportRun = vec([[...u(3), ...Buffer.from('run'), 0, 1]]);
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, types),
    ...section(3, vec(typesOf.map((t) => [t]))),
    ...section(6, globals),
    ...section(7, exportRun),
    ...section(10, vec(funcs)),
  ]);
}

async function figures(): Promise<BenchRow[]> {
  const designs: Design[] = ['plain', 'inline', 'dispatch', 'flush-fn'];
  const runs: Record<string, () => number> = {};
  const sizes: Record<string, number> = {};
  for (const d of designs) {
    const bytes = build(d);
    sizes[d] = bytes.length;
    const { instance } = await WebAssembly.instantiate(bytes);
    const run = instance.exports.run as (n: number) => number;
    run(CALLS / 10); // tier up
    runs[d] = () => {
      const t = performance.now();
      run(CALLS);
      return performance.now() - t;
    };
  }
  const t = await interleaved(runs, reps);
  const ns = (d: Design): number => (t[d] * 1e6) / CALLS;
  return designs.map((d) => ({
    metric: `per call, ${d} accounting`,
    value: ns(d),
    unit: 'ns',
    note: d === 'inline' ? 'shipped' : d === 'plain' ? '' : `${(t[d] / t.inline).toFixed(2)}x the shipped design's time`,
    detail: { ms: t[d], calls: CALLS, moduleBytes: sizes[d] },
  }));
}

const bench: Bench = { name: 'per-call cost of per-function accounting designs (synthetic)', run: figures };
export default bench;
