/**
 * The platform-neutral public API (`omnifold/browser`): the unfolding, its classifiers,
 * feature matrices, histograms and expressions, the toys, uncertainty replicas (planned,
 * run one by one or by the in-process executor, kept in memory and merged), covariances,
 * the weights-file encoding to and from bytes and its validation, the run summary and
 * HEPData tables as text, with no `node:` module anywhere below it. It
 * runs in browsers, web workers and any other JavaScript host with WebAssembly. What needs
 * a file system or threads (the readers of local files, output folders, the worker pool,
 * the replica store on disk and `runReplicas` over it, writing summaries and HEPData
 * folders, PNG figures and reports) is in the Node entry, src/index.ts, under the same names as
 * here.
 *
 * The host hands over the kernels (`build/omnifold.wasm`) once, before the first unfolding:
 *
 * @example
 *   import { initKernels, gaussToy, unfold } from 'omnifold/browser';
 *   await initKernels(new URL('omnifold.wasm', import.meta.url)); // or its bytes, or a compiled module
 *   const toy = gaussToy({ nSim: 20000, nData: 20000 });
 *   const result = await unfold(toy.sim, toy.data, { classifier: { type: 'binned', edges: [[-4, -2, 0, 2, 4]] } });
 *   result.weights; // Float64Array [nSim]: w0·ν, bit for bit what Node computes
 */
