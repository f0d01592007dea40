// The error type of the source-map layer: every decode failure in a wasm section walk, a DWARF
// section or a WAT text names where it happened (section and byte offset, or line), so a bad
// input is reported precisely instead of surfacing as a RangeError from a typed-array access.

export class SourceMapError extends Error {
  /** `module` for the section walk, a DWARF section name (`.debug_line`), or `wat`. */
  readonly where: string;
  /** Byte offset inside `where` (for `wat`: the 1-based line). */
  readonly offset: number;
  /** Module-relative byte offset, when the section's position in the module is known. */
  readonly moduleOffset: number | undefined;
  /** What is wrong, without the position. */
  readonly what: string;

  constructor(where: string, offset: number, what: string, moduleOffset?: number) {
    const pos =
      where === 'wat'
        ? `line ${offset}`
        : where === 'module'
          ? `byte 0x${offset.toString(16)}`
          : `${where}+0x${offset.toString(16)}` +
            (moduleOffset !== undefined ? ` (module byte 0x${moduleOffset.toString(16)})` : '');
    super(`${what} at ${pos}`);
    this.name = 'SourceMapError';
    this.where = where;
    this.offset = offset;
    this.moduleOffset = moduleOffset;
    this.what = what;
  }
}
