/**
 * h5wasm 0.10, loaded once, with what the HDF5 reader and writers share: the type classes,
 * the slice size that keeps the wasm heap (capped at 2 GiB) small, and HDF5's error stack
 * turned into one line.
 */
import type * as H5 from 'h5wasm';

export type H5Module = typeof H5;

/** Bytes per slice moved between the wasm heap and JavaScript. */
export const SLICE_BYTES = 64 * 1024 * 1024;

/** HDF5 type classes (H5T_class_t) as h5wasm reports them. */
export const H5T = { INTEGER: 0, FLOAT: 1, COMPOUND: 6, ENUM: 8 } as const;

let h5Promise: Promise<H5Module> | undefined;

/** Loads h5wasm once; HDF5's error stack is turned into exceptions instead of printed. */
export function loadH5(): Promise<H5Module> {
  h5Promise ??= import('h5wasm/node').then(async (h5) => {
    await h5.ready;
    h5.Module.activate_throwing_error_handler();
    return h5;
  });
  return h5Promise;
}

/** The most specific line of HDF5's error stack, e.g. `truncated file: eof = 1000, …`. */
export function hdf5Reason(err: unknown): string {
  const lines = String((err as Error)?.message ?? err)
    .split('\n')
    .filter((l) => /#\d+:/.test(l));
  const last = lines.at(-1);
  if (last === undefined) return String((err as Error)?.message ?? err).split('\n')[0];
  return last.replace(/^.*?\): /, '').trim();
}