export { initKernels } from './kernels/wasm.js';
export type { KernelSource } from './kernels/wasm.js';
export { OmniFoldError, InputError, KernelError, NumericalError, WorkerError, describeValue } from './base/errors.js';
export { REPLICA_KIND, STEP, PURPOSE, LOOP_STEPS, RandomStream, poissonOneWeights } from './base/rng.js';
export type { RngKey, ReplicaKind, StepName, Purpose } from './base/rng.js';
export {
  featureMatrix,
  fromColumns,
  column,
  maskIndices,
  selectRows,
  selectParticles,
  concatRows,
  particleCount,
} from './base/features.js';
export type { FeatureMatrix, ParticleSets } from './base/features.js';
export type {
  Classifier,
  TrainedClassifier,
  FitContext,
  FitInfo,
  RatioClip,
  RatioResult,
  EpochReport,
  ModelData,
} from './classifiers/classifier.js';
export {
  CLASSIFIER_KINDS,
  CLASSIFIER_TYPES,
  CLASSIFIER_FLAGS,
  classifierKind,
  createClassifier,
  restoreModel,
  isRunLocalClassifierFlag,
  withoutRunLocalOptions,
  hasGradientBlocks,
  storedBeforeBlocks,
} from './classifiers/registry.js';
export type { ClassifierSpec, ClassifierType } from './classifiers/registry.js';
export type { ClassifierKind, ClassifierFlag, ClassifierInputs } from './classifiers/kind.js';
export { integerFlag, positiveNumberFlag, choiceFlag, listFlag, orList } from './base/flag_values.js';
export type { Activation } from './kernels/activation.js';
export type {
  SimSample,
  DataSample,
  BackgroundSample,
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
export { MISSES_MODES, FAKES_MODES, STEP2_REFERENCES } from './algorithm/types.js';
export type { Step2Reference } from './algorithm/types.js';
export { applyModels } from './algorithm/models.js';
export type { UnfoldModels, IterationModels, FakesModels, ApplySample, ApplyResult } from './algorithm/models.js';
export type { ColumnTable, NumericColumn, JaggedColumn } from './io/table.js';
export { readJagged } from './io/table.js';
export { Histogram, checkEdges } from './analysis/histogram.js';
export { parseExpression, Expression } from './analysis/expr.js';
export { matrixIbu, genCellTotals, compareWithIbu, gridCells, gridSize } from './analysis/ibu.js';
export type { IbuSim, IbuData, IbuOptions, IbuResult, IbuComparisonRow } from './analysis/ibu.js';
export { parseBins } from './analysis/bins.js';
export { unfold } from './algorithm/omnifold.js';
export { resolveUnfoldOptions, validateSamples } from './algorithm/options.js';
export { reweight, resolveReweightOptions, REWEIGHT_DEFAULTS, REWEIGHT_NORMALISATIONS } from './algorithm/reweight.js';
export type {
  ReweightSample,
  ReweightOptions,
  ReweightNormalisation,
  ReweightResult,
  ReweightDiagnostics,
  ReweightContext,
  FeatureChi2,
} from './algorithm/reweight.js';
export { generatorSystematic, GENERATOR_RECIPES } from './uncertainty/generator_systematics.js';
export type {
  GeneratorRecipe,
  GeneratorSystematic,
  GeneratorSystematicOptions,
  GeneratorSystematicContext,
} from './uncertainty/generator_systematics.js';
export { MLP_DEFAULTS, UNFOLD_DEFAULTS } from './algorithm/defaults.js';
export { LEGACY_GRADIENT_BLOCKS } from './classifiers/mlp/kind.js';
export { BinnedClassifier, clipRatio } from './classifiers/binned.js';
export type { BinnedSpec } from './classifiers/binned.js';
export { MlpClassifier } from './classifiers/mlp/classifier.js';
export type { TrainedMlp } from './classifiers/mlp/trained.js';
export type { MlpOptions, MlpSpec } from './classifiers/mlp/options.js';
export { PfnClassifier } from './classifiers/pfn/classifier.js';
export { PFN_DEFAULTS } from './classifiers/pfn/options.js';
export type { PfnOptions, PfnSpec } from './classifiers/pfn/options.js';
export type { TrainedPfn } from './classifiers/pfn/trained.js';
export { fitMember, fitMemberWith } from './algorithm/fit_member.js';
export { InProcessRunner } from './algorithm/in_process_runner.js';
export type { InProcessRunnerOptions } from './algorithm/in_process_runner.js';
export type { CombineMode } from './algorithm/combine.js';
export {
  planReplicas,
  replicaInputs,
  checkSystematic,
  unfoldReplica,
  prepareReplicas,
  computeReplica,
  mergeReplicas,
  replicaUnfoldOptions,
} from './uncertainty/replicas.js';
export type {
  ReplicaOptions,
  SystematicSpec,
  ReplicaPlan,
  ReplicaColumn,
  ReplicaProgress,
  ReplicaRunResult,
  ReplicaWork,
} from './uncertainty/replicas.js';
export { closureTest, coverageScan, defaultTilt, splitHalves } from './uncertainty/closure.js';
export type {
  CheckContext,
  CheckObservable,
  ClosureResult,
  ClosureRow,
  CoverageResult,
  CoverageRow,
} from './uncertainty/closure.js';
export {
  chooseIterations,
  iterationHistograms,
  checkIterationSearch,
  ITERATION_SEARCH_DEFAULTS,
  MIN_DATA_BOOTSTRAPS,
} from './uncertainty/iteration_choice.js';
export type { IterationChoice, IterationSearch, IterationBinning } from './uncertainty/iteration_choice.js';
export { searchIterations } from './execution/iteration_search.js';
export type { IterationSearchContext } from './execution/iteration_search.js';
export { MemoryReplicaStore } from './uncertainty/replica_record.js';
export type { ReplicaRecord, ReplicaStore, RecordExpectation } from './uncertainty/replica_record.js';
export type { ReplicaExecutor, ExecutorRun } from './execution/executor.js';
export { InProcessExecutor } from './execution/in_process_executor.js';
export type { InProcessExecutorOptions } from './execution/in_process_executor.js';
export { Moments, mergeMoments } from './uncertainty/moments.js';
export {
  combineReplicas,
  replicaUncertainties,
  correlationMatrix,
  familyTerms,
  diagonalSqrt,
} from './uncertainty/covariance.js';
export {
  histogramUncertainties,
  meanUncertainties,
  describeStat,
  binnedSums,
  weightedMean,
} from './uncertainty/quantities.js';
export type { FamilyTerm, FamilyTermKind, ReplicaValue, UncertaintyBreakdown } from './uncertainty/covariance.js';
export {
  describeNormalisation,
  normalisationText,
  normalisedHistogramUncertainties,
  normaliseHistogram,
  normaliseSumw2,
  parseNormalisation,
} from './uncertainty/normalisation.js';
export type { HistogramNormalisation, NormalisedHistogramOptions } from './uncertainty/normalisation.js';
export {
  FAMILIES,
  COLUMN_FAMILIES,
  REPLICA_FAMILIES,
  TOTAL_COMBINATION,
  weightColumns,
  MEDIAN_STANDARD_ERROR_FACTOR,
  ensembleStandardErrorFactor,
  ensembleColumnName,
} from './uncertainty/families.js';
export type {
  ColumnFamily,
  ReplicaFamily,
  CovarianceFamily,
  CovarianceRole,
  WeightColumn,
  FamilyInfo,
  FamilyRole,
} from './uncertainty/families.js';
export {
  simSampleFromTable,
  dataSampleFromTable,
  backgroundSampleFromTable,
  concatBackgrounds,
  truthSampleFromTable,
  simColumnList,
  jaggedColumnList,
  readWeights,
} from './io/samples.js';
export type { SimColumns, DataColumns, TruthSample } from './io/samples.js';
export { checkParticleColumns, readParticles } from './io/particles.js';
export type { ParticleColumns } from './io/particles.js';
export { encodeWeightsFile, decodeWeightsFile, ensembleFactorOf } from './publish/weights_encoding.js';
export type {
  WeightsFile,
  WeightsFileContent,
  WeightsMetadata,
  EnsembleMetadata,
  ReplicaWeightColumn,
  InputFileRecord,
  LinkedWeightsFile,
  ObservableInfo,
  SelectionInfo,
} from './publish/weights_encoding.js';
export { encodeModels, decodeModels, MODELS_FORMAT_VERSION } from './publish/models_encoding.js';
export type {
  EncodedModels,
  ModelFileReader,
  ModelsFileRecord,
  ModelsManifest,
  ModelsRecord,
} from './publish/models_encoding.js';
export {
  validateWeightsBytes,
  validateWeightsTable,
  COLUMN_ROLES,
  SUPPORTED_FORMAT_VERSIONS,
} from './publish/weights_validation.js';
export type { ValidationReport } from './publish/weights_validation.js';
export { summarize, summaryJson, autoEdges } from './publish/run_summary.js';
export type { RunSummary } from './publish/run_summary.js';
export { createEngine } from './engine/create_browser.js';
export type { BrowserEngineOptions } from './engine/create_browser.js';
export { Engine } from './engine/engine.js';
export type { EngineCallOptions, EngineHost, EngineOptions, EngineUnfoldResult } from './engine/engine.js';
export { describeColumns } from './publish/column_descriptions.js';
export type { ColumnDescription } from './publish/column_descriptions.js';
export { columnAttributes, columnCopy, packageMetadata } from './publish/python_layouts.js';
export type { ColumnCopy, PackageBinning, PackageInputs } from './publish/python_layouts.js';
export { toYaml11 } from './publish/yaml11.js';
export { hepdataHistogram, hepdataFiles } from './publish/hepdata_submission.js';
export { histSource, histQuery, momentQuery, histJson, histogramJson, uncertaintyRows } from './publish/hist_query.js';
export type { HistSource } from './publish/hist_query.js';
export type {
  FamilyCovarianceTable,
  HepdataHistogram,
  HepdataOptions,
  HistogramRequest,
} from './publish/hepdata_submission.js';
export { observableFigure } from './plots/observable_figure.js';
export type { ObservableFigureInput, BinnedSeries } from './plots/observable_figure.js';
export { diagnosticsFigure } from './plots/diagnostics_figure.js';
export type { DiagnosticsFigureInput } from './plots/diagnostics_figure.js';
export { correlationFigure } from './plots/correlation_figure.js';
export type { CorrelationFigureInput } from './plots/correlation_figure.js';
export { renderSvg } from './plots/render_svg.js';
export { COLOURS } from './plots/style.js';
export type { VegaLiteSpec } from './plots/render_svg.js';
export { gaussToy, GAUSS_TOY_DEFAULTS } from './toys/gauss.js';
export { leptonJetToy, LEPTON_JET_TOY_DEFAULTS } from './toys/lepton_jet.js';
export {
  jetsToy,
  jetObservables,
  JETS_TOY_DEFAULTS,
  JETS_SIM,
  JETS_DATA,
  JETS_OBSERVABLES,
  JETS_PARTICLE_FEATURES,
} from './toys/jets.js';
export type { JetGenerator, JetsToyOptions } from './toys/jets.js';
export type { ToyDataset } from './toys/toy.js';
