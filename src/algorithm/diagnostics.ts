/**
 * Per-step and per-iteration diagnostics of the OmniFold loop: effective sample size,
 * relative change, finite-weight guard and the reco-level χ² of pull-weighted sim vs data
 * (minus background).
 * Sums run in event order.
 */
import { NumericalError } from '../base/errors.js';
import { column, type FeatureMatrix } from '../base/features.js';
import { Histogram } from '../analysis/histogram.js';

/** Bins of the reco-level χ² histograms. */
export const RECO_CHI2_BINS = 20;

/** (Σ w0·x)² / Σ (w0·x)² over the events `rows`. */
export function effectiveSampleSize(w0: Float64Array, x: Float64Array, rows: Uint32Array): number {
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < rows.length; k++) {
    const w = w0[rows[k]] * x[rows[k]];
    s += w;
    s2 += w * w;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/** Σ |w0·(x − prev)| / Σ |w0·prev| over the events `rows` (0 when both are 0). */
export function relativeChange(w0: Float64Array, x: Float64Array, prev: Float64Array, rows: Uint32Array): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    num += Math.abs(w0[i] * x[i] - w0[i] * prev[i]);
    den += Math.abs(w0[i] * prev[i]);
  }
  return den > 0 ? num / den : num > 0 ? Infinity : 0;
}

/** Throws a NumericalError naming the first event in `rows` whose weight `x` is not finite. */
export function checkFinite(name: string, x: Float64Array, rows: Uint32Array, where: string): void {
  for (let k = 0; k < rows.length; k++) {
    const v = x[rows[k]];
    if (!Number.isFinite(v))
      throw new NumericalError(`${name} of sim event ${rows[k]} must be finite; got ${v} (${where})`);
  }
}

/** Reco-level closure: data histograms per feature, fixed before the loop. */
export class RecoChi2 {
  private readonly edges: (Float64Array | null)[];
  private readonly dataHists: (Histogram | null)[];
  private readonly simColumns: Float32Array[];

  /**
   * @param simReco [nPassReco × nReco] sim reco features of events passing reco
   * @param dataReco [nData × nReco]
   * @param background simulated background, subtracted from the data histograms (its
   *   weights negated; its w² adds to their variance); the bins stay over the data's range
   */
  constructor(
    simReco: FeatureMatrix,
    dataReco: FeatureMatrix,
    dataWeights: Float64Array,
    private readonly names: string[],
    background?: { reco: FeatureMatrix; weights: Float64Array },
  ) {
    this.simColumns = [];
    this.edges = [];
    this.dataHists = [];
    const negated = background && Float64Array.from(background.weights, (w) => -w);
    for (let f = 0; f < dataReco.nFeatures; f++) {
      const d = column(dataReco, f);
      this.simColumns.push(column(simReco, f));
      const edges = dataRangeEdges(d);
      this.edges.push(edges);
      const histogram = edges ? new Histogram(edges).fill(d, dataWeights) : null;
      if (histogram && background && negated) histogram.fill(column(background.reco, f), negated);
      this.dataHists.push(histogram);
    }
  }

  /** χ² and ndf per feature of sim weighted by `simWeights` ([nPassReco]) against data. */
  evaluate(simWeights: Float64Array): { feature: string; chi2: number; ndf: number }[] {
    return this.simColumns.map((x, f) => {
      const edges = this.edges[f];
      const dh = this.dataHists[f];
      if (!edges || !dh) return { feature: this.names[f], chi2: 0, ndf: 0 };
      const sh = new Histogram(edges).fill(x, simWeights);
      let chi2 = 0;
      let ndf = 0;
      for (let k = 1; k <= sh.nBins; k++) {
        const variance = sh.sumw2[k] + dh.sumw2[k];
        if (!(variance > 0)) continue;
        const diff = sh.sumw[k] - dh.sumw[k];
        chi2 += (diff * diff) / variance;
        ndf++;
      }
      return { feature: this.names[f], chi2, ndf };
    });
  }
}

/** RECO_CHI2_BINS equal bins over [min, max] of `x`, the last edge nudged up to include max; null if min = max. */
function dataRangeEdges(x: Float32Array): Float64Array | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  if (!(hi > lo)) return null;
  const edges = new Float64Array(RECO_CHI2_BINS + 1);
  for (let k = 0; k <= RECO_CHI2_BINS; k++) edges[k] = lo + ((hi - lo) * k) / RECO_CHI2_BINS;
  edges[RECO_CHI2_BINS] = hi + (hi - lo) * 1e-9;
  return edges;
}
