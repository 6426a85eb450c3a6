/**
 * `weights.arrow`: the self-describing result of an unfolding. One row per sim event with
 * its gen features (f32), `pass_gen`, `pass_reco` (u8), `weight` = w0·ν after the last
 * iteration (f64), `weight_iter1..N` when iterations were saved, the ensemble columns
 * `member_<m>` (or `run_<r>`) when members were saved, and one f64 column per
 * uncertainty replica. The schema metadata key `omnifold` holds JSON
 * ({@link WeightsMetadata}): format and engine version, the resolved configuration, seed,
 * input files with SHA-256, iteration diagnostics, column families and how they combine,
 * and the normalisation. No timestamp is stored, so the same run writes the same bytes.
 *
 * This file encodes and decodes the format to and from bytes, on any platform;
 * src/publish/weights_file.ts reads and writes local files.
 */
import { Schema, Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { InputError } from '../base/errors.js';
import { column, type FeatureMatrix } from '../base/features.js';
import { ENGINE_VERSION } from '../base/version.js';
import type { IterationDiagnostics, UnfoldResult } from '../algorithm/types.js';
import { arrowColumnTable, decodeArrow } from '../io/arrow_decode.js';
import type { NumericColumn } from '../io/table.js';
import type { ModelsRecord } from './models_encoding.js';
import {
  combinationMetadata,
  ensembleColumnName,
  ensembleStandardErrorFactor,
  type ColumnFamily,
} from '../uncertainty/families.js';

/** An extra weight column (one uncertainty replica), [nSim] w0·ν of that replica. */
export interface ReplicaWeightColumn {
  name: string;
  family: ColumnFamily;
  values: Float64Array;
}

/** An input file, identified by content. */
export interface InputFileRecord {
  /** `sim`, `data`, `truth`, or a systematic's name. */
  role: string;
  path: string;
  sha256: string;
  bytes: number;
}

/** What a gen feature is: a label for plots and tables, and its unit ('' or absent: none). */
export interface ObservableInfo {
  name: string;
  label?: string;
  unit?: string;
}

/** The selections behind `pass_gen` and `pass_reco`, as text for readers. */
export interface SelectionInfo {
  gen?: string;
  reco?: string;
}

/**
 * A weights file written beside this one whose histograms enter this one's uncertainty:
 * the data unfolded with an alternative sim (`--syst name=unfold:FILE`), on that sample's
 * own events. Its systematic is δ = H(linked file's `weight`) − H(this file's `weight`).
 */
export interface LinkedWeightsFile {
  /** Systematic name, as `syst_<name>` columns are named. */
  name: string;
  family: 'systematic';
  /** File name, in the same folder as this file. */
  file: string;
  sha256: string;
  bytes: number;
}

/** What a weights file holds: what {@link encodeWeightsFile} encodes. */
export interface WeightsFileContent {
  /** Gen feature names, used as column names. */
  genNames: readonly string[];
  /** [nSim × nGen] gen features. */
  gen: FeatureMatrix;
  passGen: Uint8Array;
  passReco: Uint8Array;
  /** Prior weights w0, for the normalisation record. */
  priorWeights: Float64Array;
  /** Σ data weights, for the normalisation record. */
  dataWeightSum: number;
  /** Σ background weights, for the normalisation record (only when the run subtracted a background). */
  backgroundWeightSum?: number;
  result: Pick<
    UnfoldResult,
    'weights' | 'weightsPerIteration' | 'memberWeights' | 'iterations' | 'nDropped' | 'options'
  >;
  replicas?: readonly ReplicaWeightColumn[];
  /** The whole resolved run configuration (CLI and library options), stored verbatim. */
  configuration: Record<string, unknown>;
  inputs: readonly InputFileRecord[];
  /** Engine version; default: this engine's ({@link ENGINE_VERSION}). */
  engineVersion?: string;
  /** Labels and units of the gen features (by name); features not listed get their name only. */
  observables?: readonly ObservableInfo[];
  /** The gen- and reco-level selections, as text. */
  selection?: SelectionInfo;
  /** What `weight` is and how it is normalised, as text; default: the unfolding's. */
  normalisationDescription?: string;
  /** Weights files beside this one that enter its uncertainty ({@link LinkedWeightsFile}). */
  linked?: readonly LinkedWeightsFile[];
  /** The saved models beside the file (`--save-models`), by content. */
  models?: ModelsRecord;
}

/** The parsed `omnifold` schema metadata. */
export interface WeightsMetadata {
  format: 'omnifold-weights';
  formatVersion: 1;
  engine: { name: 'omnifold'; version: string };
  configuration: Record<string, unknown>;
  seed: number;
  inputs: InputFileRecord[];
  iterations: IterationDiagnostics[];
  nDropped: number;
  columns: { name: string; role: 'gen_feature' | 'mask' | 'iteration' | ColumnFamily }[];
  combination: Record<string, string>;
  normalisation: Record<string, number | string>;
  /** One entry per gen feature column, in column order. */
  observables: ObservableInfo[];
  /** Present when the producer knew the selections. */
  selection?: SelectionInfo;
  /** Present when the file has ensemble columns: what they are and how they combine. */
  ensemble?: EnsembleMetadata;
  /** Present when weights files beside this one enter its uncertainty ({@link LinkedWeightsFile}). */
  linked?: LinkedWeightsFile[];
  /** Present when the run saved its trained models (`OUT/models/`): the manifest and every file, with SHA-256. */
  models?: ModelsRecord;
}

/** `metadata.ensemble`: the ensemble behind the `ensemble` columns (docs/weights-format.md). */
export interface EnsembleMetadata {
  /** Members per classifier fit (`--ensemble`). */
  members: number;
  /** Independent runs (`--ensemble-runs`); with more than 1, the columns are the runs' final weights. */
  runs: number;
  /** How the members' ratios combine within a run. */
  combine: 'mean' | 'median';
  /** The f of the standard error f·σ/√n of the nominal over the n ensemble columns. */
  standardErrorFactor: number;
}

/** The f of the ensemble term of a weights file: `metadata.ensemble.standardErrorFactor`, 1 when absent. */
export function ensembleFactorOf(metadata: Pick<WeightsMetadata, 'ensemble'>): number {
  const f = metadata.ensemble?.standardErrorFactor;
  return typeof f === 'number' && Number.isFinite(f) && f > 0 ? f : 1;
}

export const WEIGHTS_FORMAT_VERSION = 1;

const RESERVED = /^(pass_gen|pass_reco|weight|weight_iter\d+)$/;

function sum(values: ArrayLike<number>, mask?: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) if (mask === undefined || mask[i]) s += values[i];
  return s;
}

