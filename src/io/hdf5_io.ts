/**
 * HDF5 files through h5wasm 0.10. The object after the colon picks what is read:
 *
 * | object (`file.h5:OBJECT`)         | columns                                       |
 * | --------------------------------- | --------------------------------------------- |
 * | a group (default `/`)             | its plain 1-D numeric datasets, by name; all must have the same length (other members are ignored) |
 * | a 1-D compound dataset            | its numeric fields, by name                   |
 * | a plain 2-D dataset `[nRows × n]` | `col0 … col{n−1}`                             |
 * | a plain 1-D dataset               | one column named after the dataset            |
 *
 * With no object, `/` is read as a group; if it holds no 1-D datasets but exactly one
 * dataset, that dataset is read. Numeric types: float32/64, int8–64, uint8–64 and h5py's
 * bool enum (→ Uint8Array); int64/uint64 come as BigInt64Array. Big-endian data are
 * converted (a copy; every HDF5 read copies out of the wasm heap anyway).
 *
 * h5wasm's wasm heap is capped at 2 GiB, so datasets are read in slices of at most
 * 64 MiB, each copied straight into the output column.
 *
 * Variable-length columns (`options.jagged`, each `{ name, count }`): HDF5 holds them
 * padded, as a 2-D numeric dataset `[nRows × maxLength]` of the group read, beside a 1-D
 * count column of the same group (h5py's usual layout for particle lists). Each row is cut
 * to its count, slice by slice, so the padding is never kept; counts must be integers in
 * [0, maxLength]. float32 stays Float32Array, other types become Float64Array.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type * as H5 from 'h5wasm';
import { InputError } from '../base/errors.js';
import {
  checkRequested,
  columnNotFound,
  listNames,
  makeTable,
  swapBytes,
  throttledProgress,
  uint64AsInt64,
} from './columns.js';
import { cutPadded, exactNumber, uniqueJagged, type PaddedMatrix, type ReadJagged } from './jagged.js';
import { splitObjectPath } from './load.js';
import { H5T, hdf5Reason, loadH5, SLICE_BYTES, type H5Module } from './hdf5_module.js';
import { muteStderrSync, unmuted } from './library_guard.js';
import type { ColumnTable, NumericColumn, ReadOptions } from './table.js';

type Metadata = H5.Dataset['metadata'];

/** How one numeric column is laid out in the raw bytes of a row. */
interface ColumnLayout {
  name: string;
  offset: number; // bytes into the row
  meta: Pick<Metadata, 'type' | 'size' | 'signed' | 'littleEndian'> & { enum_type?: { type: number } };
}

/** The output typed array for a numeric HDF5 type, or null when unsupported. */
function makeColumn(meta: ColumnLayout['meta'], n: number): NumericColumn | BigUint64Array | null {
  const size = meta.size;
  if (meta.type === H5T.FLOAT) return size === 4 ? new Float32Array(n) : size === 8 ? new Float64Array(n) : null;
  if (meta.type === H5T.ENUM) return size === 1 ? new Uint8Array(n) : null;
  if (meta.type !== H5T.INTEGER) return null;
  if (size === 1) return meta.signed ? new Int8Array(n) : new Uint8Array(n);
  if (size === 2) return meta.signed ? new Int16Array(n) : new Uint16Array(n);
  if (size === 4) return meta.signed ? new Int32Array(n) : new Uint32Array(n);
  if (size === 8) return meta.signed ? new BigInt64Array(n) : new BigUint64Array(n);
  return null;
}

function describeType(meta: Metadata): string {
  const names: Record<number, string> = {
    0: 'integer',
    1: 'float',
    2: 'time',
    3: 'string',
    4: 'bitfield',
    5: 'opaque',
    6: 'compound',
    7: 'reference',
    8: 'enum',
    9: 'variable-length',
    10: 'array',
  };
  return `${names[meta.type] ?? `class ${meta.type}`} of ${meta.size} bytes${meta.vlen ? ' (variable-length)' : ''}`;
}

/** What is read from one dataset: its row count, row size, and column layouts. */
interface DatasetPlan {
  dataset: H5.Dataset;
  nRows: number;
  rowBytes: number;
  columns: ColumnLayout[];
}

