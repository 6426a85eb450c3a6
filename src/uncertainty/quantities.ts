/**
 * The uncertainties of the two quantities the engine reports from weight columns: the
 * histogram of an observable ({@link histogramUncertainties}, from {@link binnedSums}) and
 * the weighted mean of a moment ({@link meanUncertainties}), each with its own estimate of
 * the stat variance when there are no data bootstraps. The covariance algebra they feed is
 * src/uncertainty/covariance.ts.
 */
import { nominalColumn, replicaUncertainties, type LinkedQuantity, type UncertaintyBreakdown } from './covariance.js';
import type { WeightColumn } from './families.js';

/**
 * The histogram of `x` over `edges` (events with mask 0 skipped) with its uncertainties
 * from the weight columns; without data bootstraps its stat is √Σw² of the nominal weights.
 * `ensembleFactor`: the f of the ensemble standard error (the file's
 * `metadata.ensemble.standardErrorFactor`; default 1).
 */
export function histogramUncertainties(
  columns: readonly WeightColumn[],
  x: ArrayLike<number>,
  edges: ArrayLike<number>,
  mask?: ArrayLike<number>,
  ensembleFactor = 1,
  linked: readonly LinkedQuantity[] = [],
): UncertaintyBreakdown {
  const w = nominalColumn(columns).values;
  const squared = Float64Array.from({ length: w.length }, (_, i) => w[i] * w[i]);
  return replicaUncertainties(
    columns,
    (weights) => binnedSums(x, weights, edges, mask),
    binnedSums(x, squared, edges, mask),
    ensembleFactor,
    linked,
  );
}

/**
 * The weighted mean of `m` with its uncertainties from the weight columns; without data
 * bootstraps its stat is the weighted-variance estimate {@link weightedMeanVariance}.
 * `ensembleFactor` as for {@link histogramUncertainties}.
 */
export function meanUncertainties(
  columns: readonly WeightColumn[],
  m: ArrayLike<number>,
  mask?: ArrayLike<number>,
  ensembleFactor = 1,
  linked: readonly LinkedQuantity[] = [],
): UncertaintyBreakdown {
  const w = nominalColumn(columns).values;
  return replicaUncertainties(
    columns,
    (weights) => weightedMean(m, weights, mask),
    Float64Array.of(weightedMeanVariance(m, w, mask)),
    ensembleFactor,
    linked,
  );
}

/**
 * Variance of the weighted mean m̄ = Σw·m/Σw from the weights alone, each event
 * independent: Σ w²(m − m̄)² / (Σw)², over events with mask 1 and finite m.
 */
export function weightedMeanVariance(
  m: ArrayLike<number>,
  weights: ArrayLike<number>,
  mask?: ArrayLike<number>,
): number {
  const mean = weightedMean(m, weights, mask)[0];
  let sw = 0;
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    if ((mask !== undefined && !mask[i]) || !Number.isFinite(m[i])) continue;
    sw += weights[i];
    s += weights[i] * weights[i] * (m[i] - mean) ** 2;
  }
  return s / (sw * sw);
}

/**
 * One sentence on how `u.stat` was estimated, for a `quantity` that is a histogram or a
 * weighted mean, e.g. `stat: √Σw² of the nominal weights per bin (no data bootstraps; …)`.
 */
export function describeStat(u: UncertaintyBreakdown, quantity: 'histogram' | 'mean'): string {
  const b = u.nDataBootstraps;
  if (u.statEstimate === 'data_bootstraps') return `stat: sample covariance over ${b} data bootstraps`;
  const why = b === 0 ? 'no data bootstraps' : `${b} data bootstrap, too few for a covariance`;
  if (u.statEstimate === 'none') return `stat: not estimated (${why})`;
  const formula =
    quantity === 'histogram' ? '√Σw² of the nominal weights per bin' : '√(Σw²(m − m̄)²)/Σw of the nominal weights';
  return `stat: ${formula} (${why}; ignores the correlations the training induces)`;
}

/** Σw per in-range bin of `x` over `edges` (NaN skipped; events with mask 0 skipped). */
export function binnedSums(
  x: ArrayLike<number>,
  weights: ArrayLike<number>,
  edges: ArrayLike<number>,
  mask?: ArrayLike<number>,
): Float64Array {
  const nBins = edges.length - 1;
  const out = new Float64Array(nBins);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if ((mask !== undefined && !mask[i]) || !(v >= edges[0] && v < edges[nBins])) continue;
    let lo = 0;
    let hi = nBins;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (v >= edges[mid]) lo = mid;
      else hi = mid;
    }
    out[lo] += weights[i];
  }
  return out;
}

/** [1], the weighted mean Σw·m/Σw over events with mask 1 and finite m. */
export function weightedMean(m: ArrayLike<number>, weights: ArrayLike<number>, mask?: ArrayLike<number>): Float64Array {
  let sw = 0;
  let swm = 0;
  for (let i = 0; i < m.length; i++) {
    if ((mask !== undefined && !mask[i]) || !Number.isFinite(m[i])) continue;
    sw += weights[i];
    swm += weights[i] * m[i];
  }
  return Float64Array.of(swm / sw);
}
