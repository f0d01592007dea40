// Turns a program path into core-module bytes: reads a `.wasm`, or compiles a `.wat` in-process
// with wasm-tools' parser (jco-transpile's wasm-tools build: the narrow entry bundles cleanly;
// esbuild.mjs copies its two core .wasm files next to each bundle), and rejects what we cannot run with a message that says
// what to fix (missing file, not wasm, a component instead of a core module).
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';

export class ModuleLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleLoadError';
  }
}

export interface LoadedModule {
  bytes: Uint8Array;
  /** Where the bytes came from: `wasm` file or `wat` compiled in-process. */
  source: 'wasm' | 'wat';
  /** For `.wat` programs: the text, so WAT breakpoints can map lines. */
  watText?: string;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function isTextFormat(path: string, head: Uint8Array): boolean {
  const ext = extname(path).toLowerCase();
  if (ext === '.wat' || ext === '.wast') return true;
  if (ext === '.wasm') return false;
  // No telling extension: text modules start with whitespace/comments and `(`.
  const s = Buffer.from(head.subarray(0, 64)).toString('utf8').trimStart();
  return s.startsWith('(') || s.startsWith(';;');
}

/**
 * wasm-tools reports WAT errors as a Rust debug dump (`Error { kind: Wast(... line: 0, col: 43 ...
 * kind: Custom("expected `)`") ...`); say it as `line 1, column 44: expected `)``.
 */
export function describeWatError(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const pos = /line: (\d+), col: (\d+)/.exec(raw);
  const custom = /Custom\("((?:[^"\\]|\\.)*)"\)/.exec(raw);
  const kind = custom ? custom[1].replace(/\\(.)/g, '$1') : /kind: (\w+)\s*[,}]/.exec(raw.replace(/kind: Wast\(/, ''))?.[1];
  if (!pos || !kind) return raw;
  return `line ${Number(pos[1]) + 1}, column ${Number(pos[2]) + 1}: ${kind}`;
}

async function compileWat(text: string, path: string): Promise<Uint8Array> {
  const { parse } = await import('@bytecodealliance/jco-transpile/wasm-tools');
  try {
    return await parse(text);
  } catch (e) {
    throw new ModuleLoadError(`${path}: the WebAssembly text does not compile: ${describeWatError(e)}`);
  }
}

export function checkCoreModule(bytes: Uint8Array, path: string): void {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ModuleLoadError(`${path} is not a WebAssembly module (no \\0asm header); "program" must name a .wasm or .wat file`);
  }
  const version = bytes[4] | (bytes[5] << 8);
  const layer = bytes[6] | (bytes[7] << 8);
  if (layer === 1) {
    throw new ModuleLoadError(
      `${path} is a WebAssembly component, not a core module; run the core module it was built from (for example the wasm32-wasip1 output)`,
    );
  }
  if (version !== 1) throw new ModuleLoadError(`${path}: unsupported WebAssembly binary version ${version}`);
}

export async function loadModule(path: string): Promise<LoadedModule> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ModuleLoadError(`program not found: ${path}; set "program" to an existing .wasm or .wat file`);
  }
  if (!st.isFile()) throw new ModuleLoadError(`program is not a file: ${path}`);
  const raw = new Uint8Array(readFileSync(path));
  if (isTextFormat(path, raw)) {
    const watText = Buffer.from(raw).toString('utf8');
    const bytes = await compileWat(watText, path);
    checkCoreModule(bytes, path);
    return { bytes, source: 'wat', watText };
  }
  checkCoreModule(raw, path);
  return { bytes: raw, source: 'wasm' };
}
