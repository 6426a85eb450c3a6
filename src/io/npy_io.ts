/**
 * NumPy `.npy` and `.npz` files: a small parser of our own for the `.npy` header
 * (format versions 1.0, 2.0 and 3.0) and fflate for the zip container of `.npz`.
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
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { checkRequested, listNames, makeTable, readWholeFile, swapBytes, uint64AsInt64 } from './columns.js';
import { splitObjectPath } from './load.js';
import { extractZip, listZip } from './zip_archive.js';
import type { ColumnTable, NumericColumn, ReadOptions } from './table.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** One element type: its kind (f, i, u, b), width in bytes and byte order. */
interface ElementType {
  kind: 'f' | 'i' | 'u' | 'b';
  width: number;
  bigEndian: boolean;
  text: string;
}

/** A named field of a structured array, at a byte offset inside each row. */
interface Field {
  name: string;
  type: ElementType;
  offset: number;
}

/** What the header says. */
interface NpyHeader {
  fields: Field[] | null; // null: a plain (non-structured) array
  type: ElementType | null; // the element type of a plain array
  itemBytes: number;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

/** The columns parsed from one `.npy` byte buffer. */
export interface NpyColumns {
  nRows: number;
  columnNames: string[];
  columns: Map<string, NumericColumn>;
}

const SUPPORTED_DTYPES = 'float32/64, int8–64, uint8–64 or bool (e.g. <f4, >f8, <i8, |u1, |b1)';

// ---------------------------------------------------------------------------------------
// header: a Python literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (3,), }

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Parses the Python literal subset numpy writes in `.npy` headers. */
function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (): never => {
    throw new SyntaxError(`unexpected ${JSON.stringify(text.slice(pos, pos + 12))} at ${pos}`);
  };
  const skip = (): void => {
    while (pos < text.length && /[\s]/.test(text[pos])) pos++;
  };
  const value = (): PyValue => {
    skip();
    const c = text[pos];
    if (c === '{' || c === '(' || c === '[') return container(c);
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail();
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const word = /^(True|False|None|-?\d+L?)/.exec(text.slice(pos));
    if (word === null) return fail();
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number.parseInt(word[0], 10);
  };
  const container = (open: string): PyValue => {
    const close = open === '{' ? '}' : open === '(' ? ')' : ']';
    pos++;
    const items: PyValue[] = [];
    const dict: { [key: string]: PyValue } = {};
    for (;;) {
      skip();
      if (text[pos] === close) break;
      const item = value();
      skip();
      if (open === '{') {
        if (text[pos] !== ':') fail();
        pos++;
        dict[String(item)] = value();
        skip();
      } else items.push(item);
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail();
    }
    pos++;
    return open === '{' ? dict : items;
  };
  const result = value();
  skip();
  if (pos !== text.length) fail();
  return result;
}

/** Parses a dtype string such as `<f4`; null when unsupported. */
function parseElementType(text: string): ElementType | null {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(text);
  if (m === null) return null;
  const kind = m[2] as ElementType['kind'];
  const width = Number(m[3]);
  const ok = kind === 'f' ? width === 4 || width === 8 : kind === 'b' ? width === 1 : [1, 2, 4, 8].includes(width);
  if (!ok) return null;
  return { kind, width, bigEndian: m[1] === '>' && width > 1, text };
}

/** Width in bytes of padding (`|V4`) fields numpy puts into aligned structured dtypes. */
function voidWidth(text: string): number | null {
  const m = /^[|<>=]?V(\d+)$/.exec(text);
  return m === null ? null : Number(m[1]);
}

