/**
 * Parquet files through parquet-wasm 0.8, whose results come back as Arrow IPC and are
 * decoded with apache-arrow. Only the requested columns are read (through `ParquetFile`,
 * one row group at a time, so progress can be reported); the values are copied once into
 * one typed array per column.
 *
 * Column types: float32/64, int8–64, uint8–64 and bool (→ Uint8Array 0/1). int64/uint64
 * come as BigInt64Array (uint64 values must be below 2^63). Nulls become NaN in float
 * columns and are an error elsewhere. Nested and string columns are an InputError.
 *
 * Variable-length columns (`options.jagged`): Parquet list columns (`List` or `LargeList`
 * of numbers or booleans, as pyarrow and parquet-wasm write them), read row group by row
 * group into offsets plus flat values; a null list reads as an empty list, a null inside a
 * list is an error (src/io/arrow_decode.ts, value types in src/io/jagged.ts).
 */
import { openAsBlob } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { DataType, tableFromIPC, Type, type Field, type Table, type Vector } from 'apache-arrow';
import type { ParquetFile } from 'parquet-wasm';
import { InputError } from '../base/errors.js';
import { toJaggedColumn } from './arrow_decode.js';
import { checkRequested, makeTable, throttledProgress, uint64AsInt64 } from './columns.js';
import { concatJagged, uniqueJagged, type ReadJagged } from './jagged.js';
import { splitObjectPath } from './load.js';
import { guardWasmTraps, isWasmTrap } from './library_guard.js';
import type { ColumnTable, JaggedColumn, NumericColumn, ReadOptions } from './table.js';

type ParquetWasm = typeof import('parquet-wasm');

/** Rows per Arrow batch asked of parquet-wasm (its default, 1024, is slow for big files). */
const BATCH_ROWS = 1 << 20;

const SUPPORTED_TYPES = 'float32/64, int8–64, uint8–64 or bool';

/** The typed-array constructor for a flat numeric Arrow type, or null. */
function outputFor(type: DataType): { make: (n: number) => NumericColumn } | null {
  if (DataType.isFloat(type)) {
    if (type.precision === 1) return { make: (n) => new Float32Array(n) };
    if (type.precision === 2) return { make: (n) => new Float64Array(n) };
    return null;
  }
  if (DataType.isInt(type)) {
    const ctor = {
      8: type.isSigned ? Int8Array : Uint8Array,
      16: type.isSigned ? Int16Array : Uint16Array,
      32: type.isSigned ? Int32Array : Uint32Array,
      64: BigInt64Array,
    }[type.bitWidth];
    return ctor === undefined ? null : { make: (n) => new ctor(n) };
  }
  if (DataType.isBool(type)) return { make: (n) => new Uint8Array(n) };
  return null;
}

/** Copies one Arrow vector (any number of chunks) into `out` at `offset`. */
function copyVector(source: string, name: string, vector: Vector, out: NumericColumn, offset: number): void {
  const type = vector.type as DataType;
  if (vector.nullCount > 0 && !DataType.isFloat(type)) {
    throw new InputError(
      `${source}: column ${JSON.stringify(name)} must have no nulls (only float columns may, read as NaN); got ${vector.nullCount} nulls`,
    );
  }
  if (DataType.isBool(type) || vector.nullCount > 0) {
    const target = out as Float64Array;
    for (let i = 0; i < vector.length; i++) {
      const v = vector.get(i) as number | boolean | null;
      target[offset + i] = v === null ? Number.NaN : Number(v);
    }
    return;
  }
  for (const chunk of vector.data) {
    let values = chunk.values as NumericColumn | BigUint64Array;
    if (values instanceof BigUint64Array) values = uint64AsInt64(source, name, values);
    (out as Float64Array).set(values.subarray(0, chunk.length) as Float64Array, offset);
    offset += chunk.length;
  }
}

/** Opens the file; a corrupt or truncated file becomes a one-line InputError. */
async function openParquet(pw: ParquetWasm, file: string): Promise<ParquetFile> {
  try {
    await stat(file);
  } catch (err) {
    throw new InputError(`${file}: file must be readable; got ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  try {
    return await guardWasmTraps(file, 'Parquet footer must decode', async () =>
      pw.ParquetFile.fromFile(await openAsBlob(file)),
    );
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `${file}: file is truncated or not a Parquet file; got ${JSON.stringify(String(err).replace(/^Error: /, ''))}`,
      { cause: err },
    );
  }
}

/** Checks that a requested column has a flat numeric type. */
function checkField(source: string, field: Field): void {
  if (outputFor(field.type) === null) {
    throw new InputError(
      `${source}: column ${JSON.stringify(field.name)} must be ${SUPPORTED_TYPES}; got ${String(field.type)} (${Type[field.typeId]})`,
    );
  }
}

/** Checks that a requested variable-length column is a list column. */
function checkListField(source: string, field: Field): void {
  if (field.typeId !== Type.List && field.typeId !== Type.LargeList) {
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(field.name)} must be a list column (List or LargeList of numbers); got ${String(field.type)}`,
    );
  }
}

