/**
 * The saved models folder on disk (`OUT/models/`; the format: src/publish/models_encoding.ts):
 * written by `omnifold unfold --save-models`, read back, every hash checked, by
 * `omnifold apply`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../base/errors.js';
import type { UnfoldModels } from '../algorithm/models.js';
import {
  decodeModels,
  encodeModels,
  MODELS_MANIFEST,
  type ModelsManifest,
  type ModelsRecord,
} from './models_encoding.js';

/**
 * Writes the models of an unfolding into folder `dir` (created; a path the caller owns,
 * e.g. inside an output folder's staging folder) and returns the record that the weights
 * file keeps, with paths relative to the output folder (`models/…`).
 */
export async function writeModels(dir: string, models: UnfoldModels, engineVersion?: string): Promise<ModelsRecord> {
  const { files, record } = encodeModels(models, basename(dir), engineVersion);
  await mkdir(dir, { recursive: true });
  for (const f of files) await writeFile(join(dir, f.name), f.bytes);
  return record;
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${path} must be a readable file (${what}); got ${code === 'ENOENT' ? 'no such file' : code}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads the models folder `dir` (e.g. `OUT/models`) and checks it: the format version,
 * every file's size and SHA-256, every model; with `expectedSha256` (the weights file's
 * `metadata.models.sha256`), the manifest's hash too.
 *
 * @throws InputError naming the file, the rule and the value
 */
export function readModels(dir: string, expectedSha256?: string): { models: UnfoldModels; manifest: ModelsManifest } {
  const manifest = readBytes(
    join(dir, MODELS_MANIFEST),
    'the models manifest, written by omnifold unfold --save-models',
  );
  return decodeModels(
    manifest,
    (name) => readBytes(join(dir, name), `listed in ${MODELS_MANIFEST}`),
    dir,
    expectedSha256,
  );
}
