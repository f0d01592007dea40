// Test support: plays the guest without any wasm. It owns a WebAssembly.Memory, lays strings,
// iovecs and out-pointers into it and calls the host's imports exactly as an engine would
// (u32 as numbers, u64 as bigints), so tests reach every corner of the host without a toolchain.
import type { CapabilityEvent, RuntimeEvent, SecurityEvent } from '../runtime/events';
import { WasiHost, type WasiHostOptions } from './wasi-host';
import { E, OFLAGS, WASI_MODULE, type WasiFunctionName } from './wasi-abi';
import { wasmApi, type WasmMemory } from './wasm-types';

export const ALL = 0x3fffffffn;

export class GuestHarness {
  readonly host: WasiHost;
  readonly memory: WasmMemory;
  readonly events: RuntimeEvent[] = [];
  readonly stdout: Uint8Array[] = [];
  private top = 1024;

  constructor(o: Partial<WasiHostOptions> = {}, pages = 4) {
    this.memory = new wasmApi.Memory({ initial: pages, maximum: 64 });
    this.host = new WasiHost({
      args: ['guest'],
      env: {},
      preopens: [],
      stdout: (d) => this.stdout.push(d),
      onEvent: (e) => this.events.push(e),
      ...o,
    });
    this.host.bind(this.memory);
  }

  get u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  alloc(n: number, align = 8): number {
    this.top = Math.ceil(this.top / align) * align;
    const p = this.top;
    this.top += n;
    if (this.top > this.memory.buffer.byteLength) throw new Error('harness out of memory');
    return p;
  }

  bytes(data: Uint8Array | string): [number, number] {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const p = this.alloc(Math.max(1, b.length), 1);
    this.u8.set(b, p);
    return [p, b.length];
  }

  u32(ptr: number): number {
    return new DataView(this.memory.buffer).getUint32(ptr, true);
  }

  u64(ptr: number): bigint {
    return new DataView(this.memory.buffer).getBigUint64(ptr, true);
  }

  setU32(ptr: number, v: number): void {
    new DataView(this.memory.buffer).setUint32(ptr, v, true);
  }

  read(ptr: number, len: number): Uint8Array {
    return this.u8.slice(ptr, ptr + len);
  }

  call(name: WasiFunctionName, ...args: Array<number | bigint>): number {
    const fn = this.host.imports[WASI_MODULE][name];
    return fn(...args) as number;
  }

  /** One iovec over `data` (or over an empty buffer of `len` bytes for reads). */
  iovec(data: Uint8Array | string | number): { iovs: number; buf: number; len: number } {
    const [buf, len] = typeof data === 'number' ? [this.alloc(Math.max(1, data), 1), data] : this.bytes(data);
    const iovs = this.alloc(8);
    this.setU32(iovs, buf);
    this.setU32(iovs + 4, len);
    return { iovs, buf, len };
  }

  open(dirfd: number, path: string, o: { oflags?: number; follow?: boolean; base?: bigint; inheriting?: bigint; fdflags?: number } = {}): { errno: number; fd: number } {
    const [p, l] = this.bytes(path);
    const out = this.alloc(4);
    const errno = this.call('path_open', dirfd, o.follow ? 1 : 0, p, l, o.oflags ?? 0, o.base ?? ALL, o.inheriting ?? ALL, o.fdflags ?? 0, out);
    return { errno, fd: errno === E.SUCCESS ? this.u32(out) : -1 };
  }

  create(dirfd: number, path: string, content?: string): number {
    const r = this.open(dirfd, path, { oflags: OFLAGS.CREAT | OFLAGS.TRUNC });
    if (r.errno !== E.SUCCESS) return r.errno;
    if (content !== undefined) this.write(r.fd, content);
    this.call('fd_close', r.fd);
    return E.SUCCESS;
  }

  write(fd: number, data: string | Uint8Array): { errno: number; n: number } {
    const { iovs } = this.iovec(data);
    const out = this.alloc(4);
    const errno = this.call('fd_write', fd, iovs, 1, out);
    return { errno, n: errno === E.SUCCESS ? this.u32(out) : 0 };
  }

  readAll(fd: number, max = 4096): { errno: number; text: string } {
    const { iovs, buf } = this.iovec(max);
    const out = this.alloc(4);
    const errno = this.call('fd_read', fd, iovs, 1, out);
    return { errno, text: errno === E.SUCCESS ? new TextDecoder().decode(this.read(buf, this.u32(out))) : '' };
  }

  /** path_* calls that take (fd, path) and nothing else. */
  pathCall(name: 'path_create_directory' | 'path_remove_directory' | 'path_unlink_file', dirfd: number, path: string): number {
    const [p, l] = this.bytes(path);
    return this.call(name, dirfd, p, l);
  }

  stat(dirfd: number, path: string, follow = false): { errno: number; filetype: number; size: bigint; ino: bigint; mtim: bigint } {
    const [p, l] = this.bytes(path);
    const buf = this.alloc(64);
    const errno = this.call('path_filestat_get', dirfd, follow ? 1 : 0, p, l, buf);
    const dv = new DataView(this.memory.buffer);
    return { errno, filetype: this.u8[buf + 16], size: dv.getBigUint64(buf + 32, true), ino: dv.getBigUint64(buf + 8, true), mtim: dv.getBigUint64(buf + 48, true) };
  }

  symlink(target: string, dirfd: number, path: string): number {
    const [t, tl] = this.bytes(target);
    const [p, l] = this.bytes(path);
    return this.call('path_symlink', t, tl, dirfd, p, l);
  }

  rename(fd: number, from: string, toFd: number, to: string): number {
    const [a, al] = this.bytes(from);
    const [b, bl] = this.bytes(to);
    return this.call('path_rename', fd, a, al, toFd, b, bl);
  }

  link(fd: number, from: string, toFd: number, to: string): number {
    const [a, al] = this.bytes(from);
    const [b, bl] = this.bytes(to);
    return this.call('path_link', fd, 0, a, al, toFd, b, bl);
  }

  capabilities(): CapabilityEvent[] {
    return this.events.filter((e): e is CapabilityEvent => e.kind === 'capability');
  }

  security(): SecurityEvent[] {
    return this.events.filter((e): e is SecurityEvent => e.kind === 'security');
  }

  lastCapability(): CapabilityEvent {
    const c = this.capabilities();
    return c[c.length - 1];
  }

  /** Security events raised by the most recent call. */
  lastSecurity(): SecurityEvent[] {
    const seq = this.lastCapability()?.seq;
    return this.security().filter((s) => s.capabilitySeq === seq);
  }
}
