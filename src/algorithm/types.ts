/**
 * The data types of an unfolding: inputs, options, the step jobs the loop hands to a
 * runner (in-process or the worker pool), and the result with its diagnostics.
 * Conventions are those of docs/algorithm.md (arXiv:1911.09107).
 */
import type { FitInfo, ModelData } from '../classifiers/classifier.js';
import type { ClassifierSpec } from '../classifiers/registry.js';
import type { FeatureMatrix } from '../base/features.js';
import type { ReplicaKind, StepName } from '../base/rng.js';
import type { UnfoldModels } from './models.js';

/**
 * Simulated events: gen (particle-level) and reco (detector-level) features with masks.
 * The engine never writes these arrays, and caches selections and shared copies by their
 * identity: treat a sample as immutable once it has been passed to `unfold()`.
 */
export interface SimSample {
  /** [nEvents × nGen]; rows of events with passGen = 0 are ignored. */
  gen: FeatureMatrix;
  /** [nEvents × nReco]; rows of events with passReco = 0 are ignored. */
  reco: FeatureMatrix;
  /** [nEvents], 1 where the event passes the gen selection (0 = fake). */
  passGen: Uint8Array;
  /** [nEvents], 1 where the event passes the reco selection (0 = miss / inefficiency). */
  passReco: Uint8Array;
  /** [nEvents], prior weights w0 (may be negative). */
  weights: Float64Array;
  /** Feature names, for diagnostics and outputs. */
  genNames?: string[];
  recoNames?: string[];
}

/**
 * Measured events: reco features and weights, and optionally the simulated background
 * that step 1 subtracts from them (docs/algorithm.md §Background).
 */
export interface DataSample {
  /** [nEvents × nReco], same features and order as {@link SimSample.reco}. */
  reco: FeatureMatrix;
  /** [nEvents], data weights (1 for plain events; bootstraps multiply them). */
  weights: Float64Array;
  /** Simulated background events, subtracted from the data in step 1 (absent: none). */
  background?: BackgroundSample;
}

/**
 * Simulated background events at reco level: step 1 adds them to the data's class with
 * their weights negated, so the sim is fitted to data minus background. Data bootstraps
 * give them Poisson(1) draws of their own, apart from the data's.
 */
export interface BackgroundSample {
  /** [nEvents × nReco], same features and order as the data's reco features. */
  reco: FeatureMatrix;
  /** [nEvents], background weights as predicted (positive for a background; negative ones allowed). */
  weights: Float64Array;
}

/** How events failing reco get their pull weight (step 1b; docs/algorithm.md, "Misses"). */
export const MISSES_MODES = Object.freeze(['expectation', 'prior'] as const);
export type MissesMode = (typeof MISSES_MODES)[number];
/** How fakes get their push weight (step 2b; docs/algorithm.md, "Fakes"). */
export const FAKES_MODES = Object.freeze(['reco-average', 'global', 'fixed'] as const);
export type FakesMode = (typeof FAKES_MODES)[number];
/**
 * What step 2 (and the fakes step) learns each iteration (docs/algorithm.md, "Step 2
 * reference"): the change from the previous push weights, ν′ = ν·g, or the push weights
 * themselves against the prior, ν′ = g.
 */
export const STEP2_REFERENCES = Object.freeze(['previous', 'prior'] as const);
export type Step2Reference = (typeof STEP2_REFERENCES)[number];

/** Options of one unfolding; defaults in `UNFOLD_DEFAULTS` (src/algorithm/defaults.ts). */
export interface UnfoldOptions {
  nIterations: number;
  classifier: ClassifierSpec;
  misses: MissesMode;
  fakes: FakesMode;
  /**
   * Step 2's class 0: the sim weighted by w0·ν, learning ν′ = ν·g ('previous'), or by w0
   * alone, learning ν′ = g ('prior', as the original OmniFold code does).
   */
  step2Reference: Step2Reference;
  /** Classifier output clipped to [epsilon, 1 − epsilon]. */
  epsilon: number;
  /** Ratios clipped to [0, wMax]. */
  wMax: number;
  /** Ensemble members per step; their ratios are combined by `ensembleCombine`. */
  nMembers: number;
  ensembleCombine: 'mean' | 'median';
  /**
   * Independent full unfoldings (runs) whose networks differ only in their random streams
   * (run r's member m is RNG member r·nMembers + m); `weights` is w0 times the mean of their
   * push weights ν. 1: a single run, today's unfolding.
   */
  ensembleRuns: number;
  /** Run seed, an integer in [0, 2^32). */
  seed: number;
  /** Keep w0·ν after every iteration in the result. */
  saveIterations: boolean;
  /**
   * Keep the final weights of each ensemble member (one run) or of each run (several runs)
   * in the result, as `memberWeights` (docs/algorithm.md, "Ensembles").
   */
  saveMembers: boolean;
  /**
   * Keep the trained models that turn the prior into the final push weights (every
   * iteration's step 2 and fakes models, each member, each run) in the result, as
   * `models`, so that `applyModels` can weight other events of the same generator.
   */
  saveModels: boolean;
  /** Which replica this unfolding is (keys its random streams). */
  replica: { kind: ReplicaKind; index: number };
}

