/**
 * In-place per-feature standardisation of f32 rows in wasm: see asm/standardise_rows_f32.ts
 * for the contract. x = f32((f64(x) − mean[f]) / scale[f]), bit-identical to the same
 * expression in JS.
 */
import { checkInt, checkLength } from './check.js';
import { InputError } from '../base/errors.js';
import { kernels } from './wasm.js';

/** Raw export: standardises nRows × nFeatures f32 at xPtr in place with f64 mean/scale. */
export type StandardiseRowsF32Export = (
  xPtr: number,
  nRows: number,
  nFeatures: number,
  meanPtr: number,
  scalePtr: number,
) => void;

/** Preconditions of the raw export, for callers that hold the buffers in wasm memory already. */
export function checkStandardise(
  nRows: number,
  nFeatures: number,
  mean: ArrayLike<number>,
  scale: ArrayLike<number>,
): void {
  checkInt('standardise_rows_f32', 'nRows', nRows, 0);
  checkInt('standardise_rows_f32', 'nFeatures', nFeatures, 1);
  checkLength('standardise_rows_f32', 'mean', mean, nFeatures, 'nFeatures');
  checkLength('standardise_rows_f32', 'scale', scale, nFeatures, 'nFeatures');
}

/**
 * Standardises `nRows` rows of `nFeatures` f32 at `xPtr` in place, with the f64 mean and
 * scale at `meanPtr` and `scalePtr`: every buffer already in wasm memory, its shapes
 * checked once by the caller ({@link checkStandardise}), nothing checked per call.
 */
export function standardiseRowsF32InWasm(
  xPtr: number,
  nRows: number,
  nFeatures: number,
  meanPtr: number,
  scalePtr: number,
): void {
  (kernels().exports.standardise_rows_f32 as StandardiseRowsF32Export)(xPtr, nRows, nFeatures, meanPtr, scalePtr);
}

/**
 * Returns a standardised copy of the row-major matrix `x` ([nRows × nFeatures] f32);
 * `mean` and `scale` are f64 [nFeatures].
 */
export function standardiseRowsF32(
  x: Float32Array,
  nFeatures: number,
  mean: Float64Array,
  scale: Float64Array,
): Float32Array {
  checkInt('standardise_rows_f32', 'nFeatures', nFeatures, 1);
  if (x.length % nFeatures !== 0) {
    throw new InputError(
      `standardise_rows_f32: x must hold a whole number of rows of ${nFeatures} features; got ${x.length} numbers`,
    );
  }
  const nRows = x.length / nFeatures;
  checkStandardise(nRows, nFeatures, mean, scale);
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const meanPtr = arena.allocF64(nFeatures);
    const scalePtr = arena.allocF64(nFeatures);
    const xPtr = arena.allocF32(x.length);
    arena.f64(meanPtr, nFeatures).set(mean);
    arena.f64(scalePtr, nFeatures).set(scale);
    arena.f32(xPtr, x.length).set(x);
    standardiseRowsF32InWasm(xPtr, nRows, nFeatures, meanPtr, scalePtr);
    return arena.f32(xPtr, x.length).slice();
  } finally {
    arena.release(mark);
  }
}
