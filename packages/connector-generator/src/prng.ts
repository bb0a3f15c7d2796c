/**
 * A small, fast, seedable PRNG (sfc32, 128-bit state, passes PractRand to TiB scales) plus a
 * 32-bit mixer to derive independent streams from `(seed, stream, index)`.
 *
 * Why our own: every record gets a fresh, deterministic stream derived from `(seed, seq)`, so
 * record N can be produced without replaying records 0..N-1 (exact resume), and reseeding must
 * cost nanoseconds (faker's Mersenne Twister costs far more per seed).
 */

/** murmur3's 32-bit finaliser: a good avalanche on one word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Splits a non-negative safe integer into its low and high 32-bit words. */
function lo32(n: number): number {
  return n >>> 0;
}
function hi32(n: number): number {
  return Math.floor(n / 0x1_0000_0000) >>> 0;
}

const INV_2_32 = 1 / 0x1_0000_0000;

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;

  constructor(seed = 0) {
    this.reseed(seed, 0, 0);
  }

  /**
   * Resets the state to the stream identified by `(seed, stream, index)`: cheap, allocation
   * free, and two distinct triples give unrelated sequences.
   */
  reseed(seed: number, stream: number, index: number): void {
    const s0 = lo32(seed);
    const s1 = hi32(seed);
    const i0 = lo32(index);
    const i1 = hi32(index);
    let h = fmix32(s0 ^ 0x9e3779b9);
    h = fmix32(h ^ s1 ^ Math.imul(stream + 1, 0x27d4eb2d));
    this.a = fmix32(h ^ i0);
    this.b = fmix32(this.a ^ i1 ^ 0x165667b1);
    this.c = fmix32(this.b ^ i0 ^ 0xd3a2646c);
    this.d = 1;
    // sfc32's recommended warm-up so weak seeds do not show in the first outputs.
    for (let i = 0; i < 8; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness (enough for picks and weights). */
  next(): number {
    return this.u32() * INV_2_32;
  }

  /** Uniform float in [0, 1) with 53 bits of randomness (for faker, which expects a double). */
  nextDouble(): number {
    return (this.u32() * 0x20_0000 + (this.u32() >>> 11)) / 2 ** 53;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** A fresh random 32-bit seed for unseeded runs. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}
