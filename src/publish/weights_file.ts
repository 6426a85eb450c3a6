/**
 * `weights.arrow`: the self-describing result of an unfolding. One row per sim event with
 * its gen features (f32), `pass_gen`, `pass_reco` (u8), `weight` = w0·ν after the last
 * iteration (f64), `weight_iter1..N` when iterations were saved, and one f64 column per
 * uncertainty replica. The schema metadata key `omnifold` holds JSON
 * ({@link WeightsMetadata}): format and engine version, the resolved configuration, seed,
 * input files with SHA-256, iteration diagnostics, column families and how they combine,
 * and the normalisation. No timestamp is stored, so the same run writes the same bytes.
 *
 * {@link writeOutputDir} writes an output folder without touching what the engine did not
 * write there (src/io/output_dir.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Schema, Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { InputError } from '../base/errors.js';
import { column, type FeatureMatrix } from '../base/features.js';
import type { IterationDiagnostics, UnfoldResult } from '../algorithm/types.js';
import { arrowColumnTable, decodeArrow } from '../io/arrow_io.js';
import { readInputFile } from '../io/csv_io.js';
import { splitObjectPath } from '../io/load.js';
import { checkOutputDir } from '../io/output_dir.js';
import type { NumericColumn } from '../io/table.js';
import { combinationMetadata, type ColumnFamily } from '../uncertainty/families.js';

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

/** What {@link writeWeightsFile} writes. */
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
  result: Pick<UnfoldResult, 'weights' | 'weightsPerIteration' | 'iterations' | 'nDropped' | 'options'>;
  replicas?: readonly ReplicaWeightColumn[];
  /** The whole resolved run configuration (CLI and library options), stored verbatim. */
  configuration: Record<string, unknown>;
  inputs: readonly InputFileRecord[];
  /** Engine version; default: the version in package.json. */
  engineVersion?: string;
  /** Labels and units of the gen features (by name); features not listed get their name only. */
  observables?: readonly ObservableInfo[];
  /** The gen- and reco-level selections, as text. */
  selection?: SelectionInfo;
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
}

export const WEIGHTS_FORMAT_VERSION = 1;

let cachedVersion: string | undefined;

/** The engine version from the package.json above this file (dist/ or src/ layouts). */
export function engineVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let up = 0; up < 5; up++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'omnifold' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
  }
  return (cachedVersion = 'unknown');
}

/**
 * SHA-256 (hex) and size of an input file, streamed. `path` may name an object inside the
 * file (`events.root:tree`): the file is hashed, the path recorded as given.
 */
export async function describeInputFile(role: string, path: string): Promise<InputFileRecord> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(splitObjectPath(path).file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { role, path, sha256: hash.digest('hex'), bytes };
}

const RESERVED = /^(pass_gen|pass_reco|weight|weight_iter\d+)$/;

function sum(values: ArrayLike<number>, mask?: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) if (mask === undefined || mask[i]) s += values[i];
  return s;
}

