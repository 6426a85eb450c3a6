/**
 * The loader interface every file format implements: named numeric columns of one table.
 * Platform-neutral: no file access here.
 */
import { InputError } from '../base/errors.js';

/** A numeric column as read from a file. Masks come as Uint8Array (0/1). */
export type NumericColumn =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array;

/** Named columns of equal length, read from one file (or one tree/dataset of it). */
export interface ColumnTable {
  /** Where the table came from, for error messages: e.g. `sim.arrow` or `data.root:events`. */
  readonly source: string;
  readonly nRows: number;
  /** Every column the file has (not only those read). */
  readonly columnNames: readonly string[];
  /** The column, or throws InputError naming the source and listing the columns. */
  column(name: string): NumericColumn;
  /**
   * A variable-length column (one list of numbers per row), for particle-level inputs:
   * Arrow `List<…>`/`LargeList<…>`, Parquet lists, ROOT jagged branches; or, for formats
   * that store padded arrays (HDF5, NPY/NPZ), a 2-D [nRows × maxLength] array cut to the
   * lengths in the 1-D integer column `count`. Throws an InputError naming the source and
   * the column when it is absent, not a list (or, padded, not 2-D), or a count is out of
   * range. Readers of formats without lists leave it out; those that store lists ignore
   * `count`.
   */
  jagged?(name: string, count?: string): JaggedColumn;
}

/** One list of numbers per row, as offsets plus flat values (see {@link ColumnTable.jagged}). */
export interface JaggedColumn {
  /** [nRows + 1], offsets[0] = 0, non-decreasing; row i's list is values[offsets[i] .. offsets[i+1]). */
  readonly offsets: Uint32Array;
  /** All lists, concatenated in row order. */
  readonly values: Float32Array | Float64Array;
}

/** Options of every reader. */
export interface ReadOptions {
  /** Columns to read; readers that can skip the others do. */
  columns: readonly string[];
  /** Variable-length columns to read (see {@link ColumnTable.jagged}), with the count column of padded formats. */
  jagged?: readonly { name: string; count?: string }[];
  /** Reports progress of large reads as a fraction in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** A format's reader. `path` may carry an object suffix (`file.root:tree`, `file.h5:/group/ds`). */
export type TableReader = (path: string, options: ReadOptions) => Promise<ColumnTable>;

/** Throws the one-line "column not found" error for the first of `wanted` missing from `names`. */
export function checkColumnsPresent(source: string, names: readonly string[], wanted: readonly string[]): void {
  for (const name of wanted) {
    if (!names.includes(name)) {
      throw new InputError(`${source}: column "${name}" not found; columns are ${names.join(', ')}`);
    }
  }
}

/**
 * The variable-length column `name` of `table` (with `count`, the count column of padded
 * formats), or a one-line InputError when the table's format holds no lists (CSV).
 * @example const jets = readJagged(table, 'jet_pt', 'n_jets')  // { offsets, values }
 */
export function readJagged(table: ColumnTable, name: string, count?: string): JaggedColumn {
  if (table.jagged === undefined)
    throw new InputError(
      `${table.source}: variable-length column ${JSON.stringify(name)} must come from a format that holds lists (Arrow, Parquet, ROOT, or padded HDF5/NPZ with a count column); got a format that holds no variable-length columns`,
    );
  return table.jagged(name, count);
}