/**
 * Reads the requested columns of a Parquet file.
 * @example const t = await readParquet('sim.parquet', { columns: ['gen_pt'] }); t.column('gen_pt')  // Float32Array
 */
export async function readParquet(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file } = splitObjectPath(path);
  const pw = await import('parquet-wasm');
  const parquet = await openParquet(pw, file);
  let trapped = false;
  try {
    const schema = tableFromIPC(parquet.schema().intoIPCStream()).schema;
    const names = schema.fields.map((f) => f.name);
    checkRequested(file, options.columns, names);
    const requested = [...new Set(options.columns)];
    for (const name of requested) checkField(file, schema.fields[names.indexOf(name)]);
    const jagged = uniqueJagged(file, options.jagged);
    checkRequested(
      file,
      jagged.map((j) => j.name),
      names,
    );
    for (const { name } of jagged) checkListField(file, schema.fields[names.indexOf(name)]);
    const jaggedParts = new Map<string, JaggedColumn[]>(jagged.map((j) => [j.name, []]));
    const toRead = [...new Set([...requested, ...jaggedParts.keys()])];
    const metadata = parquet.metadata();
    const rowGroupRows = metadata.rowGroups().map((g) => g.numRows());
    const nRows = rowGroupRows.reduce((a, b) => a + b, 0);
    checkDeclaredRows(file, rowGroupRows, nRows, toRead.length, (await stat(file)).size);
    const columns = new Map<string, NumericColumn>();
    for (const name of requested)
      columns.set(
        name,
        (outputFor(schema.fields[names.indexOf(name)].type) as { make: (n: number) => NumericColumn }).make(nRows),
      );
    const progress = throttledProgress(options.onProgress);
    let offset = 0;
    for (let g = 0; g < rowGroupRows.length && toRead.length > 0; g++) {
      const table = await readRowGroup(parquet, file, toRead, g).catch((err) => {
        trapped = isWasmTrap((err as Error).cause);
        throw err;
      });
      if (table.numRows !== rowGroupRows[g]) {
        throw new InputError(
          `${file}: row group ${g} must hold the ${rowGroupRows[g]} rows the footer declares; got ${table.numRows} (truncated or corrupt file)`,
        );
      }
      for (const name of requested)
        copyVector(file, name, table.getChild(name) as Vector, columns.get(name) as NumericColumn, offset);
      for (const [name, parts] of jaggedParts)
        parts.push(toJaggedColumn(table.getChild(name) as Vector, name, file, offset));
      offset += table.numRows;
      progress(nRows === 0 ? 1 : offset / nRows);
    }
    progress(1);
    const read = new Map<string, ReadJagged>();
    for (const [name, parts] of jaggedParts) {
      const empty = () =>
        toJaggedColumn(tableFromIPC(parquet.schema().intoIPCStream()).getChild(name) as Vector, name, file);
      read.set(name, { column: parts.length === 0 ? empty() : concatJagged(file, name, parts) });
    }
    return makeTable(file, nRows, names, columns, read);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `${file}: file must be a readable Parquet file; got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])} (corrupt file?)`,
      { cause: err },
    );
  } finally {
    if (!trapped) parquet.free(); // after a trap the decoder's state is not to be touched
  }
}

/** Output bytes a file may claim before anything is read: any file may claim this much. */
const MIN_CLAIM_BYTES = 64 * 1024 * 1024;
/** Most bytes one file byte can decode to (deflate's ~1032 : 1, times 8 for bit-packed runs). */
const MAX_EXPANSION = 8 * 1032;

