/**
 * HDF5 writers through h5wasm 0.10: plain 1-D datasets per column ({@link writeHdf5}, the
 * layout `readHdf5` reads back), with string attributes on the file and on each column;
 * and a pandas DataFrame in pandas' "fixed" layout ({@link writePandasHdf5}), which
 * `pandas.read_hdf(path)` opens. Large columns are written in slices, since h5wasm's heap
 * is capped at 2 GiB.
 */
import type * as H5 from 'h5wasm';
import { InputError } from '../base/errors.js';
import { hdf5Reason, loadH5, SLICE_BYTES, type H5Module } from './hdf5_module.js';
import type { NumericColumn } from './table.js';

/** String attributes of one HDF5 object: text, or a list of texts. */
export type Hdf5Attributes = Record<string, string | readonly string[]>;

/** Options of {@link writeHdf5}. */
export interface Hdf5WriteOptions {
  /** Attributes on the group that holds the columns (the file itself for `/`). */
  attributes?: Hdf5Attributes;
  /** Attributes on each column's dataset, by column name. */
  columnAttributes?: Record<string, Hdf5Attributes>;
}

function checkLengths(columns: Record<string, NumericColumn>): string[] {
  const names = Object.keys(columns);
  names.forEach((name) => {
    if (columns[name].length !== columns[names[0]].length) {
      throw new InputError(
        `columns must have the same length; got ${names[0]}=${columns[names[0]].length}, ${name}=${columns[name].length}`,
      );
    }
  });
  return names;
}

/** Creates `path` for writing (track_order keeps the members in the order written). */
function createFile(h5: H5Module, path: string): H5.File {
  try {
    return new h5.File(path, 'w', { track_order: true });
  } catch (err) {
    throw new InputError(`${path}: file must be writable; got ${JSON.stringify(hdf5Reason(err))}`, { cause: err });
  }
}

/** The group at `path` below `root`, created where missing. */
function groupAt(h5: H5Module, root: H5.Group, path: string): H5.Group {
  let target: H5.Group = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    const existing = target.get(part);
    target = existing instanceof h5.Group ? existing : target.create_group(part, true);
  }
  return target;
}

function setAttributes(target: H5.Group | H5.Dataset, attributes: Hdf5Attributes | undefined): void {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    target.create_attribute(name, typeof value === 'string' ? value : [...value]);
  }
}

/**
 * Writes equal-length typed-array columns as 1-D datasets of one group (default `/`),
 * the layout `readHdf5('file.h5:/group', …)` reads back, with string attributes on the
 * group and on each dataset.
 * @example await writeHdf5('sim.h5', { gen_pt: genPt, reco_pt: recoPt }, '/events')
 */
export async function writeHdf5(
  path: string,
  columns: Record<string, NumericColumn>,
  group = '/',
  options: Hdf5WriteOptions = {},
): Promise<void> {
  const h5 = await loadH5();
  const names = checkLengths(columns);
  const out = createFile(h5, path);
  try {
    const target = groupAt(h5, out, group);
    setAttributes(target, options.attributes);
    for (const name of names) {
      const dataset = writeColumn(target, name, columns[name]);
      setAttributes(dataset, options.columnAttributes?.[name]);
    }
  } finally {
    out.close();
  }
}

/** Writes one column, in slices when it is larger than SLICE_BYTES. */
function writeColumn(group: H5.Group, name: string, values: NumericColumn): H5.Dataset {
  const sliceRows = Math.max(1, Math.floor(SLICE_BYTES / values.BYTES_PER_ELEMENT));
  if (values.length <= sliceRows) return group.create_dataset({ name, data: values });
  const dataset = group.create_dataset({
    name,
    data: values.subarray(0, sliceRows),
    maxshape: [null],
    chunks: [Math.min(sliceRows, 1 << 20)],
  });
  dataset.resize([values.length]);
  for (let start = sliceRows; start < values.length; start += sliceRows) {
    const end = Math.min(values.length, start + sliceRows);
    dataset.write_slice([[start, end]], values.subarray(start, end));
  }
  return dataset;
}

/** The element type of a typed array in h5wasm's struct-module codes (`<d` float64, `<f` float32, …). */
function dtypeOf(values: NumericColumn): string {
  if (values instanceof Float64Array) return '<d';
  if (values instanceof Float32Array) return '<f';
  if (values instanceof Uint8Array) return '<B';
  if (values instanceof Int8Array) return '<b';
  if (values instanceof Int16Array) return '<h';
  if (values instanceof Uint16Array) return '<H';
  if (values instanceof Int32Array) return '<i';
  if (values instanceof Uint32Array) return '<I';
  return '<q'; // BigInt64Array
}

/** A 1-D dataset of fixed-length byte strings, as pandas stores column names. */
function writeNames(group: H5.Group, name: string, names: readonly string[]): void {
  const size = Math.max(1, ...names.map((n) => new TextEncoder().encode(n).length));
  const dataset = group.create_dataset({ name, data: [...names], shape: [names.length], dtype: `A${size}` });
  dataset.create_attribute('kind', 'string');
}

