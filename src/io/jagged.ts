/**
 * Variable-length (jagged) columns, shared by the readers: offsets plus flat values
 * (see {@link ColumnTable.jagged}), never padded. Platform-neutral.
 *
 * Value types, in every format: float32 stays Float32Array, float64 stays Float64Array;
 * float16 widens to Float32Array; integers and booleans become Float64Array (exact up to
 * 2^53 in magnitude; a 64-bit integer beyond that is an InputError rather than a rounded
 * number). Non-finite values are kept as stored: the sample builder checks them.
 */
import { InputError } from '../base/errors.js';
import type { JaggedColumn, NumericColumn } from './table.js';

/** The flat values of a jagged column. */
export type JaggedValues = Float32Array | Float64Array;

/** The largest integer every value of which a float64 holds exactly. */
const MAX_EXACT = 2 ** 53;
const MAX_EXACT_BIG = 2n ** 53n;

/** `name` with its count column, for error messages: `"x" (count "n")`. */
function described(name: string, count?: string): string {
  return count === undefined ? JSON.stringify(name) : `${JSON.stringify(name)} (count ${JSON.stringify(count)})`;
}

/** A jagged column read eagerly, with the count column it was cut with (padded formats). */
export interface ReadJagged {
  count?: string;
  column: JaggedColumn;
}

/**
 * The jagged columns of a table read eagerly, as a `jagged` method: a name read with
 * `options.jagged` is returned; `checkExists(name)` throws the format's "not found" error
 * for a name the file does not have; one it has but that was not asked for, or (padded
 * formats) asked for with another count column, is an error saying how to ask for it.
 * Formats that store lists ignore `count`.
 */
export function jaggedLookup(
  source: string,
  read: ReadonlyMap<string, ReadJagged>,
  checkExists: (name: string) => void,
): (name: string, count?: string) => JaggedColumn {
  return (name: string, count?: string): JaggedColumn => {
    const entry = read.get(name);
    if (entry === undefined) {
      checkExists(name);
      throw new InputError(
        `${source}: variable-length column ${JSON.stringify(name)} must be listed in options.jagged to be read; got only ${read.size === 0 ? '(none)' : [...read.keys()].join(', ')}`,
      );
    }
    if (entry.count !== undefined && count !== entry.count)
      throw new InputError(
        `${source}: variable-length column ${JSON.stringify(name)} must be asked for with the count column it was read with (${entry.count === undefined ? 'none' : JSON.stringify(entry.count)}); got ${count === undefined ? 'none' : JSON.stringify(count)}`,
      );
    return entry.column;
  };
}

/** Checks that the requested jagged columns name each column once (one count column each). */
export function uniqueJagged(
  source: string,
  jagged: readonly { name: string; count?: string }[] | undefined,
): { name: string; count?: string }[] {
  const seen = new Map<string, string | undefined>();
  for (const { name, count } of jagged ?? []) {
    if (seen.has(name) && seen.get(name) !== count)
      throw new InputError(
        `${source}: variable-length column ${JSON.stringify(name)} must be requested with one count column; got ${described(name, seen.get(name))} and ${described(name, count)}`,
      );
    seen.set(name, count);
  }
  return [...seen].map(([name, count]) => (count === undefined ? { name } : { name, count }));
}

/** Throws unless `total` values fit offsets of 32 bits. */
export function checkTotal(source: string, name: string, total: number): void {
  if (total > 0xffffffff)
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} must hold at most 2^32 − 1 values in all; got ${total}`,
    );
}

/** Converts an integer (number or bigint) to a float64, refusing magnitudes beyond 2^53. */
export function exactNumber(source: string, name: string, value: number | bigint, row: number): number {
  const v = Number(value);
  const beyond = typeof value === 'bigint' ? value > MAX_EXACT_BIG || value < -MAX_EXACT_BIG : Math.abs(v) > MAX_EXACT;
  if (beyond)
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} must hold integers of magnitude at most 2^53 (read as float64); got ${String(value)} in row ${row}`,
    );
  return v;
}

/** Joins jagged parts (row groups, record batches) in order into one column. */
export function concatJagged(source: string, name: string, parts: readonly JaggedColumn[]): JaggedColumn {
  if (parts.length === 1) return parts[0];
  const nRows = parts.reduce((n, p) => n + p.offsets.length - 1, 0);
  const total = parts.reduce((n, p) => n + p.values.length, 0);
  checkTotal(source, name, total);
  const Values = parts.some((p) => p.values instanceof Float64Array) ? Float64Array : Float32Array;
  const offsets = new Uint32Array(nRows + 1);
  const values = new Values(total);
  let row = 0;
  let at = 0;
  for (const p of parts) {
    const n = p.offsets.length - 1;
    for (let i = 1; i <= n; i++) offsets[row + i] = at + p.offsets[i];
    values.set(p.values, at);
    row += n;
    at += p.values.length;
  }
  return { offsets, values };
}