/** Row counts from the footer must be non-negative integers, and not claim more data than the file could hold. */
function checkDeclaredRows(
  file: string,
  rowGroupRows: number[],
  nRows: number,
  nColumns: number,
  fileBytes: number,
): void {
  const bad = rowGroupRows.findIndex((n) => !Number.isSafeInteger(n) || n < 0);
  if (bad >= 0)
    throw new InputError(
      `${file}: row group ${bad} must declare a non-negative row count; got ${rowGroupRows[bad]} (corrupt footer)`,
    );
  const claimed = nRows * 8 * nColumns;
  if (claimed > Math.max(MIN_CLAIM_BYTES, fileBytes * MAX_EXPANSION)) {
    throw new InputError(
      `${file}: declared row count must fit a ${fileBytes}-byte file; got ${nRows} rows (corrupt footer)`,
    );
  }
}

/** Reads the requested columns of one row group; decoder failures and traps become InputErrors. */
async function readRowGroup(parquet: ParquetFile, file: string, columns: string[], group: number): Promise<Table> {
  try {
    const part = await guardWasmTraps(file, `row group ${group} must decode`, () =>
      parquet.read({ columns, rowGroups: [group], batchSize: BATCH_ROWS }),
    );
    return tableFromIPC(part.intoIPCStream());
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `${file}: row group ${group} must decode; got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])} (truncated or corrupt file?)`,
      { cause: err },
    );
  }
}

/** The metadata of a Parquet file: its key-value metadata and each column's Arrow field metadata. */
export interface ParquetMetadata {
  metadata: Map<string, string>;
  columnMetadata: Map<string, Map<string, string>>;
}

/**
 * Reads a Parquet file's key-value metadata and the per-column metadata of the Arrow schema
 * stored in it (what {@link writeParquet} writes with `metadata` and `columnMetadata`).
 */
export async function readParquetMetadata(path: string): Promise<ParquetMetadata> {
  const { file } = splitObjectPath(path);
  const pw = await import('parquet-wasm');
  const parquet = await openParquet(pw, file);
  try {
    const schema = tableFromIPC(parquet.schema().intoIPCStream()).schema;
    const keyValue = parquet.metadata().fileMetadata().keyValueMetadata() as Map<string, string | undefined>;
    const metadata = new Map<string, string>();
    for (const [key, value] of keyValue) if (key !== 'ARROW:schema' && value !== undefined) metadata.set(key, value);
    return { metadata, columnMetadata: new Map(schema.fields.map((f) => [f.name, new Map(f.metadata)])) };
  } finally {
    parquet.free();
  }
}

/** Options of writeParquet. */
export interface ParquetWriteOptions {
  /** Rows per row group; default parquet-wasm's (1024 × 1024). */
  rowGroupRows?: number;
  /** The file's key-value metadata (also the Arrow schema's metadata, which pyarrow shows as `schema.metadata`). */
  metadata?: Record<string, string>;
  /** Per-column metadata (kept in the Arrow schema stored in the file: pyarrow's `field.metadata`). */
  columnMetadata?: Record<string, Record<string, string>>;
}

/**
 * Writes equal-length typed-array columns to a Parquet file, dictionary encoding off
 * (it only costs time for continuous values). Uint8Array columns are written as uint8.
 * @example await writeParquet('sim.parquet', { gen_pt: genPt, weight: w })
 */
export async function writeParquet(
  path: string,
  columns: Record<string, NumericColumn>,
  options: ParquetWriteOptions = {},
): Promise<void> {
  const [{ Schema, Table, tableFromArrays, tableToIPC }, pw] = await Promise.all([
    import('apache-arrow'),
    import('parquet-wasm'),
  ]);
  const names = Object.keys(columns);
  names.forEach((name) => {
    if (columns[name].length !== columns[names[0]].length) {
      throw new InputError(
        `columns must have the same length; got ${names[0]}=${columns[names[0]].length}, ${name}=${columns[name].length}`,
      );
    }
  });
  let arrow = tableFromArrays(columns as Record<string, Float32Array>);
  if (options.metadata !== undefined || options.columnMetadata !== undefined) {
    const fields = arrow.schema.fields.map((f) =>
      f.clone({ metadata: new Map(Object.entries(options.columnMetadata?.[f.name] ?? {})) }),
    );
    arrow = new Table(new Schema(fields, new Map(Object.entries(options.metadata ?? {}))), arrow.batches);
  }
  const table = pw.Table.fromIPCStream(tableToIPC(arrow, 'stream'));
  let builder = new pw.WriterPropertiesBuilder().setDictionaryEnabled(false);
  if (options.rowGroupRows !== undefined) builder = builder.setMaxRowGroupSize(options.rowGroupRows);
  if (options.metadata !== undefined) builder = builder.setKeyValueMetadata(new Map(Object.entries(options.metadata)));
  const bytes = pw.writeParquet(table, builder.build());
  await writeFile(path, bytes);
}
