/**
 * Trained models reused (docs/algorithm.md, "Trained models"): what an unfolding with
 * `saveModels` keeps, and {@link applyModels}, which weights other events of the same
 * generator with them, as the loop weighted the training sample.
 *
 * With the previous-push reference (the default), the final push weights are a product
 * over the iterations: ν_0 = 1, and in iteration n
 *
 *   ν_n = ν_{n−1}·combine_m g_{n,m}(t)          events passing gen (misses included)
 *   ν_n = ν_{n−1}·combine_m h_{n,m}(r)          fakes, fakes 'reco-average'
 *   ν_n = ν_{n−1}·c_n   or   ν_n = ν_{n−1}       fakes, 'global' or 'fixed'
 *
 * with g the step-2 members, h the fakes members, `combine` the mean or median of the
 * members' ratios; so every iteration's models are kept. With the prior reference each
 * iteration learns ν itself (ν_{n−1} is 1 above), and only the last iteration's are kept.
 * Several runs (`ensembleRuns`) each have their own chain, and ν is the mean of the runs'.
 * Events failing both selections keep ν = 1. The weights are w0·ν. Every product, mean and
 * median is taken in the loop's order, so applied to the training sample the weights are
 * the loop's, bit for bit.
 *
 * The models are plain data (src/classifiers/classifier.ts, `ModelData`); their file
 * format is src/publish/models_encoding.ts.
 */
import type { ModelData, TrainedClassifier } from '../classifiers/classifier.js';
import { restoreModel } from '../classifiers/registry.js';
import { InputError } from '../base/errors.js';
import { maskIndices, selectRows, type FeatureMatrix } from '../base/features.js';
import { combineArrays } from './combine.js';
import { checkFinite } from './diagnostics.js';
import { checkFiniteRows, checkFiniteWeights, checkMask, checkMatrix } from './options.js';
import { scaledCopy } from './steps.js';
import type { SimSample, UnfoldOptions } from './types.js';

/** How one iteration moved the fakes' push weights. */
export type FakesModels =
  /** By the reco-level classifier's members (fakes 'reco-average'), in member order. */
  | { mode: 'reco-average'; members: ModelData[] }
  /** By one factor for every fake (fakes 'global'). */
  | { mode: 'global'; factor: number }
  /** Not at all (fakes 'fixed'). */
  | { mode: 'fixed' };

/** The models of one iteration of one run. */
export interface IterationModels {
  /** 1-based. */
  iteration: number;
  /** Step 2's members, in member order. */
  step2: ModelData[];
  /** The fakes step; absent when the training sim had no fakes. */
  fakes?: FakesModels;
}

/** What an unfolding with `saveModels` keeps: enough to weight other events as it weighted its sim. */
export interface UnfoldModels {
  /** The unfolding's resolved options (classifier, clip, combination, reference, fakes mode, runs). */
  options: UnfoldOptions;
  /** The gen and reco feature names of the training sim (its own, else gen0…, reco0…). */
  genNames: string[];
  recoNames: string[];
  /**
   * [run][kept iteration]: with `step2Reference` 'previous' every iteration 1..N, in
   * order; with 'prior' the last one alone.
   */
  runs: IterationModels[][];
}

/** The events {@link applyModels} weights: gen and reco features, masks and prior weights, as a sim sample. */
export type ApplySample = Pick<SimSample, 'gen' | 'reco' | 'passGen' | 'passReco' | 'weights'>;

/** What {@link applyModels} returns. */
export interface ApplyResult {
  /** [nEvents], w0·ν: the unfolded weights of these events. */
  weights: Float64Array;
  /** [nEvents], the push weights ν. */
  push: Float64Array;
  /** Events failing both selections (weight kept at w0). */
  nDropped: number;
}

/** The feature names of a sim sample for {@link UnfoldModels}: its own, else gen0…, reco0…. */
export function featureNames(sim: SimSample): { genNames: string[]; recoNames: string[] } {
  const names = (given: string[] | undefined, n: number, prefix: string) =>
    Array.from({ length: n }, (_, f) => given?.[f] ?? `${prefix}${f}`);
  return {
    genNames: names(sim.genNames, sim.gen.nFeatures, 'gen'),
    recoNames: names(sim.recoNames, sim.reco.nFeatures, 'reco'),
  };
}

/**
 * The unfolded weights w0·ν of `sample`'s events by the trained models of an unfolding
 * (`UnfoldResult.models` with `saveModels`, or `readModels` of an output folder), as the
 * Python package's `reweight()` does: another sample of the same generator (held-out
 * events, a larger sample) gets the weights the unfolding would have given it. Applied to
 * the training sim it gives the unfolding's `weights`, bit for bit.
 *
 * @throws InputError when the sample does not fit the models (feature counts, masks,
 *   non-finite features where they are used, fakes without a fakes model)
 * @throws NumericalError for a non-finite push weight
 * @example
 * const result = await unfold(sim, data, { saveModels: true });
 * applyModels(result.models!, heldOut).weights; // Float64Array [nHeldOut]
 */
