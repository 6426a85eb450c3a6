/**
 * Helpers shared by the file-format readers: building a ColumnTable, checking the
 * requested columns, reading a file with progress, and byte-order conversion.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../base/errors.js';
import { jaggedLookup, type ReadJagged } from './jagged.js';
import type { ColumnTable, NumericColumn } from './table.js';

/** At most this many names are listed in an error message; the rest are counted. */
const MAX_LISTED = 40;

/** `a, b, c` (or `a, b, … (N more)`) for error messages. */
export function listNames(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  if (names.length <= MAX_LISTED) return names.join(', ');
  return `${names.slice(0, MAX_LISTED).join(', ')}, … (${names.length - MAX_LISTED} more)`;
}

/** Throws the one-line error for a column the table does not have. */
export function columnNotFound(source: string, name: string, available: readonly string[]): never {
  throw new InputError(`${source}: column ${JSON.stringify(name)} not found; columns are ${listNames(available)}`);
}

/** Checks that every requested column exists, before anything is read. */
export function checkRequested(source: string, requested: readonly string[], available: readonly string[]): void {
  const have = new Set(available);
  for (const name of requested) if (!have.has(name)) columnNotFound(source, name, available);
}

/**
 * A ColumnTable over columns already read; asking for another column throws. With
 * `jagged` (the variable-length columns read, for formats that hold them) the table has a
 * `jagged` method; `jaggedExists` checks that a name not read is a column of the file
 * (default: one of `columnNames`).
 */
export function makeTable(
  source: string,
  nRows: number,
  columnNames: readonly string[],
  columns: ReadonlyMap<string, NumericColumn>,
  jagged?: ReadonlyMap<string, ReadJagged>,
  jaggedExists?: (name: string) => void,
): ColumnTable {
  const names = Object.freeze([...columnNames]);
  const exists =
    jaggedExists ??
    ((name: string) => {
      if (!names.includes(name)) columnNotFound(source, name, names);
    });
  return {
    ...(jagged === undefined ? {} : { jagged: jaggedLookup(source, jagged, exists) }),
    source,
    nRows,
    columnNames: names,
    column(name: string): NumericColumn {
      const values = columns.get(name);
      if (values !== undefined) return values;
      if (names.includes(name)) {
        throw new InputError(
          `${source}: column ${JSON.stringify(name)} must be listed in options.columns to be read; got only ${listNames([...columns.keys()])}`,
        );
      }
      return columnNotFound(source, name, names);
    },
  };
}

/** Bytes read per call, so large files report progress. */
const READ_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Reads a whole file into a fresh buffer (byte offset 0, so typed-array views of aligned
 * data are possible), reporting progress for files larger than one chunk.
 */
export async function readWholeFile(path: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new InputError(`${path}: file must be readable; got ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, Math.min(READ_CHUNK_BYTES, size - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      if (size > READ_CHUNK_BYTES) onProgress?.(offset / size);
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/** Reverses the bytes of every `width`-byte element in place (big ⇄ little endian). */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * Reinterprets unsigned 64-bit values as BigInt64Array (same bytes, no copy). Values of
 * 2^63 or more do not fit the engine's int64 columns and are an InputError.
 */
export function uint64AsInt64(source: string, name: string, values: BigUint64Array): BigInt64Array {
  const signed = new BigInt64Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < signed.length; i++) {
    if (signed[i] < 0n) {
      throw new InputError(
        `${source}: column ${JSON.stringify(name)} (uint64) must hold values below 2^63; got ${values[i]} at row ${i}`,
      );
    }
  }
  return signed;
}

/** Calls onProgress at most every `step` of the way, and always at 1. */
export function throttledProgress(
  onProgress: ((fraction: number) => void) | undefined,
  step = 0.01,
): (fraction: number) => void {
  if (onProgress === undefined) return () => {};
  let last = -1;
  return (fraction) => {
    if (fraction >= 1 || fraction - last >= step) {
      last = fraction;
      onProgress(Math.min(1, Math.max(0, fraction)));
    }
  };
}
