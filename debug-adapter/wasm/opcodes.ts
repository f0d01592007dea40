// THE operator table: one entry per WebAssembly operator this toolkit understands. The scanner,
// the full instruction decoder/encoder, the printer and the fuel cost model all derive from it;
// nothing else in the code base lists opcodes.
//
// Covered: MVP, sign extension, saturating truncation (0xFC 0-7), bulk memory (0xFC 8-17),
// reference types, typed select, multi-value, tail calls, typed function references (call_ref,
// ref.as_non_null, br_on_null...), SIMD 0xFD (final proposal) and relaxed SIMD (0xFD 0x100-0x113),
// threads/atomics 0xFE, exception handling (legacy try/catch/delegate and try_table/throw_ref).
// Not covered: GC (0xFB prefix) and string proposals; decoders report them by name and offset.

/**
 * Immediate shapes, in binary-format order:
 * - `none`          nothing.
 * - `blocktype`     s33: 0x40 (empty), a value type, or a type index (multi-value).
 * - `label`         u32 relative branch depth (br, br_if, rethrow, delegate, br_on_null...).
 * - `br_table`      vec(u32 label) then the default u32 label.
 * - `func`          u32 function index (call, return_call, ref.func).
 * - `call_indirect` u32 type index, then u32 table index.
 * - `local` / `global` / `table`  u32 index.
 * - `memarg`        u32 align flags (bit 6 set: a u32 memory index follows), then u64 offset.
 * - `mem`           u32 memory index (memory.size/grow/fill; 0x00 in MVP modules).
 * - `i32` / `i64`   signed LEB128 constant. `f32` / `f64`: 4 / 8 raw little-endian bytes.
 * - `v128`          16 raw bytes. `shuffle`: 16 lane-index bytes.
 * - `lane`          1 byte lane index. `memarg_lane`: memarg then 1 lane byte.
 * - `select_t`      vec(valtype) (typed select).
 * - `heaptype`      s33 heap type (ref.null): negative = abstract (func/extern...), else type index.
 * - `data` / `elem` u32 data / element segment index (data.drop, elem.drop).
 * - `data_mem`      u32 data index, u32 memory index (memory.init).
 * - `mem_mem`       u32 destination memory, u32 source memory (memory.copy).
 * - `elem_table`    u32 element index, u32 table index (table.init).
 * - `table_table`   u32 destination table, u32 source table (table.copy).
 * - `type`          u32 type index (call_ref, return_call_ref).
 * - `tag`           u32 tag index (throw, catch).
 * - `try_table`     blocktype then vec(catch clause: kind byte 0-3, [tag u32 if kind<2], label u32).
 * - `atomic_fence`  one reserved 0x00 byte.
 */
export type ImmKind =
  | 'none'
  | 'blocktype'
  | 'label'
  | 'br_table'
  | 'func'
  | 'call_indirect'
  | 'local'
  | 'global'
  | 'table'
  | 'memarg'
  | 'mem'
  | 'i32'
  | 'i64'
  | 'f32'
  | 'f64'
  | 'v128'
  | 'lane'
  | 'memarg_lane'
  | 'shuffle'
  | 'select_t'
  | 'heaptype'
  | 'data'
  | 'elem'
  | 'data_mem'
  | 'mem_mem'
  | 'elem_table'
  | 'table_table'
  | 'type'
  | 'tag'
  | 'try_table'
  | 'atomic_fence';

/** Every ImmKind, in a fixed order (its index is the scanner's numeric dispatch code). */
export const IMM_KINDS: readonly ImmKind[] = [
  'none', 'blocktype', 'label', 'br_table', 'func', 'call_indirect', 'local', 'global', 'table',
  'memarg', 'mem', 'i32', 'i64', 'f32', 'f64', 'v128', 'lane', 'memarg_lane', 'shuffle', 'select_t',
  'heaptype', 'data', 'elem', 'data_mem', 'mem_mem', 'elem_table', 'table_table', 'type', 'tag',
  'try_table', 'atomic_fence',
];