/** Plans the columns of one dataset (compound, 2-D or 1-D), or throws why it cannot. */
function planDataset(source: string, dataset: H5.Dataset, name: string): DatasetPlan {
  const meta = dataset.metadata;
  const shape = meta.shape ?? [];
  if (meta.type === H5T.COMPOUND && shape.length === 1) {
    const members = meta.compound_type?.members ?? [];
    const columns = members.map((m) => ({ name: m.name, offset: m.offset, meta: m }));
    for (const c of columns) {
      if (makeColumn(c.meta, 0) === null)
        throw new InputError(
          `${source}: field ${JSON.stringify(c.name)} must be a numeric type; got ${describeType(c.meta)}`,
        );
    }
    return { dataset, nRows: shape[0], rowBytes: meta.size, columns };
  }
  if (makeColumn(meta, 0) === null || meta.vlen) {
    throw new InputError(
      `${source}: dataset must be numeric (float, int, bool) or compound of numeric fields; got ${describeType(meta)}`,
    );
  }
  if (shape.length === 1)
    return { dataset, nRows: shape[0], rowBytes: meta.size, columns: [{ name, offset: 0, meta }] };
  if (shape.length === 2) {
    const columns = Array.from({ length: shape[1] }, (_, j) => ({ name: `col${j}`, offset: j * meta.size, meta }));
    return { dataset, nRows: shape[0], rowBytes: meta.size * shape[1], columns };
  }
  throw new InputError(`${source}: dataset must be 1-D or 2-D; got shape (${shape.join(', ')})`);
}

/** Reads rows [start, start + count) of a dataset as raw bytes (one copy out of the heap). */
function readRows(h5: H5Module, plan: DatasetPlan, start: number, count: number): Uint8Array {
  const { Module } = h5;
  const nbytes = count * plan.rowBytes;
  const ptr = Module._malloc(Math.max(nbytes, 1));
  if (ptr === 0)
    throw new InputError(
      `${plan.dataset.path}: a slice of ${nbytes} bytes must fit h5wasm's 2 GiB heap; got an allocation failure`,
    );
  try {
    const shape = plan.dataset.metadata.shape ?? [];
    const count2 = shape.length === 2 ? [BigInt(count), BigInt(shape[1])] : [BigInt(count)];
    const offset2 = shape.length === 2 ? [BigInt(start), 0n] : [BigInt(start)];
    const strides = shape.map(() => 1n);
    Module.get_dataset_data(plan.dataset.file_id, plan.dataset.path, count2, offset2, strides, BigInt(ptr));
    return Module.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    Module._free(ptr);
  }
}

/** Copies one column out of raw row bytes into `out` at row `at`. */
function scatter(
  raw: Uint8Array,
  count: number,
  rowBytes: number,
  layout: ColumnLayout,
  out: NumericColumn | BigUint64Array,
  at: number,
): void {
  const w = layout.meta.size;
  const target = new Uint8Array(out.buffer, out.byteOffset + at * w, count * w);
  if (rowBytes === w) target.set(raw.subarray(0, count * w));
  else
    for (let r = 0; r < count; r++)
      target.set(raw.subarray(r * rowBytes + layout.offset, r * rowBytes + layout.offset + w), r * w);
  if (!layout.meta.littleEndian) swapBytes(target, w);
}

/** Reads the requested columns of planned datasets, slice by slice, with progress. */
function readPlans(
  h5: H5Module,
  source: string,
  plans: Map<string, DatasetPlan>,
  requested: readonly string[],
  onProgress?: (f: number) => void,
): Map<string, NumericColumn> {
  const progress = throttledProgress(onProgress);
  const byDataset = new Map<DatasetPlan, ColumnLayout[]>();
  for (const name of new Set(requested)) {
    const plan = plans.get(name) as DatasetPlan;
    byDataset.set(plan, [...(byDataset.get(plan) ?? []), plan.columns.find((c) => c.name === name) as ColumnLayout]);
  }
  const totalBytes = [...byDataset.keys()].reduce((n, p) => n + p.nRows * p.rowBytes, 0);
  let doneBytes = 0;
  const out = new Map<string, NumericColumn>();
  for (const [plan, layouts] of byDataset) {
    const columns = layouts.map((l) => makeColumn(l.meta, plan.nRows) as NumericColumn | BigUint64Array);
    const sliceRows = Math.max(1, Math.floor(SLICE_BYTES / Math.max(plan.rowBytes, 1)));
    for (let start = 0; start < plan.nRows; start += sliceRows) {
      const count = Math.min(sliceRows, plan.nRows - start);
      let raw: Uint8Array;
      try {
        raw = readRows(h5, plan, start, count);
      } catch (err) {
        if (err instanceof InputError) throw err;
        throw new InputError(
          `${source}: ${plan.dataset.path}: dataset is unreadable (truncated file?); got ${JSON.stringify(hdf5Reason(err))}`,
          { cause: err },
        );
      }
      layouts.forEach((l, k) => scatter(raw, count, plan.rowBytes, l, columns[k], start));
      doneBytes += count * plan.rowBytes;
      progress(totalBytes === 0 ? 1 : doneBytes / totalBytes);
    }
    layouts.forEach((l, k) => {
      const c = columns[k];
      out.set(l.name, c instanceof BigUint64Array ? uint64AsInt64(source, l.name, c) : c);
    });
  }
  progress(1);
  return out;
}

