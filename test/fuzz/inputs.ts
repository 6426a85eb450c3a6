/**
 * The valid input of each fuzzed format: a small file written from known columns with the
 * engine's own writers (CSV and Arrow through apache-arrow), or, for ROOT, a fixture
 * written by ROOT itself, read from ../shared/fixtures/root (never copied into the repo).
 *
 * Each input also records where the plain column values lie in the file (`dataRanges`),
 * found by searching the columns' encoded bytes: a byte flip there changes one number and
 * cannot be detected by a format without checksums.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { writeHdf5 } from '../../src/io/hdf5_write.js';
import { encodeNpy } from '../../src/io/npy_io.js';
import { writeNpz } from '../../src/io/npz_io.js';
import { writeParquet } from '../../src/io/parquet_io.js';
import type { NumericColumn } from '../../src/io/table.js';

/** The fuzzed formats, in report order. */
export const FORMATS = ['arrow', 'parquet', 'csv', 'hdf5', 'npy', 'npz', 'root', 'rntuple', 'arrows'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * The formats fuzzed by default. RNTuple is opt-in (`--format rntuple`): its pages carry
 * XXH3 checksums that are not verified yet, so a flip inside page data reads as other
 * values (split and delta encodings hide the values from the data-region search too).
 */
export const DEFAULT_FORMATS: readonly Format[] = ['arrow', 'arrows', 'parquet', 'csv', 'hdf5', 'npy', 'npz', 'root'];

/** A valid file to mutate and what reading it must give. */
export interface FuzzInput {
  format: Format;
  /** File extension the mutants are written with (the reader is chosen by it). */
  ext: string;
  /** Object suffix after the file name (`:/events`), or ''. */
  object: string;
  bytes: Uint8Array;
  /** Columns requested from the reader. */
  columns: string[];
  /** Byte ranges [start, end) holding plain column values. */
  dataRanges: Array<[number, number]>;
  /** Values are stored big-endian (ROOT). */
  bigEndian: boolean;
  /** The known columns written, when the input was generated (not for ROOT). */
  known?: Record<string, NumericColumn>;
}

/** Rows of every generated input. */
export const N_ROWS = 200;

/** Known columns: distinct, exactly representable values (so every format agrees bit for bit). */
export function knownColumns(): Record<string, NumericColumn> {
  return {
    px: Float64Array.from({ length: N_ROWS }, (_, i) => -30 + i * 0.375),
    eta: Float32Array.from({ length: N_ROWS }, (_, i) => -2.5 + i * 0.03125),
    charge: Int32Array.from({ length: N_ROWS }, (_, i) => (i % 7) - 3 + 10 * i),
  };
}

/** The ROOT fixture fuzzed (a TTree of flat float and int branches), if present. */
export const ROOT_FIXTURE = resolve('..', 'shared', 'fixtures', 'root', 'uproot-Zmumu.root');
/** The RNTuple fixture fuzzed (ROOT's newer columnar format), if present. */
export const RNTUPLE_FIXTURE = resolve('..', 'shared', 'fixtures', 'root', 'ntpl001_staff_rntuple_v1-0-1-0.root');

/** Bytes of a column as stored: little-endian unless `bigEndian`. */
export function columnBytes(values: NumericColumn, bigEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
  const w = values.BYTES_PER_ELEMENT;
  if (bigEndian && w > 1) {
    for (let i = 0; i < bytes.length; i += w) bytes.subarray(i, i + w).reverse();
  }
  return bytes;
}

/** Index of `needle` in `hay` at or after `from`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
    from,
  );
}

/**
 * Where the values of `columns` lie in `bytes`: each column is searched in blocks of four
 * elements (a column may be split into baskets, pages or batches); found blocks are merged.
 */
export function locateData(bytes: Uint8Array, columns: NumericColumn[], bigEndian: boolean): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const values of columns) {
    const all = columnBytes(values, bigEndian);
    const block = 4 * values.BYTES_PER_ELEMENT;
    let from = 0;
    for (let at = 0; at + block <= all.length; at += block) {
      const found = indexOfBytes(bytes, all.subarray(at, at + block), from);
      if (found < 0) continue;
      ranges.push([found, found + block]);
      from = found + block;
    }
  }
  return mergeRanges(ranges);
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Byte ranges of the numbers in CSV text after the header line. */
function csvDataRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const re = /[-+0-9.eE]+/g;
  const start = text.indexOf('\n') + 1;
  re.lastIndex = start;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

