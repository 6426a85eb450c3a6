/**
 * Every default, defined once: read by the library, the TSDoc and `omnifold --help`.
 * A classifier's defaults live with it (the MLP's in src/classifiers/mlp/options.ts) and
 * are re-exported here.
 */
import type { UnfoldOptions } from './types.js';

export { MLP_DEFAULTS } from '../classifiers/mlp/options.js';

/** Unfolding defaults. */
export const UNFOLD_DEFAULTS: Readonly<UnfoldOptions> = Object.freeze({
  nIterations: 4,
  classifier: Object.freeze({ type: 'mlp' }),
  misses: 'expectation',
  fakes: 'reco-average',
  step2Reference: 'previous',
  epsilon: 1e-6,
  wMax: 100,
  nMembers: 1,
  ensembleCombine: 'mean',
  ensembleRuns: 1,
  seed: 0,
  saveIterations: false,
  saveMembers: false,
  saveModels: false,
  replica: Object.freeze({ kind: 'nominal', index: 0 }),
});