/** Operators that affect control flow (structure, branches, calls, traps, exceptions). */
export type ControlKind =
  | 'block'
  | 'loop'
  | 'if'
  | 'else'
  | 'end'
  | 'br'
  | 'br_if'
  | 'br_table'
  | 'br_on_null'
  | 'br_on_non_null'
  | 'return'
  | 'call'
  | 'call_indirect'
  | 'call_ref'
  | 'return_call'
  | 'return_call_indirect'
  | 'return_call_ref'
  | 'unreachable'
  | 'try'
  | 'catch'
  | 'catch_all'
  | 'delegate'
  | 'throw'
  | 'rethrow'
  | 'throw_ref'
  | 'try_table';

export type OpPrefix = 0 | 0xfc | 0xfd | 0xfe;

export interface OpInfo {
  /** Text-format mnemonic, unique across the table (the typed select is `select_t`, printed `select (result t)`). */
  readonly name: string;
  readonly prefix: OpPrefix;
  /** Opcode byte (prefix 0) or the u32 sub-opcode after the prefix. */
  readonly code: number;
  readonly imm: ImmKind;
  readonly control?: ControlKind;
  /** Fuel cost, Wasmtime's default model: 0 for nop, drop, block, loop, unreachable, return, else, end; 1 otherwise. */
  readonly cost: number;
  /**
   * The operator itself may trap or throw: loads/stores, integer div/rem, non-saturating float->int
   * truncation, calls (callee traps, stack exhaustion), unreachable, table/memory bulk and element
   * access, atomics, throw/rethrow, ref.as_non_null.
   */
  readonly mayTrap?: boolean;
  /** For memory accesses: log2 of the natural alignment (the default `align` in the text format). */
  readonly naturalAlign?: number;
}

const ZERO_COST = new Set(['nop', 'drop', 'block', 'loop', 'unreachable', 'return', 'else', 'end']);

const CONTROL: Record<string, ControlKind> = {
  block: 'block', loop: 'loop', if: 'if', else: 'else', end: 'end', br: 'br', br_if: 'br_if',
  br_table: 'br_table', br_on_null: 'br_on_null', br_on_non_null: 'br_on_non_null', return: 'return',
  call: 'call', call_indirect: 'call_indirect', call_ref: 'call_ref', return_call: 'return_call',
  return_call_indirect: 'return_call_indirect', return_call_ref: 'return_call_ref',
  unreachable: 'unreachable', try: 'try', catch: 'catch', catch_all: 'catch_all', delegate: 'delegate',
  throw: 'throw', rethrow: 'rethrow', throw_ref: 'throw_ref', try_table: 'try_table',
};

const TRAPPING_NAMES = new Set([
  'unreachable', 'call', 'call_indirect', 'call_ref', 'return_call', 'return_call_indirect',
  'return_call_ref', 'throw', 'rethrow', 'throw_ref', 'ref.as_non_null', 'table.get', 'table.set',
  'table.init', 'table.copy', 'table.fill', 'memory.init', 'memory.copy', 'memory.fill',
  'i32.div_s', 'i32.div_u', 'i32.rem_s', 'i32.rem_u', 'i64.div_s', 'i64.div_u', 'i64.rem_s', 'i64.rem_u',
  'i32.trunc_f32_s', 'i32.trunc_f32_u', 'i32.trunc_f64_s', 'i32.trunc_f64_u',
  'i64.trunc_f32_s', 'i64.trunc_f32_u', 'i64.trunc_f64_s', 'i64.trunc_f64_u',
]);

function naturalAlignOf(name: string): number {
  if (/^v128\.load(8x8|16x4|32x2)_/.test(name)) return 3;
  if (name === 'memory.atomic.notify' || name === 'memory.atomic.wait32') return 2;
  if (name === 'memory.atomic.wait64') return 3;
  const m = /(?:load|store|rmw)(8|16|32|64)(?:_|\.|$)/.exec(name);
  if (m) return Math.log2(Number(m[1]) / 8);
  if (name.startsWith('v128.')) return 4;
  if (name.startsWith('i64.') || name.startsWith('f64.')) return 3;
  return 2;
}

