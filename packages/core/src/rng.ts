/**
 * A seeded, splittable random number generator. Every random choice in decodekit draws from one,
 * so a run is reproducible from its seed, and `split()` gives independent streams (one per particle,
 * per beam, per worker) without sharing state.
 */
export interface Rng {
  /** A float in [0, 1) with 32 random bits. */
  next(): number;
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A new generator whose stream is independent of this one's; advances this one by one draw. */
  split(): Rng;
}

// SplitMix32-style finaliser: turns any 32-bit value into a well-mixed one. Used to derive seeds.
function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** (Blackman & Vigna): fast, 128-bit state, passes BigCrush. */
class Xoshiro128 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // Seed the four words from a SplitMix32 stream so that nearby seeds give unrelated states.
    let s = seed >>> 0;
    const nextSeed = () => {
      s = (s + 0x9e3779b9) >>> 0;
      return mix32(s);
    };
    this.a = nextSeed();
    this.b = nextSeed();
    this.c = nextSeed();
    this.d = nextSeed();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  split(): Rng {
    return new Xoshiro128(mix32(this.nextUint32() ^ 0x5bd1e995));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Creates a generator from an integer seed. The same seed always gives the same stream. */
export function createRng(seed = 0): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return new Xoshiro128(Math.floor(seed) >>> 0 || Math.floor(seed / 4294967296) ^ 0x2545f491);
}