/** Builds the weights table (columns plus metadata) without writing it. */
export function buildWeightsTable(content: WeightsFileContent): Table {
  const nSim = content.gen.nEvents;
  const columns: Record<string, NumericColumn> = {};
  const roles: WeightsMetadata['columns'] = [];
  const seen = new Set<ArrayBufferLike>();
  const add = (name: string, values: NumericColumn, role: WeightsMetadata['columns'][number]['role']) => {
    if (Object.hasOwn(columns, name)) throw new InputError(`weights file column names must be unique; got "${name}" twice`);
    if (values.length !== nSim) throw new InputError(`weights file column "${name}" must have ${nSim} rows like the sim sample; got ${values.length}`);
    // apache-arrow writes a broken IPC file when two columns share one buffer: give each its own
    columns[name] = seen.has(values.buffer) ? (values.slice() as NumericColumn) : values;
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
  for (const r of content.replicas ?? []) add(r.name, r.values, r.family);
  const metadata: WeightsMetadata = {
    format: 'omnifold-weights',
    formatVersion: WEIGHTS_FORMAT_VERSION,
    engine: { name: 'omnifold', version: content.engineVersion ?? engineVersion() },
    configuration: content.configuration,
    seed: content.result.options.seed,
    inputs: [...content.inputs],
    iterations: content.result.iterations,
    nDropped: content.result.nDropped,
    columns: roles,
    combination: combinationMetadata(),
    normalisation: {
      description: 'weight = w0 * push after the last iteration; absolute (not normalised to unit area): sum over pass_gen estimates the data yield corrected for efficiency, fakes removed',
      sumPriorWeights: sum(content.priorWeights),
      sumPriorWeightsPassGen: sum(content.priorWeights, content.passGen),
      sumWeights: sum(content.result.weights),
      sumWeightsPassGen: sum(content.result.weights, content.passGen),
      sumDataWeights: content.dataWeightSum,
    },
    observables: content.genNames.map((name) => ({ ...content.observables?.find((o) => o.name === name), name })),
    ...(content.selection === undefined ? {} : { selection: content.selection }),
  };
  const table = tableFromArrays(columns as Record<string, Float64Array>);
  const schema = new Schema(table.schema.fields, new Map([['omnifold', JSON.stringify(metadata)]]));
  return new Table(schema, table.batches);
}

/** Writes `weights.arrow` (Arrow IPC file format) at `path`. */
export async function writeWeightsFile(path: string, content: WeightsFileContent): Promise<void> {
  await writeFile(path, tableToIPC(buildWeightsTable(content), 'file'));
}

/** A weights file read back: every column (zero-copy where possible) and the metadata. */
export interface WeightsFile {
  nRows: number;
  columnNames: string[];
  columns: Map<string, NumericColumn>;
  metadata: WeightsMetadata;
}

/** Reads a `weights.arrow` written by {@link writeWeightsFile}. */
export async function readWeightsFile(path: string): Promise<WeightsFile> {
  const arrow = decodeArrow(await readInputFile(path), path);
  const json = arrow.schema.metadata.get('omnifold');
  if (json === undefined) throw new InputError(`${path}: schema metadata must have the key "omnifold"; got keys ${[...arrow.schema.metadata.keys()].join(', ') || 'none'}`);
  let metadata: WeightsMetadata;
  try {
    metadata = JSON.parse(json) as WeightsMetadata;
  } catch (error) {
    throw new InputError(`${path}: metadata "omnifold" must be JSON; got unparsable text`, { cause: error });
  }
  if (metadata.format !== 'omnifold-weights') throw new InputError(`${path}: metadata format must be "omnifold-weights"; got ${JSON.stringify(metadata.format)}`);
  const table = arrowColumnTable(arrow, path);
  const columnNames = [...table.columnNames];
  return { nRows: table.nRows, columnNames, columns: new Map(columnNames.map((n) => [n, table.column(n)])), metadata };
}

/**
 * Writes an output folder safely (src/io/output_dir.ts): `fill` writes into a staging folder
 * inside `outDir`, whose entries then replace the engine's earlier ones. Refuses a file at
 * that path, a folder holding anything the engine did not write, and an earlier omnifold
 * output unless `force`. A folder this call created is removed again when `fill` fails.
 * Returns the entries written.
 */
export async function writeOutputDir(outDir: string, fill: (dir: string) => Promise<void>, options: { force?: boolean; command?: string } = {}): Promise<string[]> {
  const existed = existsSync(outDir);
  const dir = await checkOutputDir(outDir, { subject: 'output folder', command: options.command ?? 'library', force: options.force });
  try {
    return await dir.commit(fill);
  } catch (error) {
    if (!existed) await rm(dir.path, { recursive: true, force: true }); // this call made it: nothing of it stays
    throw error;
  }
}