/** The plain 1-D numeric datasets of a group, each planned as one column. */
function planGroup(source: string, group: H5.Group, h5: H5Module): Map<string, DatasetPlan> {
  const plans = new Map<string, DatasetPlan>();
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (!(entity instanceof h5.Dataset)) continue;
    const meta = entity.metadata;
    if ((meta.shape?.length ?? 0) !== 1 || meta.type === H5T.COMPOUND || meta.vlen || makeColumn(meta, 0) === null)
      continue;
    plans.set(key, planDataset(source, entity, key));
  }
  const lengths = [...plans.entries()].map(([k, p]) => `${k}=${p.nRows}`);
  if (new Set([...plans.values()].map((p) => p.nRows)).size > 1) {
    throw new InputError(
      `${source}: the 1-D datasets of a group must have the same length to be columns of one table; got ${listNames(lengths)}`,
    );
  }
  return plans;
}

/** At most this many objects are walked when listing a file's contents in an error. */
const MAX_LISTED_OBJECTS = 200;

/** Every group and dataset below `group`, as `path (group)` or `path (dataset, shape)`, depth first. */
function describeContents(group: H5.Group, h5: H5Module, out: string[] = []): string[] {
  for (const key of group.keys()) {
    if (out.length >= MAX_LISTED_OBJECTS) break;
    const entity = group.get(key);
    const path = `${group.path === '/' ? '' : group.path}/${key}`;
    if (entity instanceof h5.Group) {
      out.push(`${path} (group)`);
      describeContents(entity, h5, out);
    } else if (entity instanceof h5.Dataset)
      out.push(`${path} (dataset, shape ${JSON.stringify(entity.metadata.shape ?? [])})`);
  }
  return out;
}

/**
 * Finds the object a path names, or throws listing what is there: the members of its
 * parent group when that exists, else every group and dataset of the file.
 */
function resolveObject(file: string, root: H5.File, object: string, h5: H5Module): H5.Group | H5.Dataset {
  const entity = object === '/' ? root : root.get(object);
  if (entity instanceof h5.Group || entity instanceof h5.Dataset) return entity;
  const parentPath = object.replace(/\/[^/]*$/, '') || '/';
  const parent = parentPath === '/' ? root : root.get(parentPath);
  if (parent instanceof h5.Group && parent.keys().length > 0) {
    const members = parent.keys().map((k) => `${parentPath === '/' ? '' : parentPath}/${k}`);
    throw new InputError(
      `${file}: object ${JSON.stringify(object)} not found; ${parentPath} holds ${listNames(members)}`,
    );
  }
  throw new InputError(
    `${file}: object ${JSON.stringify(object)} not found; the file holds ${listNames(describeContents(root, h5))}`,
  );
}

/** Data of a planned dataset must fit the file (contiguous) or the most deflate can expand it (chunked). */
function checkPlanSize(source: string, plan: DatasetPlan, fileBytes: number): void {
  const bytes = plan.nRows * plan.rowBytes;
  const chunked = (plan.dataset.metadata.chunks ?? null) !== null;
  const limit = chunked ? fileBytes * MAX_DEFLATE_RATIO : fileBytes;
  if (!Number.isSafeInteger(plan.nRows) || plan.nRows < 0 || bytes > limit) {
    throw new InputError(
      `${source}: ${plan.dataset.path}: dataset of shape ${JSON.stringify(plan.dataset.metadata.shape)} must fit the ${fileBytes}-byte file (${chunked ? `at most ${MAX_DEFLATE_RATIO}× it, compressed` : 'stored contiguously'}); got ${bytes} bytes (corrupt file?)`,
    );
  }
}

