/**
 * Reads and writes `weights.arrow` files (the format: src/publish/weights_encoding.ts, which
 * encodes and decodes it on any platform), records input files by content, and writes
 * output folders without touching what the engine did not write there
 * (src/io/output_dir.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../base/errors.js';
import { readInputFile } from '../io/csv_io.js';
import { splitObjectPath } from '../io/load.js';
import { checkOutputDir } from '../io/output_dir.js';
import {
  decodeWeightsFile,
  encodeWeightsFile,
  type InputFileRecord,
  type WeightsFile,
  type WeightsFileContent,
} from './weights_encoding.js';

export { WEIGHTS_FORMAT_VERSION, buildWeightsTable, decodeWeightsFile, encodeWeightsFile } from './weights_encoding.js';
export type {
  InputFileRecord,
  LinkedWeightsFile,
  ObservableInfo,
  ReplicaWeightColumn,
  SelectionInfo,
  WeightsFile,
  WeightsFileContent,
  WeightsMetadata,
} from './weights_encoding.js';

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

/** Writes `weights.arrow` (Arrow IPC file format) at `path`. */
export async function writeWeightsFile(path: string, content: WeightsFileContent): Promise<void> {
  await writeFile(path, encodeWeightsFile({ ...content, engineVersion: content.engineVersion ?? engineVersion() }));
}

/** Reads a `weights.arrow` written by {@link writeWeightsFile}. */
export async function readWeightsFile(path: string): Promise<WeightsFile> {
  return decodeWeightsFile(await readInputFile(path), path);
}

/**
 * The weights files linked from `file` (read from `path`), e.g. the alternative unfoldings
 * of `--syst name=unfold:FILE`: each read from the same folder and checked against the
 * SHA-256 and size recorded in `file`. Throws an InputError naming the file otherwise.
 */
export async function readLinkedWeightsFiles(
  path: string,
  file: WeightsFile,
): Promise<{ name: string; path: string; file: WeightsFile }[]> {
  const out: { name: string; path: string; file: WeightsFile }[] = [];
  for (const link of file.metadata.linked ?? []) {
    const linkedPath = join(dirname(path), link.file);
    let bytes: Uint8Array;
    try {
      bytes = await readInputFile(linkedPath);
    } catch (cause) {
      throw new InputError(
        `${path}: linked weights file ${linkedPath} (systematic ${link.name}) must be readable beside it; got ${(cause as Error).message}`,
        { cause },
      );
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== link.sha256 || bytes.length !== link.bytes)
      throw new InputError(
        `${path}: linked weights file ${linkedPath} must have the SHA-256 recorded in it; got ${sha256.slice(0, 12)}… (recorded ${link.sha256.slice(0, 12)}…)`,
      );
    out.push({ name: link.name, path: linkedPath, file: decodeWeightsFile(bytes, linkedPath) });
  }
  return out;
}

/**
 * Writes an output folder safely (src/io/output_dir.ts): `fill` writes into a staging folder
 * inside `outDir`, whose entries then replace the engine's earlier ones. Refuses a file at
 * that path, a folder holding anything the engine did not write, and an earlier omnifold
 * output unless `force`. A folder this call created is removed again when `fill` fails.
 * Returns the entries written.
 */
export async function writeOutputDir(
  outDir: string,
  fill: (dir: string) => Promise<void>,
  options: { force?: boolean; command?: string } = {},
): Promise<string[]> {
  const existed = existsSync(outDir);
  const dir = await checkOutputDir(outDir, {
    subject: 'output folder',
    command: options.command ?? 'library',
    force: options.force,
  });
  try {
    return await dir.commit(fill);
  } catch (error) {
    if (!existed) await rm(dir.path, { recursive: true, force: true }); // this call made it: nothing of it stays
    throw error;
  }
}
