/**
 * Validation at the `unfold()` boundary: options (every one, once) and the samples.
 * Messages name the option path, the rule and the received value.
 */
import { CLASSIFIER_TYPES, classifierKind, type ClassifierSpec } from '../classifiers/registry.js';
import { UNFOLD_DEFAULTS } from './defaults.js';
import { fail, inRange, isInt, knownKeys, nonNegativeInt, oneOf, positiveInt } from '../base/checks.js';
import { InputError } from '../base/errors.js';
import { REPLICA_KIND } from '../base/rng.js';
import type { FeatureMatrix, ParticleSets } from '../base/features.js';
import {
  FAKES_MODES,
  MISSES_MODES,
  STEP2_REFERENCES,
  type DataSample,
  type SimSample,
  type UnfoldOptions,
} from './types.js';

const OPTION_KEYS = Object.keys(UNFOLD_DEFAULTS);

/**
 * Fills defaults from `UNFOLD_DEFAULTS` and validates every option; throws an InputError
 * such as `options.nIterations must be a positive integer; got 0`.
 */
export function resolveUnfoldOptions(partial: Partial<UnfoldOptions> = {}): UnfoldOptions {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial))
    fail('options', 'be an object', partial);
  knownKeys('options', partial, OPTION_KEYS);
  const o = { ...UNFOLD_DEFAULTS } as Record<string, unknown>;
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) o[key] = value;
  if (typeof o.saveIterations !== 'boolean') fail('options.saveIterations', 'be a boolean', o.saveIterations);
  if (typeof o.saveMembers !== 'boolean') fail('options.saveMembers', 'be a boolean', o.saveMembers);
  if (typeof o.saveModels !== 'boolean') fail('options.saveModels', 'be a boolean', o.saveModels);
  const wMax = o.wMax;
  if (!(typeof wMax === 'number' && Number.isFinite(wMax) && wMax > 0))
    fail('options.wMax', 'be a finite positive number', wMax);
  const seed = o.seed;
  if (!(isInt(seed) && seed >= 0 && seed <= 0xffffffff)) fail('options.seed', 'be an integer in [0, 2^32)', seed);
  const resolved: UnfoldOptions = {
    nIterations: positiveInt('options.nIterations', o.nIterations),
    classifier: resolveClassifier(o.classifier),
    misses: oneOf('options.misses', o.misses, MISSES_MODES),
    fakes: oneOf('options.fakes', o.fakes, FAKES_MODES),
    step2Reference: oneOf('options.step2Reference', o.step2Reference, STEP2_REFERENCES),
    epsilon: inRange('options.epsilon', o.epsilon, 0, 0.5, true),
    wMax: wMax as number,
    nMembers: positiveInt('options.nMembers', o.nMembers),
    ensembleCombine: oneOf('options.ensembleCombine', o.ensembleCombine, ['mean', 'median'] as const),
    ensembleRuns: positiveInt('options.ensembleRuns', o.ensembleRuns),
    seed: seed as number,
    saveIterations: o.saveIterations as boolean,
    saveMembers: o.saveMembers as boolean,
    saveModels: o.saveModels as boolean,
    replica: resolveReplica(o.replica),
  };
  // run r's member m is RNG member r·nMembers + m, a uint32
  if (resolved.nMembers * resolved.ensembleRuns > 2 ** 32)
    fail(
      'options.ensembleRuns',
      `be at most 2^32 / nMembers (${Math.floor(2 ** 32 / resolved.nMembers)})`,
      resolved.ensembleRuns,
    );
  return resolved;
}

function resolveReplica(r: unknown): UnfoldOptions['replica'] {
  if (typeof r !== 'object' || r === null) return fail('options.replica', 'be an object { kind, index }', r);
  knownKeys('options.replica', r, ['kind', 'index']);
  const { kind, index } = r as Record<string, unknown>;
  const kinds = Object.keys(REPLICA_KIND) as (keyof typeof REPLICA_KIND)[];
  const k = oneOf('options.replica.kind', kind, kinds);
  const i = nonNegativeInt('options.replica.index', index);
  if (i > 0xffffffff) fail('options.replica.index', 'be below 2^32', i);
  return { kind: k, index: i };
}

/** The classifier spec, checked by its kind's entry in the classifier registry. */
function resolveClassifier(spec: unknown): ClassifierSpec {
  if (typeof spec !== 'object' || spec === null) return fail('options.classifier', 'be an object with a type', spec);
  const s = spec as Record<string, unknown>;
  const type = oneOf('options.classifier.type', s.type, CLASSIFIER_TYPES);
  return classifierKind(type).check('options.classifier', s) as ClassifierSpec;
}

/**
 * The samples carry what the classifier reads: particle sets on every matrix for a
 * particle-level kind (src/classifiers/kind.ts `particles`), at least one event-level
 * feature for the others.
 */
