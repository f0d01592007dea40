// Bounds-checked access to the guest's linear memory. Views are re-derived whenever
// `memory.buffer` changes identity (a grow detaches the old buffer), every pointer and length is
// checked before use, and writes can be tracked so a recording can store the exact bytes a call
// left in guest memory.
import { MemoryFault, WasiError } from './wasi-error';
import { E, SIZE } from './wasi-abi';
import type { WasmMemory } from './wasm-types';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const IOVEC = SIZE.IOVEC;
const utf8Encoder = new TextEncoder();

export class GuestMemory {
  private memory: WasmMemory | null = null;
  private buf: ArrayBuffer | null = null;
  private u8v = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  /** Flattened [ptr, len, ptr, len, ...] written during the current call, when tracking. */
  private written: number[] | null = null;

  bind(memory: WasmMemory): void {
    this.memory = memory;
    this.buf = null;
    this.u8v = new Uint8Array(0);
  }

  get bound(): boolean {
    return this.memory !== null;
  }

  private refresh(): void {
    if (!this.memory) throw new Error('WasiHost: no memory bound (call bind(memory) or run(instance) first)');
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.u8v = new Uint8Array(b);
      this.dv = new DataView(b);
    }
  }

  get size(): number {
    this.refresh();
    return this.u8v.length;
  }

  /**
   * Throws MemoryFault unless [ptr, ptr+len) lies inside memory. ptr/len are unsigned 32-bit.
   * Reading `memory.buffer` costs a trip into the engine, so the cached view is trusted when the
   * range fits it: a grow detaches the old buffer (length 0) or, shared, keeps the old bytes at
   * the same places; only a range that does not fit re-derives the view and checks again.
   * `length` rather than `byteLength` (equal for bytes, 0 once detached): V8 inlines a typed
   * array's `length` but calls a generic load for `byteLength` (~8 ns, several times a call).
   */
  check(ptr: number, len: number): void {
    if (ptr >= 0 && len >= 0 && ptr + len <= this.u8v.length) return;
    this.refresh();
    // Written positively so that a missing argument (undefined, NaN) is a fault too.
    if (!(ptr >= 0 && len >= 0 && ptr + len <= this.u8v.length)) throw new MemoryFault(ptr, len, this.u8v.length);
  }

  /** A live view (no copy) of a checked range; valid until memory grows. */
  view(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8v.subarray(ptr, ptr + len);
  }

  /** The whole memory as bytes (for OS calls that take an offset); valid until memory grows. */
  whole(): Uint8Array {
    if (this.u8v.length === 0) this.refresh();
    return this.u8v;
  }

  copy(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8v.slice(ptr, ptr + len);
  }

  string(ptr: number, len: number): string {
    const bytes = this.view(ptr, len);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new WasiError(E.ILSEQ, 'path is not valid UTF-8');
    }
  }

  u8(ptr: number): number {
    this.check(ptr, 1);
    return this.u8v[ptr];
  }
  u16(ptr: number): number {
    this.check(ptr, 2);
    return this.dv.getUint16(ptr, true);
  }
  u32(ptr: number): number {
    this.check(ptr, 4);
    return this.dv.getUint32(ptr, true);
  }
  u64(ptr: number): bigint {
    this.check(ptr, 8);
    return this.dv.getBigUint64(ptr, true);
  }

  setU8(ptr: number, v: number): void {
    this.check(ptr, 1);
    this.u8v[ptr] = v;
    this.note(ptr, 1);
  }
  setU16(ptr: number, v: number): void {
    this.check(ptr, 2);
    this.dv.setUint16(ptr, v, true);
    this.note(ptr, 2);
  }
  setU32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.dv.setUint32(ptr, v >>> 0, true);
    this.note(ptr, 4);
  }
  setU64(ptr: number, v: bigint): void {
    this.check(ptr, 8);
    // setBigUint64 stores v modulo 2^64 itself (ToBigUint64): no BigInt.asUintN copy needed.
    this.dv.setBigUint64(ptr, v, true);
    this.note(ptr, 8);
  }

  write(ptr: number, data: Uint8Array): void {
    this.check(ptr, data.byteLength);
    this.u8v.set(data, ptr);
    this.note(ptr, data.byteLength);
  }

  writeString(ptr: number, s: string): number {
    const bytes = utf8Encoder.encode(s);
    this.write(ptr, bytes);
    return bytes.byteLength;
  }

  /** Records that the OS (readv, randomFill...) wrote into a checked range directly. */
  noteWritten(ptr: number, len: number): void {
    this.note(ptr, len);
  }

  /**
   * Reads an (c)iovec array and returns live views of its buffers, each bounds-checked; the total
   * must fit in u32 (EOVERFLOW otherwise), as wasi-libc and Wasmtime both require.
   */
  iovecs(ptr: number, count: number): { views: Uint8Array[]; ptrs: number[]; total: number } {
    const total = this.iovecTotal(ptr, count);
    const views: Uint8Array[] = [];
    const ptrs: number[] = [];
    for (let i = 0; i < count; i++) {
      const base = this.dv.getUint32(ptr + i * 8, true);
      const len = this.dv.getUint32(ptr + i * 8 + 4, true);
      if (len > 0) {
        views.push(this.u8v.subarray(base, base + len));
        ptrs.push(base);
      }
    }
    return { views, ptrs, total };
  }

  /**
   * The bytes a (c)iovec array points at, copied into one new array, with the checks of `iovecs`
   * (a stream write keeps its data; no views or arrays in between).
   */
  gather(ptr: number, count: number): Uint8Array {
    const total = this.iovecTotal(ptr, count);
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < count && at < total; i++) {
      const base = this.dv.getUint32(ptr + i * 8, true);
      const len = this.dv.getUint32(ptr + i * 8 + 4, true);
      if (len > 0) {
        out.set(this.u8v.subarray(base, base + len), at);
        at += len;
      }
    }
    return out;
  }

  /** Checks an iovec array (its count, each buffer's bounds, a total within u32) and returns the total. */
  private iovecTotal(ptr: number, count: number): number {
    if (count > 1024 * 1024) throw new WasiError(E.INVAL, `iovec count ${count} is unreasonably large`);
    this.check(ptr, count * IOVEC);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const base = this.dv.getUint32(ptr + i * 8, true);
      const len = this.dv.getUint32(ptr + i * 8 + 4, true);
      this.check(base, len);
      total += len;
      if (total > 0xffffffff) throw new WasiError(E.OVERFLOW, 'iovec lengths add up to more than 4 GiB');
    }
    return total;
  }

  private note(ptr: number, len: number): void {
    if (this.written && len > 0) this.written.push(ptr, len);
  }

  startTracking(): void {
    this.written = [];
  }

  /** Stops tracking and returns the written ranges merged, each with a copy of its final bytes. */
  takeWrites(): Array<[number, Uint8Array]> {
    const w = this.written;
    this.written = null;
    if (!w || w.length === 0) return [];
    const ranges: Array<[number, number]> = [];
    for (let i = 0; i < w.length; i += 2) ranges.push([w[i], w[i] + w[i + 1]]);
    ranges.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.refresh();
    return merged.map(([s, e]) => [s, this.u8v.slice(s, e)]);
  }
}