/** Builds the weights table (columns plus metadata) without encoding it. */
export function buildWeightsTable(content: WeightsFileContent): Table {
  const nSim = content.gen.nEvents;
  const columns: Record<string, NumericColumn> = {};
  const roles: WeightsMetadata['columns'] = [];
  const seen = new Set<ArrayBufferLike>();
  const add = (name: string, values: NumericColumn, role: WeightsMetadata['columns'][number]['role']) => {
    if (Object.hasOwn(columns, name))
      throw new InputError(`weights file column names must be unique; got "${name}" twice`);
    if (values.length !== nSim)
      throw new InputError(
        `weights file column "${name}" must have ${nSim} rows like the sim sample; got ${values.length}`,
      );
    // apache-arrow writes a broken IPC file when two columns share one buffer: give each its own
    columns[name] = seen.has(values.buffer) ? values.slice() : values;
    seen.add(values.buffer);
    roles.push({ name, role });
  };
  content.genNames.forEach((name, f) => {
    if (RESERVED.test(name)) throw new InputError(`gen feature name must not be a reserved column name; got "${name}"`);
    add(name, column(content.gen, f), 'gen_feature');
  });
  add('pass_gen', content.passGen, 'mask');
  add('pass_reco', content.passReco, 'mask');
  add('weight', content.result.weights, 'nominal');
  content.result.weightsPerIteration?.forEach((w, n) => add(`weight_iter${n + 1}`, w, 'iteration'));
  const options = content.result.options;
  const members = content.result.memberWeights ?? [];
  members.forEach((w, k) => add(ensembleColumnName(k, options.ensembleRuns), w, 'ensemble'));
  for (const r of content.replicas ?? []) add(r.name, r.values, r.family);
  const metadata: WeightsMetadata = {
    format: 'omnifold-weights',
    formatVersion: WEIGHTS_FORMAT_VERSION,
    engine: { name: 'omnifold', version: content.engineVersion ?? ENGINE_VERSION },
    configuration: content.configuration,
    seed: content.result.options.seed,
    inputs: [...content.inputs],
    iterations: content.result.iterations,
    nDropped: content.result.nDropped,
    columns: roles,
    combination: combinationMetadata(),
    normalisation: {
      description:
        content.normalisationDescription ??
        'weight = w0 * push after the last iteration; absolute (not normalised to unit area): sum over pass_gen estimates the data yield corrected for efficiency, fakes removed',
      sumPriorWeights: sum(content.priorWeights),
      sumPriorWeightsPassGen: sum(content.priorWeights, content.passGen),
      sumWeights: sum(content.result.weights),
      sumWeightsPassGen: sum(content.result.weights, content.passGen),
      sumDataWeights: content.dataWeightSum,
      ...(content.backgroundWeightSum === undefined ? {} : { sumBackgroundWeights: content.backgroundWeightSum }),
    },
    observables: content.genNames.map((name) => ({ ...content.observables?.find((o) => o.name === name), name })),
    ...(content.selection === undefined ? {} : { selection: content.selection }),
    ...(content.linked === undefined || content.linked.length === 0 ? {} : { linked: [...content.linked] }),
    ...(members.length === 0
      ? {}
      : {
          ensemble: {
            members: options.nMembers,
            runs: options.ensembleRuns,
            combine: options.ensembleCombine,
            standardErrorFactor: ensembleStandardErrorFactor(options),
          },
        }),
    ...(content.models === undefined ? {} : { models: content.models }),
  };
  const table = tableFromArrays(columns as Record<string, Float64Array>);
  const schema = new Schema(table.schema.fields, new Map([['omnifold', JSON.stringify(metadata)]]));
  return new Table(schema, table.batches);
}

