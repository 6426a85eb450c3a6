/**
 * Apache Arrow IPC reader of local files (file and stream format); the decoding, which
 * needs no file access, is src/io/arrow_decode.ts.
 */
import { arrowColumnTable, decodeArrow } from './arrow_decode.js';
import { readInputFile } from './csv_io.js';
import { checkColumnsPresent, type ColumnTable, type ReadOptions, type TableReader } from './table.js';

export { arrowColumnTable, decodeArrow, detectArrowFormat } from './arrow_decode.js';

/**
 * Reads an Arrow IPC file or stream. Checks that every column of `options.columns` and
 * `options.jagged` exists and converts them eagerly (so type errors surface at load time);
 * other columns are converted on first use.
 */
export const readArrow: TableReader = async (path: string, options: ReadOptions): Promise<ColumnTable> => {
  const bytes = await readInputFile(path);
  const table = arrowColumnTable(decodeArrow(bytes, path), path);
  checkColumnsPresent(path, table.columnNames, options.columns);
  checkColumnsPresent(
    path,
    table.columnNames,
    (options.jagged ?? []).map((j) => j.name),
  );
  for (const name of options.columns) table.column(name);
  for (const { name } of options.jagged ?? []) table.jagged?.(name);
  options.onProgress?.(1);
  return table;
};