const ALL: OpInfo[] = [];
const MAIN: (OpInfo | undefined)[] = new Array(256).fill(undefined);
const FC: (OpInfo | undefined)[] = new Array(32).fill(undefined);
const FD: (OpInfo | undefined)[] = new Array(0x114).fill(undefined);
const FE: (OpInfo | undefined)[] = new Array(0x4f).fill(undefined);
const BY_NAME = new Map<string, OpInfo>();

function def(prefix: OpPrefix, code: number, name: string, imm: ImmKind = 'none'): void {
  const isMem = imm === 'memarg' || imm === 'memarg_lane';
  const info: OpInfo = {
    name,
    prefix,
    code,
    imm,
    control: CONTROL[name],
    cost: ZERO_COST.has(name) ? 0 : 1,
    mayTrap: isMem || prefix === 0xfe || TRAPPING_NAMES.has(name) || undefined,
    naturalAlign: isMem ? naturalAlignOf(name) : undefined,
  };
  const table = prefix === 0 ? MAIN : prefix === 0xfc ? FC : prefix === 0xfd ? FD : FE;
  if (table[code] || BY_NAME.has(name)) throw new Error(`duplicate operator ${name}`);
  table[code] = info;
  BY_NAME.set(name, info);
  ALL.push(info);
}

/** Define consecutive no-immediate operators starting at `code` (null = reserved hole). */
function run(prefix: OpPrefix, code: number, names: (string | null)[], imm: ImmKind = 'none'): void {
  names.forEach((n, i) => {
    if (n !== null) def(prefix, code + i, n, imm);
  });
}

