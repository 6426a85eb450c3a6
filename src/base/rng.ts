/**
 * Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers:
 * as easy as 1, 2, 3", SC'11), written with 32-bit integer arithmetic only, so every draw
 * is identical on every machine, Node version and worker count.
 *
 * Every random draw in the engine is keyed by a {@link RngKey}
 * `(seed, kind, replica, iteration, step, member)` and a `purpose` (initialisation,
 * shuffling, splitting, bootstrap). Different keys give independent streams; the same key
 * always gives the same stream. There is no global state and no `Math.random`.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Replica kinds, the second component of an {@link RngKey} (`coverage`: the pseudo-experiments of `check coverage`). */
export const REPLICA_KIND = Object.freeze({
  nominal: 0,
  data: 1,
  sim: 2,
  syst: 3,
  background: 4,
  coverage: 5,
} as const);
export type ReplicaKind = keyof typeof REPLICA_KIND;

/**
 * Classifier fits, the fifth component of an {@link RngKey}: the OmniFold steps, and
 * `reweight` for a fit of one sample to another outside the loop (src/algorithm/reweight.ts);
 * 0 is "not inside a fit".
 */
export const STEP = Object.freeze({ none: 0, step1: 1, misses: 2, step2: 3, fakes: 4, reweight: 5 } as const);
export type StepName = keyof typeof STEP;
/** The steps of one iteration, in the order the loop runs them. */
export const LOOP_STEPS = Object.freeze(['step1', 'misses', 'step2', 'fakes'] as const satisfies readonly StepName[]);

/**
 * What a stream is used for, so that one key can feed several independent streams.
 * `background` is the Poisson(1) bootstrap of the simulated background's weights, apart
 * from the data's (`bootstrap`) under the same replica key.
 */
export const PURPOSE = Object.freeze({ init: 1, shuffle: 2, split: 3, bootstrap: 4, toy: 5, background: 6 } as const);
export type Purpose = keyof typeof PURPOSE;

/**
 * The key of every random stream. All fields are non-negative integers below 2^32;
 * `iteration` is 1-based inside the loop and 0 outside it.
 */
export interface RngKey {
  seed: number;
  kind: ReplicaKind;
  replica: number;
  iteration: number;
  step: StepName;
  member: number;
}

/** High 32 bits of the 64-bit product of two uint32, exactly, with doubles < 2^53. */
function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const t = aHi * bLo + ((aLo * bLo) >>> 16);
  const w1 = (t & 0xffff) + aLo * bHi;
  return (aHi * bHi + (t >>> 16) + (w1 >>> 16)) >>> 0;
}

/**
 * Philox4x32-10 block function: encrypts the 128-bit counter `ctr` under the 64-bit key
 * `(k0, k1)` and writes four uint32 to `out` (which may alias `ctr`).
 */
export function philox4x32(ctr: ArrayLike<number>, k0: number, k1: number, out: Uint32Array): Uint32Array {
  let c0 = ctr[0] >>> 0;
  let c1 = ctr[1] >>> 0;
  let c2 = ctr[2] >>> 0;
  let c3 = ctr[3] >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ key0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ key1) >>> 0;
    c3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

function checkUint32(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`rng key ${name} must be an integer in [0, 2^32); got ${value}`);
  }
  return value;
}

/**
 * Derives the 64-bit Philox key of a stream from an {@link RngKey} and a purpose: one
 * Philox block over `(kind, replica, iteration, step·256 + purpose)` keyed by
 * `(seed, member)`. Distinct tuples give distinct keys (Philox is a bijection).
 */
export function streamKey(key: RngKey, purpose: Purpose): [number, number] {
  const ctr = [
    REPLICA_KIND[key.kind],
    checkUint32('replica', key.replica),
    checkUint32('iteration', key.iteration),
    STEP[key.step] * 256 + PURPOSE[purpose],
  ];
  const out = philox4x32(ctr, checkUint32('seed', key.seed), checkUint32('member', key.member), new Uint32Array(4));
  return [out[0] ^ out[2], out[1] ^ out[3]];
}

