// Refuses modules that use an index past the end of a space the instrumenter extends (functions,
// globals, types) outside function bodies: appending hooks, counters and helper types would turn
// such an invalid module into a valid one that does something else. (Bodies are checked while
// they are rewritten.) This is not a validator: only the indices the instrumentation could
// capture are checked.

import { WasmDecodeError } from '../wasm/errors';
import { newCursor, scanInstr } from '../wasm/instr-scanner';
import { importCount, type ConstExpr, type Module } from '../wasm/module';

const cursor = newCursor();

export function checkIndexBounds(m: Module): void {
  const funcs = importCount(m, 'func') + m.funcs.length;
  const globals = importCount(m, 'global') + m.globals.length;
  const types = m.types.length;
  const fail = (what: string, v: number, limit: number, where: string): never => {
    throw new WasmDecodeError(0, `unknown ${what} ${v}`, `${where}: only ${limit} ${what}s are defined`);
  };
  m.imports.forEach((imp, i) => {
    if (imp.desc.kind === 'func' && imp.desc.type >= types) fail('type', imp.desc.type, types, `import ${i}`);
    if (imp.desc.kind === 'tag' && imp.desc.tag.type >= types) fail('type', imp.desc.tag.type, types, `import ${i}`);
  });
  m.funcs.forEach((t, i) => {
    if (t >= types) fail('type', t, types, `function ${i}`);
  });
  m.tags.forEach((t, i) => {
    if (t.type >= types) fail('type', t.type, types, `tag ${i}`);
  });
  for (const e of m.exports) {
    if (e.kind === 'func' && e.index >= funcs) fail('function', e.index, funcs, `export ${e.name}`);
    if (e.kind === 'global' && e.index >= globals) fail('global', e.index, globals, `export ${e.name}`);
  }
  if (m.start !== null && m.start >= funcs) fail('function', m.start, funcs, 'start section');
  const expr = (e: ConstExpr | null, where: string) => {
    if (!e) return;
    for (let p = 0; p < e.length; ) {
      scanInstr(e, p, e.length, cursor);
      const imm = cursor.op.imm;
      if (imm === 'func' && cursor.idx >= funcs) fail('function', cursor.idx, funcs, where);
      if (imm === 'global' && cursor.idx >= globals) fail('global', cursor.idx, globals, where);
      p = cursor.end;
    }
  };
  m.globals.forEach((g, i) => expr(g.init, `global ${i}`));
  m.tables.forEach((t, i) => expr(t.init, `table ${i}`));
  m.elements.forEach((seg, i) => {
    expr(seg.offset, `element segment ${i}`);
    for (const f of seg.funcs ?? []) if (f >= funcs) fail('function', f, funcs, `element segment ${i}`);
    for (const x of seg.exprs ?? []) expr(x, `element segment ${i}`);
  });
  m.data.forEach((d, i) => expr(d.offset, `data segment ${i}`));
}
