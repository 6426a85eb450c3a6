/**
 * Reweighting one sample to another (docs/algorithm.md, "Reweighting"): a classifier
 * trained to tell the source (class 0) from the target (class 1) on chosen features (for a
 * particle-level classifier such as the PFN, each event's particle set, with or without
 * them) gives the density ratio p_target(x)/p_source(x), and the source events weighted
 * by it follow the target's distribution of what the classifier reads. This is OmniFold's step 1 on its own, with
 * the same classifiers, ensembles, guards and random streams (step `reweight`); it serves
 * generator tuning (weight one generator to another) and the alternative-generator
 * systematics (src/uncertainty/generator_systematics.ts).
 */
import { fail, knownKeys, oneOf } from '../base/checks.js';
import { InputError, NumericalError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';
import type { ReplicaKind } from '../base/rng.js';
import type { FitInfo } from '../classifiers/classifier.js';
import { combineRatios } from './combine.js';
import { checkFinite, RecoChi2 } from './diagnostics.js';
import { InProcessRunner } from './in_process_runner.js';
import { checkClassifierMatrices, checkMatrix, resolveUnfoldOptions, sameParticleFeatures } from './options.js';
import type { MemberRunner, StepJob, UnfoldOptions, UnfoldProgress } from './types.js';

/** Events to reweight from, or to: features and per-event weights (negative allowed). */
export interface ReweightSample {
  /**
   * [nEvents × nFeatures], with particle sets (`x.particles`) for a particle-level
   * classifier such as the PFN; then nFeatures may be 0.
   */
  x: FeatureMatrix;
  /** [nEvents] */
  weights: Float64Array;
}

/** What the reweighted weights sum to. */
export const REWEIGHT_NORMALISATIONS = Object.freeze(['target', 'source'] as const);
export type ReweightNormalisation = (typeof REWEIGHT_NORMALISATIONS)[number];

/** Options of {@link reweight}; the classifier options are those of an unfolding. */
export interface ReweightOptions extends Pick<
  UnfoldOptions,
  'classifier' | 'nMembers' | 'ensembleCombine' | 'epsilon' | 'wMax' | 'seed'
> {
  /**
   * `target` (default): the ratio is absolute, so Σ reweighted estimates Σ target weights;
   * `source`: the reweighted weights are rescaled to keep Σ source weights (a shape change only).
   */
  normalisation: ReweightNormalisation;
  /** Random-stream key of the fits: replica kind and index (default nominal 0) … */
  replica: { kind: ReplicaKind; index: number };
  /** … and the `iteration` slot (default 0). */
  iteration: number;
}

/** Defaults of {@link ReweightOptions} besides the classifier's (those of `UNFOLD_DEFAULTS`). */
export const REWEIGHT_DEFAULTS = Object.freeze({
  normalisation: 'target',
  iteration: 0,
});

/** χ² and ndf of the weighted source against the target in one feature. */
export interface FeatureChi2 {
  feature: string;
  before: { chi2: number; ndf: number };
  after: { chi2: number; ndf: number };
}

/** How well the reweighting worked. */
export interface ReweightDiagnostics {
  /** Fraction of ratio evaluations (all members) that hit a clip bound. */
  clippedFraction: number;
  /** Effective sample size (Σw)²/Σw² of the source weights before and after. */
  essBefore: number;
  essAfter: number;
  /** Σ source weights, Σ reweighted, Σ target weights. */
  sumSource: number;
  sumReweighted: number;
  sumTarget: number;
  /** The factor applied for `normalisation: 'source'` (1 for `target`). */
  normalisationFactor: number;
  /** Per feature: χ² of source against target in 20 equal bins over the target's range, before and after. */
  chi2: FeatureChi2[];
  members: FitInfo[];
}

/** The result of {@link reweight}. */
export interface ReweightResult {
  /** [nSource] source weights × ratio (× the normalisation factor). */
  weights: Float64Array;
  /** [nSource] the combined ratio p_target/p_source (× the normalisation factor). */
  ratio: Float64Array;
  /** The ratio on each matrix of `context.evaluateOn`, with the same factor. */
  evaluated: Float64Array[];
  diagnostics: ReweightDiagnostics;
  options: ReweightOptions;
}

/** What {@link reweight} needs besides the samples and options. */
export interface ReweightContext {
  /** Runs the member fits; default in-process. */
  runner?: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
  /** Feature names, for the χ² diagnostics (default x0, x1, …). */
  names?: readonly string[];
  /** Other events (same features, and particle sets where the source has them) on which to evaluate the fitted ratio. */
  evaluateOn?: readonly FeatureMatrix[];
}

const KEYS = [
  'classifier',
  'nMembers',
  'ensembleCombine',
  'epsilon',
  'wMax',
  'seed',
  'normalisation',
  'replica',
  'iteration',
];

/** Fills defaults and validates; option paths as in `unfold()` (`options.nMembers`, …). */
export function resolveReweightOptions(partial: Partial<ReweightOptions> = {}): ReweightOptions {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial))
    fail('options', 'be an object', partial);
  knownKeys('options', partial, KEYS);
  const { normalisation, iteration, ...fit } = partial;
  const resolved = resolveUnfoldOptions(fit);
  const slot = iteration ?? REWEIGHT_DEFAULTS.iteration;
  if (!(Number.isInteger(slot) && slot >= 0 && slot <= 0xffffffff))
    fail('options.iteration', 'be an integer in [0, 2^32)', slot);
  return {
    classifier: resolved.classifier,
    nMembers: resolved.nMembers,
    ensembleCombine: resolved.ensembleCombine,
    epsilon: resolved.epsilon,
    wMax: resolved.wMax,
    seed: resolved.seed,
    normalisation: oneOf('options.normalisation', normalisation ?? 'target', REWEIGHT_NORMALISATIONS),
    replica: resolved.replica,
    iteration: slot,
  };
}