// ---- MVP and single-byte proposals ----
def(0, 0x00, 'unreachable');
def(0, 0x01, 'nop');
def(0, 0x02, 'block', 'blocktype');
def(0, 0x03, 'loop', 'blocktype');
def(0, 0x04, 'if', 'blocktype');
def(0, 0x05, 'else');
def(0, 0x06, 'try', 'blocktype');
def(0, 0x07, 'catch', 'tag');
def(0, 0x08, 'throw', 'tag');
def(0, 0x09, 'rethrow', 'label');
def(0, 0x0a, 'throw_ref');
def(0, 0x0b, 'end');
def(0, 0x0c, 'br', 'label');
def(0, 0x0d, 'br_if', 'label');
def(0, 0x0e, 'br_table', 'br_table');
def(0, 0x0f, 'return');
def(0, 0x10, 'call', 'func');
def(0, 0x11, 'call_indirect', 'call_indirect');
def(0, 0x12, 'return_call', 'func');
def(0, 0x13, 'return_call_indirect', 'call_indirect');
def(0, 0x14, 'call_ref', 'type');
def(0, 0x15, 'return_call_ref', 'type');
def(0, 0x18, 'delegate', 'label');
def(0, 0x19, 'catch_all');
def(0, 0x1a, 'drop');
def(0, 0x1b, 'select');
def(0, 0x1c, 'select_t', 'select_t');
def(0, 0x1f, 'try_table', 'try_table');
def(0, 0x20, 'local.get', 'local');
def(0, 0x21, 'local.set', 'local');
def(0, 0x22, 'local.tee', 'local');
def(0, 0x23, 'global.get', 'global');
def(0, 0x24, 'global.set', 'global');
def(0, 0x25, 'table.get', 'table');
def(0, 0x26, 'table.set', 'table');
run(0, 0x28, [
  'i32.load', 'i64.load', 'f32.load', 'f64.load', 'i32.load8_s', 'i32.load8_u', 'i32.load16_s',
  'i32.load16_u', 'i64.load8_s', 'i64.load8_u', 'i64.load16_s', 'i64.load16_u', 'i64.load32_s',
  'i64.load32_u', 'i32.store', 'i64.store', 'f32.store', 'f64.store', 'i32.store8', 'i32.store16',
  'i64.store8', 'i64.store16', 'i64.store32',
], 'memarg');
def(0, 0x3f, 'memory.size', 'mem');
def(0, 0x40, 'memory.grow', 'mem');
def(0, 0x41, 'i32.const', 'i32');
def(0, 0x42, 'i64.const', 'i64');
def(0, 0x43, 'f32.const', 'f32');
def(0, 0x44, 'f64.const', 'f64');
run(0, 0x45, [
  'i32.eqz', 'i32.eq', 'i32.ne', 'i32.lt_s', 'i32.lt_u', 'i32.gt_s', 'i32.gt_u', 'i32.le_s', 'i32.le_u',
  'i32.ge_s', 'i32.ge_u',
  'i64.eqz', 'i64.eq', 'i64.ne', 'i64.lt_s', 'i64.lt_u', 'i64.gt_s', 'i64.gt_u', 'i64.le_s', 'i64.le_u',
  'i64.ge_s', 'i64.ge_u',
  'f32.eq', 'f32.ne', 'f32.lt', 'f32.gt', 'f32.le', 'f32.ge',
  'f64.eq', 'f64.ne', 'f64.lt', 'f64.gt', 'f64.le', 'f64.ge',
  'i32.clz', 'i32.ctz', 'i32.popcnt', 'i32.add', 'i32.sub', 'i32.mul', 'i32.div_s', 'i32.div_u',
  'i32.rem_s', 'i32.rem_u', 'i32.and', 'i32.or', 'i32.xor', 'i32.shl', 'i32.shr_s', 'i32.shr_u',
  'i32.rotl', 'i32.rotr',
  'i64.clz', 'i64.ctz', 'i64.popcnt', 'i64.add', 'i64.sub', 'i64.mul', 'i64.div_s', 'i64.div_u',
  'i64.rem_s', 'i64.rem_u', 'i64.and', 'i64.or', 'i64.xor', 'i64.shl', 'i64.shr_s', 'i64.shr_u',
  'i64.rotl', 'i64.rotr',
  'f32.abs', 'f32.neg', 'f32.ceil', 'f32.floor', 'f32.trunc', 'f32.nearest', 'f32.sqrt', 'f32.add',
  'f32.sub', 'f32.mul', 'f32.div', 'f32.min', 'f32.max', 'f32.copysign',
  'f64.abs', 'f64.neg', 'f64.ceil', 'f64.floor', 'f64.trunc', 'f64.nearest', 'f64.sqrt', 'f64.add',
  'f64.sub', 'f64.mul', 'f64.div', 'f64.min', 'f64.max', 'f64.copysign',
  'i32.wrap_i64', 'i32.trunc_f32_s', 'i32.trunc_f32_u', 'i32.trunc_f64_s', 'i32.trunc_f64_u',
  'i64.extend_i32_s', 'i64.extend_i32_u', 'i64.trunc_f32_s', 'i64.trunc_f32_u', 'i64.trunc_f64_s',
  'i64.trunc_f64_u', 'f32.convert_i32_s', 'f32.convert_i32_u', 'f32.convert_i64_s', 'f32.convert_i64_u',
  'f32.demote_f64', 'f64.convert_i32_s', 'f64.convert_i32_u', 'f64.convert_i64_s', 'f64.convert_i64_u',
  'f64.promote_f32', 'i32.reinterpret_f32', 'i64.reinterpret_f64', 'f32.reinterpret_i32',
  'f64.reinterpret_i64',
  'i32.extend8_s', 'i32.extend16_s', 'i64.extend8_s', 'i64.extend16_s', 'i64.extend32_s',
]);
def(0, 0xd0, 'ref.null', 'heaptype');
def(0, 0xd1, 'ref.is_null');
def(0, 0xd2, 'ref.func', 'func');
def(0, 0xd3, 'ref.eq');
def(0, 0xd4, 'ref.as_non_null');
def(0, 0xd5, 'br_on_null', 'label');
def(0, 0xd6, 'br_on_non_null', 'label');