/**
 * Values that grow as rows are appended (a doubling buffer), trimmed to their length at the
 * end: for readers that learn each row's length only as they read it (ROOT).
 */
export class JaggedBuilder {
  private values: JaggedValues;
  private readonly offsets: Uint32Array;
  private row = 0;
  private length = 0;

  constructor(
    private readonly source: string,
    private readonly name: string,
    nRows: number,
    private readonly Values: typeof Float32Array | typeof Float64Array,
  ) {
    this.offsets = new Uint32Array(nRows + 1);
    this.values = new Values(Math.max(16, nRows));
  }

  /** Appends one row's list (numbers, booleans or 64-bit integers as numbers or bigints). */
  push(list: ArrayLike<number | bigint | boolean>): void {
    const n = list.length;
    if (this.length + n > this.values.length) {
      checkTotal(this.source, this.name, this.length + n);
      const grown = new this.Values(Math.max(2 * this.values.length, this.length + n));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    for (let k = 0; k < n; k++) {
      const v = list[k];
      this.values[this.length + k] =
        typeof v === 'number'
          ? v
          : typeof v === 'boolean'
            ? Number(v)
            : exactNumber(this.source, this.name, v, this.row);
    }
    this.length += n;
    this.offsets[++this.row] = this.length;
  }

  /** The column (values copied to their exact length), after `nRows` rows were pushed. */
  finish(): JaggedColumn {
    if (this.row !== this.offsets.length - 1)
      throw new InputError(
        `${this.source}: variable-length column ${JSON.stringify(this.name)} must have ${this.offsets.length - 1} rows; got ${this.row} (truncated file?)`,
      );
    return { offsets: this.offsets, values: this.values.slice(0, this.length) };
  }
}

/** A padded [nRows × maxLength] array, element (row, j) by {@link PaddedMatrix.at}. */
export interface PaddedMatrix {
  nRows: number;
  maxLength: number;
  /** float32 data keep Float32Array; everything else becomes Float64Array. */
  float32: boolean;
  /** Copies row `row`'s first `n` elements into `out` at `at` (integers converted exactly). */
  copyRow(row: number, n: number, out: JaggedValues, at: number): void;
}

/**
 * Cuts a padded array to the lengths in `counts` (one per row; integers in [0, maxLength]).
 * `source` names the file, `name` the padded column and `countName` the count column in
 * errors. The padding is never copied.
 */
export function cutPadded(
  source: string,
  name: string,
  countName: string,
  matrix: PaddedMatrix,
  counts: NumericColumn,
): JaggedColumn {
  const rule = `count column ${JSON.stringify(countName)} of variable-length column ${JSON.stringify(name)}`;
  if (counts.length !== matrix.nRows)
    throw new InputError(
      `${source}: ${rule} must have one entry per row of ${JSON.stringify(name)} (${matrix.nRows}); got ${counts.length} entries`,
    );
  const offsets = new Uint32Array(matrix.nRows + 1);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = Number(counts[i]);
    if (!Number.isInteger(c) || c < 0 || c > matrix.maxLength)
      throw new InputError(
        `${source}: ${rule} must hold integers in [0, ${matrix.maxLength}] (the padded length); got ${String(counts[i])} in row ${i}`,
      );
    total += c;
    offsets[i + 1] = Math.min(total, 0xffffffff);
  }
  checkTotal(source, name, total);
  const values = matrix.float32 ? new Float32Array(total) : new Float64Array(total);
  for (let i = 0; i < matrix.nRows; i++) matrix.copyRow(i, offsets[i + 1] - offsets[i], values, offsets[i]);
  return { offsets, values };
}

/** A padded matrix over a row-major (or, with `fortranOrder`, column-major) typed array. */
export function paddedFromArray(
  source: string,
  name: string,
  data: NumericColumn,
  nRows: number,
  maxLength: number,
  fortranOrder = false,
): PaddedMatrix {
  const float32 = data instanceof Float32Array;
  const exact = data instanceof BigInt64Array;
  return {
    nRows,
    maxLength,
    float32,
    copyRow(row, n, out, at) {
      if (!fortranOrder && !exact) {
        out.set(data.subarray(row * maxLength, row * maxLength + n), at);
        return;
      }
      for (let j = 0; j < n; j++) {
        const v = data[fortranOrder ? j * nRows + row : row * maxLength + j];
        out[at + j] = typeof v === 'bigint' ? exactNumber(source, name, v, row) : v;
      }
    },
  };
}
