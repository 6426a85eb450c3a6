/**
 * Single output files (`hist --json`, `export --parquet`/`--hdf5` and their metadata):
 * checked before any work, never replacing an existing file unless the user says so
 * (`--force`: a single file carries no record of who wrote it), and written whole: into a
 * temporary file beside the target, renamed into place only when complete.
 */
import { constants } from 'node:fs';
import { access, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError, OmniFoldError } from '../base/errors.js';
import { describeFsError, nearestExisting } from './output_dir.js';

/** Throws an InputError naming `subject` unless `path` may be written (see the module comment). */
export async function checkOutputFile(path: string, subject: string, force = false): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found?.isDirectory()) throw new InputError(`${subject} ${path} must be a file path; got a folder`);
  if (found !== undefined && !force) {
    throw new InputError(
      `${subject} ${path} must not exist (the engine never overwrites a file unasked); got an existing file (--force replaces it)`,
    );
  }
  const parent = await nearestExisting(resolve(dirname(path)));
  try {
    await access(parent, constants.W_OK);
  } catch (error) {
    throw new InputError(`${subject} ${path} must be writable; got ${describeFsError(error)} at ${parent}`);
  }
}

/**
 * Writes `path` whole: `write` fills a temporary path in the same folder (same extension,
 * for writers that look at it), which is then renamed to `path`. On failure the temporary
 * file is removed and `path` is unchanged.
 */
export async function writeFileWhole(
  path: string,
  subject: string,
  write: (temp: string) => Promise<void>,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}${extname(path)}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await write(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof OmniFoldError || (error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new InputError(`${subject} ${path} must be written whole; got ${describeFsError(error)}`);
  }
}
