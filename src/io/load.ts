/**
 * Reads a table from any supported file, choosing the format by extension. Format modules
 * are imported lazily, so a format's library loads only when a file of it is read.
 *
 * `path` may name an object inside the file after a colon: `events.root:tree`,
 * `events.h5:/group/dataset`, `arrays.npz:x`.
 */
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import type { ColumnTable, ReadOptions, TableReader } from './table.js';

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
  '.npz': ['./npy_io.js', 'readNpz'],
  '.root': ['./root_io.js', 'readRoot'],
};

/** Splits `file.ext:object` into the file and the object (if any). */
export function splitObjectPath(path: string): { file: string; object?: string } {
  const match = /^(.*\.[A-Za-z0-9]+):([^/\\].*|\/.*)$/.exec(path);
  if (match && Object.hasOwn(READERS, extname(match[1]).toLowerCase())) return { file: match[1], object: match[2] };
  return { file: path };
}

/** The supported extensions, for help texts and error messages. */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze(Object.keys(READERS));

/** Reads the columns `options.columns` of the table at `path`. */
export async function readTable(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file } = splitObjectPath(path);
  const ext = extname(file).toLowerCase();
  const entry = READERS[ext];
  if (entry === undefined) {
    throw new InputError(`${path}: file extension must be one of ${SUPPORTED_EXTENSIONS.join(', ')}; got ${JSON.stringify(ext)}`);
  }
  const [modulePath, exportName] = entry;
  const module = (await import(modulePath)) as Record<string, TableReader>;
  return module[exportName](path, options);
}