/** The bytes of a weights file (Arrow IPC file format) holding `content`. */
export function encodeWeightsFile(content: WeightsFileContent): Uint8Array {
  return tableToIPC(buildWeightsTable(content), 'file');
}

/** A weights file decoded: every column (zero-copy views of the bytes where possible) and the metadata. */
export interface WeightsFile {
  nRows: number;
  columnNames: string[];
  columns: Map<string, NumericColumn>;
  metadata: WeightsMetadata;
}

/** Decodes the bytes of a weights file; `source` names it in errors (e.g. its path). */
export function decodeWeightsFile(bytes: Uint8Array, source = 'weights file'): WeightsFile {
  const arrow = decodeArrow(bytes, source);
  const json = arrow.schema.metadata.get('omnifold');
  if (json === undefined)
    throw new InputError(
      `${source}: schema metadata must have the key "omnifold"; got keys ${[...arrow.schema.metadata.keys()].join(', ') || 'none'}`,
    );
  let metadata: WeightsMetadata;
  try {
    metadata = JSON.parse(json) as WeightsMetadata;
  } catch (error) {
    throw new InputError(`${source}: metadata "omnifold" must be JSON; got unparsable text`, { cause: error });
  }
  if (metadata.format !== 'omnifold-weights')
    throw new InputError(
      `${source}: metadata format must be "omnifold-weights"; got ${JSON.stringify(metadata.format)}`,
    );
  const table = arrowColumnTable(arrow, source);
  const columnNames = [...table.columnNames];
  return { nRows: table.nRows, columnNames, columns: new Map(columnNames.map((n) => [n, table.column(n)])), metadata };
}