function checkSample(what: 'source' | 'target', s: ReweightSample, like?: FeatureMatrix): void {
  if (typeof s !== 'object' || s === null) fail(what, 'be an object { x, weights }', s);
  if (!(s.weights instanceof Float64Array)) fail(`${what}.weights`, 'be a Float64Array', s.weights);
  if (s.x?.nEvents !== s.weights.length) {
    throw new InputError(`${what}.weights must have one weight per event (${s.x?.nEvents}); got ${s.weights.length}`);
  }
  checkMatrix(`${what}.x`, s.x);
  if (like !== undefined && s.x.nFeatures !== like.nFeatures)
    throw new InputError(`${what}.x must have the source's ${like.nFeatures} features; got ${s.x.nFeatures}`);
  if (like !== undefined) sameParticleFeatures(`${what}.x`, s.x, 'source.x', like);
  if (s.x.nEvents === 0) throw new InputError(`${what} must hold at least one event; got 0`);
}

function total(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return s;
}

function ess(w: Float64Array): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i];
    s2 += w[i] * w[i];
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/**
 * Reweights `source` to `target`: returns the source weights times the fitted density
 * ratio, with diagnostics. Bit-identical for any runner and thread count.
 */
export async function reweight(
  source: ReweightSample,
  target: ReweightSample,
  options: Partial<ReweightOptions> = {},
  context: ReweightContext = {},
): Promise<ReweightResult> {
  const resolved = resolveReweightOptions(options);
  checkSample('source', source);
  checkSample('target', target, source.x);
  for (const [k, m] of (context.evaluateOn ?? []).entries()) {
    if (m?.nFeatures !== source.x.nFeatures)
      throw new InputError(
        `evaluateOn[${k}] must have the source's ${source.x.nFeatures} features; got ${m?.nFeatures}`,
      );
    checkMatrix(`evaluateOn[${k}]`, m);
    sameParticleFeatures(`evaluateOn[${k}]`, m, 'source.x', source.x);
  }
  checkClassifierMatrices(resolved.classifier, [
    ['source.x', source.x],
    ['target.x', target.x],
    ...(context.evaluateOn ?? []).map((m, k): [string, FeatureMatrix] => [`evaluateOn[${k}]`, m]),
  ]);
  const sumSource = total(source.weights);
  const sumTarget = total(target.weights);
  for (const [what, s] of [
    ['source', sumSource],
    ['target', sumTarget],
  ] as const) {
    if (!(s > 0)) throw new NumericalError(`${what} total weight must be positive; got ${s}`);
  }
  const runner = context.runner ?? new InProcessRunner({ onProgress: context.onProgress });
  const replica = `${resolved.replica.kind}#${resolved.replica.index}`;
  for (let m = 0; m < resolved.nMembers; m++)
    context.onProgress?.({ type: 'step', replica, iteration: resolved.iteration, step: 'reweight', member: m });
  const targets = [source.x, ...(context.evaluateOn ?? [])];
  const job: StepJob = {
    step: 'reweight',
    iteration: resolved.iteration,
    replica: resolved.replica,
    seed: resolved.seed,
    classifier: resolved.classifier,
    x0: source.x,
    w0: source.weights,
    x1: target.x,
    w1: target.weights,
    targets,
    clip: { epsilon: resolved.epsilon, wMax: resolved.wMax },
  };
  const results = await runner.fitMembers(job, resolved.nMembers);
  const [ratio, ...evaluated] = combineRatios(results, resolved.ensembleCombine);
  const weights = new Float64Array(ratio.length);
  for (let i = 0; i < ratio.length; i++) weights[i] = source.weights[i] * ratio[i];
  let factor = 1;
  if (resolved.normalisation === 'source') {
    const sum = total(weights);
    if (!(sum > 0)) throw new NumericalError(`reweighted source total must be positive to rescale; got ${sum}`);
    factor = sumSource / sum;
    for (const r of [weights, ratio, ...evaluated]) for (let i = 0; i < r.length; i++) r[i] *= factor;
  }
  const all = new Uint32Array(weights.length).map((_, i) => i);
  checkFinite('reweighted weight', weights, all, 'reweight');
  let nClipped = 0;
  for (const r of results) for (const c of r.nClipped) nClipped += c;
  let nEvaluated = 0;
  for (const t of targets) nEvaluated += t.nEvents;
  const names = context.names ?? Array.from({ length: source.x.nFeatures }, (_, f) => `x${f}`);
  const chi2 = new RecoChi2(source.x, target.x, target.weights, [...names]);
  const before = chi2.evaluate(source.weights);
  const after = chi2.evaluate(weights);
  return {
    weights,
    ratio,
    evaluated,
    diagnostics: {
      clippedFraction: nEvaluated > 0 ? nClipped / (nEvaluated * results.length) : 0,
      essBefore: ess(source.weights),
      essAfter: ess(weights),
      sumSource,
      sumReweighted: total(weights),
      sumTarget,
      normalisationFactor: factor,
      chi2: before.map((b, f) => ({
        feature: b.feature,
        before: { chi2: b.chi2, ndf: b.ndf },
        after: { chi2: after[f].chi2, ndf: after[f].ndf },
      })),
      members: results.map((r) => r.info),
    },
    options: resolved,
  };
}
