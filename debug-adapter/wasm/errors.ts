// The one error type of the wasm toolkit: every decode failure (malformed bytes, truncation,
// unsupported features) is a WasmDecodeError that names what is wrong and the byte offset, so a
// caller never has to catch RangeError/TypeError from a typed-array access.

export type WasmDecodeErrorKind = 'malformed' | 'unsupported';

export class WasmDecodeError extends Error {
  /** Byte offset (module-relative when decoding a whole module) where the problem was found. */
  readonly offset: number;
  /** What is wrong, without the offset: e.g. `bad LEB128`, `unknown opcode 0xfd 0x1ff`. */
  readonly what: string;
  /** `unsupported` when the bytes are plausibly valid but use a feature this toolkit does not decode. */
  readonly kind: WasmDecodeErrorKind;

  constructor(offset: number, what: string, detail?: string, kind: WasmDecodeErrorKind = 'malformed') {
    super(`${what} at byte 0x${offset.toString(16)}${detail ? `: ${detail}` : ''}`);
    this.name = 'WasmDecodeError';
    this.offset = offset;
    this.what = what;
    this.kind = kind;
  }
}

/** Shorthand for the common "ran off the end" case. */
export function truncated(offset: number, what: string): WasmDecodeError {
  return new WasmDecodeError(offset, 'unexpected end', `${what} is truncated`);
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
