// instrument(): rewrites a core module so it meters itself. Adds two host hooks (imports), fuel
// and deadline globals, per-function exclusive-fuel and call-count globals (all appended after the
// module's own globals, so no global index moves), one grow-and-report function per memory, and
// rewrites every body (body-rewriter.ts). Debug mode (opts.debug) adds breakpoint sites
// (debug-sites.ts): a third hook import, arming and scratch globals, and exports of the module's
// globals and memories for the debugger. Function indices shift by the two added imports and are
// remapped everywhere (calls, ref.func, exports, elements, start, globals, the name section).
// The start section becomes an exported wrapper the host runs after binding its hooks (so the
// start function is metered), and self-recursive functions get a recursion clone
// (recursion-chains.ts) with its chain globals and chain-enter function.
// Custom sections (DWARF, source map URL, producers) are kept byte for byte: they describe the
// original module, and the offset map translates between the two.

import { ByteWriter } from '../wasm/byte-writer';
import { sizeU32 } from '../wasm/leb128';
import {
  I32, I64, F32, F64, SectionId, importCount,
  type FunctionBody, type Limits, type Module,
} from '../wasm/module';
import { decodeNameSection, encodeNameSection } from '../wasm/name-section';
import { demangle } from '../wasm/demangle';
import { markDirty, remapFunctionIndices } from '../wasm/module-edit';
import { WasmDecodeError } from '../wasm/errors';
import { op } from '../wasm/opcodes';
import { parseModule } from '../wasm/reader';
import { encodeModuleWithLayout } from '../wasm/writer';
import { ChainRole, rewriteBody, type ChainGlobals, type DebugRewrite, type RewriteContext, type RewriteCounts } from './body-rewriter';
import { CHAIN_SHIFT, CHAIN_WINDOW, findRecursionChains } from './recursion-chains';
import { SCRATCH_OF, SCRATCH_TYPES, planLocals, spillReload, stackCaptureBytes, type LocalPlan } from './debug-sites';
import { moduleTypes, stackTypesAt, type ModuleTypes } from './stack-types';
import { checkIndexBounds } from './index-bounds';
import { OffsetMapBuilder } from './offset-map';
import {
  HOOK_MODULE, HOOK_DEADLINE, HOOK_MEMORY_GROW, HOOK_COUNTER, HOOK_SITE, EXPORT_FUEL, EXPORT_DEADLINE, EXPORT_PROBE, EXPORT_DUMP,
  EXPORT_CHAIN_BASE, EXPORT_CHAIN_FUEL, EXPORT_CHAIN_LIMIT, EXPORT_CHAIN_FUNC, EXPORT_START,
  RESERVED_PREFIX,
  fxExportName, fcExportName, dbgExportName, scratchExportName, globalExportName, memoryExportName,
  type DebugLayout, type InstrumentOptions, type InstrumentedModule, type InstrumentStats, type ScratchType,
} from './types';

/** V8's limit on the number of exports of a module (kV8MaxWasmExports). */
const MAX_EXPORTS = 100000;
/** V8's limits on globals in a module and on the bytes of one function body (kV8MaxWasmGlobals, kV8MaxWasmFunctionSize). */
const MAX_ENGINE_GLOBALS = 1000000;
const MAX_ENGINE_FUNCTION_BYTES = 7654321;
/**
 * From this many defined functions on, counters are read through the dump function by default:
 * exported counter globals cost ~45 bytes a function (two exports and their names) against ~11 in
 * the dump function (ruby.wasm, 35 k functions: 1.68x -> 1.64x); smaller modules keep the
 * globals, which the host reads without re-entering the instance.
 */
const DUMP_FROM_FUNCS = 10000;

/** Exports debug mode may add: an arming global per function, the module's globals and memories, scratch globals. */
function debugExportsEstimate(m: Module, opts: InstrumentOptions): number {
  if (!opts.debug) return 0;
  return m.funcs.length + importCount(m, 'global') + m.globals.length + importCount(m, 'memory') + m.memories.length + 256;
}

