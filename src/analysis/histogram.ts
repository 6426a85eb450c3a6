/**
 * Weighted 1-D histograms: sum of weights and sum of squared weights per bin, with
 * underflow and overflow slots. Scaling by k multiplies sumw by k and sumw2 by k².
 */
import { InputError } from '../base/errors.js';
import { histFillF64 } from '../kernels/hist_fill_f64.js';

/** A weighted histogram over strictly increasing `edges`. */
export class Histogram {
  /** [nBins + 1], strictly increasing. */
  readonly edges: Float64Array;
  /** [nBins + 2]: slot 0 underflow, slots 1..nBins the bins, slot nBins + 1 overflow. */
  readonly sumw: Float64Array;
  /** [nBins + 2], same slots as {@link sumw}. */
  readonly sumw2: Float64Array;
  /** Values that were NaN and therefore not filled. */
  nNaN = 0;

  constructor(edges: ArrayLike<number>) {
    checkEdges('edges', edges);
    this.edges = Float64Array.from(edges);
    this.sumw = new Float64Array(this.edges.length + 1);
    this.sumw2 = new Float64Array(this.edges.length + 1);
  }

  /** `nBins` equal bins on [lo, hi). */
  static uniform(lo: number, hi: number, nBins: number): Histogram {
    if (!Number.isInteger(nBins) || nBins < 1) throw new InputError(`nBins must be a positive integer; got ${nBins}`);
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo))
      throw new InputError(`range must satisfy lo < hi, both finite; got [${lo}, ${hi}]`);
    const edges = new Float64Array(nBins + 1);
    for (let k = 0; k <= nBins; k++) edges[k] = lo + ((hi - lo) * k) / nBins;
    edges[nBins] = hi;
    return new Histogram(edges);
  }

  get nBins(): number {
    return this.edges.length - 1;
  }

  /**
   * Slot of value `x`: 0 below edges[0], k for edges[k-1] ≤ x < edges[k], nBins + 1 at or
   * above the last edge; -1 for NaN.
   */
  slot(x: number): number {
    const e = this.edges;
    if (Number.isNaN(x)) return -1;
    if (x < e[0]) return 0;
    if (x >= e[e.length - 1]) return e.length;
    let lo = 0;
    let hi = e.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (x >= e[mid]) lo = mid;
      else hi = mid;
    }
    return lo + 1;
  }

  /**
   * Adds events `x` with weights `w` (1 each if omitted), only where `mask` is non-zero if a
   * mask is given. NaN values are skipped and counted in {@link nNaN}.
   */
  fill(x: ArrayLike<number>, w?: ArrayLike<number>, mask?: ArrayLike<number>): this {
    if (w !== undefined && w.length !== x.length) {
      throw new InputError(`weights must have the same length as values; got ${w.length} and ${x.length}`);
    }
    if (mask === undefined) {
      // wasm kernel (asm/hist_fill_f64.ts): same slots, same per-slot summation order
      const xs = x instanceof Float64Array || x instanceof Float32Array ? x : Float64Array.from(x);
      const weights64 = w === undefined || w instanceof Float64Array ? w : Float64Array.from(w);
      this.nNaN += histFillF64(xs, weights64, this.edges, this.sumw, this.sumw2);
      return this;
    }
    for (let i = 0; i < x.length; i++) {
      if (!mask[i]) continue;
      const k = this.slot(x[i]);
      if (k < 0) {
        this.nNaN++;
        continue;
      }
      const wi = w === undefined ? 1 : w[i];
      this.sumw[k] += wi;
      this.sumw2[k] += wi * wi;
    }
    return this;
  }

  /** [nBins], the in-range sums of weights. */
  values(): Float64Array {
    return this.sumw.slice(1, this.sumw.length - 1);
  }

  /** [nBins], sqrt(sumw2) of the in-range bins. */
  errors(): Float64Array {
    return this.sumw2.slice(1, this.sumw2.length - 1).map(Math.sqrt);
  }

  /** Σ sumw over in-range bins. */
  total(): number {
    let s = 0;
    for (let k = 1; k < this.sumw.length - 1; k++) s += this.sumw[k];
    return s;
  }

  /** Multiplies the contents by `k` (sumw by k, sumw2 by k²). */
  scale(k: number): this {
    for (let i = 0; i < this.sumw.length; i++) {
      this.sumw[i] *= k;
      this.sumw2[i] *= k * k;
    }
    return this;
  }
}

/** Throws unless `edges` has ≥ 2 finite, strictly increasing values. */
export function checkEdges(name: string, edges: ArrayLike<number>): void {
  if (edges.length < 2) throw new InputError(`${name} must hold at least 2 edges; got ${edges.length}`);
  for (let k = 0; k < edges.length; k++) {
    if (!Number.isFinite(edges[k])) throw new InputError(`${name} must be finite; got ${edges[k]} at index ${k}`);
    if (k > 0 && !(edges[k] > edges[k - 1])) {
      throw new InputError(`${name} must be strictly increasing; got ${edges[k - 1]} then ${edges[k]} at index ${k}`);
    }
  }
}