// ---- 0xFC: saturating truncation, bulk memory, reference-typed tables ----
run(0xfc, 0, [
  'i32.trunc_sat_f32_s', 'i32.trunc_sat_f32_u', 'i32.trunc_sat_f64_s', 'i32.trunc_sat_f64_u',
  'i64.trunc_sat_f32_s', 'i64.trunc_sat_f32_u', 'i64.trunc_sat_f64_s', 'i64.trunc_sat_f64_u',
]);
def(0xfc, 8, 'memory.init', 'data_mem');
def(0xfc, 9, 'data.drop', 'data');
def(0xfc, 10, 'memory.copy', 'mem_mem');
def(0xfc, 11, 'memory.fill', 'mem');
def(0xfc, 12, 'table.init', 'elem_table');
def(0xfc, 13, 'elem.drop', 'elem');
def(0xfc, 14, 'table.copy', 'table_table');
def(0xfc, 15, 'table.grow', 'table');
def(0xfc, 16, 'table.size', 'table');
def(0xfc, 17, 'table.fill', 'table');

// ---- 0xFD: SIMD ----
run(0xfd, 0, [
  'v128.load', 'v128.load8x8_s', 'v128.load8x8_u', 'v128.load16x4_s', 'v128.load16x4_u',
  'v128.load32x2_s', 'v128.load32x2_u', 'v128.load8_splat', 'v128.load16_splat', 'v128.load32_splat',
  'v128.load64_splat', 'v128.store',
], 'memarg');
def(0xfd, 12, 'v128.const', 'v128');
def(0xfd, 13, 'i8x16.shuffle', 'shuffle');
run(0xfd, 14, ['i8x16.swizzle', 'i8x16.splat', 'i16x8.splat', 'i32x4.splat', 'i64x2.splat', 'f32x4.splat', 'f64x2.splat']);
run(0xfd, 21, [
  'i8x16.extract_lane_s', 'i8x16.extract_lane_u', 'i8x16.replace_lane', 'i16x8.extract_lane_s',
  'i16x8.extract_lane_u', 'i16x8.replace_lane', 'i32x4.extract_lane', 'i32x4.replace_lane',
  'i64x2.extract_lane', 'i64x2.replace_lane', 'f32x4.extract_lane', 'f32x4.replace_lane',
  'f64x2.extract_lane', 'f64x2.replace_lane',
], 'lane');
const intCmp = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const fCmp = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
run(0xfd, 35, intCmp.map((c) => `i8x16.${c}`));
run(0xfd, 45, intCmp.map((c) => `i16x8.${c}`));
run(0xfd, 55, intCmp.map((c) => `i32x4.${c}`));
run(0xfd, 65, fCmp.map((c) => `f32x4.${c}`));
run(0xfd, 71, fCmp.map((c) => `f64x2.${c}`));
run(0xfd, 77, ['v128.not', 'v128.and', 'v128.andnot', 'v128.or', 'v128.xor', 'v128.bitselect', 'v128.any_true']);
run(0xfd, 84, [
  'v128.load8_lane', 'v128.load16_lane', 'v128.load32_lane', 'v128.load64_lane',
  'v128.store8_lane', 'v128.store16_lane', 'v128.store32_lane', 'v128.store64_lane',
], 'memarg_lane');
run(0xfd, 92, ['v128.load32_zero', 'v128.load64_zero'], 'memarg');
run(0xfd, 94, [
  'f32x4.demote_f64x2_zero', 'f64x2.promote_low_f32x4',
  'i8x16.abs', 'i8x16.neg', 'i8x16.popcnt', 'i8x16.all_true', 'i8x16.bitmask',
  'i8x16.narrow_i16x8_s', 'i8x16.narrow_i16x8_u',
  'f32x4.ceil', 'f32x4.floor', 'f32x4.trunc', 'f32x4.nearest',
  'i8x16.shl', 'i8x16.shr_s', 'i8x16.shr_u', 'i8x16.add', 'i8x16.add_sat_s', 'i8x16.add_sat_u',
  'i8x16.sub', 'i8x16.sub_sat_s', 'i8x16.sub_sat_u',
  'f64x2.ceil', 'f64x2.floor',
  'i8x16.min_s', 'i8x16.min_u', 'i8x16.max_s', 'i8x16.max_u',
  'f64x2.trunc',
  'i8x16.avgr_u',
  'i16x8.extadd_pairwise_i8x16_s', 'i16x8.extadd_pairwise_i8x16_u',
  'i32x4.extadd_pairwise_i16x8_s', 'i32x4.extadd_pairwise_i16x8_u',
  // 128
  'i16x8.abs', 'i16x8.neg', 'i16x8.q15mulr_sat_s', 'i16x8.all_true', 'i16x8.bitmask',
  'i16x8.narrow_i32x4_s', 'i16x8.narrow_i32x4_u', 'i16x8.extend_low_i8x16_s',
  'i16x8.extend_high_i8x16_s', 'i16x8.extend_low_i8x16_u', 'i16x8.extend_high_i8x16_u',
  'i16x8.shl', 'i16x8.shr_s', 'i16x8.shr_u', 'i16x8.add', 'i16x8.add_sat_s', 'i16x8.add_sat_u',
  'i16x8.sub', 'i16x8.sub_sat_s', 'i16x8.sub_sat_u',
  'f64x2.nearest',
  'i16x8.mul', 'i16x8.min_s', 'i16x8.min_u', 'i16x8.max_s', 'i16x8.max_u', null,
  'i16x8.avgr_u', 'i16x8.extmul_low_i8x16_s', 'i16x8.extmul_high_i8x16_s',
  'i16x8.extmul_low_i8x16_u', 'i16x8.extmul_high_i8x16_u',
  // 160
  'i32x4.abs', 'i32x4.neg', null, 'i32x4.all_true', 'i32x4.bitmask', null, null,
  'i32x4.extend_low_i16x8_s', 'i32x4.extend_high_i16x8_s', 'i32x4.extend_low_i16x8_u',
  'i32x4.extend_high_i16x8_u', 'i32x4.shl', 'i32x4.shr_s', 'i32x4.shr_u', 'i32x4.add', null, null,
  'i32x4.sub', null, null, null, 'i32x4.mul', 'i32x4.min_s', 'i32x4.min_u', 'i32x4.max_s',
  'i32x4.max_u', 'i32x4.dot_i16x8_s', null, 'i32x4.extmul_low_i16x8_s', 'i32x4.extmul_high_i16x8_s',
  'i32x4.extmul_low_i16x8_u', 'i32x4.extmul_high_i16x8_u',
  // 192
  'i64x2.abs', 'i64x2.neg', null, 'i64x2.all_true', 'i64x2.bitmask', null, null,
  'i64x2.extend_low_i32x4_s', 'i64x2.extend_high_i32x4_s', 'i64x2.extend_low_i32x4_u',
  'i64x2.extend_high_i32x4_u', 'i64x2.shl', 'i64x2.shr_s', 'i64x2.shr_u', 'i64x2.add', null, null,
  'i64x2.sub', null, null, null, 'i64x2.mul', 'i64x2.eq', 'i64x2.ne', 'i64x2.lt_s', 'i64x2.gt_s',
  'i64x2.le_s', 'i64x2.ge_s', 'i64x2.extmul_low_i32x4_s', 'i64x2.extmul_high_i32x4_s',
  'i64x2.extmul_low_i32x4_u', 'i64x2.extmul_high_i32x4_u',
  // 224
  'f32x4.abs', 'f32x4.neg', null, 'f32x4.sqrt', 'f32x4.add', 'f32x4.sub', 'f32x4.mul', 'f32x4.div',
  'f32x4.min', 'f32x4.max', 'f32x4.pmin', 'f32x4.pmax',
  'f64x2.abs', 'f64x2.neg', null, 'f64x2.sqrt', 'f64x2.add', 'f64x2.sub', 'f64x2.mul', 'f64x2.div',
  'f64x2.min', 'f64x2.max', 'f64x2.pmin', 'f64x2.pmax',
  'i32x4.trunc_sat_f32x4_s', 'i32x4.trunc_sat_f32x4_u', 'f32x4.convert_i32x4_s',
  'f32x4.convert_i32x4_u', 'i32x4.trunc_sat_f64x2_s_zero', 'i32x4.trunc_sat_f64x2_u_zero',
  'f64x2.convert_low_i32x4_s', 'f64x2.convert_low_i32x4_u',
]);
// Relaxed SIMD.
run(0xfd, 0x100, [
  'i8x16.relaxed_swizzle', 'i32x4.relaxed_trunc_f32x4_s', 'i32x4.relaxed_trunc_f32x4_u',
  'i32x4.relaxed_trunc_f64x2_s_zero', 'i32x4.relaxed_trunc_f64x2_u_zero', 'f32x4.relaxed_madd',
  'f32x4.relaxed_nmadd', 'f64x2.relaxed_madd', 'f64x2.relaxed_nmadd', 'i8x16.relaxed_laneselect',
  'i16x8.relaxed_laneselect', 'i32x4.relaxed_laneselect', 'i64x2.relaxed_laneselect',
  'f32x4.relaxed_min', 'f32x4.relaxed_max', 'f64x2.relaxed_min', 'f64x2.relaxed_max',
  'i16x8.relaxed_q15mulr_s', 'i16x8.relaxed_dot_i8x16_i7x16_s', 'i32x4.relaxed_dot_i8x16_i7x16_add_s',
]);