export function checkClassifierInputs(spec: ClassifierSpec, sim: SimSample, data: DataSample): void {
  const matrices: [string, FeatureMatrix][] = [
    ['sim.gen', sim.gen],
    ['sim.reco', sim.reco],
    ['data.reco', data.reco],
  ];
  if (data.background !== undefined) matrices.push(['data.background.reco', data.background.reco]);
  checkClassifierMatrices(spec, matrices);
}

/**
 * {@link checkClassifierInputs} on named matrices (e.g. a reweighting's source and target):
 * particle sets on each for a particle-level kind, at least one event-level feature for the others.
 */
export function checkClassifierMatrices(spec: ClassifierSpec, matrices: readonly [string, FeatureMatrix][]): void {
  const particleLevel = classifierKind(spec.type).particles === true;
  for (const [name, x] of matrices) {
    if (particleLevel && x.particles === undefined)
      throw new InputError(`${name} must have particle sets, which classifier ${spec.type} reads; got none`);
    if (!particleLevel && x.nFeatures < 1)
      throw new InputError(
        `${name}.nFeatures must be at least 1, as classifier ${spec.type} reads event-level features; got ${x.nFeatures}`,
      );
  }
}

/**
 * Checks the samples once, before the loop: shapes, masks 0/1, finite features and weights
 * in every event that is used (the background's too), and a positive total weight in each
 * class (data minus background for step 1's class 1).
 */
export function validateSamples(sim: SimSample, data: DataSample): void {
  checkMatrix('sim.gen', sim.gen);
  checkMatrix('sim.reco', sim.reco);
  checkMatrix('data.reco', data.reco);
  if (sim.gen.nEvents !== sim.reco.nEvents) {
    throw new InputError(
      `sim gen and reco must have the same number of events; got gen=${sim.gen.nEvents}, reco=${sim.reco.nEvents}`,
    );
  }
  const nEvents = sim.gen.nEvents;
  for (const [name, a] of [
    ['sim.passGen', sim.passGen],
    ['sim.passReco', sim.passReco],
    ['sim.weights', sim.weights],
  ] as const) {
    if (a?.length !== nEvents) fail(name, `have one entry per sim event (${nEvents})`, a);
  }
  if (data.weights?.length !== data.reco.nEvents)
    fail('data.weights', `have one entry per data event (${data.reco.nEvents})`, data.weights);
  if (sim.reco.nFeatures !== data.reco.nFeatures) {
    throw new InputError(
      `sim reco and data reco must have the same number of features; got sim=${sim.reco.nFeatures}, data=${data.reco.nFeatures}`,
    );
  }
  sameParticleFeatures('data.reco', data.reco, 'sim.reco', sim.reco);
  checkMask('sim.passGen', sim.passGen);
  checkMask('sim.passReco', sim.passReco);
  const used = (i: number) => sim.passGen[i] === 1 || sim.passReco[i] === 1;
  checkFiniteRows('sim.gen', sim.gen, (i) => sim.passGen[i] === 1);
  checkFiniteRows('sim.reco', sim.reco, (i) => sim.passReco[i] === 1);
  checkFiniteRows('data.reco', data.reco, () => true);
  checkFiniteWeights('sim.weights', sim.weights, used);
  checkFiniteWeights('data.weights', data.weights, () => true);
  positiveTotal('data weights', data.weights, () => true);
  if (data.background !== undefined) validateBackground(data);
  positiveTotal('sim weights of events passing reco', sim.weights, (i) => sim.passReco[i] === 1);
  positiveTotal('sim weights of events passing gen', sim.weights, (i) => sim.passGen[i] === 1);
}

/**
 * The background beside the data: reco features like the data's, one finite weight per
 * event, and data minus background with a positive total (step 1's class 1).
 */
function validateBackground(data: DataSample): void {
  const background = data.background!;
  if (typeof background !== 'object' || background === null)
    fail('data.background', 'be an object { reco, weights }', background);
  checkMatrix('data.background.reco', background.reco);
  if (background.reco.nFeatures !== data.reco.nFeatures) {
    throw new InputError(
      `data.background reco must have the data's ${data.reco.nFeatures} features; got ${background.reco.nFeatures}`,
    );
  }
  sameParticleFeatures('data.background.reco', background.reco, 'data.reco', data.reco);
  if (!(background.weights instanceof Float64Array) || background.weights.length !== background.reco.nEvents)
    fail(
      'data.background.weights',
      `be a Float64Array with one entry per background event (${background.reco.nEvents})`,
      background.weights,
    );
  checkFiniteRows('data.background.reco', background.reco, () => true);
  checkFiniteWeights('data.background.weights', background.weights, () => true);
  let total = 0;
  for (let i = 0; i < data.weights.length; i++) total += data.weights[i];
  for (let i = 0; i < background.weights.length; i++) total -= background.weights[i];
  if (!(total > 0))
    throw new InputError(
      `data weights minus background weights must have a positive total (step 1 fits the sim to their difference); got ${total}`,
    );
}

