/**
 * The number of iterations chosen from the data (docs/algorithm.md §Iterations chosen from
 * the data): stop at the first iteration whose change of the unfolded result is below the
 * statistical noise of that result, measured with the data bootstraps.
 *
 * For every gen feature f and in-range bin k, H_n[k] is the unfolded histogram after
 * iteration n (H_0: the prior, w0) and σ_n²[k] the sample variance (divisor B − 1) of the
 * same histogram over the B data-bootstrap unfoldings. Then
 *
 *   D_n(f) = (B − 3)/(B − 1) · 1/ndf · Σ_k (H_n[k] − H_{n−1}[k])² / σ_n²[k]    over the ndf bins with σ_n² > 0
 *   D_n    = max over the features of D_n(f)
 *
 * The factor (B − 3)/(B − 1) makes D_n an unbiased estimate of the change's χ²/ndf: for a
 * sample variance of B normal values, E[σ²/σ_n²] = (B − 1)/(B − 3), so 1/σ_n² alone
 * overstates the χ² (threefold for B = 4); with fewer than 4 bootstraps that mean is
 * infinite, so at least 4 are needed.
 * and the chosen number is the first n with D_n < threshold (default 1: the last iteration
 * moved every observable by less than its statistical uncertainty, per bin on average); if
 * none is, the maximum, marked as not converged.
 */
import { InputError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';
import { binnedSums } from './quantities.js';

/** The criterion's settings. */
export interface IterationSearch {
  /** Iterations tried at most (default 10 from the CLI). */
  maxIterations: number;
  /** D_n below this stops the search (default 1). */
  threshold: number;
}

/** The choice and every iteration's criterion value, as stored in the metadata and summary. */
export interface IterationChoice {
  criterion: 'bootstrap-change';
  maxIterations: number;
  threshold: number;
  dataBootstraps: number;
  /** The chosen number of iterations. */
  chosen: number;
  /** False when no iteration up to `maxIterations` reached the threshold (then chosen = maxIterations). */
  converged: boolean;
  /** [maxIterations] D_n, n = 1..maxIterations: the largest over the features. */
  values: number[];
  /** Per gen feature: D_n(f) and its ndf, n = 1..maxIterations. */
  features: { feature: string; values: number[]; ndf: number[] }[];
}

/** Edges per feature, in feature order, and the gen features with their selection. */
export interface IterationBinning {
  names: readonly string[];
  edges: readonly (readonly number[])[];
  gen: FeatureMatrix;
  passGen: Uint8Array;
}

/** Data bootstraps the criterion needs at least (see the file comment). */
export const MIN_DATA_BOOTSTRAPS = 4;

/** The defaults of {@link IterationSearch}. */
export const ITERATION_SEARCH_DEFAULTS: Readonly<IterationSearch> = Object.freeze({ maxIterations: 10, threshold: 1 });

/**
 * Per feature, Σ w per in-range bin over the events passing gen, for each weight array:
 * [weights.length][nFeatures][nBins of the feature].
 */
export function iterationHistograms(binning: IterationBinning, weights: readonly Float64Array[]): Float64Array[][] {
  const { gen, passGen, edges } = binning;
  const columns = edges.map((_, f) => {
    const x = new Float64Array(gen.nEvents);
    for (let i = 0; i < gen.nEvents; i++) x[i] = gen.values[i * gen.nFeatures + f];
    return x;
  });
  return weights.map((w) => edges.map((e, f) => binnedSums(columns[f], w, e, passGen)));
}

/**
 * The criterion from histograms: `nominal[n][f]` for n = 0 (the prior) .. maxIterations,
 * `bootstraps[b][n][f]` for n = 1 .. maxIterations (index n − 1).
 *
 * @throws InputError with fewer than 2 bootstraps or histograms of the wrong shape
 */
export function chooseIterations(
  names: readonly string[],
  nominal: readonly (readonly Float64Array[])[],
  bootstraps: readonly (readonly (readonly Float64Array[])[])[],
  search: IterationSearch,
): IterationChoice {
  const B = bootstraps.length;
  if (B < MIN_DATA_BOOTSTRAPS)
    throw new InputError(`iteration choice must have at least ${MIN_DATA_BOOTSTRAPS} data bootstraps; got ${B}`);
  const unbias = (B - 3) / (B - 1);
  const nMax = search.maxIterations;
  if (nominal.length !== nMax + 1 || bootstraps.some((b) => b.length !== nMax))
    throw new InputError(`iteration choice histograms must cover iterations 0..${nMax}; got ${nominal.length - 1}`);
  const features = names.map((feature, f) => {
    const values: number[] = [];
    const ndf: number[] = [];
    for (let n = 1; n <= nMax; n++) {
      const h = nominal[n][f];
      const previous = nominal[n - 1][f];
      let chi2 = 0;
      let used = 0;
      for (let k = 0; k < h.length; k++) {
        let mean = 0;
        for (let b = 0; b < B; b++) mean += bootstraps[b][n - 1][f][k];
        mean /= B;
        let variance = 0;
        for (let b = 0; b < B; b++) variance += (bootstraps[b][n - 1][f][k] - mean) ** 2;
        variance /= B - 1;
        if (!(variance > 0)) continue;
        chi2 += (h[k] - previous[k]) ** 2 / variance;
        used++;
      }
      values.push(used > 0 ? (unbias * chi2) / used : NaN);
      ndf.push(used);
    }
    return { feature, values, ndf };
  });
  const values = Array.from({ length: nMax }, (_, n) =>
    features.reduce((m, f) => (Number.isNaN(f.values[n]) || f.values[n] <= m ? m : f.values[n]), NaN),
  );
  const first = values.findIndex((v) => v < search.threshold);
  return {
    criterion: 'bootstrap-change',
    maxIterations: nMax,
    threshold: search.threshold,
    dataBootstraps: B,
    chosen: first === -1 ? nMax : first + 1,
    converged: first !== -1,
    values,
    features,
  };
}

/** Throws an InputError unless `search` is a usable {@link IterationSearch}. */
export function checkIterationSearch(search: IterationSearch): void {
  if (!Number.isInteger(search.maxIterations) || search.maxIterations < 1)
    throw new InputError(`iteration search maxIterations must be a positive integer; got ${search.maxIterations}`);
  if (!(search.threshold > 0 && Number.isFinite(search.threshold)))
    throw new InputError(`iteration search threshold must be a positive number; got ${search.threshold}`);
}