/** Instrument `bytes`; throws WasmDecodeError on malformed input, Error on modules it cannot handle. */
export function instrument(bytes: Uint8Array, opts: InstrumentOptions = {}): InstrumentedModule {
  const t0 = performance.now();
  const mode = opts.mode ?? 'fast';
  const perFunction = opts.perFunction ?? true;
  const m = parseModule(bytes, { checkBodies: false });
  const warnings: string[] = [];

  for (const imp of m.imports) {
    if (imp.module === HOOK_MODULE) throw new Error(`module already imports from ${HOOK_MODULE} (instrumented twice?)`);
  }
  for (const e of m.exports) {
    if (e.name.startsWith(RESERVED_PREFIX)) throw new Error(`export name ${e.name} uses the reserved prefix ${RESERVED_PREFIX}`);
  }

  checkIndexBounds(m);
  // Debug mode types operand stacks in the original index spaces, before anything is appended.
  const originalTypes = opts.debug ? moduleTypes(m) : undefined;
  const importedFuncs = importCount(m, 'func');
  const importedGlobals = importCount(m, 'global');
  const definedFuncs = m.funcs.length;
  // Per-function counters are exported as globals unless that would pass V8's limit on exports;
  // then one exported function reports them through a third hook import instead.
  const counters = !perFunction
    ? 'none'
    : (opts.counters ??
      (definedFuncs >= DUMP_FROM_FUNCS || m.exports.length + 3 + 2 * definedFuncs + debugExportsEstimate(m, opts) > MAX_EXPORTS ? 'dump' : 'globals'));
  const debugSites = opts.debug ? Uint32Array.from(opts.debug.sites).sort() : undefined;
  const funcShift = (counters === 'dump' ? 3 : 2) + (debugSites ? 1 : 0);
  // Self-recursive functions get a clone that runs their recursion (recursion-chains.ts).
  const chainFuncs = perFunction && !debugSites && opts.recursionClones !== false ? findRecursionChains(bytes, m.bodies, importedFuncs) : [];
  const remap = (f: number) => (f < importedFuncs ? f : f + funcShift);
  // Names come from the original name section, before anything is renumbered.
  const names = functionNames(m, importedFuncs, definedFuncs, warnings);
  // Exports, start, element segments (all encodings), constant expressions, name section
  // (functions, locals, labels): everything outside the bodies, by the toolkit's one remapper.
  remapFunctionIndices(m, remap);

  // Memories in index order (imports first) and their address type, for the grow functions.
  const memories: Limits[] = [];
  for (const imp of m.imports) if (imp.desc.kind === 'memory') memories.push(imp.desc.memory);
  memories.push(...m.memories);

  // ---- types (appended: existing type indices stay) ----
  const origTypes = m.types.length;
  const tDeadline = m.types.push({ params: [I32, I32], results: [I32] }) - 1;
  const tSlow = m.types.push({ params: [I32, I32], results: [] }) - 1;
  const tGrowHook = m.types.push({ params: [I32, I64, I64, I64], results: [] }) - 1;
  let tGrow32 = -1;
  let tGrow64 = -1;
  for (const mem of memories) {
    if (mem.flags & 4) {
      if (tGrow64 < 0) tGrow64 = m.types.push({ params: [I64], results: [I64] }) - 1;
    } else if (tGrow32 < 0) tGrow32 = m.types.push({ params: [I32], results: [I32] }) - 1;
  }

  // ---- imports: the two hooks, after the module's own imports ----
  m.imports.push({ module: HOOK_MODULE, name: HOOK_DEADLINE, desc: { kind: 'func', type: tDeadline } });
  m.imports.push({ module: HOOK_MODULE, name: HOOK_MEMORY_GROW, desc: { kind: 'func', type: tGrowHook } });
  if (counters === 'dump') {
    const tCounter = m.types.push({ params: [I32, I64, I64], results: [] }) - 1;
    m.imports.push({ module: HOOK_MODULE, name: HOOK_COUNTER, desc: { kind: 'func', type: tCounter } });
  }
  const siteHook = importedFuncs + funcShift - 1;
  if (debugSites) {
    const tSite = m.types.push({ params: [I32, I32], results: [I32] }) - 1;
    m.imports.push({ module: HOOK_MODULE, name: HOOK_SITE, desc: { kind: 'func', type: tSite } });
  }
  const deadlineHook = importedFuncs;
  const growHook = importedFuncs + 1;
  const counterHook = importedFuncs + 2;

  // ---- globals: fuel, deadline, fx of every defined function, then fc of every defined function ----
  // (fx first: it is referenced at every flush, so it gets the lowest, shortest-LEB indices)
  const ownGlobals = m.globals.length;
  const globalBase = importedGlobals + ownGlobals;
  const fuelGlobal = globalBase;
  const deadlineGlobal = globalBase + 1;
  const ZERO = Uint8Array.of(op('i64.const').code, 0, op('end').code);
  const MAX = Uint8Array.of(op('i64.const').code, 0x7f, op('end').code); // -1 = 2^64-1 unsigned: never
  m.globals.push({ type: { type: I64, mutable: true }, init: ZERO });
  m.globals.push({ type: { type: I64, mutable: true }, init: MAX });
  const fxBase = globalBase + 2;
  const fcBase = fxBase + definedFuncs;
  if (perFunction && globalBase + 2 + 2 * definedFuncs + 16 > MAX_ENGINE_GLOBALS) {
    throw new WasmDecodeError(0, `${definedFuncs} functions need ${2 * definedFuncs} per-function counters`, `V8 allows at most ${MAX_ENGINE_GLOBALS} globals: instrument with perFunction: false`, 'unsupported');
  }
  if (perFunction) {
    for (let i = 0; i < 2 * definedFuncs; i++) m.globals.push({ type: { type: I64, mutable: true }, init: ZERO });
  }
  const chainBase = importedGlobals + m.globals.length;
  if (chainFuncs.length > 0) {
    for (let i = 0; i < 3; i++) m.globals.push({ type: { type: I64, mutable: true }, init: ZERO });
    m.globals.push({ type: { type: I32, mutable: true }, init: Uint8Array.of(op('i32.const').code, 0x7f, op('end').code) });
  }
  // Debug mode: an arming global per defined function, then the scratch globals the sites spill
  // locals into, sized by the function that needs the most of each type.
  const debug = debugSites ? planDebug(m, bytes, originalTypes!, importedFuncs, importedGlobals + m.globals.length, debugSites, siteHook, opts.debug?.locals) : undefined;
  if (debug) {
    const I32_ZERO = Uint8Array.of(op('i32.const').code, 0, op('end').code);
    const zero: Record<number, Uint8Array> = {
      [I32]: I32_ZERO,
      [I64]: ZERO,
      [F32]: Uint8Array.of(op('f32.const').code, 0, 0, 0, 0, op('end').code),
      [F64]: Uint8Array.of(op('f64.const').code, 0, 0, 0, 0, 0, 0, 0, 0, op('end').code),
    };
    for (let i = 0; i < definedFuncs; i++) m.globals.push({ type: { type: I32, mutable: true }, init: I32_ZERO });
    for (const t of SCRATCH_TYPES) {
      const vt = SCRATCH_VALTYPE[t];
      for (let k = 0; k < debug.scratch[t]; k++) m.globals.push({ type: { type: vt, mutable: true }, init: zero[vt] });
    }
  }
  markDirty(m, SectionId.Global);

  // ---- injected functions after the module's own: the deadline slow path, then one
  // grow-and-report function per memory ----
  const deadlineSlow = importedFuncs + funcShift + definedFuncs;
  m.funcs.push(tSlow);
  const extraBodies: FunctionBody[] = [slowBody(deadlineHook)];
  const growFuncs: number[] = [];
  memories.forEach((mem, i) => {
    const is64 = (mem.flags & 4) !== 0;
    growFuncs.push(deadlineSlow + 1 + i);
    m.funcs.push(is64 ? tGrow64 : tGrow32);
    extraBodies.push(growBody(i, is64, growHook));
  });
  let dumpFunc = -1;
  if (counters === 'dump') {
    dumpFunc = deadlineSlow + 1 + memories.length;
    m.funcs.push(m.types.push({ params: [], results: [] }) - 1);
    extraBodies.push(dumpBody(importedFuncs, definedFuncs, fxBase, fcBase, counterHook));
  }

  // The start function runs once the host has bound its hooks (FuelMeter.bind), not inside
  // instantiation, where no fuel limit could stop it yet: the start section becomes an exported
  // wrapper that calls it (exporting the function itself would declare it for ref.func, making
  // some invalid modules valid). A start function of the wrong type stays, so V8 still refuses it.
  let startWrapper = -1;
  if (m.start !== null && startTypeIsEmpty(m, m.start, importedFuncs, funcShift)) {
    startWrapper = deadlineSlow + extraBodies.length;
    m.funcs.push(m.types.push({ params: [], results: [] }) - 1);
    extraBodies.push(startBody(m.start));
    m.start = null;
    markDirty(m, SectionId.Start);
  }
  const deferredStart = startWrapper >= 0;

  // Recursion chains: the chain-enter function, then one clone per chained function (its type).
  let chain: ChainGlobals | undefined;
  const cloneIndex = new Map<number, number>();
  if (chainFuncs.length > 0) {
    const enter = deadlineSlow + extraBodies.length;
    chain = { base: chainBase, fuel: chainBase + 1, limit: chainBase + 2, func: chainBase + 3, enter };
    m.funcs.push(m.types.push({ params: [I64, I32], results: [] }) - 1);
    extraBodies.push(chainEnterBody(chain, deadlineGlobal));
    for (const f of chainFuncs) {
      cloneIndex.set(f, deadlineSlow + extraBodies.length + cloneIndex.size);
      m.funcs.push(m.funcs[f - importedFuncs]);
    }
  }

  // ---- exports: the counters ----
  const origExports = m.exports.length;
  m.exports.push({ name: EXPORT_FUEL, kind: 'global', index: fuelGlobal });
  m.exports.push({ name: EXPORT_DEADLINE, kind: 'global', index: deadlineGlobal });
  m.exports.push({ name: EXPORT_PROBE, kind: 'func', index: deadlineSlow });
  if (startWrapper >= 0) m.exports.push({ name: EXPORT_START, kind: 'func', index: startWrapper });
  if (counters === 'globals') {
    for (let i = 0; i < definedFuncs; i++) {
      const f = importedFuncs + i;
      m.exports.push({ name: fxExportName(f), kind: 'global', index: fxBase + i });
      m.exports.push({ name: fcExportName(f), kind: 'global', index: fcBase + i });
    }
  } else if (counters === 'dump') {
    m.exports.push({ name: EXPORT_DUMP, kind: 'func', index: dumpFunc });
  }
  if (chain) {
    m.exports.push({ name: EXPORT_CHAIN_BASE, kind: 'global', index: chain.base });
    m.exports.push({ name: EXPORT_CHAIN_FUEL, kind: 'global', index: chain.fuel });
    m.exports.push({ name: EXPORT_CHAIN_LIMIT, kind: 'global', index: chain.limit });
    m.exports.push({ name: EXPORT_CHAIN_FUNC, kind: 'global', index: chain.func });
  }
  if (debug) {
    for (let i = 0; i < definedFuncs; i++) {
      if (debug.hasSites[i]) m.exports.push({ name: dbgExportName(importedFuncs + i), kind: 'global', index: debug.dbgBase + i });
    }
    for (const t of SCRATCH_TYPES) {
      for (let k = 0; k < debug.scratch[t]; k++) m.exports.push({ name: scratchExportName(t, k), kind: 'global', index: debug.scratchIndex(t, k) });
    }
    for (let g = 0; g < importedGlobals + ownGlobals; g++) m.exports.push({ name: globalExportName(g), kind: 'global', index: g });
    for (let i = 0; i < memories.length; i++) m.exports.push({ name: memoryExportName(i), kind: 'memory', index: i });
  }
  if (m.exports.length > MAX_EXPORTS) {
    throw new Error(`too many exports for V8 (${m.exports.length}; the module itself has ${origExports})`);
  }
  markDirty(m, SectionId.Export);

  // ---- code ----
  const arena = new ByteWriter(Math.max(1024, Math.floor(bytes.length * (mode === 'reference' ? 4 : 1.6))));
  const map = new OffsetMapBuilder(bytes.length >> (mode === 'reference' ? 1 : 3));
  const ctx: RewriteContext = {
    bytes, reference: mode === 'reference', perFunction, fuelGlobal, deadlineGlobal, deadlineSlow,
    importedFuncs, funcShift, growFuncs, out: arena, map,
    funcCount: importedFuncs + definedFuncs, globalCount: globalBase, typeCount: origTypes,
    debug: debug?.rewrite,
    chain,
    sawExceptions: false,
  };
  const counts: RewriteCounts = { runs: 0, checks: 0, flushes: 0 };
  const totalBodies = definedFuncs + extraBodies.length + chainFuncs.length;
  // Positions relative to the code section's content start in the output.
  let rel = sizeU32(totalBodies);
  const newCodeStarts = new Uint32Array(definedFuncs);
  const newBodyEnds = new Uint32Array(definedFuncs);
  const ranges = new Uint32Array(definedFuncs * 2);
  for (let i = 0; i < definedFuncs; i++) {
    const body = m.bodies[i];
    const type = m.types[m.funcs[i]];
    map.point(body.sizeStart, rel);
    map.barrier();
    const firstPoint = map.count;
    const a = arena.len;
    const clone = cloneIndex.get(importedFuncs + i);
    rewriteBody(
      ctx, body, importedFuncs + i, type.params.length,
      fxBase + i, fcBase + i, counts,
      clone === undefined ? ChainRole.None : ChainRole.Outer, clone ?? -1,
    );
    const len = arena.len - a;
    if (len > MAX_ENGINE_FUNCTION_BYTES) {
      throw new WasmDecodeError(body.sizeStart, `function ${importedFuncs + i} grows from ${body.end - body.start} to ${len} bytes when instrumented`, `V8 compiles functions of at most ${MAX_ENGINE_FUNCTION_BYTES} bytes`, 'unsupported');
    }
    const start = rel + sizeU32(len);
    map.shiftFrom(firstPoint, start - a);
    ranges[2 * i] = a;
    ranges[2 * i + 1] = arena.len;
    newCodeStarts[i] = start;
    newBodyEnds[i] = start + len;
    rel = start + len;
  }
  const origCodeEnd = definedFuncs > 0 ? m.bodies[definedFuncs - 1].end : 0;
  const relCodeEnd = rel;
  if (ctx.sawExceptions && chainFuncs.length > 0) {
    // A handler could catch an exception (a stack overflow) unwinding a chain: no chains here.
    return instrument(bytes, { ...opts, recursionClones: false });
  }
  // The clones come after the injected bodies; their offsets map back to their originals' code.
  const cloneMap = new OffsetMapBuilder(64);
  const cloneStarts = new Uint32Array(chainFuncs.length);
  const cloneEnds = new Uint32Array(chainFuncs.length);
  const cloneRanges: number[] = [];
  if (chainFuncs.length > 0) {
    let crel = relCodeEnd;
    for (const e of extraBodies) crel += sizeU32(e.replacement!.length) + e.replacement!.length;
    chainFuncs.forEach((f, k) => {
      const i = f - importedFuncs;
      const body = m.bodies[i];
      const saved = ctx.map;
      ctx.map = cloneMap;
      cloneMap.point(body.sizeStart, crel);
      cloneMap.barrier();
      const firstPoint = cloneMap.count;
      const a = arena.len;
      rewriteBody(ctx, body, f, m.types[m.funcs[i]].params.length, fxBase + i, fcBase + i, counts, ChainRole.Clone, cloneIndex.get(f)!);
      ctx.map = saved;
      const len = arena.len - a;
      const start = crel + sizeU32(len);
      cloneMap.shiftFrom(firstPoint, start - a);
      cloneRanges.push(a, arena.len);
      cloneStarts[k] = start;
      cloneEnds[k] = start + len;
      crel = start + len;
    });
  }
  for (let i = 0; i < definedFuncs; i++) m.bodies[i].replacement = arena.buf.subarray(ranges[2 * i], ranges[2 * i + 1]);
  m.bodies.push(...extraBodies);
  for (let k = 0; k < chainFuncs.length; k++) {
    m.bodies.push({ sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: arena.buf.subarray(cloneRanges[2 * k], cloneRanges[2 * k + 1]) });
  }

  // ---- name section: names for what was injected (existing names were remapped above) ----
  for (const s of m.sections) {
    const c = s.custom;
    if (!c) continue;
    if (c.name === 'name') {
      try {
        const ns = decodeNameSection(c.content);
        const fns = new Map<number, string>();
        let hooksNamed = false;
        const nameHooks = () => {
          fns.set(deadlineHook, `${HOOK_MODULE}.${HOOK_DEADLINE}`);
          fns.set(growHook, `${HOOK_MODULE}.${HOOK_MEMORY_GROW}`);
          if (counters === 'dump') fns.set(counterHook, `${HOOK_MODULE}.${HOOK_COUNTER}`);
          if (debugSites) fns.set(siteHook, `${HOOK_MODULE}.${HOOK_SITE}`);
          hooksNamed = true;
        };
        // Keep ascending index order: the hooks sit between the imports and the defined functions.
        for (const [i, n] of ns.functions) {
          if (!hooksNamed && i >= importedFuncs) nameHooks();
          fns.set(i, n);
        }
        if (!hooksNamed) nameHooks();
        if (counters === 'dump') fns.set(counterHook, `${HOOK_MODULE}.${HOOK_COUNTER}`);
        fns.set(deadlineSlow, `${HOOK_MODULE}.deadline_slow`);
        if (chain) fns.set(chain.enter, `${HOOK_MODULE}.chain_enter`);
        if (startWrapper >= 0) fns.set(startWrapper, `${HOOK_MODULE}.start`);
        for (const [f, c] of cloneIndex) fns.set(c, names[f]);
        if (dumpFunc >= 0) fns.set(dumpFunc, `${HOOK_MODULE}.dump_counters`);
        growFuncs.forEach((f, i) => fns.set(f, `${HOOK_MODULE}.grow_memory${i}`));
        // Ascending index order, as the name section requires (the injected functions were added out of order).
        ns.functions = new Map([...fns].sort((x, y) => x[0] - y[0]));
        if (ns.order.includes(7) || ns.globals.size > 0) {
          ns.globals.set(fuelGlobal, EXPORT_FUEL);
          ns.globals.set(deadlineGlobal, EXPORT_DEADLINE);
        }
        c.content = encodeNameSection(ns);
        s.dirty = true;
      } catch (e) {
        warnings.push(`name section kept without names for the injected functions (${(e as Error).message})`);
      }
    } else if (c.name.startsWith('metadata.code.')) {
      warnings.push(`custom section ${c.name} refers to code offsets of the original module; kept unchanged (stale)`);
    } else if (c.name === 'linking' || c.name.startsWith('reloc.')) {
      warnings.push(`custom section ${c.name} (relocatable object) kept unchanged; it does not describe the output`);
    }
  }

  const { bytes: out, layout } = encodeModuleWithLayout(m);
  const code = layout.sections.find((s) => s.id === SectionId.Code);
  if (!code) throw new Error('internal: no code section in the output');
  const codeBase = code.contentStart;
  for (let i = 0; i < definedFuncs; i++) {
    if (layout.bodyStarts[i] !== newCodeStarts[i] + codeBase) {
      throw new Error(`internal: body ${i} landed at ${layout.bodyStarts[i]}, the offset map expects ${newCodeStarts[i] + codeBase}`);
    }
  }
  map.shiftFrom(0, codeBase);
  const offsetMap = map.finish(origCodeEnd, codeBase + relCodeEnd);
  for (let k = 0; k < chainFuncs.length; k++) {
    const at = layout.bodyStarts[definedFuncs + extraBodies.length + k];
    if (at !== cloneStarts[k] + codeBase) throw new Error(`internal: clone ${k} landed at ${at}, the offset map expects ${cloneStarts[k] + codeBase}`);
    cloneStarts[k] += codeBase;
    cloneEnds[k] += codeBase;
  }
  cloneMap.shiftFrom(0, codeBase);
  const chains = chainFuncs.length > 0
    ? {
      funcs: Uint32Array.from(chainFuncs),
      outFuncs: Uint32Array.from(chainFuncs, (f) => cloneIndex.get(f)!),
      newCodeStarts: cloneStarts,
      newBodyEnds: cloneEnds,
      map: cloneMap.finish(m.bodies[chainFuncs[chainFuncs.length - 1] - importedFuncs].end, cloneEnds[chainFuncs.length - 1]),
    }
    : undefined;
  for (let i = 0; i < definedFuncs; i++) {
    newCodeStarts[i] += codeBase;
    newBodyEnds[i] += codeBase;
  }
  const origCode = m.sections.find((s) => s.id === SectionId.Code);

  const origCodeStarts = new Uint32Array(definedFuncs);
  const origBodyEnds = new Uint32Array(definedFuncs);
  const origBodyStarts = new Uint32Array(definedFuncs);
  for (let i = 0; i < definedFuncs; i++) {
    origBodyStarts[i] = m.bodies[i].start;
    origCodeStarts[i] = m.bodies[i].codeStart;
    origBodyEnds[i] = m.bodies[i].end;
  }
  const debugLayout: DebugLayout | undefined = debug && {
    sites: Uint32Array.from(debug.rewrite.placed),
    skipped: debugSites!.length - debug.rewrite.placed.length,
    localTypes: debug.plans.map((p) => p.types),
    localSlots: debug.plans.map((p) => p.slots),
    localReload: debug.plans.map((p) => p.reload),
    siteStacks: new Map([...debug.siteStacks].map(([off, st]) => [off, { types: st.types, slots: st.slots }])),
    scratch: debug.scratch,
    globals: importedGlobals + ownGlobals,
  };
  const stats: InstrumentStats = {
    inputBytes: bytes.length,
    outputBytes: out.length,
    functions: definedFuncs,
    runs: counts.runs,
    checks: counts.checks,
    flushes: counts.flushes,
    mapSegments: offsetMap.segments,
    ms: performance.now() - t0,
  };
  return {
    bytes: out,
    original: bytes,
    mode,
    perFunction,
    counters,
    map: offsetMap,
    importedFuncs,
    definedFuncs,
    funcShift,
    names,
    origBodyStarts,
    origCodeStarts,
    origBodyEnds,
    newCodeStarts,
    newBodyEnds,
    originalCodeSectionStart: origCode ? origCode.contentStart : -1,
    instrumentedCodeSectionStart: codeBase,
    memories: memories.length,
    deadlineSlow,
    growFuncs,
    warnings,
    stats,
    debug: debugLayout,
    deferredStart,
    chains,
  };
}

