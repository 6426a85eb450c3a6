/**
 * Per-feature running mean and sum of squared deviations (Welford) in wasm: see
 * asm/moments_rows_f32.ts for the contract. Bit-identical to the same loop in JS numbers.
 */
import { InputError } from '../base/errors.js';
import { checkInt, checkLength } from './check.js';
import { kernels } from './wasm.js';

/** Raw export: updates mean/m2 (f64 [nFeatures]) over the unmasked rows; returns the new count. */
export type MomentsRowsF32Export = (
  xPtr: number,
  nRows: number,
  nFeatures: number,
  maskPtr: number,
  first: number,
  meanPtr: number,
  m2Ptr: number,
  count: number,
) => number;

/** Welford's state over the rows seen so far: mean, Σ (x − mean)² per feature, and the row count. */
export interface MomentsState {
  mean: Float64Array;
  m2: Float64Array;
  count: number;
}

/**
 * Continues Welford's sums over the `nRows` rows of `nFeatures` f32 at `xPtr` whose bit
 * first + r is not set in the u32 mask at `maskPtr` (0: no mask), updating the f64 mean
 * and m2 at `meanPtr`, `m2Ptr`; returns the new count. Every buffer is already in wasm
 * memory and sized by the caller; nothing is checked per call.
 */
export function momentsRowsF32InWasm(
  xPtr: number,
  nRows: number,
  nFeatures: number,
  maskPtr: number,
  first: number,
  meanPtr: number,
  m2Ptr: number,
  count: number,
): number {
  return (kernels().exports.moments_rows_f32 as MomentsRowsF32Export)(
    xPtr,
    nRows,
    nFeatures,
    maskPtr,
    first,
    meanPtr,
    m2Ptr,
    count,
  );
}

/**
 * Continues `state` (updated in place) over the rows of `x` ([nRows × nFeatures] f32,
 * row-major) whose bit first + r is not set in `mask` (all rows without a mask).
 */
export function momentsRowsF32(
  x: Float32Array,
  nFeatures: number,
  mask: Uint32Array | undefined,
  first: number,
  state: MomentsState,
): void {
  checkInt('moments_rows_f32', 'nFeatures', nFeatures, 1);
  if (x.length % nFeatures !== 0) {
    throw new InputError(
      `moments_rows_f32: x must hold a whole number of rows of ${nFeatures} features; got ${x.length} numbers`,
    );
  }
  const nRows = x.length / nFeatures;
  checkInt('moments_rows_f32', 'first', first, 0);
  checkLength('moments_rows_f32', 'state.mean', state.mean, nFeatures, 'nFeatures');
  checkLength('moments_rows_f32', 'state.m2', state.m2, nFeatures, 'nFeatures');
  checkInt('moments_rows_f32', 'state.count', state.count, 0);
  if (mask !== undefined && mask.length * 32 < first + nRows) {
    throw new InputError(
      `moments_rows_f32: mask must cover bits first + nRows = ${first + nRows}; got ${mask.length * 32}`,
    );
  }
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(Math.max(x.length, 1));
    const maskPtr = mask === undefined ? 0 : arena.allocU32(Math.max(mask.length, 1));
    const meanPtr = arena.allocF64(nFeatures);
    const m2Ptr = arena.allocF64(nFeatures);
    arena.f32(xPtr, x.length).set(x);
    if (mask !== undefined) arena.u32(maskPtr, mask.length).set(mask);
    arena.f64(meanPtr, nFeatures).set(state.mean);
    arena.f64(m2Ptr, nFeatures).set(state.m2);
    state.count = momentsRowsF32InWasm(xPtr, nRows, nFeatures, maskPtr, first, meanPtr, m2Ptr, state.count);
    state.mean.set(arena.f64(meanPtr, nFeatures));
    state.m2.set(arena.f64(m2Ptr, nFeatures));
  } finally {
    arena.release(mark);
  }
}
