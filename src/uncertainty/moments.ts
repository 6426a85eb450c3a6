/**
 * Running co-moments of vectors: count, mean and the co-moment matrix
 * M2 = Σ (H_r − mean)(H_r − mean)ᵀ, merged with Chan et al.'s pairwise update ("Updating
 * formulae and a pairwise algorithm for computing sample variances", 1979). The
 * bootstrap families of a covariance (./covariance.ts) are summarised this way.
 */
import { InputError } from '../base/errors.js';

/** Running count, mean and co-moment matrix of vectors of length `n`. */
export class Moments {
  count = 0;
  /** [n] */
  readonly mean: Float64Array;
  /** [n × n], row-major: Σ (x − mean)(x − mean)ᵀ */
  readonly m2: Float64Array;

  constructor(readonly n: number) {
    this.mean = new Float64Array(n);
    this.m2 = new Float64Array(n * n);
  }

  /** The moments of a single vector: count 1, mean = x, M2 = 0. */
  static of(x: ArrayLike<number>): Moments {
    const m = new Moments(x.length);
    m.count = 1;
    m.mean.set(x);
    return m;
  }

  /** Adds one vector (Welford). */
  add(x: ArrayLike<number>): this {
    return this.merge(Moments.of(x));
  }

  /** Merges `other` into this (Chan): exact in exact arithmetic for any split. */
  merge(other: Moments): this {
    if (other.n !== this.n)
      throw new InputError(`merged moments must have the same length; got ${this.n} and ${other.n}`);
    if (other.count === 0) return this;
    if (this.count === 0) {
      this.count = other.count;
      this.mean.set(other.mean);
      this.m2.set(other.m2);
      return this;
    }
    const countA = this.count;
    const countB = other.count;
    const countAB = countA + countB;
    const n = this.n;
    const delta = new Float64Array(n);
    for (let k = 0; k < n; k++) delta[k] = other.mean[k] - this.mean[k];
    const f = (countA * countB) / countAB;
    // the upper triangle, mirrored: M2 stays exactly symmetric (f·δi·δj ≠ f·δj·δi in floating point)
    for (let i = 0; i < n; i++) {
      const fi = f * delta[i];
      for (let j = i; j < n; j++) {
        const v = this.m2[i * n + j] + (other.m2[i * n + j] + fi * delta[j]);
        this.m2[i * n + j] = v;
        this.m2[j * n + i] = v;
      }
    }
    for (let k = 0; k < n; k++) this.mean[k] += (delta[k] * countB) / countAB;
    this.count = countAB;
    return this;
  }

  /** Sample covariance M2/(count − 1), [n × n]; zeros when count < 2. */
  covariance(): Float64Array {
    const out = new Float64Array(this.n * this.n);
    if (this.count < 2) return out;
    for (let k = 0; k < out.length; k++) out[k] = this.m2[k] / (this.count - 1);
    return out;
  }
}

/**
 * Merges moments in a fixed pairwise tree over the list order: ((0 1)(2 3))((4 5)…).
 * The same list gives the same bits whatever produced its entries.
 */
export function mergeMoments(parts: readonly Moments[], n: number): Moments {
  if (parts.length === 0) return new Moments(n);
  let level = parts.map((p) => new Moments(p.n).merge(p));
  while (level.length > 1) {
    const next: Moments[] = [];
    for (let k = 0; k < level.length; k += 2) next.push(k + 1 < level.length ? level[k].merge(level[k + 1]) : level[k]);
    level = next;
  }
  return level[0];
}
