/**
 * Apache Arrow IPC reader of local files (file and stream format); the decoding, which
 * needs no file access, is src/io/arrow_decode.ts.
 */
import { arrowColumnTable, decodeArrow } from './arrow_decode.js';
import { readInputFile } from './csv_io.js';
import { checkColumnsPresent, type ColumnTable, type ReadOptions, type TableReader } from './table.js';

export { arrowColumnTable, decodeArrow, detectArrowFormat } from './arrow_decode.js';

/**
 * Reads an Arrow IPC file or stream. Checks that every column of `options.columns` exists
 * and converts them eagerly (so type errors surface at load time).
 */
export const readArrow: TableReader = async (path: string, options: ReadOptions): Promise<ColumnTable> => {
  const bytes = await readInputFile(path);
  const table = arrowColumnTable(decodeArrow(bytes, path), path);
  checkColumnsPresent(path, table.columnNames, options.columns);
  for (const name of options.columns) table.column(name);
  options.onProgress?.(1);
  return table;
};