const TWO_POW_M53 = 1 / 9007199254740992;

/** Uniform double in [0, 1) from two uint32, with all 53 mantissa bits random. */
export function uint32PairToUnit(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) * TWO_POW_M53;
}

/**
 * A sequential stream over one key: block `i` is Philox(counter = (i_lo, i_hi, 0, 0)).
 * Cheap to create; draws never depend on how many other streams exist.
 */
export class RandomStream {
  private readonly k0: number;
  private readonly k1: number;
  private readonly block = new Uint32Array(4);
  private readonly ctr = [0, 0, 0, 0];
  private blockIndex = 0;
  private used = 4;

  constructor(key: RngKey, purpose: Purpose) {
    [this.k0, this.k1] = streamKey(key, purpose);
  }

  /** Next uniform uint32. */
  nextUint32(): number {
    if (this.used === 4) {
      this.ctr[0] = this.blockIndex >>> 0;
      this.ctr[1] = Math.floor(this.blockIndex / 4294967296);
      philox4x32(this.ctr, this.k0, this.k1, this.block);
      this.blockIndex++;
      this.used = 0;
    }
    return this.block[this.used++];
  }

  /** Next uniform double in [0, 1). */
  nextDouble(): number {
    const a = this.nextUint32();
    return uint32PairToUnit(a, this.nextUint32());
  }

