/**
 * NumPy `.npy` files: the columns of an array whose header src/io/npy_header.ts parsed and
 * checked, and the encoder; `.npz` archives of them are src/io/npz_io.ts.
 *
 * Columns of a `.npy` file:
 * - a 1-D array is one column, named after the file (`pt.npy` → `pt`) or the npz member;
 * - a 2-D array `[nRows × nCols]` gives columns `col0 … col{nCols−1}`;
 * - a 1-D structured array gives one column per named field.
 *
 * dtypes: float32/64, int8–64, uint8–64 and bool (`b1`, read as a Uint8Array mask), little-
 * or big-endian (`<f4`, `>f8`, `|b1`). int64 and uint64 come as BigInt64Array (uint64 values
 * must be below 2^63). Little-endian 1-D arrays and Fortran-order 2-D columns are
 * zero-copy views of the file's bytes when aligned; big-endian data are converted to
 * little-endian, which copies, as do the strided columns of C-order 2-D and structured
 * arrays.
 *
 * A padded variable-length column is a plain 2-D array `[nRows × maxLength]` beside a 1-D
 * count column: it takes two arrays, so it is read from an `.npz` archive (src/io/npz_io.ts,
 * through {@link paddedNpy}); a `.npy` file holds one array and no variable-length column.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../base/errors.js';
import { checkRequested, makeTable, readWholeFile, swapBytes, uint64AsInt64 } from './columns.js';
import { splitObjectPath } from './load.js';
import { paddedFromArray, type PaddedMatrix } from './jagged.js';
import { MAGIC, parseHeader, type ElementType, type NpyHeader } from './npy_header.js';
import type { ColumnTable, NumericColumn, ReadOptions } from './table.js';

/** The columns parsed from one `.npy` byte buffer. */
export interface NpyColumns {
  nRows: number;
  columnNames: string[];
  columns: Map<string, NumericColumn>;
}

// ---------------------------------------------------------------------------------------
// data

/** A typed array over `bytes` (little-endian, aligned) of the given element type. */
function viewAs(bytes: Uint8Array, type: ElementType, source: string, name: string): NumericColumn {
  const { buffer, byteOffset } = bytes;
  const n = bytes.length / type.width;
  switch (`${type.kind}${type.width}`) {
    case 'f4':
      return new Float32Array(buffer, byteOffset, n);
    case 'f8':
      return new Float64Array(buffer, byteOffset, n);
    case 'i1':
      return new Int8Array(buffer, byteOffset, n);
    case 'i2':
      return new Int16Array(buffer, byteOffset, n);
    case 'i4':
      return new Int32Array(buffer, byteOffset, n);
    case 'i8':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'u2':
      return new Uint16Array(buffer, byteOffset, n);
    case 'u4':
      return new Uint32Array(buffer, byteOffset, n);
    case 'u8':
      return uint64AsInt64(source, name, new BigUint64Array(buffer, byteOffset, n));
    default:
      return new Uint8Array(buffer, byteOffset, n); // u1 and b1
  }
}

/** A contiguous run of elements: a view when possible, else a (byte-swapped) copy. */
function contiguousColumn(bytes: Uint8Array, type: ElementType, source: string, name: string): NumericColumn {
  if (!type.bigEndian && bytes.byteOffset % type.width === 0) return viewAs(bytes, type, source, name);
  const copy = bytes.slice();
  if (type.bigEndian) swapBytes(copy, type.width);
  return viewAs(copy, type, source, name);
}

/** Gathers one element per row at `offset` inside rows of `stride` bytes (copies). */
function stridedColumn(
  data: Uint8Array,
  nRows: number,
  stride: number,
  offset: number,
  type: ElementType,
  source: string,
  name: string,
): NumericColumn {
  const w = type.width;
  const out = new Uint8Array(nRows * w);
  for (let r = 0, src = offset, dst = 0; r < nRows; r++, src += stride, dst += w) {
    for (let k = 0; k < w; k++) out[dst + k] = data[src + k];
  }
  if (type.bigEndian) swapBytes(out, w);
  return viewAs(out, type, source, name);
}

/** The data bytes of an array, which must fill the file after the header exactly. */
function dataBytes(bytes: Uint8Array, header: NpyHeader, source: string): Uint8Array {
  const size = header.shape.reduce((n, d) => n * d, 1) * header.itemBytes;
  const available = bytes.length - header.dataOffset;
  if (available < size) {
    throw new InputError(`${source}: file is truncated; the header promises ${size} bytes of data, got ${available}`);
  }
  if (available > size) {
    throw new InputError(
      `${source}: data must fill the file exactly; got ${available - size} bytes after the ${size} the header promises (wrong shape or header length?)`,
    );
  }
  return bytes.subarray(header.dataOffset, header.dataOffset + size);
}

