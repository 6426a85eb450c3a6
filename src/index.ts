/**
 * The public API of the engine: explicit named exports, nothing else.
 */
export { OmniFoldError, InputError, KernelError, NumericalError, WorkerError } from './base/errors.js';
export { REPLICA_KIND, STEP, PURPOSE, RandomStream, philox4x32, poissonOneWeights, streamKey } from './base/rng.js';
export type { RngKey, ReplicaKind, StepName, Purpose } from './base/rng.js';
export { featureMatrix, fromColumns, column, selectRows, maskIndices } from './base/features.js';
export type { FeatureMatrix } from './base/features.js';
export type {
  Classifier,
  TrainedClassifier,
  FitContext,
  FitInfo,
  RatioClip,
  RatioResult,
  EpochReport,
} from './classifiers/classifier.js';
export type { ClassifierSpec } from './classifiers/registry.js';
export type { Activation } from './kernels/activation.js';
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
} from './algorithm/types.js';
export type { ColumnTable, NumericColumn, ReadOptions, TableReader } from './io/table.js';
export { Histogram, checkEdges } from './analysis/histogram.js';
export { unfold } from './algorithm/omnifold.js';
export { resolveUnfoldOptions, validateSamples } from './algorithm/options.js';
export { BinnedClassifier, clipRatio } from './classifiers/binned.js';
export { MlpClassifier } from './classifiers/mlp/classifier.js';
export type { TrainedMlp } from './classifiers/mlp/trained.js';
export type { MlpOptions, MlpSpec } from './classifiers/mlp/options.js';
export type { BinnedSpec } from './classifiers/binned.js';
export { createClassifier } from './classifiers/registry.js';
export { fitMember, fitMemberWith } from './algorithm/fit_member.js';
export { InProcessRunner } from './algorithm/in_process_runner.js';
export type { InProcessRunnerOptions } from './algorithm/in_process_runner.js';
export { combineRatios } from './algorithm/combine.js';
export type { CombineMode } from './algorithm/combine.js';
export { PoolRunner, resolveThreadCount } from './execution/pool.js';
export type { PoolOptions } from './execution/pool.js';
export { planReplicas, replicaInputs, checkSystematic, unfoldReplica } from './uncertainty/replicas.js';
export type { ReplicaOptions, SystematicSpec, ReplicaPlan, ReplicaColumn, ReplicaProgress, ReplicaRunResult } from './uncertainty/replicas.js';
export type { ColumnFamily, ReplicaFamily, CovarianceFamily, WeightColumn, FamilyInfo, FamilyRole } from './uncertainty/families.js';
export { Moments, mergeMoments, combineReplicas, replicaUncertainties, correlationMatrix, diagonalSqrt, binnedSums, weightedMean } from './uncertainty/covariance.js';
export type { ReplicaValue, UncertaintyBreakdown } from './uncertainty/covariance.js';
export { parseExpression, Expression } from './analysis/expr.js';
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
export { writeWeightsFile, readWeightsFile, writeOutputDir } from './publish/weights_file.js';
export type { WeightsFileContent, WeightsMetadata, ReplicaWeightColumn } from './publish/weights_file.js';
export { summarize, writeSummary } from './publish/summary.js';
export type { RunSummary } from './publish/summary.js';
export { gaussToy, GAUSS_TOY_DEFAULTS } from './toys/gauss.js';
export { leptonJetToy, LEPTON_JET_TOY_DEFAULTS } from './toys/lepton_jet.js';
export type { ToyDataset } from './toys/toy.js';
export { writePlotsAndReport } from './report/publish.js';
export type { PlotOptions, PlotResult } from './report/publish.js';
export { validateWeightsFile, validateWeightsTable, COLUMN_ROLES, SUPPORTED_FORMAT_VERSIONS } from './publish/validate.js';
export type { ValidationReport } from './publish/validate.js';
export { writeHepdata, hepdataHistogram, hepdataFiles } from './publish/hepdata.js';
export type { HepdataHistogram, HepdataOptions, HistogramRequest } from './publish/hepdata.js';
export { MLP_DEFAULTS, UNFOLD_DEFAULTS } from './algorithm/defaults.js';
export { runReplicas, ReplicaRun } from './execution/run_replicas.js';
export type { ReplicaContext, ReplicaRunOptions, ExecutedReplicas } from './execution/run_replicas.js';
export type { ReplicaExecutor, ExecutorRun } from './execution/executor.js';
export { InProcessExecutor } from './execution/in_process_executor.js';
export type { InProcessExecutorOptions } from './execution/in_process_executor.js';
export { PoolExecutor } from './execution/pool_executor.js';
export type { PoolExecutorOptions } from './execution/pool_executor.js';
export { prepareReplicas, computeReplica } from './uncertainty/replicas.js';
export type { ReplicaWork } from './uncertainty/replicas.js';
export type { ReplicaRecord, ReplicaStore, RecordExpectation } from './uncertainty/replica_record.js';
