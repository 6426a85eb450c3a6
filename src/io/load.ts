/**
 * Reads a table from any supported file, choosing the format by extension. Format modules
 * are imported lazily, so a format's library loads only when a file of it is read.
 *
 * `path` may name an object inside the file after a colon: `events.root:tree`,
 * `events.h5:/group/dataset`, `arrays.npz:x`.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../base/errors.js';
import { uniqueJagged } from './jagged.js';
import { readJagged, type ColumnTable, type ReadOptions, type TableReader } from './table.js';

/** Extension → [module, exported reader]. */
const READERS: Record<string, [string, string]> = {
  '.arrow': ['./arrow_io.js', 'readArrow'],
  '.feather': ['./arrow_io.js', 'readArrow'],
  '.ipc': ['./arrow_io.js', 'readArrow'],
  '.arrows': ['./arrow_io.js', 'readArrow'],
  '.csv': ['./csv_io.js', 'readCsv'],
  '.parquet': ['./parquet_io.js', 'readParquet'],
  '.pq': ['./parquet_io.js', 'readParquet'],
  '.h5': ['./hdf5_io.js', 'readHdf5'],
  '.hdf5': ['./hdf5_io.js', 'readHdf5'],
  '.npy': ['./npy_io.js', 'readNpy'],
  '.npz': ['./npz_io.js', 'readNpz'],
  '.root': ['./root_io.js', 'readRoot'],
};

/** Splits `file.ext:object` into the file and the object (if any). */
export function splitObjectPath(path: string): { file: string; object?: string } {
  const match = /^(.*\.[A-Za-z0-9]+):([^/\\].*|\/.*)$/.exec(path);
  if (match && Object.hasOwn(READERS, extname(match[1]).toLowerCase())) return { file: match[1], object: match[2] };
  return { file: path };
}

/** Why a file cannot be opened, as a short phrase for an error message. */
function openFailure(code: string | undefined): string {
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ENOTDIR') return 'a path through something that is not a folder';
  if (code === 'EACCES' || code === 'EPERM') return `no permission (${code})`;
  return code ?? 'an unreadable path';
}

/**
 * Checks, before anything is read, that the file named by `path` (with any `:OBJECT`
 * suffix removed) is a readable regular file; `option` names where the path came from,
 * e.g. `--sim`. Returns the file's path without the object. Throws an InputError such as
 * `--sim events.root:tree: file events.root must exist; got no such file`.
 */
export async function checkInputFile(option: string, path: string): Promise<string> {
  const { file } = splitObjectPath(path);
  const subject = `${option} ${path}: file${file === path ? '' : ` ${file}`}`;
  let info;
  try {
    info = await stat(file);
    if (info.isFile()) await access(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${subject} must ${code === 'ENOENT' ? 'exist' : 'be readable'}; got ${openFailure(code)}`, {
      cause: error,
    });
  }
  if (!info.isFile())
    throw new InputError(
      `${subject} must be a regular file; got ${info.isDirectory() ? 'a directory' : 'something else'}`,
    );
  return file;
}

/** The supported extensions, for help texts and error messages. */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze(Object.keys(READERS));

/** Throws if a requested column's name is held by more than one column of the table. */
function checkUnique(table: ColumnTable, requested: readonly string[]): void {
  for (const name of requested) {
    let count = 0;
    for (const c of table.columnNames) if (c === name) count++;
    if (count > 1)
      throw new InputError(
        `${table.source}: column ${JSON.stringify(name)} must name one column; got ${count} columns of that name`,
      );
  }
}

/**
 * Reads the columns `options.columns` of the table at `path`, and the variable-length
 * columns `options.jagged` (each `{ name, count? }`; `count` names the count column of
 * padded formats, HDF5 and NPZ), which are then `table.jagged(name, count)` (or
 * {@link readJagged}). A requested name held by two columns of the file is an error (which
 * one was meant cannot be known); so is a variable-length column asked of a format that
 * holds none (CSV, a single .npy array).
 */
export async function readTable(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file } = splitObjectPath(path);
  const ext = extname(file).toLowerCase();
  const entry = READERS[ext];
  if (entry === undefined) {
    throw new InputError(
      `${path}: file extension must be one of ${SUPPORTED_EXTENSIONS.join(', ')}; got ${JSON.stringify(ext)}`,
    );
  }
  uniqueJagged(path, options.jagged);
  const [modulePath, exportName] = entry;
  const module = (await import(modulePath)) as Record<string, TableReader>;
  const table = await module[exportName](path, options);
  checkUnique(table, options.columns);
  const jagged = options.jagged ?? [];
  checkUnique(
    table,
    jagged.map((j) => j.name),
  );
  for (const { name, count } of jagged) readJagged(table, name, count);
  return table;
}