/**
 * `$chain_enter (param $f i64) (param $F i32)`: a chain of function F starts at fuel $f. Its limit
 * is the deadline relative to $f, clamped to [0, CHAIN_WINDOW] (so the host hears from a long
 * chain and rebases it), in chain-register units.
 */
function chainEnterBody(c: ChainGlobals, deadlineGlobal: number): FunctionBody {
  const w = new ByteWriter(64);
  w.u32(0);
  const LG = op('local.get').code;
  const GS = op('global.set').code;
  const GG = op('global.get').code;
  const C64 = op('i64.const').code;
  w.u8(LG); w.u32(0); w.u8(GS); w.u32(c.base);
  w.u8(C64); w.u8(0); w.u8(GS); w.u32(c.fuel);
  w.u8(LG); w.u32(1); w.u8(GS); w.u32(c.func);
  // d = deadline > f ? min(deadline - f, WINDOW) : 0
  w.u8(GG); w.u32(deadlineGlobal); w.u8(LG); w.u32(0); w.u8(op('i64.sub').code); // d (wrapped)
  w.u8(C64); w.s64(CHAIN_WINDOW);
  w.u8(GG); w.u32(deadlineGlobal); w.u8(LG); w.u32(0); w.u8(op('i64.sub').code);
  w.u8(C64); w.s64(CHAIN_WINDOW); w.u8(op('i64.lt_u').code);
  w.u8(op('select').code); // min(d, WINDOW)
  w.u8(C64); w.u8(0);
  w.u8(GG); w.u32(deadlineGlobal); w.u8(LG); w.u32(0); w.u8(op('i64.gt_u').code);
  w.u8(op('select').code);
  w.u8(C64); w.u8(CHAIN_SHIFT); w.u8(op('i64.shl').code);
  w.u8(GS); w.u32(c.limit);
  w.u8(op('end').code);
  return { sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: w.finish() };
}