/**
 * Parses `.npy` bytes holding a padded variable-length column `name`: a plain 2-D array
 * `[nRows × maxLength]` (C or Fortran order, any supported dtype), to be cut to a count
 * column with `cutPadded` (src/io/jagged.ts).
 */
export function paddedNpy(bytes: Uint8Array, source: string, name: string): PaddedMatrix {
  const header = parseHeader(bytes, source);
  const { shape, type } = header;
  if (header.fields !== null || shape.length !== 2 || type === null) {
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} must be a plain 2-D array [nRows × maxLength]; got ${header.fields !== null ? 'a structured array of ' : ''}shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''})`,
    );
  }
  const values = contiguousColumn(dataBytes(bytes, header, source), type, source, name);
  return paddedFromArray(source, name, values, shape[0], shape[1], header.fortranOrder);
}

/**
 * Parses `.npy` bytes into columns, materialising only `requested` (every name in it must
 * exist). `name` names the column of a 1-D array.
 */
export function parseNpy(bytes: Uint8Array, source: string, name: string, requested: readonly string[]): NpyColumns {
  const header = parseHeader(bytes, source);
  const { shape, itemBytes, fields, type } = header;
  if (shape.length < 1 || shape.length > 2 || (fields !== null && shape.length !== 1)) {
    throw new InputError(
      `${source}: array must be 1-D or 2-D (structured arrays 1-D); got shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''})`,
    );
  }
  const nRows = shape[0];
  const nCols = shape.length === 2 ? shape[1] : 1;
  const data = dataBytes(bytes, header, source);
  const columnNames =
    fields !== null
      ? fields.map((f) => f.name)
      : shape.length === 1
        ? [name]
        : Array.from({ length: nCols }, (_, j) => `col${j}`);
  checkRequested(source, requested, columnNames);
  const columns = new Map<string, NumericColumn>();
  for (const col of new Set(requested)) {
    const j = columnNames.indexOf(col);
    if (fields !== null) {
      columns.set(col, stridedColumn(data, nRows, itemBytes, fields[j].offset, fields[j].type, source, col));
    } else if (shape.length === 1 || header.fortranOrder) {
      columns.set(
        col,
        contiguousColumn(
          data.subarray(j * nRows * itemBytes, (j + 1) * nRows * itemBytes),
          type as ElementType,
          source,
          col,
        ),
      );
    } else {
      columns.set(col, stridedColumn(data, nRows, nCols * itemBytes, j * itemBytes, type as ElementType, source, col));
    }
  }
  return { nRows, columnNames, columns };
}

/**
 * Reads a `.npy` file. A 1-D array is one column named after the file (`pt.npy` → `pt`);
 * a 2-D array gives `col0 …`; a structured array gives its field names.
 */
export async function readNpy(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file } = splitObjectPath(path);
  if ((options.jagged ?? []).length > 0)
    throw new InputError(
      `${file}: variable-length column ${JSON.stringify(options.jagged?.[0].name)} must be read from a format that holds one, with its count column (an .npz archive of the padded 2-D array and the 1-D counts); got a .npy file, which holds one array`,
    );
  const bytes = await readWholeFile(file, options.onProgress);
  const parsed = parseNpy(bytes, file, basename(file).replace(/\.npy$/i, ''), options.columns);
  options.onProgress?.(1);
  return makeTable(file, parsed.nRows, parsed.columnNames, parsed.columns);
}

// ---------------------------------------------------------------------------------------
// writers

/** Options of writeNpy. */
export interface NpyWriteOptions {
  /** For several columns: one structured array (default) or a 2-D `matrix` (one dtype). */
  layout?: 'structured' | 'matrix';
  /** Store a 2-D matrix column by column (`fortran_order: True`); default false. */
  fortranOrder?: boolean;
  /** Byte order of the data; default `little`. */
  byteOrder?: 'little' | 'big';
  /** .npy format version; default 1 (2 when the header needs it). 3 allows UTF-8 names. */
  version?: 1 | 2 | 3;
}

/** The npy dtype letter and width of a typed array. */
function dtypeOf(values: NumericColumn): [string, number] {
  if (values instanceof Float32Array) return ['f', 4];
  if (values instanceof Float64Array) return ['f', 8];
  if (values instanceof Int8Array) return ['i', 1];
  if (values instanceof Int16Array) return ['i', 2];
  if (values instanceof Int32Array) return ['i', 4];
  if (values instanceof BigInt64Array) return ['i', 8];
  if (values instanceof Uint8Array) return ['u', 1];
  if (values instanceof Uint16Array) return ['u', 2];
  if (values instanceof Uint32Array) return ['u', 4];
  throw new InputError(`column must be a numeric typed array; got ${Object.prototype.toString.call(values)}`);
}

function typeText(values: NumericColumn, bigEndian: boolean): string {
  const [kind, width] = dtypeOf(values);
  return `${width === 1 ? '|' : bigEndian ? '>' : '<'}${kind}${width}`;
}

/** The header bytes, padded so the data start at a multiple of 64. */
function encodeHeader(
  descr: string,
  fortranOrder: boolean,
  shape: number[],
  version: 1 | 2 | 3 | undefined,
): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': ${descr}, 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const body = new TextEncoder().encode(dict);
  const major = version ?? (body.length + 11 > 65535 ? 2 : 1);
  const prefix = major === 1 ? 10 : 12;
  const total = Math.ceil((prefix + body.length + 1) / 64) * 64;
  const out = new Uint8Array(total).fill(0x20);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, total - prefix, true);
  else view.setUint32(8, total - prefix, true);
  out.set(body, prefix);
  out[total - 1] = 0x0a;
  return out;
}

function bytesOf(values: NumericColumn, bigEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!bigEndian || values.BYTES_PER_ELEMENT === 1) return bytes;
  const copy = bytes.slice();
  swapBytes(copy, values.BYTES_PER_ELEMENT);
  return copy;
}

/** Encodes one column (1-D) or several (structured or 2-D) as `.npy` bytes. */
export function encodeNpy(
  data: NumericColumn | Record<string, NumericColumn>,
  options: NpyWriteOptions = {},
): Uint8Array {
  const big = options.byteOrder === 'big';
  if (ArrayBuffer.isView(data)) {
    const header = encodeHeader(`'${typeText(data, big)}'`, false, [data.length], options.version);
    return concat([header, bytesOf(data, big)]);
  }
  const names = Object.keys(data);
  const cols = names.map((n) => data[n]);
  const nRows = cols[0]?.length ?? 0;
  cols.forEach((c, j) => {
    if (c.length !== nRows)
      throw new InputError(`columns must have the same length; got ${names[0]}=${nRows}, ${names[j]}=${c.length}`);
  });
  if (options.layout === 'matrix') {
    const descr = typeText(cols[0], big);
    cols.forEach((c, j) => {
      if (typeText(c, big) !== descr)
        throw new InputError(
          `matrix columns must share one dtype; got ${names[0]}=${descr}, ${names[j]}=${typeText(c, big)}`,
        );
    });
    const header = encodeHeader(`'${descr}'`, options.fortranOrder === true, [nRows, cols.length], options.version);
    const parts = cols.map((c) => bytesOf(c, big));
    return concat([header, options.fortranOrder === true ? concat(parts) : interleave(parts, nRows)]);
  }
  const descr = `[${names.map((n, j) => `('${n}', '${typeText(cols[j], big)}')`).join(', ')}]`;
  const header = encodeHeader(descr, false, [nRows], options.version);
  return concat([
    header,
    interleave(
      cols.map((c) => bytesOf(c, big)),
      nRows,
    ),
  ]);
}

/** Row-major interleave of per-column byte runs (`[nRows × Σ widths]`). */
function interleave(parts: Uint8Array[], nRows: number): Uint8Array {
  const widths = parts.map((p) => (nRows === 0 ? 0 : p.length / nRows));
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(rowBytes * nRows);
  let offset = 0;
  parts.forEach((p, j) => {
    const w = widths[j];
    for (let r = 0; r < nRows; r++) out.set(p.subarray(r * w, r * w + w), r * rowBytes + offset);
    offset += w;
  });
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Writes a `.npy` file: one typed array (1-D), or several equal-length columns as a
 * structured array (default) or a 2-D matrix (`layout: 'matrix'`, one dtype).
 * @example await writeNpy('pt.npy', new Float32Array([1, 2]))  // reads back as column "pt"
 */
export async function writeNpy(
  path: string,
  data: NumericColumn | Record<string, NumericColumn>,
  options: NpyWriteOptions = {},
): Promise<void> {
  await writeFile(path, encodeNpy(data, options));
}
