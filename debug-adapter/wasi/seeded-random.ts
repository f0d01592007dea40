// Random bytes for random_get: the host's CSPRNG, or a seeded xoshiro128** for deterministic runs
// (same seed, same bytes; not for cryptography, and the audit trail says which one a run used).
import { randomFillSync } from 'node:crypto';

export interface RandomSource {
  readonly seeded: boolean;
  fill(target: Uint8Array): void;
}

export class HostRandom implements RandomSource {
  readonly seeded = false;
  fill(target: Uint8Array): void {
    // randomFillSync refuses views over a SharedArrayBuffer-backed memory on some versions: copy.
    if (target.buffer instanceof SharedArrayBuffer) target.set(randomFillSync(new Uint8Array(target.length)));
    else randomFillSync(target);
  }
}

export class SeededRandom implements RandomSource {
  readonly seeded = true;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: bigint | number) {
    // splitmix64 expands the seed into the 128-bit state (never all zero).
    let x = BigInt.asUintN(64, BigInt(seed));
    const next = (): bigint => {
      x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
      let z = x;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      return z ^ (z >> 31n);
    };
    const a = next();
    const b = next();
    this.s0 = Number(a & 0xffffffffn) >>> 0;
    this.s1 = Number(a >> 32n) >>> 0;
    this.s2 = Number(b & 0xffffffffn) >>> 0;
    this.s3 = Number(b >> 32n) >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  private nextU32(): number {
    const rotl = (v: number, k: number): number => (v << k) | (v >>> (32 - k));
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  fill(target: Uint8Array): void {
    let i = 0;
    while (i < target.length) {
      let v = this.nextU32();
      for (let k = 0; k < 4 && i < target.length; k++, i++) {
        target[i] = v & 0xff;
        v >>>= 8;
      }
    }
  }
}