function csvText(columns: Record<string, NumericColumn>): string {
  const names = Object.keys(columns);
  const lines = [names.join(',')];
  for (let i = 0; i < N_ROWS; i++) lines.push(names.map((n) => String(columns[n][i])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Writes the valid input of `format` under `dir` and returns it; a string says why it is skipped. */
export async function makeInput(format: Format, dir: string): Promise<FuzzInput | string> {
  const known = knownColumns();
  const names = Object.keys(known);
  const values = Object.values(known);
  const base = { format, object: '', columns: names, bigEndian: false, known };
  const written = (ext: string, bytes: Uint8Array, extra: Partial<FuzzInput> = {}): FuzzInput => ({
    ...base,
    ext,
    bytes: new Uint8Array(bytes), // a plain copy: Buffer#slice would give views, not copies
    dataRanges: locateData(bytes, values, false),
    ...extra,
  });
  switch (format) {
    case 'arrow':
      return written('.arrow', tableToIPC(tableFromArrays(known as Record<string, Float64Array>), 'file'));
    case 'arrows':
      return written('.arrows', tableToIPC(tableFromArrays(known as Record<string, Float64Array>), 'stream'));
    case 'csv': {
      const text = csvText(known);
      const asF64 = Object.fromEntries(names.map((n) => [n, Float64Array.from(known[n] as ArrayLike<number>)]));
      return { ...written('.csv', new TextEncoder().encode(text)), dataRanges: csvDataRanges(text), known: asF64 };
    }
    case 'parquet': {
      await writeParquet(join(dir, 'valid.parquet'), known, { rowGroupRows: 120 });
      return written('.parquet', readFileSync(join(dir, 'valid.parquet')));
    }
    case 'hdf5': {
      await writeHdf5(join(dir, 'valid.h5'), known, '/events');
      return written('.h5', readFileSync(join(dir, 'valid.h5')), { object: ':/events' });
    }
    case 'npy': {
      const matrix = {
        col0: known.px,
        col1: Float64Array.from(known.eta as Float32Array),
        col2: Float64Array.from(known.charge as Int32Array),
      };
      const bytes = encodeNpy(matrix, { layout: 'matrix', fortranOrder: true });
      return {
        ...written('.npy', bytes),
        columns: ['col0', 'col1', 'col2'],
        known: matrix,
        dataRanges: locateData(bytes, Object.values(matrix), false),
      };
    }
    case 'npz': {
      await writeNpz(join(dir, 'valid.npz'), known);
      return written('.npz', readFileSync(join(dir, 'valid.npz')));
    }
    case 'root': {
      if (!existsSync(ROOT_FIXTURE)) return `ROOT fixture ${ROOT_FIXTURE} absent (shared fixtures not installed)`;
      return {
        format,
        ext: '.root',
        object: ':events',
        bytes: new Uint8Array(readFileSync(ROOT_FIXTURE)),
        columns: ROOT_COLUMNS,
        dataRanges: [],
        bigEndian: true,
      };
    }
    case 'rntuple': {
      if (!existsSync(RNTUPLE_FIXTURE))
        return `RNTuple fixture ${RNTUPLE_FIXTURE} absent (shared fixtures not installed)`;
      // RNTuple pages are little-endian
      return {
        format,
        ext: '.root',
        object: ':Staff',
        bytes: new Uint8Array(readFileSync(RNTUPLE_FIXTURE)),
        columns: RNTUPLE_COLUMNS,
        dataRanges: [],
        bigEndian: false,
      };
    }
  }
}

/** Writes `bytes` as a mutant file; returns the path given to the reader (with the object suffix). */
export function writeMutant(dir: string, input: FuzzInput, index: number, bytes: Uint8Array): string {
  const file = join(dir, `m${index}${input.ext}`);
  writeFileSync(file, bytes);
  return `${file}${input.object}`;
}

/** The flat numeric fields of the RNTuple fixture's `Staff` (its string fields are not read). */
const RNTUPLE_COLUMNS = ['Category', 'Flag', 'Age', 'Service', 'Children', 'Grade', 'Step', 'Hrweek', 'Cost'];

/** The flat numeric branches of the ROOT fixture's tree `events` (its string branch `Type` is not read). */
const ROOT_COLUMNS = [
  'Run',
  'Event',
  'E1',
  'px1',
  'py1',
  'pz1',
  'pt1',
  'eta1',
  'phi1',
  'Q1',
  'E2',
  'px2',
  'py2',
  'pz2',
  'pt2',
  'eta2',
  'phi2',
  'Q2',
  'M',
];
