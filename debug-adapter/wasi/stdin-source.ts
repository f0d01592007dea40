// What fd 0 reads: a byte buffer given up front, or a pull function the runtime supplies (the
// debug console, a pipe); a pull may hand back more than was asked, and the rest waits for the
// next read. `null` or an empty chunk from a pull means end of input.
export type StdinOption = Uint8Array | ((max: number) => Uint8Array | null);

export class StdinSource {
  private pending: Uint8Array = new Uint8Array(0);
  private ended = false;

  constructor(private readonly src: StdinOption | undefined) {
    if (src instanceof Uint8Array) {
      this.pending = src;
      this.ended = true;
    } else if (!src) this.ended = true;
  }

  /** Up to `max` bytes; an empty result means end of input. */
  read(max: number): Uint8Array {
    if (this.pending.length === 0 && !this.ended && typeof this.src === 'function') {
      const chunk = this.src(max);
      if (!chunk || chunk.length === 0) this.ended = true;
      else this.pending = chunk;
    }
    const n = Math.min(max, this.pending.length);
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** Bytes known to be ready now (undefined when only a pull would tell). */
  available(): number | undefined {
    if (this.pending.length > 0 || this.ended) return this.pending.length;
    return undefined;
  }

  get atEnd(): boolean {
    return this.ended && this.pending.length === 0;
  }
}
