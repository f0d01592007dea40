// Builds the call wrapper for a spec module: a small module that imports the tested module's
// exported functions and globals and exposes each one with floats passed as integer bit patterns
// and v128 as four i32 words; results are stored as bits into the wrapper's memory (references
// are returned directly). JS cannot pass v128 at all, nor keep NaN payloads through numbers; with
// the wrapper every value crosses the JS boundary bit-exactly.

import { ByteWriter } from '../../debug-adapter/wasm/byte-writer';
import { op } from '../../debug-adapter/wasm/opcodes';
import { writeValType } from '../../debug-adapter/wasm/writer';
import { I32, I64, F32, F64, V128, isRefType, type FuncType, type GlobalType, type ValType } from '../../debug-adapter/wasm/module';

export interface WrappedFunc {
  /** Export name in the tested module. */
  name: string;
  type: FuncType;
}

export interface WrappedGlobal {
  name: string;
  type: GlobalType;
}

const lowered = (t: ValType): ValType[] => (t === F32 ? [I32] : t === F64 ? [I64] : t === V128 ? [I32, I32, I32, I32] : [t]);

function section(out: ByteWriter, id: number, body: (w: ByteWriter) => void): void {
  const w = new ByteWriter(256);
  body(w);
  out.u8(id);
  out.u32(w.len);
  out.bytes(w.view());
}

function funcType(w: ByteWriter, params: ValType[], results: ValType[]): void {
  w.u8(0x60);
  w.u32(params.length);
  params.forEach((t) => writeValType(w, t));
  w.u32(results.length);
  results.forEach((t) => writeValType(w, t));
}

/** The wrapper module: imports `f.<i>` / `g.<j>`, exports `c<i>` / `g<j>` and `mem`. */
export function buildWrapper(funcs: WrappedFunc[], globals: WrappedGlobal[]): Uint8Array {
  const out = new ByteWriter(1024);
  out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
  // types: for each function its original type then its lowered type; then one per global getter
  section(out, 1, (w) => {
    w.u32(funcs.length * 2 + globals.length);
    for (const f of funcs) {
      funcType(w, f.type.params, f.type.results);
      funcType(w, f.type.params.flatMap(lowered), f.type.results.filter(isRefType));
    }
    for (const g of globals) funcType(w, [], isRefType(g.type.type) ? [g.type.type] : []);
  });
  section(out, 2, (w) => {
    w.u32(funcs.length + globals.length);
    funcs.forEach((f, i) => {
      w.name('f');
      w.name(String(i));
      w.u8(0);
      w.u32(2 * i);
    });
    globals.forEach((g, j) => {
      w.name('g');
      w.name(String(j));
      w.u8(3);
      writeValType(w, g.type.type);
      w.u8(g.type.mutable ? 1 : 0);
    });
  });
  section(out, 3, (w) => {
    w.u32(funcs.length + globals.length);
    funcs.forEach((_, i) => w.u32(2 * i + 1));
    globals.forEach((_, j) => w.u32(2 * funcs.length + j));
  });
  section(out, 5, (w) => {
    w.u32(1);
    w.u8(0);
    w.u32(1);
  });
  section(out, 7, (w) => {
    w.u32(funcs.length + globals.length + 1);
    w.name('mem');
    w.u8(2);
    w.u32(0);
    funcs.forEach((_, i) => {
      w.name(`c${i}`);
      w.u8(0);
      w.u32(funcs.length + globals.length + i);
    });
    globals.forEach((_, j) => {
      w.name(`g${j}`);
      w.u8(0);
      w.u32(funcs.length + globals.length + funcs.length + j);
    });
  });
  section(out, 10, (w) => {
    w.u32(funcs.length + globals.length);
    funcs.forEach((f, i) => {
      const b = new ByteWriter(128);
      const results = f.type.results;
      // locals: one per result, to pop them off the stack in reverse
      b.u32(results.length);
      for (const r of results) {
        b.u32(1);
        writeValType(b, r);
      }
      const firstResult = f.type.params.flatMap(lowered).length;
      let l = 0;
      for (const p of f.type.params) {
        if (p === V128) {
          b.op(op('v128.const'));
          b.bytes(new Uint8Array(16));
          for (let k = 0; k < 4; k++) {
            b.op(op('local.get'));
            b.u32(l++);
            b.op(op('i32x4.replace_lane'));
            b.u8(k);
          }
        } else {
          b.op(op('local.get'));
          b.u32(l++);
          if (p === F32) b.op(op('f32.reinterpret_i32'));
          if (p === F64) b.op(op('f64.reinterpret_i64'));
        }
      }
      b.op(op('call'));
      b.u32(i);
      for (let k = results.length - 1; k >= 0; k--) {
        b.op(op('local.set'));
        b.u32(firstResult + k);
      }
      results.forEach((r, k) => storeResult(b, r, k, firstResult + k));
      results.forEach((r, k) => {
        if (isRefType(r)) {
          b.op(op('local.get'));
          b.u32(firstResult + k);
        }
      });
      b.op(op('end'));
      w.u32(b.len);
      w.bytes(b.view());
    });
    globals.forEach((g, j) => {
      const b = new ByteWriter(32);
      b.u32(0);
      if (isRefType(g.type.type)) {
        b.op(op('global.get'));
        b.u32(j);
      } else {
        b.op(op('i32.const'));
        b.s32(0);
        b.op(op('global.get'));
        b.u32(j);
        b.op(storeOp(g.type.type));
        b.u32(0);
        b.u32(0);
      }
      b.op(op('end'));
      w.u32(b.len);
      w.bytes(b.view());
    });
  });
  return out.finish();
}

function storeOp(t: ValType) {
  if (t === I32) return op('i32.store');
  if (t === I64) return op('i64.store');
  if (t === F32) return op('f32.store');
  if (t === F64) return op('f64.store');
  if (t === V128) return op('v128.store');
  throw new Error(`cannot store ${String(t)}`);
}

function storeResult(b: ByteWriter, t: ValType, k: number, local: number): void {
  if (isRefType(t)) return;
  b.op(op('i32.const'));
  b.s32(16 * k);
  b.op(op('local.get'));
  b.u32(local);
  b.op(storeOp(t));
  b.u32(0); // align 1 (any alignment is valid for stores)
  b.u32(0);
}

/** Read result `k` of type `t` back from the wrapper's memory. */
export function readResult(mem: ArrayBuffer, t: ValType, k: number): bigint | Uint8Array {
  const dv = new DataView(mem, 16 * k, 16);
  if (t === I32 || t === F32) return BigInt(dv.getUint32(0, true));
  if (t === I64 || t === F64) return dv.getBigUint64(0, true);
  return new Uint8Array(mem.slice(16 * k, 16 * k + 16));
}
