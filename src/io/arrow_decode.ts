/**
 * Apache Arrow IPC decoding from bytes (file format `ARROW1…` and stream format, told
 * apart by their magic bytes) into typed columns. Platform-neutral: src/io/arrow_io.ts
 * reads the bytes from a local file.
 *
 * Copies: a Float32/Float64/integer column stored as a single chunk without nulls is
 * returned as a zero-copy view of the file's bytes. A column split over several record
 * batches is concatenated (one copy); a floating column with nulls is copied with NaN in
 * the null slots; booleans are unpacked from bits into a Uint8Array 0/1 mask (a copy);
 * Float16 is widened to Float32 (a copy).
 */
import { RecordBatchFileReader, RecordBatchStreamReader, Table, Type, type Data, type Vector } from 'apache-arrow';
import { InputError } from '../base/errors.js';
import { checkColumnsPresent, type ColumnTable, type NumericColumn } from './table.js';
import { checkArrowIpc } from './arrow_ipc_check.js';

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Which IPC format `bytes` holds, from its first bytes; undefined if neither. */
export function detectArrowFormat(bytes: Uint8Array): 'file' | 'stream' | undefined {
  if (bytes.length >= 6 && FILE_MAGIC.every((b, k) => bytes[k] === b)) return 'file';
  // A stream starts with a schema message: 0xFFFFFFFF continuation marker, or (pre-1.0) a
  // positive little-endian metadata length.
  if (bytes.length >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff)
    return 'stream';
  return undefined;
}

/** Parses Arrow IPC bytes (file or stream) into a table; `source` names it in errors. */
export function decodeArrow(bytes: Uint8Array, source: string): Table {
  const format = detectArrowFormat(bytes);
  if (format === undefined) {
    throw new InputError(
      `${source}: file must be Arrow IPC (file or stream format); got bytes that are neither (garbled or not Arrow)`,
    );
  }
  if (format === 'file' && !FILE_MAGIC.every((b, k) => bytes[bytes.length - 6 + k] === b)) {
    throw new InputError(
      `${source}: file must be a complete Arrow IPC file; got one without its closing ARROW1 footer (truncated)`,
    );
  }
  checkArrowIpc(bytes, format, source);
  try {
    const reader = (format === 'file' ? RecordBatchFileReader.from(bytes) : RecordBatchStreamReader.from(bytes)).open();
    const schema = reader.schema;
    if (schema === undefined || schema === null) throw new Error('no schema message');
    const batches = [...reader];
    return new Table(schema, batches);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(
      `${source}: file must be a complete Arrow IPC ${format}; got a truncated or garbled one (${reason})`,
      { cause: error },
    );
  }
}

/** One column of an Arrow table as a typed array (see the module note on copies). */
function toNumericColumn(vector: Vector, name: string, source: string): NumericColumn {
  const typeId = vector.type.typeId;
  const chunks = vector.data as Data[];
  if (typeId === Type.Bool) {
    const out = new Uint8Array(vector.length);
    for (let i = 0; i < vector.length; i++) {
      const v = vector.get(i);
      if (v === null) throw new InputError(`${source}: column "${name}" must have no nulls; got null at row ${i}`);
      out[i] = v ? 1 : 0;
    }
    return out;
  }
  const isFloat = typeId === Type.Float;
  const isInt = typeId === Type.Int;
  if (!isFloat && !isInt) {
    throw new InputError(`${source}: column "${name}" must be numeric or boolean; got ${String(vector.type)}`);
  }
  if (isFloat && (vector.type as { precision: number }).precision === 0) {
    return Float32Array.from({ length: vector.length }, (_, i) => (vector.get(i) as number | null) ?? NaN);
  }
  const nulls = chunks.reduce((n, d) => n + d.nullCount, 0);
  if (nulls > 0 && !isFloat) {
    const row = Array.from({ length: vector.length }, (_, i) => i).find((i) => !vector.isValid(i));
    throw new InputError(`${source}: column "${name}" must have no nulls; got null at row ${row}`);
  }
  if (chunks.length === 1 && nulls === 0) {
    const d = chunks[0];
    return (d.values as NumericColumn).subarray(d.offset, d.offset + d.length);
  }
  const first = chunks[0]?.values as NumericColumn | undefined;
  const Ctor = (first?.constructor ?? Float64Array) as new (n: number) => NumericColumn;
  const out = new Ctor(vector.length);
  let at = 0;
  for (const d of chunks) {
    const part = (d.values as NumericColumn).subarray(d.offset, d.offset + d.length);
    (out as Float64Array).set(part as Float64Array, at);
    if (d.nullCount > 0) {
      for (let i = 0; i < d.length; i++) if (!d.getValid(i)) (out as Float64Array)[at + i] = NaN;
    }
    at += d.length;
  }
  return out;
}

/** Wraps a decoded Arrow table as a {@link ColumnTable}; columns are converted on first use. */
export function arrowColumnTable(table: Table, source: string): ColumnTable {
  const columnNames = table.schema.fields.map((f) => f.name);
  const cache = new Map<string, NumericColumn>();
  return {
    source,
    nRows: table.numRows,
    columnNames,
    column(name: string): NumericColumn {
      let col = cache.get(name);
      if (col === undefined) {
        checkColumnsPresent(source, columnNames, [name]);
        col = toNumericColumn(table.getChild(name) as Vector, name, source);
        cache.set(name, col);
      }
      return col;
    },
  };
}