const SCRATCH_VALTYPE: Record<ScratchType, number> = { i32: I32, i64: I64, f32: F32, f64: F64 };

/**
 * Debug mode's plan: each function's local layout, the scratch globals' counts and indices (they
 * follow the arming globals, which start at `dbgBase`), which functions have sites, and what the
 * rewriter needs to emit them.
 */
function planDebug(
  m: Module, bytes: Uint8Array, mt: ModuleTypes, importedFuncs: number, dbgBase: number, sites: Uint32Array, siteHook: number,
  only: Record<number, { spill: number[]; reload?: number[] }> | undefined,
) {
  const definedFuncs = m.bodies.length;
  const plans: LocalPlan[] = [];
  const scratch: Record<ScratchType, number> = { i32: 0, i64: 0, f32: 0, f64: 0 };
  const hasSites = new Uint8Array(definedFuncs);
  const siteStacks = new Map<number, { types: Uint8Array; slots: Int32Array; blockType: number }>();
  const blockTypes = new Map<string, number>();
  let k = 0;
  for (let i = 0; i < definedFuncs; i++) {
    const b = m.bodies[i];
    const sel = only?.[importedFuncs + i];
    const plan = planLocals(m.types[m.funcs[i]].params, b.locals, sel?.spill, sel?.reload);
    plans.push(plan);
    for (const t of SCRATCH_TYPES) scratch[t] = Math.max(scratch[t], plan.counts[t]);
    while (k < sites.length && sites[k] < b.codeStart) k++;
    const first = k;
    while (k < sites.length && sites[k] < b.end) k++;
    if (k === first) continue;
    hasSites[i] = 1;
    // Operand stacks at the sites: their values take scratch slots after the locals'.
    const typed = stackTypesAt(bytes, b, Array.from(plan.types, (t) => t || -1), mt, mt.funcTypes[importedFuncs + i].results, new Set(sites.subarray(first, k)));
    if (!typed) continue;
    for (const [off, ts] of typed) {
      if (!ts || ts.length === 0) continue;
      const used: Record<ScratchType, number> = { ...plan.counts };
      const slots = Int32Array.from(ts, (t) => used[SCRATCH_OF[t]]++);
      for (const t of SCRATCH_TYPES) scratch[t] = Math.max(scratch[t], used[t]);
      const key = ts.join(',');
      let bt = blockTypes.get(key);
      if (bt === undefined) blockTypes.set(key, (bt = m.types.push({ params: ts, results: ts }) - 1));
      siteStacks.set(off, { types: Uint8Array.from(ts), slots, blockType: bt });
    }
  }
  const base: Record<ScratchType, number> = { i32: 0, i64: 0, f32: 0, f64: 0 };
  let next = dbgBase + definedFuncs;
  for (const t of SCRATCH_TYPES) {
    base[t] = next;
    next += scratch[t];
  }
  const scratchIndex = (t: ScratchType, slot: number) => base[t] + slot;
  const code = new Map<number, { spill: Uint8Array; reload: Uint8Array }>();
  const rewrite: DebugRewrite = {
    sites,
    cursor: 0,
    siteHook,
    dbgBase,
    placed: [],
    code(def: number) {
      let c = code.get(def);
      if (!c) code.set(def, (c = spillReload(plans[def], scratchIndex)));
      return c;
    },
    stack(_def: number, off: number) {
      const st = siteStacks.get(off);
      if (!st) return undefined;
      return { blockType: st.blockType, globals: Array.from(st.types, (t, i) => scratchIndex(SCRATCH_OF[t], st.slots[i])) };
    },
    maxStackBytes(def: number) {
      let max = 0;
      const b = m.bodies[def];
      for (const [off, st] of siteStacks) if (off >= b.codeStart && off < b.end) max = Math.max(max, stackCaptureBytes({ blockType: st.blockType, globals: [...st.slots] }));
      return max;
    },
  };
  return { plans, scratch, hasSites, dbgBase, scratchIndex, rewrite, siteStacks };
}

