// An interpreter for wabt's wast2json command files (spec testsuite), running every module three
// ways in lockstep: plain, instrumented fast, instrumented reference. An assertion is checked on
// the instrumented variants only when it holds for the plain module under V8 (the instrumenter
// must not change semantics; V8's own deviations are not ours to test). After every action the
// fast and reference fuel (total, per function) must agree to the unit, and the exclusive figures
// must sum to the total. The offset map is checked on every instruction of every module.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrument } from '../../debug-adapter/instrument/instrument';
import type { InstrumentedModule } from '../../debug-adapter/instrument/types';
import { FuelMeter } from '../../debug-adapter/runtime/fuel-meter';
import { parseModule } from '../../debug-adapter/wasm/reader';
import { newCursor, scanInstr } from '../../debug-adapter/wasm/instr-scanner';
import { importCount, type FuncType, type GlobalType, type Module } from '../../debug-adapter/wasm/module';
import { lowerArg, matches, sameRaw, showRaw, type RawResult, type SpecValue } from './spec-values';
import { buildWrapper, readResult, type WrappedFunc, type WrappedGlobal } from './spec-wrapper';

interface Instance { exports: Record<string, unknown> }
interface WasmApi {
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, imports: object) => Instance;
  Table: new (d: { element: string; initial: number; maximum?: number }) => object;
  Memory: new (d: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
  Global: new (d: { value: string; mutable?: boolean }, v: number | bigint) => object;
  RuntimeError: new () => Error;
  LinkError: new () => Error;
  CompileError: new () => Error;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type VariantName = 'plain' | 'fast' | 'reference';
const VARIANTS: VariantName[] = ['plain', 'fast', 'reference'];

interface Command {
  type: string;
  line: number;
  filename?: string;
  name?: string;
  as?: string;
  module_type?: string;
  action?: { type: 'invoke' | 'get'; module?: string; field: string; args?: SpecValue[] };
  expected?: SpecValue[];
  text?: string;
}

interface Loaded {
  inst: Instance;
  meter?: FuelMeter;
  im?: InstrumentedModule;
  wrapper: Instance;
  mem: ArrayBuffer | (() => ArrayBuffer);
}

interface ModuleInfo {
  funcs: Map<string, { index: number; type: FuncType }>;
  globals: Map<string, { index: number; type: GlobalType }>;
  wrapperModule: object;
}

type Outcome = { ok: true; results: RawResult[] } | { ok: false; error: unknown };

export interface SpecFileResult {
  file: string;
  modules: number;
  /** Modules V8 itself rejects (feature not enabled in this Node), by first words of the error. */
  skippedModules: Map<string, number>;
  /** Assertions that hold for the plain module and were checked on both instrumented variants. */
  checked: number;
  /** Assertions that do not hold for the plain module under V8 (not checked further). */
  plainFailed: number;
  /** Assertions that referred to a skipped module. */
  skippedAssertions: number;
  /** Actions after which fast and reference fuel were compared. */
  fuelComparisons: number;
  failures: string[];
  ms: number;
}

function spectest(): Record<string, unknown> {
  const noop = () => undefined;
  return {
    print: noop, print_i32: noop, print_i64: noop, print_f32: noop, print_f64: noop,
    print_i32_f32: noop, print_f64_f64: noop,
    global_i32: 666,
    global_i64: 666n,
    global_f32: 666.6,
    global_f64: 666.6,
    table: new WA.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
    memory: new WA.Memory({ initial: 1, maximum: 2 }),
  };
}

function funcTypeOf(m: Module, index: number): FuncType {
  const nImp = importCount(m, 'func');
  if (index < nImp) {
    const imp = m.imports.filter((i) => i.desc.kind === 'func')[index];
    return m.types[(imp.desc as { type: number }).type];
  }
  return m.types[m.funcs[index - nImp]];
}

function globalTypeOf(m: Module, index: number): GlobalType {
  const imps = m.imports.filter((i) => i.desc.kind === 'global');
  if (index < imps.length) return (imps[index].desc as { global: GlobalType }).global;
  return m.globals[index - imps.length].type;
}

function errorKey(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return String(e);
}

export class SpecFileRunner {
  private readonly registry = new Map<VariantName, Map<string, Record<string, unknown>>>();
  private readonly named = new Map<VariantName, Map<string, Loaded>>();
  private readonly current = new Map<VariantName, Loaded | null>();
  private readonly meters = new Map<VariantName, FuelMeter[]>();
  private currentInfo: ModuleInfo | null = null;
  private readonly namedInfo = new Map<string, ModuleInfo | null>();
  private readonly res: SpecFileResult;

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {
    this.res = {
      file: name, modules: 0, skippedModules: new Map(), checked: 0, plainFailed: 0, skippedAssertions: 0,
      fuelComparisons: 0, failures: [], ms: 0,
    };
    for (const v of VARIANTS) {
      this.registry.set(v, new Map([['spectest', spectest()]]));
      this.named.set(v, new Map());
      this.current.set(v, null);
      this.meters.set(v, []);
    }
  }

  run(): SpecFileResult {
    const t0 = performance.now();
    const json = JSON.parse(readFileSync(join(this.dir, `${this.name}.json`), 'utf8')) as { commands: Command[] };
    for (const c of json.commands) {
      try {
        this.command(c);
      } catch (e) {
        this.fail(c, `runner error: ${(e as Error).stack ?? e}`);
      }
    }
    this.res.ms = performance.now() - t0;
    return this.res;
  }

  private fail(c: Command, what: string): void {
    this.res.failures.push(`${this.name}.json:${c.line} ${c.type}: ${what}`);
  }

  private read(file: string): Uint8Array {
    return new Uint8Array(readFileSync(join(this.dir, file)));
  }

  private command(c: Command): void {
    switch (c.type) {
      case 'module':
        return this.module(c);
      case 'register':
        return this.register(c);
      case 'action':
      case 'assert_return':
      case 'assert_trap':
      case 'assert_exhaustion':
        return this.assertAction(c);
      case 'assert_invalid':
      case 'assert_malformed':
        return this.assertInvalid(c);
      case 'assert_unlinkable':
      case 'assert_uninstantiable':
        return this.assertInstantiation(c);
      default:
        this.fail(c, `unknown command type ${c.type}`);
    }
  }

  private importsFor(v: VariantName, m: Module, meter?: FuelMeter): Record<string, Record<string, unknown>> {
    const reg = this.registry.get(v) as Map<string, Record<string, unknown>>;
    const obj: Record<string, Record<string, unknown>> = {};
    for (const imp of m.imports) {
      const src = reg.get(imp.module);
      if (!src || !(imp.name in src)) continue;
      (obj[imp.module] ??= {})[imp.name] = src[imp.name];
    }
    if (meter) Object.assign(obj, meter.imports);
    return obj;
  }

  private moduleInfo(m: Module): ModuleInfo {
    const funcs = new Map<string, { index: number; type: FuncType }>();
    const globals = new Map<string, { index: number; type: GlobalType }>();
    const wf: WrappedFunc[] = [];
    const wg: WrappedGlobal[] = [];
    for (const e of m.exports) {
      if (e.kind === 'func') {
        const type = funcTypeOf(m, e.index);
        funcs.set(e.name, { index: wf.length, type });
        wf.push({ name: e.name, type });
      } else if (e.kind === 'global') {
        const type = globalTypeOf(m, e.index);
        globals.set(e.name, { index: wg.length, type });
        wg.push({ name: e.name, type });
      }
    }
    return { funcs, globals, wrapperModule: new WA.Module(buildWrapper(wf, wg)) };
  }

  private instantiateWrapper(info: ModuleInfo, inst: Instance): { wrapper: Instance; mem: () => ArrayBuffer } {
    const f: Record<string, unknown> = {};
    const g: Record<string, unknown> = {};
    for (const [name, { index }] of info.funcs) f[String(index)] = inst.exports[name];
    for (const [name, { index }] of info.globals) g[String(index)] = inst.exports[name];
    const wrapper = new WA.Instance(info.wrapperModule, { f, g });
    const memory = wrapper.exports.mem as { buffer: ArrayBuffer };
    return { wrapper, mem: () => memory.buffer };
  }

  private module(c: Command): void {
    const bytes = this.read(c.filename as string);
    for (const v of VARIANTS) this.current.set(v, null);
    this.currentInfo = null;
    if (c.name) this.namedInfo.set(c.name, null);
    let plainModule: object;
    let parsed: Module;
    try {
      plainModule = new WA.Module(bytes);
    } catch (e) {
      const key = errorKey(e).split(':').slice(0, 3).join(':').slice(0, 90);
      this.res.skippedModules.set(key, (this.res.skippedModules.get(key) ?? 0) + 1);
      return;
    }
    this.res.modules++;
    try {
      parsed = parseModule(bytes);
    } catch (e) {
      this.fail(c, `the toolkit cannot parse a module V8 accepts: ${errorKey(e)}`);
      return;
    }
    let info: ModuleInfo;
    try {
      info = this.moduleInfo(parsed);
    } catch (e) {
      this.res.skippedModules.set(`wrapper: ${errorKey(e).slice(0, 60)}`, 1);
      return;
    }
    const loaded = new Map<VariantName, Loaded>();
    for (const v of VARIANTS) {
      let im: InstrumentedModule | undefined;
      let mod = plainModule;
      if (v !== 'plain') {
        try {
          im = instrument(bytes, { mode: v });
          mod = new WA.Module(im.bytes);
        } catch (e) {
          this.fail(c, `${v}: instrumenting a module V8 accepts failed: ${errorKey(e)}`);
          return;
        }
        const bad = checkOffsetMap(parsed, im);
        if (bad) this.fail(c, `${v}: offset map: ${bad}`);
      }
      const meter = im ? new FuelMeter(im) : undefined;
      let inst: Instance;
      try {
        inst = new WA.Instance(mod, this.importsFor(v, parsed, meter));
        // Instrumented modules run their start function here (after the meter's hooks are bound).
        meter?.bind(inst);
      } catch (e) {
        meter?.settle(e);
        if (v === 'plain') {
          this.res.skippedModules.set(`instantiation: ${errorKey(e).slice(0, 60)}`, (this.res.skippedModules.get(`instantiation: ${errorKey(e).slice(0, 60)}`) ?? 0) + 1);
          this.res.modules--;
          return;
        }
        this.fail(c, `${v}: instantiation failed where the plain module instantiates: ${errorKey(e)}`);
        return;
      }
      if (meter) this.meters.get(v)?.push(meter);
      const w = this.instantiateWrapper(info, inst);
      loaded.set(v, { inst, meter, im, wrapper: w.wrapper, mem: w.mem });
    }
    for (const v of VARIANTS) {
      const l = loaded.get(v) as Loaded;
      this.current.set(v, l);
      if (c.name) this.named.get(v)?.set(c.name, l);
    }
    this.currentInfo = info;
    if (c.name) this.namedInfo.set(c.name, info);
    this.checkFuel(c);
  }

  private register(c: Command): void {
    for (const v of VARIANTS) {
      const l = c.name ? this.named.get(v)?.get(c.name) : this.current.get(v);
      if (!l) return;
      this.registry.get(v)?.set(c.as as string, l.inst.exports);
    }
  }

  private target(v: VariantName, moduleName?: string): Loaded | null | undefined {
    return moduleName ? this.named.get(v)?.get(moduleName) : this.current.get(v);
  }

  private info(moduleName?: string): ModuleInfo | null | undefined {
    return moduleName ? this.namedInfo.get(moduleName) : this.currentInfo;
  }

  private perform(v: VariantName, c: Command): Outcome {
    const a = c.action as NonNullable<Command['action']>;
    const l = this.target(v, a.module) as Loaded;
    const info = this.info(a.module) as ModuleInfo;
    try {
      const mem = typeof l.mem === 'function' ? l.mem : () => l.mem as ArrayBuffer;
      if (a.type === 'get') {
        const g = info.globals.get(a.field);
        if (!g) throw new Error(`no exported global ${a.field}`);
        const ret = (l.wrapper.exports[`g${g.index}`] as () => unknown)();
        const t = g.type.type;
        return { ok: true, results: [typeof t === 'number' && t >= 0x7b ? readResult(mem(), t, 0) : ret] };
      }
      const f = info.funcs.get(a.field);
      if (!f) throw new Error(`no exported function ${a.field}`);
      const args = (a.args ?? []).flatMap(lowerArg);
      const ret = (l.wrapper.exports[`c${f.index}`] as (...x: unknown[]) => unknown)(...args);
      const refs = f.type.results.filter((t) => !(typeof t === 'number' && t >= 0x7b));
      const refVals = refs.length === 0 ? [] : refs.length === 1 ? [ret] : (ret as unknown[]);
      let r = 0;
      const results = f.type.results.map((t, k) => (typeof t === 'number' && t >= 0x7b ? readResult(mem(), t, k) : refVals[r++]));
      return { ok: true, results };
    } catch (error) {
      if (v !== 'plain') for (const m of this.meters.get(v) ?? []) m.settle(error);
      return { ok: false, error };
    }
  }

  private assertAction(c: Command): void {
    const a = c.action as NonNullable<Command['action']>;
    if (!this.target('plain', a.module) || !this.info(a.module)) {
      this.res.skippedAssertions++;
      return;
    }
    const out = new Map<VariantName, Outcome>();
    for (const v of VARIANTS) out.set(v, this.perform(v, c));
    const plain = out.get('plain') as Outcome;
    let holds: boolean;
    switch (c.type) {
      case 'assert_return':
        holds = plain.ok && (c.expected ?? []).every((e, i) => matches(e, plain.results[i]));
        break;
      case 'assert_trap':
        holds = !plain.ok && plain.error instanceof WA.RuntimeError;
        break;
      case 'assert_exhaustion':
        holds = !plain.ok && plain.error instanceof RangeError;
        break;
      default:
        holds = true; // a bare action: whatever the plain module does is the reference
    }
    if (!holds) {
      this.res.plainFailed++;
    } else {
      let ok = true;
      for (const v of ['fast', 'reference'] as const) {
        const o = out.get(v) as Outcome;
        if (plain.ok !== o.ok) {
          ok = false;
          this.fail(c, `${v} ${o.ok ? 'returned' : `threw ${errorKey((o as { error: unknown }).error)}`} where the plain module ${plain.ok ? 'returned' : 'threw'} (${a.field})`);
        } else if (plain.ok && o.ok) {
          const diff = plain.results.findIndex((r, i) => !sameRaw(r, o.results[i]));
          if (diff >= 0) {
            ok = false;
            this.fail(c, `${v} result ${diff} of ${a.field} is ${showRaw(o.results[diff])}, plain gives ${showRaw(plain.results[diff])}`);
          }
        } else if (!plain.ok && !o.ok) {
          const pe = plain.error as Error;
          const oe = (o as { error: unknown }).error as Error;
          const same = pe?.constructor === oe?.constructor && (pe instanceof RangeError || pe?.message === oe?.message);
          if (!same) {
            ok = false;
            this.fail(c, `${v} threw ${errorKey(oe)}, plain threw ${errorKey(pe)} (${a.field})`);
          }
        }
      }
      if (ok) this.res.checked++;
    }
    this.checkFuel(c);
  }

  /** Fast and reference agree on fuel (every instance, per function) and the figures sum up. */
  private checkFuel(c: Command): void {
    const fast = this.meters.get('fast') ?? [];
    const ref = this.meters.get('reference') ?? [];
    if (fast.length !== ref.length) return;
    this.res.fuelComparisons++;
    for (let i = 0; i < fast.length; i++) {
      const f = fast[i];
      const r = ref[i];
      if (f.consumed() !== r.consumed()) {
        this.fail(c, `fuel differs: fast ${f.consumed()} vs reference ${r.consumed()} (instance ${i})`);
        return;
      }
      for (const m of [f, r]) {
        const { total, sum } = m.exactness();
        if (total !== sum) {
          this.fail(c, `exclusive figures sum to ${sum}, total is ${total} (instance ${i}, ${m.im.mode})`);
          return;
        }
      }
      if (i === fast.length - 1) {
        const pf = f.perFunction();
        const pr = r.perFunction();
        const d = pf.findIndex((x, k) => x.fuelExclusive !== pr[k].fuelExclusive || x.calls !== pr[k].calls);
        if (d >= 0) this.fail(c, `per-function figures differ for ${pf[d].name}: fast ${pf[d].fuelExclusive}/${pf[d].calls}, reference ${pr[d].fuelExclusive}/${pr[d].calls}`);
      }
    }
  }

  private assertInvalid(c: Command): void {
    if (c.module_type !== 'binary') {
      this.res.skippedAssertions++;
      return;
    }
    const bytes = this.read(c.filename as string);
    let rejected = false;
    try {
      new WA.Module(bytes);
    } catch {
      rejected = true;
    }
    if (!rejected) {
      this.res.plainFailed++;
      return;
    }
    for (const mode of ['fast', 'reference'] as const) {
      let out: Uint8Array | undefined;
      try {
        out = instrument(bytes, { mode }).bytes;
      } catch {
        continue; // the instrumenter refuses it: fine
      }
      try {
        new WA.Module(out);
        this.fail(c, `${mode}: the instrumented output of an invalid module (${c.text}) is accepted by V8`);
        return;
      } catch {
        // still rejected: fine
      }
    }
    this.res.checked++;
  }

  private assertInstantiation(c: Command): void {
    const bytes = this.read(c.filename as string);
    let parsed: Module;
    let plainModule: object;
    try {
      plainModule = new WA.Module(bytes);
      parsed = parseModule(bytes);
    } catch {
      this.res.skippedAssertions++;
      return;
    }
    const attempt = (v: VariantName): unknown => {
      let mod = plainModule;
      let meter: FuelMeter | undefined;
      if (v !== 'plain') {
        const im = instrument(bytes, { mode: v });
        mod = new WA.Module(im.bytes);
        meter = new FuelMeter(im);
      }
      try {
        meter?.bind(new WA.Instance(mod, this.importsFor(v, parsed, meter)));
        return null;
      } catch (e) {
        return e;
      }
    };
    const pe = attempt('plain');
    const want = c.type === 'assert_unlinkable' ? WA.LinkError : WA.RuntimeError;
    if (!(pe instanceof want)) {
      this.res.plainFailed++;
      return;
    }
    for (const v of ['fast', 'reference'] as const) {
      let e: unknown;
      try {
        e = attempt(v);
      } catch (err) {
        this.fail(c, `${v}: instrumenting failed: ${errorKey(err)}`);
        return;
      }
      if (!(e instanceof Error) || e.constructor !== (pe as Error).constructor || (c.type === 'assert_uninstantiable' && e.message !== (pe as Error).message)) {
        this.fail(c, `${v}: instantiation gave ${e ? errorKey(e) : 'success'}, plain gave ${errorKey(pe)}`);
        return;
      }
    }
    this.res.checked++;
  }
}

const mapCursor = newCursor();

/** Every original instruction maps to the same opcode in the output and back (memory.grow: a call). */
function checkOffsetMap(m: Module, im: InstrumentedModule): string | undefined {
  const b = im.original;
  for (const body of m.bodies) {
    for (let p = body.codeStart; p < body.end; p = mapCursor.end) {
      scanInstr(b, p, body.end, mapCursor);
      const x = im.map.toInstrumented(p);
      if (x < 0 || im.map.toOriginal(x) !== p) return `0x${p.toString(16)} does not round-trip (-> 0x${x.toString(16)})`;
      const want = b[p] === 0x40 ? 0x10 : b[p];
      if (im.bytes[x] !== want) return `0x${p.toString(16)}: opcode 0x${b[p].toString(16)} became 0x${im.bytes[x].toString(16)}`;
    }
  }
  return undefined;
}

/** Run one spec directory (`dir/NAME.json`). */
export function runSpecFile(root: string, name: string): SpecFileResult {
  return new SpecFileRunner(join(root, name), name).run();
}
