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
 *
 * Variable-length columns (`List<…>` and `LargeList<…>` of floats, integers or booleans)
 * are copied into offsets plus flat values (src/io/jagged.ts gives the value types). A null
 * list reads as an empty list (writers use null for "no entries" as often as an empty
 * list); a null value inside a list is an InputError naming the column and row.
 */
import {
  RecordBatchFileReader,
  RecordBatchStreamReader,
  Table,
  Type,
  util,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { InputError } from '../base/errors.js';
import { checkColumnsPresent, type ColumnTable, type JaggedColumn, type NumericColumn } from './table.js';
import { checkArrowIpc } from './arrow_ipc_check.js';
import { checkTotal, concatJagged, exactNumber } from './jagged.js';

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
    const hint = isListType(typeId) ? ' (a list column: read it as a variable-length column)' : '';
    throw new InputError(`${source}: column "${name}" must be numeric or boolean; got ${String(vector.type)}${hint}`);
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

const isListType = (typeId: Type): boolean => typeId === Type.List || typeId === Type.LargeList;

/** Element `k` of a flat child (its own offset applied) as a number; `row` is for errors. */
function childReader(child: Data, source: string, name: string): (k: number, row: number) => number {
  const type: DataType = child.type;
  const values = child.values as NumericColumn | BigUint64Array | Uint16Array;
  const at = child.offset;
  if (type.typeId === Type.Bool) return (k) => ((values as Uint8Array)[(at + k) >> 3] >> ((at + k) & 7)) & 1;
  if (type.typeId === Type.Float && (type as unknown as { precision: number }).precision === 0)
    return (k) => util.uint16ToFloat64((values as Uint16Array)[at + k]);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array)
    return (k, row) => exactNumber(source, name, values[at + k], row);
  return (k) => (values as Float64Array)[at + k];
}

/**
 * One chunk of a `List`/`LargeList` column as offsets plus flat values. Offsets are checked
 * (non-decreasing, inside the child), so a corrupt file cannot read past its values.
 */
function listChunk(d: Data, name: string, source: string, rowBase: number): JaggedColumn {
  const listType: DataType = d.type;
  const childType = listType.children?.[0]?.type as DataType | undefined;
  const precision = (childType as { precision?: number } | undefined)?.precision;
  if (childType?.typeId !== Type.Float && childType?.typeId !== Type.Int && childType?.typeId !== Type.Bool) {
    throw new InputError(
      `${source}: variable-length column "${name}" must be a list of numbers or booleans; got ${(listType as unknown as { toString(): string }).toString()}`,
    );
  }
  const float32 = childType.typeId === Type.Float && precision !== 2;
  const child = d.children[0] as Data | undefined;
  if (d.length === 0 || child === undefined) {
    if (d.length > 0)
      throw new InputError(
        `${source}: variable-length column "${name}" must have list values; got none (corrupt file)`,
      );
    return { offsets: new Uint32Array(1), values: float32 ? new Float32Array(0) : new Float64Array(0) };
  }
  const vo = d.valueOffsets as Int32Array | BigInt64Array;
  const offsetAt = (i: number): number => Number(vo[d.offset + i]);
  const nRows = d.length;
  if (vo.length < d.offset + nRows + 1 && nRows > 0)
    throw new InputError(
      `${source}: variable-length column "${name}" must have ${nRows + 1} list offsets; got ${Math.max(0, vo.length - d.offset)} (corrupt file)`,
    );
  const offsets = new Uint32Array(nRows + 1);
  let total = 0;
  const first = nRows > 0 ? offsetAt(0) : 0;
  for (let i = 0; i < nRows; i++) {
    const start = offsetAt(i);
    const end = offsetAt(i + 1);
    if (!(start >= 0 && end >= start && end <= child.length))
      throw new InputError(
        `${source}: variable-length column "${name}" must have list offsets rising within its ${child.length} values; got ${start}..${end} in row ${rowBase + i} (corrupt file)`,
      );
    if (d.nullCount > 0 && !d.getValid(i)) {
      offsets[i + 1] = total; // a null list reads as an empty one
      continue;
    }
    total += end - start;
    checkTotal(source, name, total);
    offsets[i + 1] = total;
  }
  const values = float32 ? new Float32Array(total) : new Float64Array(total);
  const read = childReader(child, source, name);
  const childNulls = child.nullCount > 0;
  const plain =
    !childNulls && d.nullCount === 0 && (child.values instanceof Float32Array || child.values instanceof Float64Array);
  if (plain && nRows > 0) {
    values.set((child.values as Float64Array).subarray(child.offset + first, child.offset + first + total));
    return { offsets, values };
  }
  for (let i = 0; i < nRows; i++) {
    if (offsets[i + 1] === offsets[i]) continue;
    const start = offsetAt(i);
    const out = offsets[i];
    for (let k = 0; k < offsets[i + 1] - out; k++) {
      if (childNulls && !child.getValid(start + k))
        throw new InputError(
          `${source}: variable-length column "${name}" must have no nulls inside its lists; got a null at row ${rowBase + i}, position ${k}`,
        );
      values[out + k] = read(start + k, rowBase + i);
    }
  }
  return { offsets, values };
}

/** A `List`/`LargeList` column as offsets plus flat values (one copy, chunks joined); rows in errors count from `firstRow`. */
export function toJaggedColumn(vector: Vector, name: string, source: string, firstRow = 0): JaggedColumn {
  if (!isListType(vector.type.typeId)) {
    throw new InputError(
      `${source}: variable-length column "${name}" must be a List or LargeList of numbers; got ${String(vector.type)}`,
    );
  }
  const parts: JaggedColumn[] = [];
  let rowBase = firstRow;
  for (const d of vector.data as Data[]) {
    parts.push(listChunk(d, name, source, rowBase));
    rowBase += d.length;
  }
  if (parts.length === 0) {
    const child = vector.type.children[0]?.type as DataType | undefined;
    const float32 = child?.typeId === Type.Float && (child as { precision?: number }).precision !== 2;
    return { offsets: new Uint32Array(1), values: float32 ? new Float32Array(0) : new Float64Array(0) };
  }
  return concatJagged(source, name, parts);
}

/** Wraps a decoded Arrow table as a {@link ColumnTable}; columns are converted on first use. */
export function arrowColumnTable(table: Table, source: string): ColumnTable {
  const columnNames = table.schema.fields.map((f) => f.name);
  const cache = new Map<string, NumericColumn>();
  const jaggedCache = new Map<string, JaggedColumn>();
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
    jagged(name: string): JaggedColumn {
      let col = jaggedCache.get(name);
      if (col === undefined) {
        checkColumnsPresent(source, columnNames, [name]);
        col = toJaggedColumn(table.getChild(name) as Vector, name, source);
        jaggedCache.set(name, col);
      }
      return col;
    },
  };
}
