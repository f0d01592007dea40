// Values of wabt's wast2json format (`{type, value}`, v128 lanes, nan:canonical/arithmetic, refs):
// lowering arguments to the bit patterns the call wrapper takes, and checking results read back
// as bit patterns. Floats never travel as JS numbers, so NaN payloads are compared exactly.

export interface SpecValue {
  type: string;
  /** Decimal bit pattern (integers unsigned), `nan:canonical`, `nan:arithmetic`, `null`, or lanes for v128. */
  value?: string | string[];
  lane_type?: string;
}

/** A result as the wrapper hands it back: integers and float bits as bigint, v128 as 16 bytes, refs as is. */
export type RawResult = bigint | Uint8Array | unknown;

/** Host values that stand for `(ref.extern N)`, shared by all instances so identity compares work. */
const externs = new Map<string, object>();
export function externRef(n: string): object {
  let o = externs.get(n);
  if (!o) {
    o = { extern: Number(n) };
    externs.set(n, o);
  }
  return o;
}

const LANES: Record<string, [number, number]> = { i8: [16, 1], i16: [8, 2], i32: [4, 4], i64: [2, 8], f32: [4, 4], f64: [2, 8] };

/** The 16 bytes of a v128 value given as lanes (each lane an unsigned decimal bit pattern). */
export function v128Bytes(v: SpecValue): Uint8Array {
  const [n, w] = LANES[v.lane_type ?? 'i32'];
  const out = new Uint8Array(16);
  const lanes = v.value as string[];
  for (let i = 0; i < n; i++) {
    let x = BigInt.asUintN(w * 8, BigInt(lanes[i]));
    for (let b = 0; b < w; b++) {
      out[i * w + b] = Number(x & 0xffn);
      x >>= 8n;
    }
  }
  return out;
}

/** The wrapper's lowered arguments for one spec argument. */
export function lowerArg(v: SpecValue): (number | bigint | unknown)[] {
  const s = v.value as string;
  switch (v.type) {
    case 'i32':
    case 'f32':
      return [Number(BigInt.asIntN(32, BigInt(s)))];
    case 'i64':
    case 'f64':
      return [BigInt.asIntN(64, BigInt(s))];
    case 'v128': {
      const b = v128Bytes(v);
      const dv = new DataView(b.buffer);
      return [0, 4, 8, 12].map((o) => dv.getInt32(o, true));
    }
    case 'externref':
      return [s === 'null' ? null : externRef(s)];
    case 'funcref':
      return [s === 'null' ? null : undefined];
    default:
      throw new Error(`unsupported argument type ${v.type}`);
  }
}

function nanMatches(bits: bigint, width: 32 | 64, kind: string): boolean {
  const expMask = width === 32 ? 0x7f800000n : 0x7ff0000000000000n;
  const quiet = width === 32 ? 0x00400000n : 0x0008000000000000n;
  const payload = width === 32 ? 0x007fffffn : 0x000fffffffffffffn;
  if ((bits & expMask) !== expMask || (bits & payload) === 0n) return false;
  if (kind === 'nan:canonical') return (bits & payload) === quiet;
  return (bits & quiet) === quiet; // nan:arithmetic
}

function scalarMatches(type: string, expected: string, bits: bigint): boolean {
  const width = type === 'i32' || type === 'f32' ? 32 : 64;
  const got = BigInt.asUintN(width, bits);
  if (expected.startsWith('nan:')) return nanMatches(got, width as 32 | 64, expected);
  return got === BigInt.asUintN(width, BigInt(expected));
}

/** Does a raw result match the expected spec value? */
export function matches(expected: SpecValue, got: RawResult): boolean {
  switch (expected.type) {
    case 'i32':
    case 'i64':
    case 'f32':
    case 'f64':
      return typeof got === 'bigint' && scalarMatches(expected.type, expected.value as string, got);
    case 'v128': {
      if (!(got instanceof Uint8Array)) return false;
      const [n, w] = LANES[expected.lane_type ?? 'i32'];
      const lanes = expected.value as string[];
      for (let i = 0; i < n; i++) {
        let x = 0n;
        for (let b = w - 1; b >= 0; b--) x = (x << 8n) | BigInt(got[i * w + b]);
        const t = expected.lane_type === 'f32' ? 'f32' : expected.lane_type === 'f64' ? 'f64' : w === 8 ? 'i64' : 'i32';
        if (t === 'i32' || t === 'i64') {
          if (BigInt.asUintN(w * 8, x) !== BigInt.asUintN(w * 8, BigInt(lanes[i]))) return false;
        } else if (!scalarMatches(t, lanes[i], x)) return false;
      }
      return true;
    }
    case 'externref':
      return expected.value === 'null' ? got === null : got === externRef(expected.value as string);
    case 'funcref':
      return expected.value === 'null' ? got === null : typeof got === 'function';
    default:
      return false;
  }
}

/** Same raw result (for comparing the instrumented variants with the plain one). */
export function sameRaw(a: RawResult, b: RawResult): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === 'function' && typeof b === 'function') return true; // different instances' functions
  return a === b;
}

export function showRaw(v: RawResult): string {
  if (v instanceof Uint8Array) return `v128:${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint') return `0x${BigInt.asUintN(64, v).toString(16)}`;
  return typeof v === 'function' ? 'funcref' : String(v);
}