/** `__wasiscope_counters`: report (F, fx, fc) of every defined function through the counter hook. */
function dumpBody(importedFuncs: number, definedFuncs: number, fxBase: number, fcBase: number, counterHook: number): FunctionBody {
  const w = new ByteWriter(16 + definedFuncs * 16);
  w.u32(0);
  for (let i = 0; i < definedFuncs; i++) {
    w.u8(op('i32.const').code);
    w.s32(importedFuncs + i);
    w.u8(op('global.get').code);
    w.u32(fxBase + i);
    w.u8(op('global.get').code);
    w.u32(fcBase + i);
    w.u8(op('call').code);
    w.u32(counterHook);
  }
  w.u8(op('end').code);
  return { sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: w.finish() };
}

/** Whether (output) function `f` has type [] -> [] (a valid start function). */
function startTypeIsEmpty(m: Module, f: number, importedFuncs: number, funcShift: number): boolean {
  let type = -1;
  if (f < importedFuncs) {
    let k = 0;
    for (const imp of m.imports) {
      if (imp.desc.kind !== 'func') continue;
      if (k++ === f) type = imp.desc.type;
    }
  } else type = m.funcs[f - importedFuncs - funcShift] ?? -1;
  const t = m.types[type];
  return t !== undefined && 'params' in t && t.params.length === 0 && t.results.length === 0;
}

