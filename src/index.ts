/**
 * The public API of the engine: explicit named exports, nothing else.
 */
export { OmniFoldError, InputError, KernelError, NumericalError, WorkerError } from './errors.js';
export { REPLICA_KIND, STEP, PURPOSE, RandomStream, philox4x32, poissonOneWeights, streamKey } from './rng.js';
export type { RngKey, ReplicaKind, StepName, Purpose } from './rng.js';
export { featureMatrix, fromColumns, column, selectRows, maskIndices } from './features.js';
export type { FeatureMatrix } from './features.js';
export type {
  Classifier,
  ClassifierSpec,
  TrainedClassifier,
  FitContext,
  FitInfo,
  RatioClip,
  RatioResult,
  EpochReport,
  MlpOptions,
  Activation,
} from './classifier.js';
export type {
  SimSample,
  DataSample,
  UnfoldOptions,
  UnfoldResult,
  UnfoldProgress,
  UnfoldContext,
  StepJob,
  MemberResult,
  MemberRunner,
  StepDiagnostics,
  IterationDiagnostics,
  MissesMode,
  FakesMode,
} from './types.js';
export type { ColumnTable, NumericColumn, ReadOptions, TableReader } from './io/table.js';
export { Histogram, checkEdges } from './histogram.js';
export { unfold } from './omnifold.js';
export { resolveUnfoldOptions, validateSamples } from './options.js';
export { BinnedClassifier, clipRatio } from './binned_classifier.js';
export type { BinnedSpec } from './binned_classifier.js';
export { createClassifier } from './classifier_factory.js';
export { fitMember, fitMemberWith } from './fit_member.js';
export { InProcessRunner } from './runner.js';
export type { InProcessRunnerOptions } from './runner.js';
export { combineRatios } from './combine.js';
export type { CombineMode } from './combine.js';
export { MLP_DEFAULTS, UNFOLD_DEFAULTS } from './defaults.js';