/** Deflate cannot expand data more than about 1032 : 1. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Reads the requested columns of an HDF5 file (see the module comment for which object
 * gives which columns).
 * @example const t = await readHdf5('sim.h5:/events', { columns: ['gen_pt'] })
 */
export async function readHdf5(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file, object } = splitObjectPath(path);
  let fileBytes: number;
  try {
    fileBytes = (await stat(file)).size;
  } catch (err) {
    throw new InputError(`${file}: file must be readable; got ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  const h5 = await loadH5();
  // HDF5 runs synchronously in wasm; whatever it prints itself (an abort) is kept off stderr
  const onProgress = options.onProgress;
  const reported =
    onProgress === undefined ? options : { ...options, onProgress: (f: number) => unmuted(() => onProgress(f)) };
  return muteStderrSync(() => openAndRead(h5, file, object, fileBytes, reported)).value;
}

/** Opens the file and reads `object`; any HDF5 failure becomes a one-line InputError. */
function openAndRead(
  h5: H5Module,
  file: string,
  object: string | undefined,
  fileBytes: number,
  options: ReadOptions,
): ColumnTable {
  let root: H5.File;
  try {
    root = new h5.File(file, 'r');
  } catch (err) {
    throw new InputError(`${file}: file is truncated or not an HDF5 file; got ${JSON.stringify(hdf5Reason(err))}`, {
      cause: err,
    });
  }
  try {
    return readObject(h5, root, file, object, fileBytes, options);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `${file}: file must be a readable HDF5 file; got ${JSON.stringify(hdf5Reason(err))} (truncated or corrupt file?)`,
      { cause: err },
    );
  } finally {
    try {
      root.close();
    } catch {
      // a corrupt file may fail to close; the read has already failed or succeeded
    }
  }
}

/** Plans and reads the columns of `object` (the root group by default). */
function readObject(
  h5: H5Module,
  root: H5.File,
  file: string,
  object: string | undefined,
  fileBytes: number,
  options: ReadOptions,
): ColumnTable {
  const objectPath = object === undefined ? '/' : object.startsWith('/') ? object : `/${object}`;
  const source = object === undefined ? file : `${file}:${objectPath}`;
  let entity = resolveObject(file, root, objectPath, h5);
  let plans = entity instanceof h5.Dataset ? null : planGroup(source, entity, h5);
  if (plans !== null && plans.size === 0 && object === undefined) {
    const datasets = (entity as H5.Group).keys().filter((k) => root.get(k) instanceof h5.Dataset);
    if (datasets.length === 1) {
      entity = root.get(datasets[0]) as H5.Dataset;
      plans = null;
    }
  }
  if (plans !== null && plans.size === 0 && options.columns.length > 0) {
    throw new InputError(
      `${source}: group ${objectPath} must hold 1-D numeric datasets to read as columns; got none; the file holds ${listNames(describeContents(root, h5))} (name a group or dataset as ${file}:/PATH)`,
    );
  }
  const jagged = uniqueJagged(source, options.jagged);
  if (plans === null) {
    if (jagged.length > 0)
      throw new InputError(
        `${source}: variable-length column ${JSON.stringify(jagged[0].name)} must be a 2-D dataset of a group, beside its count column; got the dataset ${entity.path} read as the table (name its group: ${file}:/GROUP)`,
      );
    const plan = planDataset(source, entity as H5.Dataset, basename(entity.path));
    plans = new Map(plan.columns.map((c) => [c.name, plan]));
  }
  for (const plan of new Set(plans.values())) checkPlanSize(source, plan, fileBytes);
  const names = [...plans.keys()];
  checkRequested(source, options.columns, names);
  const padded = entity instanceof h5.Group ? paddedDatasets(entity, h5) : new Map<string, H5.Dataset>();
  const planned = jagged.map((j) => planPadded(source, j, padded, names));
  for (const p of planned) checkPlanSize(source, p.plan, fileBytes);
  const counts = planned.map((p) => p.count);
  const nRows = plans.size === 0 ? 0 : (plans.values().next().value as DatasetPlan).nRows;
  const columns = readPlans(h5, source, plans, [...options.columns, ...counts], options.onProgress);
  const read = new Map<string, ReadJagged>();
  for (const p of planned) {
    const matrix = paddedMatrix(h5, source, p.name, p.plan);
    read.set(p.name, {
      count: p.count,
      column: cutPadded(source, p.name, p.count, matrix, columns.get(p.count) as NumericColumn),
    });
  }
  for (const c of counts) if (!options.columns.includes(c)) columns.delete(c);
  return makeTable(source, nRows, names, columns, read, (name) => {
    if (!padded.has(name) && !names.includes(name)) columnNotFound(source, name, [...names, ...padded.keys()]);
  });
}

/** The 2-D datasets of a group, by name: where padded variable-length columns are stored. */
function paddedDatasets(group: H5.Group, h5: H5Module): Map<string, H5.Dataset> {
  const out = new Map<string, H5.Dataset>();
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (entity instanceof h5.Dataset && (entity.metadata.shape?.length ?? 0) === 2) out.set(key, entity);
  }
  return out;
}

/** Plans one padded variable-length column: its 2-D dataset and its count column (checked to exist). */
function planPadded(
  source: string,
  { name, count }: { name: string; count?: string },
  padded: ReadonlyMap<string, H5.Dataset>,
  columns: readonly string[],
): { name: string; count: string; plan: DatasetPlan } {
  const dataset = padded.get(name);
  if (dataset === undefined) {
    const kind = columns.includes(name) ? 'a 1-D dataset' : 'no dataset of that name';
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} must be a 2-D dataset [nRows × maxLength] of the group; got ${kind} (2-D datasets: ${listNames([...padded.keys()])})`,
    );
  }
  if (count === undefined)
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} is padded (HDF5) and must come with its count column; got none (give { name, count })`,
    );
  if (!columns.includes(count))
    throw new InputError(
      `${source}: count column ${JSON.stringify(count)} of variable-length column ${JSON.stringify(name)} must be a 1-D dataset of the group; got none of that name (1-D datasets: ${listNames(columns)})`,
    );
  const meta = dataset.metadata;
  if (meta.type === H5T.COMPOUND || meta.vlen || makeColumn(meta, 0) === null)
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} must be a numeric 2-D dataset; got ${describeType(meta)}`,
    );
  return { name, count, plan: planDataset(source, dataset, name) };
}

