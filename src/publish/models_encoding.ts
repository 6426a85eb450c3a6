/**
 * The saved models of an unfolding (`OUT/models/`, format `omnifold-models` version 1;
 * docs/weights-format.md, "Saved models"): a manifest, `models.json`, and one binary file
 * per trained model. The manifest holds the format and engine version, the options that
 * applying the models needs (the unfolding's resolved options: classifier, clip guards,
 * member combination, step-2 reference, fakes mode, runs), the feature names, and per run
 * and kept iteration the step-2 members and the fakes step (members, or the global factor).
 * Each model entry names its file, with its size and SHA-256, its kind, its JSON fields
 * (shapes, class totals) and where each of its arrays lies in the file: little-endian f32
 * or f64, each starting at a multiple of 8 bytes.
 *
 * This file encodes and decodes the format to and from bytes, on any platform;
 * src/publish/models_file.ts reads and writes the folder.
 */
import { createSha256 } from '#base/sha256-impl';
import { InputError } from '../base/errors.js';
import { ENGINE_VERSION } from '../base/version.js';
import type { ModelData } from '../classifiers/classifier.js';
import { restoreModel, withoutRunLocalOptions } from '../classifiers/registry.js';
import type { FakesModels, IterationModels, UnfoldModels } from '../algorithm/models.js';
import { resolveUnfoldOptions } from '../algorithm/options.js';
import type { UnfoldOptions } from '../algorithm/types.js';

export const MODELS_FORMAT = 'omnifold-models';
export const MODELS_FORMAT_VERSION = 1;
/** The manifest's file name inside the models folder. */
export const MODELS_MANIFEST = 'models.json';

/** Where one array of a model lies in its file. */
interface ArrayEntry {
  name: string;
  dtype: 'f32' | 'f64';
  /** Byte offset in the file, a multiple of 8. */
  offset: number;
  length: number;
}

/** One trained model in the manifest. */
interface ModelEntry {
  file: string;
  bytes: number;
  sha256: string;
  type: string;
  fields: Record<string, unknown>;
  arrays: ArrayEntry[];
}

type FakesEntry =
  { mode: 'reco-average'; members: ModelEntry[] } | { mode: 'global'; factor: number } | { mode: 'fixed' };

/** `models.json`. */
export interface ModelsManifest {
  format: typeof MODELS_FORMAT;
  formatVersion: typeof MODELS_FORMAT_VERSION;
  engine: { name: 'omnifold'; version: string };
  description: string;
  /** The unfolding's resolved options, without the classifier's run-local ones. */
  options: UnfoldOptions;
  features: { gen: string[]; reco: string[] };
  runs: { run: number; iterations: { iteration: number; step2: ModelEntry[]; fakes?: FakesEntry }[] }[];
}

/** A file of the models folder, as recorded in a weights file's metadata. */
export interface ModelsFileRecord {
  /** Relative to the output folder, e.g. `models/run0_iter1_step2_member0.bin`. */
  path: string;
  sha256: string;
  bytes: number;
}

/** `metadata.models` of a weights file: the manifest and every model file, by content. */
export interface ModelsRecord extends ModelsFileRecord {
  format: typeof MODELS_FORMAT;
  formatVersion: typeof MODELS_FORMAT_VERSION;
  files: ModelsFileRecord[];
}

/** The encoded folder: file name → bytes (the manifest last), and its record for the weights file. */
export interface EncodedModels {
  files: { name: string; bytes: Uint8Array }[];
  record: ModelsRecord;
}

const DESCRIPTION =
  'Trained step-2 and fakes models of an OmniFold unfolding. With options.step2Reference "previous" the push weight of an event is the product over the iterations of the combined (options.ensembleCombine) ratio of the step-2 members at its gen features (passing gen) or of the fakes step (fakes: reco-average members at its reco features, or the global factor); with "prior" it is the last iteration\'s ratio alone; with several runs, the mean of the runs\' push weights. weight = prior weight * push. omnifold apply computes it.';

const sha256 = (bytes: Uint8Array) => createSha256().update(bytes).hex();