export function checkMatrix(name: string, x: FeatureMatrix): void {
  if (typeof x !== 'object' || x === null || !(x.values instanceof Float32Array))
    fail(name, 'be a FeatureMatrix with Float32Array values', x);
  const p = x.particles;
  if (p === undefined) {
    if (!isInt(x.nFeatures) || x.nFeatures < 1) fail(`${name}.nFeatures`, 'be a positive integer', x.nFeatures);
  } else if (!isInt(x.nFeatures) || x.nFeatures < 0) {
    fail(`${name}.nFeatures`, 'be an integer ≥ 0 (events with particles)', x.nFeatures);
  }
  if (!isInt(x.nEvents) || x.values.length !== x.nEvents * x.nFeatures) {
    fail(`${name}.values`, `hold nEvents × nFeatures = ${x.nEvents} × ${x.nFeatures} numbers`, x.values.length);
  }
  if (p !== undefined) checkParticles(`${name}.particles`, p, x.nEvents);
}

/** `x` has particle sets exactly when `like` has, with as many features per particle. */
export function sameParticleFeatures(name: string, x: FeatureMatrix, likeName: string, like: FeatureMatrix): void {
  const describe = (m: FeatureMatrix) =>
    m.particles === undefined ? 'no particles' : `particles with ${m.particles.nFeatures} features`;
  if (
    (x.particles === undefined) !== (like.particles === undefined) ||
    x.particles?.nFeatures !== like.particles?.nFeatures
  )
    throw new InputError(`${name} must have ${describe(like)}, as ${likeName} has; got ${describe(x)}`);
}

/** Offsets from 0, non-decreasing, one more than the events; values as many as the offsets say. */
function checkParticles(name: string, p: ParticleSets, nEvents: number): void {
  if (typeof p !== 'object' || p === null || !(p.offsets instanceof Uint32Array) || !(p.values instanceof Float32Array))
    fail(name, 'be ParticleSets with Uint32Array offsets and Float32Array values', p);
  if (!isInt(p.nFeatures) || p.nFeatures < 1) fail(`${name}.nFeatures`, 'be a positive integer', p.nFeatures);
  if (p.offsets.length !== nEvents + 1)
    fail(`${name}.offsets`, `hold nEvents + 1 = ${nEvents + 1} values`, p.offsets.length);
  if (p.offsets[0] !== 0) fail(`${name}.offsets[0]`, 'be 0', p.offsets[0]);
  for (let i = 0; i < nEvents; i++) {
    if (p.offsets[i + 1] < p.offsets[i])
      throw new InputError(
        `${name}.offsets must not decrease; got ${p.offsets[i + 1]} after ${p.offsets[i]} at event ${i + 1}`,
      );
  }
  const n = p.offsets[nEvents] * p.nFeatures;
  if (p.values.length !== n)
    fail(
      `${name}.values`,
      `hold offsets[nEvents] × nFeatures = ${p.offsets[nEvents]} × ${p.nFeatures} numbers`,
      p.values.length,
    );
}

export function checkMask(name: string, mask: Uint8Array): void {
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0 && mask[i] !== 1)
      throw new InputError(`${name} must hold only 0 or 1; got ${mask[i]} at event ${i}`);
  }
}

export function checkFiniteRows(name: string, x: FeatureMatrix, used: (i: number) => boolean): void {
  const nFeatures = x.nFeatures;
  for (let i = 0; i < x.nEvents; i++) {
    if (!used(i)) continue;
    for (let f = 0; f < nFeatures; f++) {
      const v = x.values[i * nFeatures + f];
      if (!Number.isFinite(v)) throw new InputError(`${name} feature ${f} of event ${i} must be finite; got ${v}`);
    }
    const p = x.particles;
    if (p === undefined) continue;
    for (let k = p.offsets[i] * p.nFeatures; k < p.offsets[i + 1] * p.nFeatures; k++) {
      const v = p.values[k];
      if (!Number.isFinite(v)) {
        const particle = Math.floor(k / p.nFeatures) - p.offsets[i];
        throw new InputError(
          `${name} particle ${particle} feature ${k % p.nFeatures} of event ${i} must be finite; got ${v}`,
        );
      }
    }
  }
}

export function checkFiniteWeights(name: string, w: Float64Array, used: (i: number) => boolean): void {
  for (let i = 0; i < w.length; i++) {
    if (used(i) && !Number.isFinite(w[i])) throw new InputError(`${name} of event ${i} must be finite; got ${w[i]}`);
  }
}

function positiveTotal(name: string, w: Float64Array, used: (i: number) => boolean): void {
  let s = 0;
  for (let i = 0; i < w.length; i++) if (used(i)) s += w[i];
  if (!(s > 0)) throw new InputError(`${name} must have a positive total; got ${s}`);
}