  /** Uniform integer in [0, n), without modulo bias (n ≤ 2^32). */
  nextBelow(n: number): number {
    if (n <= 0) throw new RangeError(`nextBelow bound must be positive; got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** Fisher–Yates shuffle of `a` in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextBelow(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** Cumulative distribution of Poisson(1) up to k = 20, from e^-1 as a literal (no Math.exp). */
const POISSON1_CDF: Float64Array = (() => {
  const cdf = new Float64Array(21);
  let p = 0.36787944117144233; // e^-1
  let sum = 0;
  for (let k = 0; k <= 20; k++) {
    if (k > 0) p /= k;
    sum += p;
    cdf[k] = sum;
  }
  return cdf;
})();

/**
 * Poisson(1) bootstrap multiplicities for `nEvents` events: event i's draw comes from
 * Philox block i of the stream `(key, purpose)` (default `bootstrap`; the background's
 * weights use `background`), so any event's draw is independent of how events are
 * chunked. Returned as f64 for use as weight factors.
 */
export function poissonOneWeights(nEvents: number, key: RngKey, purpose: Purpose = 'bootstrap'): Float64Array {
  const [k0, k1] = streamKey(key, purpose);
  const out = new Float64Array(nEvents);
  const ctr = [0, 0, 0, 0];
  const block = new Uint32Array(4);
  for (let i = 0; i < nEvents; i++) {
    ctr[0] = i >>> 0;
    ctr[1] = Math.floor(i / 4294967296);
    philox4x32(ctr, k0, k1, block);
    const u = uint32PairToUnit(block[0], block[1]);
    let k = 0;
    while (k < 20 && u >= POISSON1_CDF[k]) k++;
    out[i] = k;
  }
  return out;
}

const FEISTEL_ROUNDS = 6; // even: the network runs in pairs of rounds

/** Round function of {@link RandomPermutation}: the murmur3 32-bit finaliser (int32 in, int32 out). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A keyed pseudo-random permutation of [0, n), evaluated one index at a time in O(1)
 * memory, so shuffling the events of a fit needs no [n] index array (a pool worker's
 * memory then does not grow with the data).
 *
 * A Feistel network on the b-bit integers, b = max(8, ⌈log₂ n⌉), whose two halves (⌈b/2⌉
 * and ⌊b/2⌋ bits) swap widths each round; 6 rounds with the murmur3 finaliser keyed by
 * Philox draws; restricted to [0, n) by cycle walking (Black & Rogaway, "Ciphers with
 * arbitrary finite domains", CT-RSA 2002): for n ≥ 128, 2^b < 2n, so fewer than two
 * network passes per index are expected (about 0.1 µs per index). Halves of at least 4
 * bits: with 1-bit halves positions were visibly non-uniform at n = 6; the χ² tests in
 * test/rng.test.ts guard this. Integer arithmetic only: the same key gives the same
 * permutation everywhere.
 *
 * @example
 * const perm = new RandomPermutation(10, new RandomStream(key, 'shuffle'));
 * perm.at(0);            // → some j in [0, 10); perm.inverse(j) === 0
 * perm.rekey(stream);    // a fresh permutation, e.g. for the next epoch
 */
export class RandomPermutation {
  /** Size of the domain [0, n). */
  readonly n: number;
  private readonly keys = new Int32Array(FEISTEL_ROUNDS);
  private readonly hi: number;
  private readonly lo: number;
  private readonly maskHi: number;
  private readonly maskLo: number;

  /** @param n domain size, an integer in [0, 2^32]; @param stream draws the round keys. */
  constructor(n: number, stream: RandomStream) {
    if (!Number.isInteger(n) || n < 0 || n > 4294967296)
      throw new RangeError(`permutation size must be an integer in [0, 2^32]; got ${n}`);
    this.n = n;
    let bits = 8;
    while (bits < 32 && 2 ** bits < n) bits++;
    this.lo = bits >>> 1;
    this.hi = bits - this.lo;
    this.maskHi = (1 << this.hi) - 1;
    this.maskLo = (1 << this.lo) - 1;
    this.rekey(stream);
  }

  /** Replaces the round keys by the next draws of `stream`: a new, independent permutation. */
  rekey(stream: RandomStream): void {
    for (let r = 0; r < FEISTEL_ROUNDS; r++) this.keys[r] = stream.nextUint32() | 0;
  }

  /**
   * Writes the descriptor read by asm/permute_u32.ts (which evaluates `at` for blocks of
   * indices in wasm): n − 1, the half widths hi and lo, then the round keys; 9 words.
   */
  describe(out: Uint32Array): void {
    out[0] = this.n - 1;
    out[1] = this.hi;
    out[2] = this.lo;
    for (let r = 0; r < FEISTEL_ROUNDS; r++) out[3 + r] = this.keys[r];
  }

  /** The image of `i` ∈ [0, n). */
  at(i: number): number {
    let x = i;
    do x = this.forward(x);
    while (x >= this.n);
    return x;
  }

  /** The index that maps to `j` ∈ [0, n): `at(inverse(j)) === j`. */
  inverse(j: number): number {
    let x = j;
    do x = this.backward(x);
    while (x >= this.n);
    return x;
  }

  /**
   * One pass of the network over the b-bit integers, as (top, bottom) → (bottom, top ⊕
   * F(bottom)), the widths swapping each round: (hi, lo) → (lo, hi) → (hi, lo) per pair.
   */
  private forward(x: number): number {
    const { hi, lo, maskHi, maskLo, keys } = this;
    for (let r = 0; r < FEISTEL_ROUNDS; r += 2) {
      let b = x & maskLo;
      x = (b << hi) | (((x >>> lo) ^ mix32(b ^ keys[r])) & maskHi);
      b = x & maskHi;
      x = (b << lo) | (((x >>> hi) ^ mix32(b ^ keys[r + 1])) & maskLo);
    }
    return x >>> 0;
  }

  /** The inverse pass: each pair of rounds undone, the last first. */
  private backward(x: number): number {
    const { hi, lo, maskHi, maskLo, keys } = this;
    for (let r = FEISTEL_ROUNDS - 2; r >= 0; r -= 2) {
      let b = x >>> lo;
      x = ((((x & maskLo) ^ mix32(b ^ keys[r + 1])) & maskLo) << hi) | b;
      b = x >>> hi;
      x = ((((x & maskHi) ^ mix32(b ^ keys[r])) & maskHi) << lo) | b;
    }
    return x >>> 0;
  }
}