/** Pads to a multiple of 8. */
const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The bytes of one model's file and its manifest entry. */
function encodeModel(model: ModelData, file: string): { bytes: Uint8Array; entry: ModelEntry } {
  const arrays: ArrayEntry[] = [];
  let size = 0;
  for (const [name, a] of Object.entries(model.arrays)) {
    const dtype = a instanceof Float32Array ? 'f32' : 'f64';
    arrays.push({ name, dtype, offset: size, length: a.length });
    size = align8(size + a.byteLength);
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (const { name, dtype, offset, length } of arrays) {
    const a = model.arrays[name];
    for (let k = 0; k < length; k++) {
      if (dtype === 'f32') view.setFloat32(offset + 4 * k, a[k], true);
      else view.setFloat64(offset + 8 * k, a[k], true);
    }
  }
  return {
    bytes,
    entry: { file, bytes: size, sha256: sha256(bytes), type: model.type, fields: model.fields, arrays },
  };
}

/**
 * Encodes the models of an unfolding (`UnfoldResult.models`): one file per model, named
 * `run<r>_iter<n>_<step>_member<m>.bin`, and the manifest. `folder` is the folder's path
 * relative to the output folder, as the record names the files (default `models`).
 */
export function encodeModels(models: UnfoldModels, folder = 'models', engineVersion = ENGINE_VERSION): EncodedModels {
  const files: { name: string; bytes: Uint8Array }[] = [];
  const add = (model: ModelData, name: string): ModelEntry => {
    const { bytes, entry } = encodeModel(model, name);
    files.push({ name, bytes });
    return entry;
  };
  const members = (list: ModelData[], r: number, n: number, step: string) =>
    list.map((m, k) => add(m, `run${r}_iter${n}_${step}_member${k}.bin`));
  const manifest: ModelsManifest = {
    format: MODELS_FORMAT,
    formatVersion: MODELS_FORMAT_VERSION,
    engine: { name: 'omnifold', version: engineVersion },
    description: DESCRIPTION,
    options: { ...models.options, classifier: withoutRunLocalOptions(models.options.classifier) },
    features: { gen: [...models.genNames], reco: [...models.recoNames] },
    runs: models.runs.map((iterations, r) => ({
      run: r,
      iterations: iterations.map((it) => {
        const fakes = it.fakes;
        return {
          iteration: it.iteration,
          step2: members(it.step2, r, it.iteration, 'step2'),
          ...(fakes === undefined
            ? {}
            : {
                fakes:
                  fakes.mode === 'reco-average'
                    ? { mode: fakes.mode, members: members(fakes.members, r, it.iteration, 'fakes') }
                    : fakes,
              }),
        };
      }),
    })),
  };
  const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`);
  const record: ModelsRecord = {
    path: `${folder}/${MODELS_MANIFEST}`,
    sha256: sha256(bytes),
    bytes: bytes.length,
    format: MODELS_FORMAT,
    formatVersion: MODELS_FORMAT_VERSION,
    files: files.map((f) => ({ path: `${folder}/${f.name}`, sha256: sha256(f.bytes), bytes: f.bytes.length })),
  };
  files.push({ name: MODELS_MANIFEST, bytes });
  return { files, record };
}

/** What {@link decodeModels} needs besides the manifest: the bytes of a file of the folder by name. */
export type ModelFileReader = (name: string) => Uint8Array;

/**
 * Decodes a models folder: the manifest's bytes, and its model files through `read`.
 * Checks the format and its version, the options, every file's size and SHA-256, every
 * array's place in its file and every model (its kind's `restore`). `source` names the
 * folder in errors. With `expectedSha256` (a weights file's `metadata.models.sha256`),
 * the manifest must have that hash.
 *
 * @throws InputError naming the file, the rule and the value
 */
export function decodeModels(
  manifestBytes: Uint8Array,
  read: ModelFileReader,
  source = 'models',
  expectedSha256?: string,
): { models: UnfoldModels; manifest: ModelsManifest } {
  const where = `${source}/${MODELS_MANIFEST}`;
  if (expectedSha256 !== undefined) {
    const got = sha256(manifestBytes);
    if (got !== expectedSha256)
      throw new InputError(
        `${where} must have the SHA-256 its weights file records (${expectedSha256}); got ${got} (the folder changed after the run)`,
      );
  }
  let manifest: ModelsManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as ModelsManifest;
  } catch (error) {
    throw new InputError(`${where} must be JSON; got unparsable text`, { cause: error });
  }
  if (manifest?.format !== MODELS_FORMAT)
    throw new InputError(`${where}: format must be "${MODELS_FORMAT}"; got ${JSON.stringify(manifest?.format)}`);
  if (manifest.formatVersion !== MODELS_FORMAT_VERSION)
    throw new InputError(
      `${where}: formatVersion must be ${MODELS_FORMAT_VERSION} (this engine reads version ${MODELS_FORMAT_VERSION}); got ${JSON.stringify(manifest.formatVersion)}`,
    );
  let options: UnfoldOptions;
  try {
    options = resolveUnfoldOptions(manifest.options);
  } catch (error) {
    throw new InputError(`${where}: ${(error as Error).message}`, { cause: error });
  }
  const names = (v: unknown, what: string): string[] => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string'))
      throw new InputError(`${where}: features.${what} must be a non-empty list of names; got ${JSON.stringify(v)}`);
    return v;
  };
  const genNames = names(manifest.features?.gen, 'gen');
  const recoNames = names(manifest.features?.reco, 'reco');
  const model = (entry: ModelEntry): ModelData => decodeModel(entry, read, source);
  const list = (v: unknown, what: string): ModelEntry[] => {
    if (!Array.isArray(v) || v.length !== options.nMembers)
      throw new InputError(
        `${where}: ${what} must list ${options.nMembers} members (options.nMembers); got ${Array.isArray(v) ? v.length : JSON.stringify(v)}`,
      );
    return v as ModelEntry[];
  };
  const runs = manifest.runs;
  if (!Array.isArray(runs) || runs.length !== options.ensembleRuns)
    throw new InputError(
      `${where}: runs must list ${options.ensembleRuns} runs (options.ensembleRuns); got ${Array.isArray(runs) ? runs.length : JSON.stringify(runs)}`,
    );
  const expected =
    options.step2Reference === 'prior'
      ? [options.nIterations]
      : Array.from({ length: options.nIterations }, (_, n) => n + 1);
  const decoded: IterationModels[][] = runs.map((run, r) => {
    const iterations = run?.iterations;
    const got = Array.isArray(iterations) ? iterations.map((it) => it?.iteration) : iterations;
    if (JSON.stringify(got) !== JSON.stringify(expected))
      throw new InputError(
        `${where}: runs[${r}].iterations must be iterations ${expected.join(', ')} (step2Reference ${options.step2Reference}); got ${JSON.stringify(got)}`,
      );
    return iterations.map((it, k) => {
      const at = `runs[${r}].iterations[${k}]`;
      return {
        iteration: it.iteration,
        step2: list(it.step2, `${at}.step2`).map(model),
        ...(it.fakes === undefined ? {} : { fakes: decodeFakes(it.fakes, at, where, options, list, model) }),
      };
    });
  });
  return { models: { options, genNames, recoNames, runs: decoded }, manifest };
}

function decodeFakes(
  fakes: FakesEntry,
  at: string,
  where: string,
  options: UnfoldOptions,
  list: (v: unknown, what: string) => ModelEntry[],
  model: (entry: ModelEntry) => ModelData,
): FakesModels {
  if (fakes?.mode !== options.fakes)
    throw new InputError(
      `${where}: ${at}.fakes.mode must be options.fakes (${options.fakes}); got ${JSON.stringify(fakes?.mode)}`,
    );
  if (fakes.mode === 'reco-average')
    return { mode: fakes.mode, members: list(fakes.members, `${at}.fakes.members`).map(model) };
  if (fakes.mode === 'global') {
    if (!(typeof fakes.factor === 'number' && Number.isFinite(fakes.factor) && fakes.factor >= 0))
      throw new InputError(
        `${where}: ${at}.fakes.factor must be a finite non-negative number; got ${JSON.stringify(fakes.factor)}`,
      );
    return { mode: 'global', factor: fakes.factor };
  }
  return { mode: 'fixed' };
}

const FILE_NAME = /^[A-Za-z0-9_.-]+\.bin$/;

/** One model's data from its file, every size, hash and array bound checked; its kind restores it once as a check. */
function decodeModel(entry: ModelEntry, read: ModelFileReader, source: string): ModelData {
  const file = entry?.file;
  if (typeof file !== 'string' || !FILE_NAME.test(file))
    throw new InputError(
      `${source}/${MODELS_MANIFEST}: model file names must match [A-Za-z0-9_.-]+.bin; got ${JSON.stringify(file)}`,
    );
  const where = `${source}/${file}`;
  const bytes = read(file);
  if (bytes.length !== entry.bytes)
    throw new InputError(`${where} must have the ${entry.bytes} bytes the manifest records; got ${bytes.length}`);
  const got = sha256(bytes);
  if (got !== entry.sha256)
    throw new InputError(`${where} must have the SHA-256 the manifest records (${entry.sha256}); got ${got}`);
  if (typeof entry.fields !== 'object' || entry.fields === null || !Array.isArray(entry.arrays))
    throw new InputError(`${source}/${MODELS_MANIFEST}: the entry of ${file} must have fields and arrays; got neither`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const arrays: Record<string, Float32Array | Float64Array> = {};
  for (const a of entry.arrays) {
    const width = a?.dtype === 'f32' ? 4 : a?.dtype === 'f64' ? 8 : 0;
    const ok =
      width > 0 &&
      typeof a.name === 'string' &&
      Number.isInteger(a.offset) &&
      Number.isInteger(a.length) &&
      a.offset >= 0 &&
      a.length >= 0 &&
      a.offset + width * a.length <= bytes.length;
    if (!ok)
      throw new InputError(
        `${where}: array entries must give name, dtype f32 or f64, and an offset and length inside the file; got ${JSON.stringify(a)}`,
      );
    const out = width === 4 ? new Float32Array(a.length) : new Float64Array(a.length);
    for (let k = 0; k < a.length; k++)
      out[k] = width === 4 ? view.getFloat32(a.offset + 4 * k, true) : view.getFloat64(a.offset + 8 * k, true);
    arrays[a.name] = out;
  }
  const data: ModelData = { type: entry.type, fields: entry.fields, arrays };
  restoreModel(data, where);
  return data;
}
