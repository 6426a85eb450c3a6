/**
 * `summary.json`: per-iteration diagnostics and, for every gen feature, the prior and
 * unfolded histograms (sum of weights and of squared weights per bin), the truth where
 * known, and shape χ²/ndf of prior vs truth and unfolded vs truth.
 *
 * χ² compares shapes: each histogram is divided by its in-range total, the variances
 * (sumw2) by the total squared; χ² = Σ_k (a_k − b_k)² / (σa_k² + σb_k²) over bins where
 * the variance is positive, ndf = (those bins) − 1. The unfolded variance is sumw2 of the
 * final weights: it ignores the correlations the training induces, so χ²/ndf is a
 * closure indicator, not a p-value. With 2 or more data bootstraps the summary also gives
 * `unfoldedVsTruthBootstrap`: the same shape χ² with the unfolded variance taken from the
 * replicas, per bin the sample variance of the shape over the data bootstraps plus, with 2
 * or more, over the sim bootstraps (the statistics of the data, of the sim and of the
 * training together), the truth's sumw2 added as before.
 *
 * This file computes the summary and its JSON text on any platform; src/publish/summary.ts
 * writes it to a file.
 */
import { InputError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';
import { Histogram } from '../analysis/histogram.js';
import type { IterationDiagnostics } from '../algorithm/types.js';
import type { IterationChoice } from '../uncertainty/iteration_choice.js';
import { replicaUncertainties } from '../uncertainty/covariance.js';
import type { WeightColumn } from '../uncertainty/families.js';

/** One weighted histogram: in-range bins only (under/overflow reported separately). */
export interface HistogramSums {
  sumw: number[];
  sumw2: number[];
  underflow: number;
  overflow: number;
}

/** A χ² with its degrees of freedom. */
export interface Chi2 {
  chi2: number;
  ndf: number;
}

/** A shape χ² whose unfolded variance comes from bootstrap replicas. */
export interface BootstrapChi2 extends Chi2 {
  dataBootstraps: number;
  /** Sim bootstraps whose variance is added (0 when fewer than 2). */
  simBootstraps: number;
}

/** The histograms of one gen feature. */
export interface FeatureSummary {
  feature: string;
  edges: number[];
  prior: HistogramSums;
  unfolded: HistogramSums;
  truth?: HistogramSums;
  priorVsTruth?: Chi2;
  unfoldedVsTruth?: Chi2;
  /** With 2 or more data bootstraps: the χ² with their variance (module note). */
  unfoldedVsTruthBootstrap?: BootstrapChi2;
}

/** The whole summary file. */
export interface RunSummary {
  format: 'omnifold-summary';
  formatVersion: 1;
  iterations: IterationDiagnostics[];
  nDropped: number;
  features: FeatureSummary[];
  /** The run's warnings (ESS, clipped ratios, χ² worse than the prior), whether or not plots were made. */
  warnings?: { kind: string; where: string; message: string }[];
  /**
   * Facts of this execution that do not change the result (threads, output folder, wall
   * time); kept here, out of weights.arrow, whose bytes depend on the configuration only.
   */
  run?: Record<string, unknown>;
  /** With `--iterations auto`: the request, the choice and every iteration's criterion value. */
  iterationChoice?: IterationChoice & { requested: string };
}

/** What {@link summarize} needs. */
export interface SummaryInput {
  genNames: readonly string[];
  /** [nSim × nGen] sim gen features and the gen-selection mask. */
  gen: FeatureMatrix;
  passGen: Uint8Array;
  priorWeights: Float64Array;
  /** Final unfolded weights w0·ν. */
  weights: Float64Array;
  truth?: { gen: FeatureMatrix; weights: Float64Array; passGen: Uint8Array };
  /** Edges per feature name; features without an entry get {@link autoEdges}. */
  bins?: Readonly<Record<string, readonly number[]>>;
  iterations: IterationDiagnostics[];
  nDropped: number;
  /**
   * The run's weight columns (nominal, data and sim bootstraps, …): with 2 or more data
   * bootstraps they give `unfoldedVsTruthBootstrap`.
   */
  columns?: readonly WeightColumn[];
}

/**
 * `nBins` equal bins between the 0.5 % and 99.5 % quantiles of the selected values (or
 * around the value if they are all equal).
 */
export function autoEdges(x: FeatureMatrix, feature: number, mask: Uint8Array, nBins = 20): number[] {
  const v: number[] = [];
  for (let i = 0; i < x.nEvents; i++) if (mask[i]) v.push(x.values[i * x.nFeatures + feature]);
  if (v.length === 0) return [0, 1];
  v.sort((a, b) => a - b);
  let lo = v[Math.floor(0.005 * (v.length - 1))];
  let hi = v[Math.ceil(0.995 * (v.length - 1))];
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  return Array.from({ length: nBins + 1 }, (_, k) => (k === nBins ? hi : lo + ((hi - lo) * k) / nBins));
}

function fill(
  edges: readonly number[],
  x: FeatureMatrix,
  feature: number,
  w: Float64Array,
  mask: Uint8Array,
): HistogramSums {
  const h = new Histogram(edges);
  const values = new Float64Array(x.nEvents);
  for (let i = 0; i < x.nEvents; i++) values[i] = x.values[i * x.nFeatures + feature];
  h.fill(values, w, mask);
  const n = h.nBins;
  return {
    sumw: Array.from(h.sumw.subarray(1, n + 1)),
    sumw2: Array.from(h.sumw2.subarray(1, n + 1)),
    underflow: h.sumw[0],
    overflow: h.sumw[n + 1],
  };
}

/**
 * Shape χ² of two histograms over the same bins (see the module note); `varianceA(k, ta)`
 * replaces a's shape variance in bin k (its sumw2 / ta² by default).
 */
export function shapeChi2(
  a: HistogramSums,
  b: HistogramSums,
  varianceA = (k: number, ta: number) => a.sumw2[k] / (ta * ta),
): Chi2 {
  const ta = a.sumw.reduce((s, v) => s + v, 0);
  const tb = b.sumw.reduce((s, v) => s + v, 0);
  if (!(ta > 0 && tb > 0)) return { chi2: NaN, ndf: 0 };
  let chi2 = 0;
  let used = 0;
  for (let k = 0; k < a.sumw.length; k++) {
    const variance = varianceA(k, ta) + b.sumw2[k] / (tb * tb);
    if (!(variance > 0)) continue;
    const d = a.sumw[k] / ta - b.sumw[k] / tb;
    chi2 += (d * d) / variance;
    used++;
  }
  return { chi2, ndf: Math.max(used - 1, 0) };
}

/** In-range bin sums of feature `f` with weights `w`, divided by their total (zeros for a zero total). */
function shape(
  edges: readonly number[],
  x: FeatureMatrix,
  f: number,
  w: ArrayLike<number>,
  mask: Uint8Array,
): Float64Array {
  const sums = fill(edges, x, f, Float64Array.from(w), mask).sumw;
  const total = sums.reduce((a, v) => a + v, 0);
  return Float64Array.from(sums, (v) => (total > 0 ? v / total : 0));
}

/** The shape χ² of the unfolded histogram against the truth with the bootstrap variance (module note). */
function bootstrapChi2(
  input: SummaryInput,
  f: number,
  edges: readonly number[],
  unfolded: HistogramSums,
  truth: HistogramSums,
): BootstrapChi2 | undefined {
  const columns = (input.columns ?? []).filter(
    (c) => c.family === 'nominal' || c.family === 'data_bootstrap' || c.family === 'sim_bootstrap',
  );
  const count = (family: string) => columns.filter((c) => c.family === family).length;
  const dataBootstraps = count('data_bootstrap');
  if (dataBootstraps < 2) return undefined;
  const simBootstraps = count('sim_bootstrap') >= 2 ? count('sim_bootstrap') : 0;
  const u = replicaUncertainties(columns, (w) => shape(edges, input.gen, f, w, input.passGen));
  const n = edges.length - 1;
  const variance = (k: number) => u.stat[k * n + k] + (simBootstraps > 0 ? u.simStat[k * n + k] : 0);
  return { ...shapeChi2(unfolded, truth, variance), dataBootstraps, simBootstraps };
}

/** Builds the summary: histograms of every gen feature with χ² against the truth. */
export function summarize(input: SummaryInput): RunSummary {
  const { gen, truth } = input;
  if (truth !== undefined && truth.gen.nFeatures !== gen.nFeatures) {
    throw new InputError(
      `truth must have the same gen features as the sim; got ${truth.gen.nFeatures} features, wanted ${gen.nFeatures}`,
    );
  }
  const features = input.genNames.map((feature, f): FeatureSummary => {
    const edges = [...(input.bins?.[feature] ?? autoEdges(gen, f, input.passGen))];
    const prior = fill(edges, gen, f, input.priorWeights, input.passGen);
    const unfolded = fill(edges, gen, f, input.weights, input.passGen);
    const out: FeatureSummary = { feature, edges, prior, unfolded };
    if (truth !== undefined) {
      out.truth = fill(edges, truth.gen, f, truth.weights, truth.passGen);
      out.priorVsTruth = shapeChi2(prior, out.truth);
      out.unfoldedVsTruth = shapeChi2(unfolded, out.truth);
      const withReplicas = bootstrapChi2(input, f, edges, unfolded, out.truth);
      if (withReplicas !== undefined) out.unfoldedVsTruthBootstrap = withReplicas;
    }
    return out;
  });
  return {
    format: 'omnifold-summary',
    formatVersion: 1,
    iterations: input.iterations,
    nDropped: input.nDropped,
    features,
  };
}

/** The text of `summary.json`: indented JSON (NaN becomes null), ending in a newline. */
export function summaryJson(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 1)}\n`;
}
