/**
 * The public API for Node: everything of the platform-neutral entry (src/browser.ts), plus
 * what needs local files, threads or native code: the readers and writers of files, safe
 * output folders, the worker pool, replica runs with their store on disk, the weights
 * file on disk, plots and the report. The CLI (src/cli/) uses this API and nothing else.
 * test/public_api.test.ts pins the list of names.
 */
export * from './browser.js';
// Node's createEngine (worker threads) replaces the browser's (Web Workers)
export { createEngine } from './engine/create_node.js';
export { PoolRunner, resolveThreadCount } from './execution/pool.js';
export type { PoolOptions } from './execution/pool.js';
export { runReplicas, ReplicaRun } from './execution/run_replicas.js';
export type { ReplicaContext, ReplicaRunOptions, ExecutedReplicas } from './execution/run_replicas.js';
export { PoolExecutor } from './execution/pool_executor.js';
export { taskTable, indexRanges, SLURM_MAX_ARRAY_SIZE } from './execution/batch_plan.js';
export type { TaskPacking } from './execution/batch_plan.js';
export { PlanReplicaStore, planReplicaState } from './execution/batch_store.js';
export { removeStaleTemporaries } from './uncertainty/replica_store.js';
export type { PlanReplicaState } from './execution/batch_store.js';
export {
  slurmFiles,
  slurmResubmitLine,
  slurmTaskScript,
  taskLines,
  htcondorFiles,
  shellQuote,
  splitOptions,
} from './execution/batch_scripts.js';
export type { BatchScriptPlan, SlurmSettings, HtcondorSettings } from './execution/batch_scripts.js';
export type { PoolExecutorOptions } from './execution/pool_executor.js';
export type { TableReader, ReadOptions } from './io/table.js';
export { readTable, checkInputFile, splitObjectPath, SUPPORTED_EXTENSIONS } from './io/load.js';
export { readArrow } from './io/arrow_io.js';
export { readCsv } from './io/csv_io.js';
export { readParquet, readParquetMetadata, writeParquet } from './io/parquet_io.js';
export type { ParquetMetadata, ParquetWriteOptions } from './io/parquet_io.js';
export { readHdf5 } from './io/hdf5_io.js';
export { writeHdf5, writePandasHdf5 } from './io/hdf5_write.js';
export type { Hdf5Attributes, Hdf5WriteOptions, PandasHdf5Options } from './io/hdf5_write.js';
export { readNpy, writeNpy } from './io/npy_io.js';
export { readNpz, writeNpz } from './io/npz_io.js';
export type { NpyWriteOptions } from './io/npy_io.js';
export type { NpzWriteOptions } from './io/npz_io.js';
export { readRoot } from './io/root_io.js';
export { checkOutputDir, engineOutput, OutputDir } from './io/output_dir.js';
export { checkOutputFile, writeFileWhole } from './io/output_file.js';
export {
  writeWeightsFile,
  readWeightsFile,
  readLinkedWeightsFiles,
  writeOutputDir,
  describeInputFile,
  engineVersion,
} from './publish/weights_file.js';
export { writeSummary } from './publish/summary.js';
export { writeModels, readModels } from './publish/models_file.js';
export { validateWeightsFile } from './publish/validate.js';
export { writeHepdata } from './publish/hepdata.js';
export { writePlotsAndReport } from './report/publish.js';
export { svgToPng } from './plots/render.js';
export type { PngOptions } from './plots/render.js';
export type { PlotOptions, PlotResult } from './report/publish.js';
export { runWarnings } from './report/warnings.js';
export {
  CHECK_NAMES,
  CHECKS_DIR,
  checkFileName,
  checkRecordJson,
  parseCheckRecord,
  readChecks,
} from './report/checks.js';
export type { CheckName, CheckRecord, IbuCheckResult } from './report/checks.js';
export type { ReportWarning } from './report/warnings.js';
