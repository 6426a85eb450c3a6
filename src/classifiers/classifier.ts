/**
 * The classifier interface: what OmniFold needs from a classifier, and nothing more.
 *
 * A classifier is trained to separate class 0 (label 0, weights `w0`) from class 1
 * (label 1, weights `w1`). Both classes are rescaled to equal total weight for training.
 * Its output f(x) ≈ P(class 1 | x) turns into the likelihood ratio of the unnormalised
 * weighted densities,
 *
 *     ratio(x) = f/(1−f) · S1/S0,     S_c = Σ w_c  (before rescaling),
 *
 * with f clipped to [ε, 1−ε] and the ratio clipped to [0, wMax]. Implementations:
 * `MlpClassifier` (src/classifiers/mlp/classifier.ts) and `BinnedClassifier` (src/classifiers/binned.ts,
 * exact bin ratios; OmniFold with it is iterative Bayesian unfolding).
 *
 * Classifiers are described by plain data ({@link ClassifierSpec}) so that a worker thread
 * can rebuild the same classifier from a task message; the kinds, with their options and
 * flags, are listed in the registry (src/classifiers/registry.ts).
 */
import { InputError, KernelError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';
import type { RngKey } from '../base/rng.js';
import type { RatioClip, RatioResult } from '../kernels/likelihood_ratio_f32.js';
import type { ClassifierSpec } from './registry.js';

/** The clipping guards and the result of a ratio, as the likelihood-ratio kernel defines them. */
export type { RatioClip, RatioResult };

/** One epoch of training, reported through {@link FitContext.onEpoch}. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
}

/** What a fit needs besides the data. */
export interface FitContext {
  /** Keys initialisation, shuffling and the train/validation split of this fit. */
  rngKey: RngKey;
  /** Called after every epoch (MLP); never required. */
  onEpoch?: (report: EpochReport) => void;
  /**
   * The shared memory of a data-parallel fit (kinds with `dataParallel`, see
   * src/classifiers/kind.ts): helper threads that join it compute parts of each step, and
   * of the trained model's ratios. The weights do not depend on it. Whoever created it
   * releases the helpers (`dataParallel.stop`) once the fit and its ratios are done.
   */
  gang?: SharedArrayBuffer;
}

/** A summary of one fit, kept in the diagnostics. */
export interface FitInfo {
  /** Epochs run (0 for classifiers that do not iterate). */
  epochs: number;
  /** 1-based epoch whose parameters were kept (early stopping); 0 if not applicable. */
  bestEpoch: number;
  /** Weighted validation loss at `bestEpoch` (NaN if not applicable). */
  validationLoss: number;
  /** Σ w0 and Σ w1 before rescaling. */
  sumW0: number;
  sumW1: number;
  /**
   * Binned classifier only, present when not 0: grid cells with a negative summed weight
   * in either class; their events get the ratio S1/S0 (src/classifiers/binned.ts).
   */
  nNegativeCells?: number;
}

/**
 * A trained model as plain data, to be saved and restored ({@link ClassifierKind.restore}
 * in src/classifiers/kind.ts): JSON values (shapes, names, the class totals S0 and S1) and
 * named f32 or f64 arrays. A restored model gives the same ratios, bit for bit.
 */
export interface ModelData {
  /** The classifier kind that trained it (`spec.type`). */
  type: string;
  /** JSON values only (finite numbers, strings, arrays, objects). */
  fields: Record<string, unknown>;
  /** Named arrays, in the order a saved file stores them. */
  arrays: Record<string, Float32Array | Float64Array>;
}

/** A fitted classifier: evaluates the likelihood ratio on new events. */
export interface TrainedClassifier {
  readonly info: FitInfo;
  /**
   * The model as plain data (parameters, standardiser, class totals), when its kind can
   * save models; `saveModels` needs it.
   */
  toData?(): ModelData;
  /**
   * ratio(x) on every event of `x`, with the guards of `clip`. Written into `out`
   * ([x.nEvents], e.g. a SharedArrayBuffer view the caller owns) when given, else into a
   * new array; either way returned as `RatioResult.ratio`.
   */
  ratio(x: FeatureMatrix, clip: RatioClip, out?: Float64Array): RatioResult;
}

/** The array a ratio is written into: `out` (length-checked) or a new one. */
export function ratioOutput(x: FeatureMatrix, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(x.nEvents);
  if (out.length !== x.nEvents)
    throw new KernelError(`ratio output must hold one value per event (${x.nEvents}); got ${out.length}`);
  return out;
}

/** A classifier type: fit(class 0, class 1) → trained model. */
export interface Classifier {
  readonly spec: ClassifierSpec;
  /**
   * Trains class 0 (`x0`, `w0`) against class 1 (`x1`, `w1`). Weights may be negative;
   * each class's total must be positive. Inputs are read, never written.
   */
  fit(x0: FeatureMatrix, w0: Float64Array, x1: FeatureMatrix, w1: Float64Array, context: FitContext): TrainedClassifier;
}

/**
 * Array `name` of saved model data, checked: of type `ctor` and, when given, `length`
 * long, every value finite. `path` names the model in messages.
 */
export function modelArray<T extends Float32Array | Float64Array>(
  data: ModelData,
  path: string,
  name: string,
  ctor: { new (n: number): T; readonly name: string },
  length?: number,
): T {
  const a = data.arrays[name];
  if (!(a instanceof ctor))
    throw new InputError(
      `${path}.arrays.${name} must be a ${ctor.name}; got ${a === undefined ? 'none' : a.constructor.name}`,
    );
  if (length !== undefined && a.length !== length)
    throw new InputError(`${path}.arrays.${name} must hold ${length} values; got ${a.length}`);
  const bad = a.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(`${path}.arrays.${name} must be finite; got ${a[bad]} at ${bad}`);
  return a;
}

/** The class totals S0, S1 of saved model data (positive finite numbers) as the FitInfo of a restored model. */
export function restoredInfo(data: ModelData, path: string): FitInfo {
  const sums = [data.fields.sumW0, data.fields.sumW1];
  sums.forEach((s, c) => {
    if (!(typeof s === 'number' && Number.isFinite(s) && s > 0))
      throw new InputError(`${path}.fields.sumW${c} must be a positive finite number; got ${JSON.stringify(s)}`);
  });
  return { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0: sums[0] as number, sumW1: sums[1] as number };
}

/**
 * Refuses events that carry particle sets (FeatureMatrix.particles) for an event-level
 * classifier `kind` (mlp, binned): a one-line InputError naming the class.
 */
export function refuseParticles(kind: string, x0: FeatureMatrix, x1: FeatureMatrix): void {
  [x0, x1].forEach((x, c) => {
    if (x.particles !== undefined)
      throw new InputError(
        `${kind}.fit: class ${c} must hold event features only; got particle sets (FeatureMatrix.particles), which only the pfn classifier reads`,
      );
  });
}