function parseHeader(bytes: Uint8Array, source: string): NpyHeader {
  const bad = (reason: string): never => {
    throw new InputError(`${source}: ${reason}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    bad(bytes.length < 10 ? `file is truncated or not a .npy file; got ${bytes.length} bytes` : 'file must start with the .npy magic "\\x93NUMPY"; got other bytes');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major !== 1 && major !== 2 && major !== 3) bad(`.npy format version must be 1.0, 2.0 or 3.0; got ${major}.${bytes[7]}`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) bad(`file is truncated; got ${bytes.length} bytes`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset) bad(`file is truncated; the header needs ${dataOffset} bytes, got ${bytes.length}`);
  const raw = bytes.subarray(8 + lengthBytes, dataOffset);
  if (raw.length === 0 || raw[raw.length - 1] !== 0x0a) {
    bad(`.npy header must end with a newline at byte ${dataOffset - 1} (as numpy writes it); got ${raw.length === 0 ? 'an empty header' : `byte 0x${raw[raw.length - 1].toString(16)}`} (header length field wrong?)`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw).trim();
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (err) {
    return bad(`.npy header must be a Python dict literal; got ${JSON.stringify(text.slice(0, 60))} (${(err as Error).message})`);
  }
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) return bad(`.npy header must be a dict; got ${JSON.stringify(text.slice(0, 60))}`);
  const keys = Object.keys(dict).sort();
  if (keys.join() !== HEADER_KEYS.join()) {
    return bad(`.npy header keys must be exactly ${HEADER_KEYS.join(', ')}; got ${keys.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  if (typeof dict.fortran_order !== 'boolean') return bad(`.npy header fortran_order must be True or False; got ${JSON.stringify(dict.fortran_order)}`);
  const shape = checkShape(dict.shape, source);
  const { type, fields, itemBytes } = parseDescr(dict.descr, source);
  return { type, fields, itemBytes, fortranOrder: dict.fortran_order, shape, dataOffset };
}

/** The keys every `.npy` header has, no more, no fewer (numpy refuses others too). */
const HEADER_KEYS = ['descr', 'fortran_order', 'shape'];

/** A shape tuple of non-negative safe integers. */
function checkShape(shape: PyValue, source: string): number[] {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(`${source}: .npy header shape must be a tuple of non-negative integers; got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

function parseDescr(descr: PyValue, source: string): { type: ElementType | null; fields: Field[] | null; itemBytes: number } {
  const unsupported = (got: string): never => {
    throw new InputError(`${source}: dtype must be ${SUPPORTED_DTYPES}; got ${got}`);
  };
  if (typeof descr === 'string') {
    const type = parseElementType(descr) ?? unsupported(JSON.stringify(descr));
    return { type, fields: null, itemBytes: type.width };
  }
  if (!Array.isArray(descr)) return unsupported(JSON.stringify(descr));
  const fields: Field[] = [];
  let offset = 0;
  for (const entry of descr) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') return unsupported(JSON.stringify(descr));
    const [name, typeText] = entry as [string, string];
    const padding = voidWidth(typeText);
    if (padding !== null && name === '') {
      offset += padding;
      continue;
    }
    if (entry.length > 2) unsupported(`field ${JSON.stringify(name)} with sub-array shape ${JSON.stringify(entry[2])}`);
    const type = parseElementType(typeText) ?? unsupported(`field ${JSON.stringify(name)} of dtype ${JSON.stringify(typeText)}`);
    fields.push({ name, type, offset });
    offset += type.width;
  }
  return { type: null, fields, itemBytes: offset };
}

// ---------------------------------------------------------------------------------------
// data

/** A typed array over `bytes` (little-endian, aligned) of the given element type. */
function viewAs(bytes: Uint8Array, type: ElementType, source: string, name: string): NumericColumn {
  const { buffer, byteOffset } = bytes;
  const n = bytes.length / type.width;
  switch (`${type.kind}${type.width}`) {
    case 'f4': return new Float32Array(buffer, byteOffset, n);
    case 'f8': return new Float64Array(buffer, byteOffset, n);
    case 'i1': return new Int8Array(buffer, byteOffset, n);
    case 'i2': return new Int16Array(buffer, byteOffset, n);
    case 'i4': return new Int32Array(buffer, byteOffset, n);
    case 'i8': return new BigInt64Array(buffer, byteOffset, n);
    case 'u2': return new Uint16Array(buffer, byteOffset, n);
    case 'u4': return new Uint32Array(buffer, byteOffset, n);
    case 'u8': return uint64AsInt64(source, name, new BigUint64Array(buffer, byteOffset, n));
    default: return new Uint8Array(buffer, byteOffset, n); // u1 and b1
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
function stridedColumn(data: Uint8Array, nRows: number, stride: number, offset: number, type: ElementType, source: string, name: string): NumericColumn {
  const w = type.width;
  const out = new Uint8Array(nRows * w);
  for (let r = 0, src = offset, dst = 0; r < nRows; r++, src += stride, dst += w) {
    for (let k = 0; k < w; k++) out[dst + k] = data[src + k];
  }
  if (type.bigEndian) swapBytes(out, w);
  return viewAs(out, type, source, name);
}

/**
 * Parses `.npy` bytes into columns, materialising only `requested` (every name in it must
 * exist). `name` names the column of a 1-D array.
 */
export function parseNpy(bytes: Uint8Array, source: string, name: string, requested: readonly string[]): NpyColumns {
  const header = parseHeader(bytes, source);
  const { shape, itemBytes, fields, type } = header;
  if (shape.length < 1 || shape.length > 2 || (fields !== null && shape.length !== 1)) {
    throw new InputError(`${source}: array must be 1-D or 2-D (structured arrays 1-D); got shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
  }
  const nRows = shape[0];
  const nCols = shape.length === 2 ? shape[1] : 1;
  const dataBytes = nRows * nCols * itemBytes;
  const available = bytes.length - header.dataOffset;
  if (available < dataBytes) {
    throw new InputError(`${source}: file is truncated; the header promises ${dataBytes} bytes of data, got ${available}`);
  }
  if (available > dataBytes) {
    throw new InputError(`${source}: data must fill the file exactly; got ${available - dataBytes} bytes after the ${dataBytes} the header promises (wrong shape or header length?)`);
  }
  const data = bytes.subarray(header.dataOffset, header.dataOffset + dataBytes);
  const columnNames = fields !== null ? fields.map((f) => f.name) : shape.length === 1 ? [name] : Array.from({ length: nCols }, (_, j) => `col${j}`);
  checkRequested(source, requested, columnNames);
  const columns = new Map<string, NumericColumn>();
  for (const col of new Set(requested)) {
    const j = columnNames.indexOf(col);
    if (fields !== null) {
      columns.set(col, stridedColumn(data, nRows, itemBytes, fields[j].offset, fields[j].type, source, col));
    } else if (shape.length === 1 || header.fortranOrder) {
      columns.set(col, contiguousColumn(data.subarray(j * nRows * itemBytes, (j + 1) * nRows * itemBytes), type as ElementType, source, col));
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
  const bytes = await readWholeFile(file, options.onProgress);
  const parsed = parseNpy(bytes, file, basename(file).replace(/\.npy$/i, ''), options.columns);
  options.onProgress?.(1);
  return makeTable(file, parsed.nRows, parsed.columnNames, parsed.columns);
}

/** The members of an archive, by name without `.npy`; only those `keep` selects are extracted (and CRC-checked). */
async function unzipMembers(source: string, bytes: Uint8Array, keep: (member: string) => boolean): Promise<{ names: string[]; files: Record<string, Uint8Array> }> {
  const entries = listZip(bytes, source);
  const names = entries.map((e) => e.name.replace(/\.npy$/, ''));
  const unprintable = names.find((n) => /[\u0000-\u001f\u007f]/.test(n));
  if (unprintable !== undefined) throw new InputError(`${source}: member names must be printable; got ${JSON.stringify(unprintable)} (corrupt file?)`);
  const files: Record<string, Uint8Array> = {};
  for (const [k, entry] of entries.entries()) {
    if (keep(names[k])) files[entry.name] = await extractZip(bytes, entry, source);
  }
  return { names, files };
}

/**
 * Reads a `.npz` archive. Without a member (`arrays.npz`), every member is a column named
 * after it and must be a 1-D array; all must have the same length. With a member
 * (`arrays.npz:x`), that member's columns, as for a `.npy` file.
 */
export async function readNpz(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file, object } = splitObjectPath(path);
  const bytes = await readWholeFile(file, options.onProgress);
  const wanted = new Set(object === undefined ? options.columns : [object]);
  const { names, files } = await unzipMembers(file, bytes, (member) => wanted.has(member));
  if (object !== undefined) {
    const data = files[`${object}.npy`] ?? files[object];
    if (data === undefined) throw new InputError(`${file}: member ${JSON.stringify(object)} not found; members are ${listNames(names)}`);
    const source = `${file}:${object}`;
    const parsed = parseNpy(data, source, object, options.columns);
    options.onProgress?.(1);
    return makeTable(source, parsed.nRows, parsed.columnNames, parsed.columns);
  }
  checkRequested(file, options.columns, names);
  const columns = new Map<string, NumericColumn>();
  let nRows = -1;
  let first = '';
  for (const member of wanted) {
    const source = `${file}:${member}`;
    const data = files[`${member}.npy`] ?? files[member];
    const shape = parseHeader(data, source).shape;
    if (shape.length !== 1) {
      throw new InputError(`${file}: member ${JSON.stringify(member)} must be a 1-D array to be a column (read ${file}:${member} for its columns); got shape (${shape.join(', ')})`);
    }
    const parsed = parseNpy(data, source, member, [member]);
    if (nRows >= 0 && parsed.nRows !== nRows) {
      throw new InputError(`${file}: members must have the same length; got ${first}=${nRows}, ${member}=${parsed.nRows}`);
    }
    if (nRows < 0) [nRows, first] = [parsed.nRows, member];
    columns.set(member, parsed.columns.get(member) as NumericColumn);
  }
  options.onProgress?.(1);
  return makeTable(file, Math.max(nRows, 0), names, columns);
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
function encodeHeader(descr: string, fortranOrder: boolean, shape: number[], version: 1 | 2 | 3 | undefined): Uint8Array {
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
export function encodeNpy(data: NumericColumn | Record<string, NumericColumn>, options: NpyWriteOptions = {}): Uint8Array {
  const big = options.byteOrder === 'big';
  if (ArrayBuffer.isView(data)) {
    const header = encodeHeader(`'${typeText(data, big)}'`, false, [data.length], options.version);
    return concat([header, bytesOf(data, big)]);
  }
  const names = Object.keys(data);
  const cols = names.map((n) => data[n]);
  const nRows = cols[0]?.length ?? 0;
  cols.forEach((c, j) => {
    if (c.length !== nRows) throw new InputError(`columns must have the same length; got ${names[0]}=${nRows}, ${names[j]}=${c.length}`);
  });
  if (options.layout === 'matrix') {
    const descr = typeText(cols[0], big);
    cols.forEach((c, j) => {
      if (typeText(c, big) !== descr) throw new InputError(`matrix columns must share one dtype; got ${names[0]}=${descr}, ${names[j]}=${typeText(c, big)}`);
    });
    const header = encodeHeader(`'${descr}'`, options.fortranOrder === true, [nRows, cols.length], options.version);
    const parts = cols.map((c) => bytesOf(c, big));
    return concat([header, options.fortranOrder === true ? concat(parts) : interleave(parts, nRows)]);
  }
  const descr = `[${names.map((n, j) => `('${n}', '${typeText(cols[j], big)}')`).join(', ')}]`;
  const header = encodeHeader(descr, false, [nRows], options.version);
  return concat([header, interleave(cols.map((c) => bytesOf(c, big)), nRows)]);
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
export async function writeNpy(path: string, data: NumericColumn | Record<string, NumericColumn>, options: NpyWriteOptions = {}): Promise<void> {
  await writeFile(path, encodeNpy(data, options));
}

/** Options of writeNpz. */
export interface NpzWriteOptions {
  /** Deflate the members, like `numpy.savez_compressed`; default false (`numpy.savez`). */
  compress?: boolean;
}

/**
 * Writes a `.npz` archive with one 1-D member `<name>.npy` per column.
 * @example await writeNpz('sim.npz', { gen_pt: genPt, reco_pt: recoPt })
 */
export async function writeNpz(path: string, columns: Record<string, NumericColumn>, options: NpzWriteOptions = {}): Promise<void> {
  const { zipSync } = await import('fflate');
  const members: Record<string, Uint8Array> = {};
  for (const [name, values] of Object.entries(columns)) members[`${name}.npy`] = encodeNpy(values);
  await writeFile(path, zipSync(members, { level: options.compress === true ? 6 : 0 }));
}
