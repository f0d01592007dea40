// The map between code offsets of the original module and of its instrumented rewrite, both ways,
// for every instruction. Offsets are module-relative (what V8 stack traces and DWARF-after-adding-
// the-code-section-start use).
//
// Representation: a list of points (orig, new), each starting a segment that runs to the next
// point. A segment whose two lengths are equal is *linear*: bytes were copied (or an instruction
// was re-encoded at the same length), so any offset inside maps by its distance from the start. A
// segment whose lengths differ is *opaque*: injected code (original length 0) or an instruction
// re-encoded at another length; every offset inside maps to the segment's start. Injected code
// therefore maps back to the original instruction it precedes. Points are merged when two
// consecutive segments are linear with the same delta, so the map grows with the number of
// injection points, not with the number of instructions.

/** Growable pair of Uint32Arrays, used while building. */
export class OffsetMapBuilder {
  private orig: Uint32Array;
  private neu: Uint32Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.orig = new Uint32Array(Math.max(16, capacity));
    this.neu = new Uint32Array(Math.max(16, capacity));
  }
  /** Index of the first point after the last barrier: points before it are never merged with later ones. */
  private fence = 0;

  /** Number of points so far. */
  get count(): number {
    return this.n;
  }

  /** The next point starts a segment of its own (never merged with the one before). */
  barrier(): void {
    this.fence = this.n;
  }

  /** Add `delta` to the instrumented offset of points `from`..end (they were built in another space). */
  shiftFrom(from: number, delta: number): void {
    const neu = this.neu;
    for (let i = from; i < this.n; i++) neu[i] += delta;
  }

  /** Start a new segment at original offset `o` / instrumented offset `x` (both non-decreasing). */
  point(o: number, x: number): void {
    let n = this.n;
    const orig = this.orig;
    const neu = this.neu;
    if (n > this.fence) {
      const lo = orig[n - 1];
      const lx = neu[n - 1];
      if (lo === o && lx === x) return;
      // Drop the previous point when it sits inside one straight line with its predecessor.
      if (n - 1 > this.fence && o - lo === x - lx && lo - orig[n - 2] === lx - neu[n - 2]) {
        orig[n - 1] = o;
        neu[n - 1] = x;
        return;
      }
    }
    if (n === orig.length) {
      this.orig = grow(orig);
      this.neu = grow(neu);
    }
    this.orig[n] = o;
    this.neu[n] = x;
    this.n = ++n;
  }

  /** Close the map with the end of the code in both modules. */
  finish(origEnd: number, newEnd: number): OffsetMap {
    this.point(origEnd, newEnd);
    return new OffsetMap(this.orig.slice(0, this.n), this.neu.slice(0, this.n));
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Last index i with a[i] <= x (ties: the last of equal keys), or -1. */
function floorIndex(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export class OffsetMap {
  /**
   * `orig[i]`, `instrumented[i]`: segment starts; the last entry is the end of the code in both
   * modules. Exposed for consumers that want to bulk-translate (e.g. a DWARF line table).
   */
  constructor(
    readonly orig: Uint32Array,
    readonly instrumented: Uint32Array,
  ) {}

  /** Number of segments (points minus the end sentinel). */
  get segments(): number {
    return Math.max(0, this.orig.length - 1);
  }

  /** Bytes held by the two arrays. */
  get byteLength(): number {
    return this.orig.byteLength + this.instrumented.byteLength;
  }

  /**
   * Instrumented offset of original offset `o` (the instruction itself, after any code injected
   * before it), or -1 when `o` lies outside the code that was mapped.
   */
  toInstrumented(o: number): number {
    const a = this.orig;
    const b = this.instrumented;
    const last = a.length - 1;
    if (last < 0 || o < a[0] || o >= a[last]) return -1;
    const i = floorIndex(a, o);
    const lenO = a[i + 1] - a[i];
    return lenO === b[i + 1] - b[i] ? b[i] + (o - a[i]) : b[i];
  }

  /**
   * Original offset of instrumented offset `x`: inside copied code the exact byte, inside an
   * injected sequence the original instruction that follows it, inside a re-encoded instruction
   * that instruction's start. -1 outside the mapped code.
   */
  toOriginal(x: number): number {
    const a = this.orig;
    const b = this.instrumented;
    const last = b.length - 1;
    if (last < 0 || x < b[0] || x >= b[last]) return -1;
    const i = floorIndex(b, x);
    const lenX = b[i + 1] - b[i];
    return lenX === a[i + 1] - a[i] ? a[i] + (x - b[i]) : a[i];
  }

  /**
   * True when instrumented offset `x` lies in code the instrumenter injected (not in an original
   * instruction, copied or re-encoded).
   */
  isInjected(x: number): boolean {
    const a = this.orig;
    const b = this.instrumented;
    const last = b.length - 1;
    if (last < 0 || x < b[0] || x >= b[last]) return false;
    const i = floorIndex(b, x);
    return a[i + 1] === a[i];
  }
}