/** A padded 2-D dataset read a slice of rows at a time, as rows are asked for in order. */
function paddedMatrix(h5: H5Module, source: string, name: string, plan: DatasetPlan): PaddedMatrix {
  const meta = plan.dataset.metadata;
  const maxLength = (meta.shape ?? [0, 0])[1];
  const sliceRows = Math.max(1, Math.floor(SLICE_BYTES / Math.max(plan.rowBytes, 1)));
  let start = -1;
  let rows: NumericColumn | BigUint64Array = new Float64Array(0);
  const load = (row: number): void => {
    start = row - (row % sliceRows);
    const count = Math.min(sliceRows, plan.nRows - start);
    let raw: Uint8Array;
    try {
      raw = readRows(h5, plan, start, count);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(
        `${source}: ${plan.dataset.path}: dataset is unreadable (truncated file?); got ${JSON.stringify(hdf5Reason(err))}`,
        { cause: err },
      );
    }
    if (!meta.littleEndian) swapBytes(raw, meta.size);
    const typed = makeColumn(meta, 0) as NumericColumn | BigUint64Array;
    const Ctor = typed.constructor as new (b: ArrayBuffer, o: number, n: number) => NumericColumn | BigUint64Array;
    rows = new Ctor(raw.buffer as ArrayBuffer, raw.byteOffset, count * maxLength);
  };
  return {
    nRows: plan.nRows,
    maxLength,
    float32: meta.type === H5T.FLOAT && meta.size === 4,
    copyRow(row, n, out, at) {
      if (start < 0 || row < start || row >= start + sliceRows) load(row);
      const base = (row - start) * maxLength;
      for (let j = 0; j < n; j++) {
        const v = rows[base + j];
        out[at + j] = typeof v === 'bigint' ? exactNumber(source, name, v, row) : v;
      }
    },
  };
}