/** `__wasiscope_start`: calls the module's start function (output index `f`). */
function startBody(f: number): FunctionBody {
  const w = new ByteWriter(16);
  w.u32(0);
  w.u8(op('call').code);
  w.u32(f);
  w.u8(op('end').code);
  return { sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: w.finish() };
}

/** The body of the deadline slow path `(F, off)`: ask the host; trap when it answers "stop". */
function slowBody(deadlineHook: number): FunctionBody {
  const w = new ByteWriter(16);
  w.u32(0);
  w.u8(op('local.get').code);
  w.u32(0);
  w.u8(op('local.get').code);
  w.u32(1);
  w.u8(op('call').code);
  w.u32(deadlineHook);
  w.u8(op('if').code);
  w.u8(0x40);
  w.u8(op('unreachable').code);
  w.u8(op('end').code);
  w.u8(op('end').code);
  return { sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: w.finish() };
}

/** The body of `$grow_m (delta) -> old`: grow, report (memidx, delta, result, size now) to the host, return. */
function growBody(mem: number, is64: boolean, growHook: number): FunctionBody {
  const w = new ByteWriter(32);
  // one local of the address type: the result
  w.u32(1);
  w.u32(1);
  w.u8(is64 ? I64 : I32);
  const LG = op('local.get').code;
  w.u8(LG);
  w.u32(0);
  w.u8(op('memory.grow').code);
  w.u32(mem);
  w.u8(op('local.set').code);
  w.u32(1);
  w.u8(op('i32.const').code);
  w.s32(mem);
  w.u8(LG);
  w.u32(0);
  if (!is64) w.u8(op('i64.extend_i32_u').code);
  w.u8(LG);
  w.u32(1);
  if (!is64) w.u8(op('i64.extend_i32_s').code);
  w.u8(op('memory.size').code);
  w.u32(mem);
  if (!is64) w.u8(op('i64.extend_i32_u').code);
  w.u8(op('call').code);
  w.u32(growHook);
  w.u8(LG);
  w.u32(1);
  w.u8(op('end').code);
  return { sizeStart: -1, start: -1, codeStart: -1, end: -1, locals: [], replacement: w.finish() };
}

/** Name of every function in the original index space: name section (Rust's mangling undone), else `$func<N>`. */
function functionNames(m: Module, importedFuncs: number, definedFuncs: number, warnings: string[]): string[] {
  const names: string[] = new Array(importedFuncs + definedFuncs);
  for (let i = 0; i < names.length; i++) names[i] = `$func${i}`;
  for (const s of m.sections) {
    if (s.custom?.name !== 'name') continue;
    try {
      const ns = decodeNameSection(s.custom.content, s.contentStart);
      for (const [i, n] of ns.functions) if (i < names.length) names[i] = demangle(n);
    } catch (e) {
      warnings.push(`name section unreadable: ${(e as Error).message}`);
    }
  }
  return names;
}
