// Minimal structural types for the parts of the WebAssembly JS API the WASI host touches. The
// project's tsconfig has no DOM lib, so `WebAssembly.*` types are not available; a real
// WebAssembly.Memory / Instance satisfies these shapes, and the host needs nothing more.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A host import as the engine calls it: i32 arrive as numbers, i64 as bigints. */
export type HostFunction = (...args: (number | bigint)[]) => number | void;

export type WasmImports = Record<string, Record<string, HostFunction | WasmMemory | number | bigint>>;

/** The global `WebAssembly` object, typed just enough to compile, instantiate and make memories. */
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  validate(bytes: Uint8Array): boolean;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
