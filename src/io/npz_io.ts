/**
 * NumPy `.npz` archives: zip files of `.npy` members, read through the checking zip reader
 * (src/io/zip_archive.ts: sizes, offsets and each member's CRC-32) and parsed by
 * src/io/npy_io.ts; written with fflate, stored or deflated like `numpy.savez[_compressed]`.
 *
 * Variable-length columns (`options.jagged`, each `{ name, count }`, reading the archive
 * without a member): member `name` is a plain 2-D array `[nRows × maxLength]` padded past
 * each row's length, member `count` a 1-D array of the lengths (integers in
 * [0, maxLength]), as `numpy.savez(f, pt=padded, n=counts)` stores them. Each row is cut
 * to its count; float32 stays Float32Array, other dtypes become Float64Array.
 */
import { writeFile } from 'node:fs/promises';
import { InputError } from '../base/errors.js';
import { checkRequested, listNames, makeTable, readWholeFile } from './columns.js';
import { splitObjectPath } from './load.js';
import { parseHeader } from './npy_header.js';
import { cutPadded, uniqueJagged, type ReadJagged } from './jagged.js';
import { encodeNpy, paddedNpy, parseNpy } from './npy_io.js';
import type { ColumnTable, NumericColumn, ReadOptions } from './table.js';
import { extractZip, listZip } from './zip_archive.js';

/** The members of an archive, by name without `.npy`; only those `keep` selects are extracted (and CRC-checked). */
async function unzipMembers(
  source: string,
  bytes: Uint8Array,
  keep: (member: string) => boolean,
): Promise<{ names: string[]; files: Record<string, Uint8Array> }> {
  const entries = listZip(bytes, source);
  const names = entries.map((e) => e.name.replace(/\.npy$/, ''));
  const unprintable = names.find((n) => /[\u0000-\u001f\u007f]/.test(n));
  if (unprintable !== undefined)
    throw new InputError(
      `${source}: member names must be printable; got ${JSON.stringify(unprintable)} (corrupt file?)`,
    );
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
  const jagged = uniqueJagged(file, options.jagged);
  if (object !== undefined && jagged.length > 0)
    throw new InputError(
      `${file}: variable-length column ${JSON.stringify(jagged[0].name)} must be read from the archive, beside its count column; got the member ${JSON.stringify(object)} read as the table (read ${file} without :${object})`,
    );
  const bytes = await readWholeFile(file, options.onProgress);
  const wanted = new Set(object === undefined ? options.columns : [object]);
  const members = new Set([
    ...wanted,
    ...jagged.flatMap((j) => (j.count === undefined ? [j.name] : [j.name, j.count])),
  ]);
  const { names, files } = await unzipMembers(file, bytes, (member) => members.has(member));
  if (object !== undefined) {
    const data = files[`${object}.npy`] ?? files[object];
    if (data === undefined)
      throw new InputError(`${file}: member ${JSON.stringify(object)} not found; members are ${listNames(names)}`);
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
      throw new InputError(
        `${file}: member ${JSON.stringify(member)} must be a 1-D array to be a column (read ${file}:${member} for its columns); got shape (${shape.join(', ')})`,
      );
    }
    const parsed = parseNpy(data, source, member, [member]);
    if (nRows >= 0 && parsed.nRows !== nRows) {
      throw new InputError(
        `${file}: members must have the same length; got ${first}=${nRows}, ${member}=${parsed.nRows}`,
      );
    }
    if (nRows < 0) [nRows, first] = [parsed.nRows, member];
    columns.set(member, parsed.columns.get(member) as NumericColumn);
  }
  const read = new Map<string, ReadJagged>();
  for (const { name, count } of jagged) {
    checkRequested(file, [name], names);
    if (count === undefined)
      throw new InputError(
        `${file}: variable-length column ${JSON.stringify(name)} is padded (NPZ) and must come with its count column; got none (give { name, count })`,
      );
    if (!names.includes(count))
      throw new InputError(
        `${file}: count column ${JSON.stringify(count)} of variable-length column ${JSON.stringify(name)} must be a 1-D member of the archive; got none of that name (members: ${listNames(names)})`,
      );
    const matrix = paddedNpy(files[`${name}.npy`] ?? files[name], `${file}:${name}`, name);
    const countData = files[`${count}.npy`] ?? files[count];
    const countShape = parseHeader(countData, `${file}:${count}`).shape;
    if (countShape.length !== 1)
      throw new InputError(
        `${file}: count column ${JSON.stringify(count)} of variable-length column ${JSON.stringify(name)} must be a 1-D array; got shape (${countShape.join(', ')})`,
      );
    const counts = parseNpy(countData, `${file}:${count}`, count, [count]).columns.get(count) as NumericColumn;
    read.set(name, { count, column: cutPadded(file, name, count, matrix, counts) });
    if (nRows < 0) [nRows, first] = [matrix.nRows, name];
    else if (matrix.nRows !== nRows)
      throw new InputError(
        `${file}: members must have the same length; got ${first}=${nRows}, ${name}=${matrix.nRows}`,
      );
  }
  options.onProgress?.(1);
  return makeTable(file, Math.max(nRows, 0), names, columns, read);
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
export async function writeNpz(
  path: string,
  columns: Record<string, NumericColumn>,
  options: NpzWriteOptions = {},
): Promise<void> {
  const { zipSync } = await import('fflate');
  const members: Record<string, Uint8Array> = {};
  for (const [name, values] of Object.entries(columns)) members[`${name}.npy`] = encodeNpy(values);
  await writeFile(path, zipSync(members, { level: options.compress === true ? 6 : 0 }));
}