// ---- 0xFE: threads and atomics ----
def(0xfe, 0x00, 'memory.atomic.notify', 'memarg');
def(0xfe, 0x01, 'memory.atomic.wait32', 'memarg');
def(0xfe, 0x02, 'memory.atomic.wait64', 'memarg');
def(0xfe, 0x03, 'atomic.fence', 'atomic_fence');
run(0xfe, 0x10, [
  'i32.atomic.load', 'i64.atomic.load', 'i32.atomic.load8_u', 'i32.atomic.load16_u',
  'i64.atomic.load8_u', 'i64.atomic.load16_u', 'i64.atomic.load32_u',
  'i32.atomic.store', 'i64.atomic.store', 'i32.atomic.store8', 'i32.atomic.store16',
  'i64.atomic.store8', 'i64.atomic.store16', 'i64.atomic.store32',
], 'memarg');
['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'].forEach((op, i) => {
  run(0xfe, 0x1e + 7 * i, [
    `i32.atomic.rmw.${op}`, `i64.atomic.rmw.${op}`, `i32.atomic.rmw8.${op}_u`, `i32.atomic.rmw16.${op}_u`,
    `i64.atomic.rmw8.${op}_u`, `i64.atomic.rmw16.${op}_u`, `i64.atomic.rmw32.${op}_u`,
  ], 'memarg');
});

