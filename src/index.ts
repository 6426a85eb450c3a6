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
export { MlpClassifier } from './mlp_classifier.js';
export type { TrainedMlp, MlpSpec } from './mlp_classifier.js';
export type { BinnedSpec } from './binned_classifier.js';
export { createClassifier } from './classifier_factory.js';
export { fitMember, fitMemberWith } from './fit_member.js';
export { InProcessRunner } from './runner.js';
export type { InProcessRunnerOptions } from './runner.js';
export { combineRatios } from './combine.js';
export type { CombineMode } from './combine.js';
export { PoolRunner, resolveThreadCount } from './pool.js';
export type { PoolOptions } from './pool.js';
export { runReplicas, planReplicas, replicaInputs, checkSystematic, unfoldReplica } from './replicas.js';
export type { ReplicaOptions, SystematicSpec, ReplicaPlan, ReplicaColumn, ReplicaFamily, ReplicaContext, ReplicaProgress, ReplicaRunResult } from './replicas.js';
export { Moments, mergeMoments, combineReplicas, replicaUncertainties, correlationMatrix, diagonalSqrt, binnedSums, weightedMean } from './covariance.js';
export type { ReplicaValue, UncertaintyBreakdown, WeightColumn, WeightFamily, CovarianceFamily } from './covariance.js';
export { parseExpression, Expression } from './expr.js';
export { readTable, splitObjectPath, SUPPORTED_EXTENSIONS } from './io/load.js';
export { readArrow } from './io/arrow_io.js';
export { readCsv } from './io/csv_io.js';
export { readParquet, writeParquet } from './io/parquet_io.js';
export type { ParquetWriteOptions } from './io/parquet_io.js';
export { readHdf5, writeHdf5 } from './io/hdf5_io.js';
export { readNpy, writeNpy } from './io/npy_io.js';
export { readNpz, writeNpz } from './io/npz_io.js';
export type { NpyWriteOptions } from './io/npy_io.js';
export type { NpzWriteOptions } from './io/npz_io.js';
export { readRoot } from './io/root_io.js';
export { simSampleFromTable, dataSampleFromTable, truthSampleFromTable } from './io/samples.js';
export type { SimColumns, DataColumns, TruthSample } from './io/samples.js';
export { writeWeightsFile, readWeightsFile, writeOutputDir } from './io/weights_file.js';
export type { WeightsFileContent, WeightsMetadata, ReplicaWeightColumn, ColumnFamily } from './io/weights_file.js';
export { summarize, writeSummary } from './io/summary.js';
export type { RunSummary } from './io/summary.js';
export { gaussToy, GAUSS_TOY_DEFAULTS } from './toys/gauss.js';
export { leptonJetToy, LEPTON_JET_TOY_DEFAULTS } from './toys/lepton_jet.js';
export type { ToyDataset } from './toys/toy.js';
export { writePlotsAndReport } from './report/publish.js';
export type { PlotOptions, PlotResult } from './report/publish.js';
export { validateWeightsFile, validateWeightsTable, COLUMN_ROLES, SUPPORTED_FORMAT_VERSIONS } from './validate.js';
export type { ValidationReport } from './validate.js';
export { writeHepdata, hepdataHistogram, hepdataFiles } from './hepdata.js';
export type { HepdataHistogram, HepdataOptions, HistogramRequest } from './hepdata.js';
export { MLP_DEFAULTS, UNFOLD_DEFAULTS } from './defaults.js';
