// How fuel and other bigint counters leave the process: JSON has no bigint, so every report, span
// attribute and profile goes through here. The rule (documented in the report): a JSON number when
// the value is a safe integer (|v| <= 2^53 - 1, i.e. always in practice: 2^53 fuel is ~100 days of
// execution), a decimal string beyond that, so no digit is ever lost. `parseFuel` reads both back.

/** A bigint as it appears in JSON output: a number when safe, else a decimal string. */
export type JsonBigint = number | string;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

export function bigintToJson(v: bigint): JsonBigint {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString(10);
}

/** Reads a value written by `bigintToJson` (or any integral number/decimal string) back. */
export function parseFuel(v: JsonBigint | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError(`not an integer: ${v}`);
    return BigInt(v);
  }
  if (!/^-?\d+$/.test(v)) throw new RangeError(`not a decimal integer: ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** Lossy conversion for viewers that only take numbers (profiles, rates). */
export function bigintToNumber(v: bigint | number): number {
  return typeof v === 'number' ? v : Number(v);
}

/** `1234567n` -> `1,234,567` (fixed locale so output is stable across machines). */
export function formatInteger(v: bigint | number): string {
  const s = (typeof v === 'number' ? Math.round(v) : v).toString(10);
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  return (neg ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1536` -> `1.5 KiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Share of `part` in `whole` in percent, exact for bigints up to 2 decimals; null when whole is 0. */
export function percentOf(part: bigint, whole: bigint): number | null {
  if (whole === 0n) return null;
  // Scaled integer division keeps precision when the figures exceed 2^53.
  const scaled = (part * 1_000_000n) / whole;
  return Math.round(Number(scaled) / 100) / 100;
}