/** Options of {@link writePandasHdf5}. */
export interface PandasHdf5Options {
  /** The key `pandas.read_hdf(path, key)` takes; default `df`. */
  key?: string;
  /** Extra string attributes on the frame's group (pandas ignores them). */
  attributes?: Hdf5Attributes;
  /** Bytes per slice moved to the wasm heap at a time; default 64 MiB. */
  sliceBytes?: number;
}

/**
 * Writes the columns as one pandas DataFrame in pandas' "fixed" HDF5 layout (what
 * `DataFrame.to_hdf(path, key)` writes by default): a group `/<key>` with the frame's
 * attributes; `axis0` the column names, `axis1` the row index 0…n−1; and one block per
 * element type, `block<i>_items` (its column names) and `block<i>_values` ([n × columns],
 * stored transposed, as pandas stores it). `pandas.read_hdf(path)` returns the columns in
 * the order given, each with its own type.
 * @example await writePandasHdf5('weights.h5', { x: xs, weights_nominal: w })
 */
export async function writePandasHdf5(
  path: string,
  columns: Record<string, NumericColumn>,
  options: PandasHdf5Options = {},
): Promise<void> {
  const h5 = await loadH5();
  const names = checkLengths(columns);
  if (names.length === 0) throw new InputError(`${path}: a pandas frame must have at least one column; got none`);
  const nRows = columns[names[0]].length;
  if (nRows === 0) throw new InputError(`${path}: a pandas frame must have at least one row; got 0`);
  const blocks = new Map<string, string[]>();
  for (const name of names) {
    const dtype = dtypeOf(columns[name]);
    blocks.set(dtype, [...(blocks.get(dtype) ?? []), name]);
  }
  const out = createFile(h5, path);
  try {
    const frame = groupAt(h5, out, options.key ?? 'df');
    setAttributes(frame, {
      pandas_type: 'frame',
      pandas_version: '0.15.2',
      encoding: 'UTF-8',
      errors: 'strict',
      axis0_variety: 'regular',
      axis1_variety: 'regular',
      ...Object.fromEntries([...blocks.keys()].map((_, i) => [`block${i}_items_variety`, 'regular'])),
    });
    frame.create_attribute('ndim', 2, null, '<q');
    frame.create_attribute('nblocks', blocks.size, null, '<q');
    setAttributes(frame, options.attributes);
    const sliceBytes = options.sliceBytes ?? SLICE_BYTES;
    writeNames(frame, 'axis0', names);
    writeRowIndex(frame, nRows, sliceBytes);
    [...blocks.values()].forEach((items, i) => {
      writeNames(frame, `block${i}_items`, items);
      writeBlock(
        frame,
        `block${i}_values`,
        items.map((n) => columns[n]),
        sliceBytes,
      );
    });
  } finally {
    out.close();
  }
}

/** `axis1`: the row index 0…n−1 as int64, written in slices. */
function writeRowIndex(group: H5.Group, nRows: number, sliceBytes: number): void {
  const sliceRows = Math.max(1, Math.min(nRows, Math.floor(sliceBytes / 8)));
  const slice = (start: number, end: number) =>
    BigInt64Array.from({ length: end - start }, (_, i) => BigInt(start + i));
  const dataset = group.create_dataset({
    name: 'axis1',
    data: slice(0, sliceRows),
    shape: [sliceRows],
    maxshape: [null],
    chunks: [Math.min(sliceRows, 1 << 16)],
    dtype: '<q',
  });
  dataset.resize([nRows]);
  for (let start = sliceRows; start < nRows; start += sliceRows) {
    const end = Math.min(nRows, start + sliceRows);
    dataset.write_slice([[start, end]], slice(start, end));
  }
  dataset.create_attribute('kind', 'integer');
}

/** One block: the columns (all of one type) interleaved row by row into [n × k], in slices. */
function writeBlock(group: H5.Group, name: string, columns: readonly NumericColumn[], sliceBytes: number): void {
  const k = columns.length;
  const nRows = columns[0].length;
  const first = columns[0];
  const Typed = first.constructor as new (n: number) => NumericColumn;
  const sliceRows = Math.max(1, Math.min(nRows, Math.floor(sliceBytes / (first.BYTES_PER_ELEMENT * k))));
  const interleave = (start: number, end: number) => {
    const out = new Typed((end - start) * k) as Float64Array;
    for (let j = 0; j < k; j++) {
      const column = columns[j] as Float64Array;
      for (let i = start; i < end; i++) out[(i - start) * k + j] = column[i];
    }
    return out;
  };
  const dataset = group.create_dataset({
    name,
    data: interleave(0, sliceRows),
    shape: [sliceRows, k],
    maxshape: [null, k],
    chunks: [Math.max(1, Math.min(sliceRows, Math.floor((1 << 20) / k))), k],
    dtype: dtypeOf(first),
  });
  dataset.resize([nRows, k]);
  for (let start = sliceRows; start < nRows; start += sliceRows) {
    const end = Math.min(nRows, start + sliceRows);
    dataset.write_slice(
      [
        [start, end],
        [0, k],
      ],
      interleave(start, end),
    );
  }
  dataset.create_attribute('transposed', 1, null, '<B');
}