export function applyModels(models: UnfoldModels, sample: ApplySample): ApplyResult {
  const { options } = models;
  checkSample(models, sample);
  const nEvents = sample.weights.length;
  const gen = maskIndices(sample.passGen);
  const fakes = maskIndices(
    sample.passReco,
    sample.passGen.map((v) => 1 - v),
  );
  const genX = selectRows(sample.gen, gen);
  const needsReco = fakes.length > 0 && options.fakes === 'reco-average';
  const fakeX = needsReco ? selectRows(sample.reco, fakes) : undefined;
  const clip = { epsilon: options.epsilon, wMax: options.wMax };
  const ratio = (members: ModelData[], x: FeatureMatrix, where: string): Float64Array =>
    combineArrays(
      members.map((m, k) => restore(m, `${where} member ${k}`).ratio(x, clip).ratio),
      options.ensembleCombine,
    );
  const ones = new Float64Array(nEvents).fill(1);
  const pushes = models.runs.map((iterations, r) => {
    let push: Float64Array = ones;
    for (const it of iterations) {
      const where = `run ${r} iteration ${it.iteration}`;
      const base = options.step2Reference === 'prior' ? ones : push;
      let next = scaledCopy(base, push, ratio(it.step2, genX, `${where} step2`), gen);
      checkFinite('push weight', next, gen, `${where}, step2`);
      if (fakes.length > 0) {
        next = scaledCopy(
          base,
          next,
          fakesRatio(it, fakes.length, options, (m) => ratio(m, fakeX!, `${where} fakes`)),
          fakes,
        );
        checkFinite('push weight', next, fakes, `${where}, fakes`);
      }
      push = next;
    }
    return push;
  });
  const push = pushes.length === 1 ? pushes[0] : runMean(pushes);
  const weights = new Float64Array(nEvents);
  for (let i = 0; i < nEvents; i++) weights[i] = sample.weights[i] * push[i];
  let nDropped = 0;
  for (let i = 0; i < nEvents; i++) if (sample.passGen[i] === 0 && sample.passReco[i] === 0) nDropped++;
  return { weights, push: push === ones ? Float64Array.from(ones) : push, nDropped };
}

function restore(data: ModelData, where: string): TrainedClassifier {
  return restoreModel(data, `models ${where}`);
}

/** The fakes' ratio of one iteration: its members' combined ratio, its global factor, or 1. */
function fakesRatio(
  it: IterationModels,
  nFakes: number,
  options: UnfoldOptions,
  membersRatio: (members: ModelData[]) => Float64Array,
): Float64Array {
  const fakes = it.fakes ?? (options.fakes === 'fixed' ? { mode: 'fixed' as const } : undefined);
  if (fakes === undefined)
    throw new InputError(
      `sim must have no fakes (events passing reco but not gen) for these models: the unfolding's sim had none, so it saved no fakes model; got ${nFakes} fakes`,
    );
  if (fakes.mode === 'reco-average') return membersRatio(fakes.members);
  return new Float64Array(nFakes).fill(fakes.mode === 'global' ? fakes.factor : 1);
}

/** The mean of the runs' push weights per event, summed in run order (as src/algorithm/ensemble_runs.ts). */
function runMean(pushes: Float64Array[]): Float64Array {
  const n = pushes[0].length;
  const sum = new Float64Array(n);
  for (const p of pushes) for (let i = 0; i < n; i++) sum[i] += p[i];
  for (let i = 0; i < n; i++) sum[i] /= pushes.length;
  return sum;
}

/** Shapes, masks and finite values of the events that are used; the feature counts of the models. */
function checkSample(models: UnfoldModels, sample: ApplySample): void {
  checkMatrix('sim.gen', sample.gen);
  checkMatrix('sim.reco', sample.reco);
  const nEvents = sample.gen.nEvents;
  for (const [name, a] of [
    ['sim.reco', sample.reco.values.length / sample.reco.nFeatures],
    ['sim.passGen', sample.passGen?.length],
    ['sim.passReco', sample.passReco?.length],
    ['sim.weights', sample.weights?.length],
  ] as const) {
    if (a !== nEvents) throw new InputError(`${name} must have one entry per sim event (${nEvents}); got ${a}`);
  }
  const [nGen, nReco] = [models.genNames.length, models.recoNames.length];
  if (sample.gen.nFeatures !== nGen)
    throw new InputError(
      `sim gen features must be the ${nGen} the models were trained on (${models.genNames.join(', ')}); got ${sample.gen.nFeatures}`,
    );
  if (sample.reco.nFeatures !== nReco)
    throw new InputError(
      `sim reco features must be the ${nReco} the models were trained on (${models.recoNames.join(', ')}); got ${sample.reco.nFeatures}`,
    );
  checkMask('sim.passGen', sample.passGen);
  checkMask('sim.passReco', sample.passReco);
  checkFiniteRows('sim.gen', sample.gen, (i) => sample.passGen[i] === 1);
  if (models.options.fakes === 'reco-average')
    checkFiniteRows('sim.reco', sample.reco, (i) => sample.passReco[i] === 1 && sample.passGen[i] === 0);
  checkFiniteWeights('sim.weights', sample.weights, (i) => sample.passGen[i] === 1 || sample.passReco[i] === 1);
}
