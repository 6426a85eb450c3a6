/**
 * Combines the ratios of ensemble members elementwise, in member order (deterministic).
 */
import { NumericalError } from '../base/errors.js';
import type { MemberResult } from './types.js';

/** How member ratios combine: arithmetic mean, or median (mean of the two middle values for even counts). */
export type CombineMode = 'mean' | 'median';

/** Per target, the elementwise mean or median of the members' ratios. */
export function combineRatios(results: readonly MemberResult[], mode: CombineMode): Float64Array[] {
  if (results.length === 0) throw new NumericalError('member results must hold at least one member; got 0');
  return results[0].ratios.map((_, t) =>
    combineArrays(
      results.map((r) => r.ratios[t]),
      mode,
    ),
  );
}

/** Elementwise mean or median of equal-length arrays, summed in array order. */
export function combineArrays(arrays: readonly Float64Array[], mode: CombineMode): Float64Array {
  const n = arrays[0].length;
  if (arrays.length === 1) return Float64Array.from(arrays[0]);
  const out = new Float64Array(n);
  if (mode === 'mean') {
    for (const a of arrays) for (let i = 0; i < n; i++) out[i] += a[i];
    for (let i = 0; i < n; i++) out[i] /= arrays.length;
    return out;
  }
  const column = new Float64Array(arrays.length);
  const mid = arrays.length >> 1;
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < arrays.length; m++) column[m] = arrays[m][i];
    column.sort();
    out[i] = arrays.length % 2 === 1 ? column[mid] : 0.5 * (column[mid - 1] + column[mid]);
  }
  return out;
}
