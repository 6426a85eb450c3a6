/**
 * Every default, defined once: read by the library, the TSDoc and `omnifold --help`.
 */
import type { MlpOptions } from '../classifiers/classifier.js';
import type { UnfoldOptions } from './types.js';

/** MLP classifier defaults (the 3×50 ReLU network of the OmniFold paper's Gaussian example). */
export const MLP_DEFAULTS: Readonly<MlpOptions> = Object.freeze({
  hidden: Object.freeze([50, 50, 50]) as unknown as number[],
  activation: 'relu',
  epochs: 30,
  batchSize: 256,
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  adamEpsilon: 1e-7,
  validationFraction: 0.2,
  patience: 5,
  schedule: 'constant',
  residentMiB: 16,
});

/** Unfolding defaults. */
export const UNFOLD_DEFAULTS: Readonly<UnfoldOptions> = Object.freeze({
  nIterations: 4,
  classifier: Object.freeze({ type: 'mlp' }) as UnfoldOptions['classifier'],
  misses: 'expectation',
  fakes: 'reco-average',
  epsilon: 1e-6,
  wMax: 100,
  nMembers: 1,
  ensembleCombine: 'mean',
  seed: 0,
  saveIterations: false,
  replica: Object.freeze({ kind: 'nominal', index: 0 }) as UnfoldOptions['replica'],
});
