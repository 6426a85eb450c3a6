/**
 * How a published histogram is normalised, and its uncertainties with it
 * (docs/algorithm.md §Normalised histograms).
 *
 *   events        H_k = Σw over bin k (the unfolded yield per bin; the default)
 *   xsec:L[:U]    H_k / (L · Δ_k): a differential cross section in U (pb by default) per
 *                 unit of the observable, L the integrated luminosity in 1/U
 *   shape         H_k / (S · Δ_k), S = Σ_k H_k over the shown bins: unit area over them
 *
 * Δ_k is the width of bin k. Every replica (bootstrap, systematic, ensemble column, linked
 * alternative unfolding) is normalised with its own S before the covariances are taken,
 * so a shape-normalised covariance carries the normalisation's correlations (its rows sum
 * to about zero once multiplied by the widths). Without data bootstraps, the √Σw² stat
 * variance of a shape is propagated to first order through the ratio p_k = H_k / S:
 * Var p_k ≈ [s_k (1 − p_k)² + (s − s_k) p_k²] / S², s_k = Σw² in bin k, s = Σ_k s_k.
 */
import { InputError } from '../base/errors.js';
import type { WeightColumn } from './families.js';
import { nominalColumn, replicaUncertainties, type LinkedQuantity, type UncertaintyBreakdown } from './covariance.js';
import { binnedSums, histogramUncertainties } from './quantities.js';

/** A histogram's normalisation (`--normalise`). */
export type HistogramNormalisation =
  | { kind: 'events' }
  | {
      kind: 'xsec';
      /** integrated luminosity, in 1/`unit` */ luminosity: number;
      /** cross-section unit */ unit: string;
    }
  | { kind: 'shape' };

const SYNTAX = 'events, xsec:LUMI[:UNIT] (LUMI a positive number, in 1/UNIT; UNIT default pb) or shape';

/** Parses `events`, `xsec:LUMI[:UNIT]` or `shape`; `option` names the option in errors. */
export function parseNormalisation(text: string, option = '--normalise'): HistogramNormalisation {
  if (text === 'events' || text === 'shape') return { kind: text };
  const parts = text.split(':');
  if (parts[0] !== 'xsec' || parts.length < 2 || parts.length > 3)
    throw new InputError(`${option} must be ${SYNTAX}; got "${text}"`);
  const luminosity = parts[1].trim() === '' ? NaN : Number(parts[1]);
  if (!(Number.isFinite(luminosity) && luminosity > 0))
    throw new InputError(`${option} xsec:LUMI must have LUMI a finite positive number; got "${parts[1]}" in "${text}"`);
  const unit = parts.length === 3 ? parts[2].trim() : 'pb';
  if (unit === '') throw new InputError(`${option} xsec:LUMI:UNIT must have a non-empty UNIT; got "${text}"`);
  return { kind: 'xsec', luminosity, unit };
}

/** The normalisation as the option's text: `events`, `xsec:139:fb`, `shape`. */
export function normalisationText(n: HistogramNormalisation): string {
  return n.kind === 'xsec' ? `xsec:${n.luminosity}:${n.unit}` : n.kind;
}

/** One sentence: what the normalised values are. */
export function describeNormalisation(n: HistogramNormalisation): string {
  switch (n.kind) {
    case 'events':
      return 'sums of weights per bin (absolute, not divided by the bin width)';
    case 'xsec':
      return `differential cross section: sums of weights divided by the integrated luminosity ${n.luminosity} /${n.unit} and by the bin width`;
    case 'shape':
      return 'shape: normalised to unit area over the shown bins and divided by the bin width; every replica by its own area';
  }
}

/** [nBins] the bins' widths. */
function widths(edges: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: edges.length - 1 }, (_, k) => edges[k + 1] - edges[k]);
}

function total(values: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < values.length; k++) s += values[k];
  return s;
}

/** [nBins] the histogram `sums` (Σw per bin over `edges`) normalised by `n`. */
export function normaliseHistogram(
  sums: ArrayLike<number>,
  edges: ArrayLike<number>,
  n: HistogramNormalisation,
): Float64Array {
  if (n.kind === 'events') return Float64Array.from(sums);
  const width = widths(edges);
  const scale = n.kind === 'xsec' ? n.luminosity : total(sums);
  return Float64Array.from(width, (w, k) => sums[k] / (scale * w));
}

/**
 * [nBins] the √Σw² stat variance of the normalised histogram, from the sums `sums` and the
 * sums of squared weights `sumw2` per bin: scaled for events and xsec, the first-order
 * ratio formula (this file's header) for a shape.
 */
export function normaliseSumw2(
  sums: ArrayLike<number>,
  sumw2: ArrayLike<number>,
  edges: ArrayLike<number>,
  n: HistogramNormalisation,
): Float64Array {
  if (n.kind === 'events') return Float64Array.from(sumw2);
  const width = widths(edges);
  if (n.kind === 'xsec') return Float64Array.from(width, (w, k) => sumw2[k] / (n.luminosity * w) ** 2);
  const s = total(sums);
  const s2 = total(sumw2);
  return Float64Array.from(width, (w, k) => {
    const p = sums[k] / s;
    return (sumw2[k] * (1 - p) ** 2 + (s2 - sumw2[k]) * p * p) / (s * s) / (w * w);
  });
}

/** What {@link normalisedHistogramUncertainties} takes beside the histogram. */
export interface NormalisedHistogramOptions {
  /** Events with mask 0 are skipped. */
  mask?: ArrayLike<number>;
  /** The f of the ensemble standard error (default 1). */
  ensembleFactor?: number;
  /** Linked alternative unfoldings: their sums of weights per bin, normalised here like the nominal. */
  linked?: readonly LinkedQuantity[];
  /** What the histogram is, for errors (e.g. the observable's expression). */
  subject?: string;
}

/**
 * The histogram of `x` over `edges`, normalised by `normalisation`, with its uncertainties:
 * every weight column's histogram normalised on its own before the covariances are taken;
 * with fewer than 2 data bootstraps, the stat variance by {@link normaliseSumw2}. With
 * `events` it is {@link histogramUncertainties}, bit for bit.
 */
export function normalisedHistogramUncertainties(
  columns: readonly WeightColumn[],
  x: ArrayLike<number>,
  edges: ArrayLike<number>,
  normalisation: HistogramNormalisation,
  options: NormalisedHistogramOptions = {},
): UncertaintyBreakdown {
  const { mask, ensembleFactor = 1, linked = [] } = options;
  if (normalisation.kind === 'events') return histogramUncertainties(columns, x, edges, mask, ensembleFactor, linked);
  const w = nominalColumn(columns).values;
  const sums = binnedSums(x, w, edges, mask);
  if (normalisation.kind === 'shape' && !(total(sums) !== 0)) {
    throw new InputError(
      `--normalise shape must have a non-zero sum of weights over the bins${options.subject ? ` of ${options.subject}` : ''} to divide by; got ${total(sums)}`,
    );
  }
  const squared = Float64Array.from({ length: w.length }, (_, i) => w[i] * w[i]);
  const statVariance = normaliseSumw2(sums, binnedSums(x, squared, edges, mask), edges, normalisation);
  return replicaUncertainties(
    columns,
    (weights) => normaliseHistogram(binnedSums(x, weights, edges, mask), edges, normalisation),
    statVariance,
    ensembleFactor,
    linked.map((l) => ({ name: l.name, values: normaliseHistogram(l.values, edges, normalisation) })),
  );
}