/**
 * One classifier fit requested by the loop: class 0 against class 1, with the ratio wanted
 * on each of `targets`. Plain data apart from the typed arrays, so a pool can ship it.
 */
export interface StepJob {
  step: StepName;
  /** 1-based iteration. */
  iteration: number;
  replica: { kind: ReplicaKind; index: number };
  seed: number;
  classifier: ClassifierSpec;
  x0: FeatureMatrix;
  w0: Float64Array;
  x1: FeatureMatrix;
  w1: Float64Array;
  /** Event sets on which the fitted ratio is evaluated. */
  targets: FeatureMatrix[];
  clip: { epsilon: number; wMax: number };
  /**
   * Added to the member index in the random-stream key (run r of several: r·nMembers);
   * absent or 0 for a single run.
   */
  memberOffset?: number;
  /** Return each member's trained model as plain data ({@link MemberResult.model}). */
  keepModel?: boolean;
}

/** One member's fit of a {@link StepJob}. */
export interface MemberResult {
  /** One ratio array per target, in target order. */
  ratios: Float64Array[];
  /** Clipped events per target. */
  nClipped: number[];
  info: FitInfo;
  /** The trained model, when the job asked for it (`keepModel`). */
  model?: ModelData;
}

/**
 * Runs the member fits of step jobs. The in-process runner fits members one after the
 * other; the pool runner spreads them over worker threads. Either way the result is in
 * member order and bit-identical.
 */
export interface MemberRunner {
  fitMembers(job: StepJob, nMembers: number): Promise<MemberResult[]>;
}

/** Diagnostics of one step of one iteration. */
export interface StepDiagnostics {
  step: StepName;
  /** Fraction of evaluated events whose ratio was clipped (over all members). */
  clippedFraction: number;
  /** Effective sample size (Σw)²/Σw² of the weights this step produced (w0 × new weights). */
  ess: number;
  /** Events those weights cover (passReco for step1, misses, passGen for step2, fakes). */
  nEvents: number;
  /** Relative L1 change of this step's weights from the previous iteration's: Σ|Δw|/Σ|w|. */
  change: number;
  /** Fits of the members. */
  members: FitInfo[];
}

/** Diagnostics of one iteration. */
export interface IterationDiagnostics {
  /** 1-based. */
  iteration: number;
  steps: StepDiagnostics[];
  /**
   * Folded closure: per reco feature, χ² and ndf of the pull-weighted sim (w0·μ, passReco)
   * against data (minus the background, when there is one) in equal-width bins over the
   * data's range.
   */
  recoChi2: { feature: string; chi2: number; ndf: number }[];
}

/** The result of one unfolding. */
export interface UnfoldResult {
  /** [nSim], the unfolded weights w0·ν after the last iteration (fakes included). */
  weights: Float64Array;
  /** [nSim], push weights ν after the last iteration. */
  push: Float64Array;
  /** [nSim], pull weights μ of the last iteration. */
  pull: Float64Array;
  /** [nIterations][nSim], w0·ν after each iteration, when `saveIterations`. */
  weightsPerIteration?: Float64Array[];
  /**
   * When `saveMembers`: [nMembers][nSim] with one run, each member's final weights (the
   * last iteration's step 2, and fakes step when fitted, with that member's ratio alone);
   * [ensembleRuns][nSim] with several runs, each run's final weights w0·ν_r.
   */
  memberWeights?: Float64Array[];
  /** When `saveModels`: the trained models that give `push` from the prior (see `applyModels`). */
  models?: UnfoldModels;
  iterations: IterationDiagnostics[];
  /** Events failing both selections: dropped, weight kept at w0. */
  nDropped: number;
  options: UnfoldOptions;
}

/** Progress events of an unfolding (library code never prints). */
export type UnfoldProgress =
  | { type: 'step'; replica: string; iteration: number; step: StepName; member: number }
  | {
      type: 'epoch';
      replica: string;
      iteration: number;
      step: StepName;
      member: number;
      epoch: number;
      trainLoss: number;
      validationLoss: number;
    }
  | { type: 'iteration'; replica: string; iteration: number; diagnostics: IterationDiagnostics };

/** What an unfolding needs besides data and options. */
export interface UnfoldContext {
  /** Runs the member fits; defaults to the in-process runner (one thread). */
  runner?: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
}