/** Every operator in the table, in definition order. */
export const ALL_OPS: readonly OpInfo[] = ALL;

/** Per-prefix arrays indexed by code (for hot loops that already know the prefix). */
export const OPS_MAIN: readonly (OpInfo | undefined)[] = MAIN;
export const OPS_FC: readonly (OpInfo | undefined)[] = FC;
export const OPS_FD: readonly (OpInfo | undefined)[] = FD;
export const OPS_FE: readonly (OpInfo | undefined)[] = FE;

/** O(1) lookup by prefix (0 for single-byte opcodes) and code. */
export function lookupOp(prefix: number, code: number): OpInfo | undefined {
  switch (prefix) {
    case 0:
      return MAIN[code];
    case 0xfc:
      return FC[code];
    case 0xfd:
      return FD[code];
    case 0xfe:
      return FE[code];
    default:
      return undefined;
  }
}

/** Lookup by text mnemonic (`select_t` for the typed select). */
export function opByName(name: string): OpInfo | undefined {
  return BY_NAME.get(name);
}

/** The operator named `name`; throws if the table has no such operator (for code emitters). */
export function op(name: string): OpInfo {
  const info = BY_NAME.get(name);
  if (!info) throw new Error(`no operator named ${name}`);
  return info;
}

/** Names of opcode prefixes this toolkit recognises but does not decode, for error messages. */
export const UNSUPPORTED_PREFIXES: ReadonlyMap<number, string> = new Map([
  [0xfb, 'GC proposal instruction (0xfb prefix)'],
]);
