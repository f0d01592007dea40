// Finds the debug-info custom sections of a core wasm module (DWARF `.debug_*`,
// `external_debug_info`, `sourceMappingURL`) and the Code section's payload offset, with a tiny
// section walker of its own (ids, sizes, names) so this layer does not depend on the full reader.
//
// Offsets: DWARF addresses in wasm are relative to the start of the Code section's payload (the
// byte where its function-count LEB begins); module-relative offset = DWARF address +
// `codePayloadOffset`. Checked against clang-14 and llvm-dwarfdump: a DW_AT_low_pc of 0x1f with the
// payload at 0x17a is the function body that wasm-objdump shows at 0x199.

import { ByteCursor } from './byte-cursor';

export const DEBUG_SECTION_NAMES = [
  '.debug_line',
  '.debug_info',
  '.debug_abbrev',
  '.debug_str',
  '.debug_line_str',
  '.debug_str_offsets',
  '.debug_addr',
  '.debug_ranges',
  '.debug_rnglists',
  // Not read by this layer; found for the variables layer (DWARF locations).
  '.debug_loc',
  '.debug_loclists',
] as const;
export type DebugSectionName = (typeof DEBUG_SECTION_NAMES)[number];

/** A section payload and where it sits in the module. */
export interface SectionSlice {
  bytes: Uint8Array;
  /** Module-relative offset of `bytes[0]`. */
  offset: number;
}

export interface ModuleDebugSections {
  /** DWARF sections found, payload only (after the custom section's name). */
  dwarf: Partial<Record<DebugSectionName, SectionSlice>>;
  /** Module-relative offset of the Code section payload (its function-count LEB); undefined if no code. */
  codePayloadOffset: number | undefined;
  /** Module-relative end (exclusive) of the Code section payload. */
  codePayloadEnd: number | undefined;
  /** The `external_debug_info` section's URL (DWARF kept in a separate file). */
  externalDebugInfo?: string;
  /** The `sourceMappingURL` section's URL (a JS-style source map). */
  sourceMappingURL?: string;
}

const CODE_SECTION_ID = 10;
const CUSTOM_SECTION_ID = 0;

export function findDebugSections(module: Uint8Array): ModuleDebugSections {
  const c = new ByteCursor(module, 'module', 0);
  if (module.length < 8) c.fail('not a wasm module: shorter than its 8-byte header', 0);
  if (c.u32() !== 0x6d736100) c.fail('not a wasm module: bad magic', 0);
  const version = c.u32();
  if (version !== 1) c.fail(version === 0x1000d ? 'a component, not a core module' : `unsupported wasm version 0x${version.toString(16)}`, 4);
  const out: ModuleDebugSections = { dwarf: {}, codePayloadOffset: undefined, codePayloadEnd: undefined };
  const wanted = new Set<string>(DEBUG_SECTION_NAMES);
  while (c.remaining > 0) {
    const headerAt = c.pos;
    const id = c.u8();
    const size = c.uleb();
    if (size > c.remaining) c.fail(`section ${id} of size 0x${size.toString(16)} runs past the end of the module`, headerAt);
    const payload = c.pos;
    const end = payload + size;
    if (id === CODE_SECTION_ID) {
      out.codePayloadOffset = payload;
      out.codePayloadEnd = end;
    } else if (id === CUSTOM_SECTION_ID) {
      const s = c.sub(size);
      const name = s.utf8(s.uleb());
      if (wanted.has(name)) {
        const key = name as DebugSectionName;
        out.dwarf[key] ??= { bytes: module.subarray(s.pos, end), offset: s.pos };
      } else if (name === 'external_debug_info' || name === 'sourceMappingURL') {
        const url = s.utf8(s.uleb());
        if (name === 'external_debug_info') out.externalDebugInfo ??= url;
        else out.sourceMappingURL ??= url;
      }
    }
    c.pos = end;
  }
  return out;
}
