/**
 * Minibatch rows from events held in wasm memory: see asm/gather_rows_f32.ts for the
 * contract. x[r] = rows[index[r]], y[r] = index[r] ≥ n0 ? 1 : 0, w[r] = weights[index[r]],
 * copied bit for bit.
 */
import { InputError } from '../base/errors.js';
import { checkInt, checkLength } from './check.js';
import { kernels } from './wasm.js';

/** Raw export: gathers `count` events listed at indexPtr into x, y, w. */
export type GatherRowsF32Export = (
  rowsPtr: number,
  nFeatures: number,
  weightsPtr: number,
  n0: number,
  indexPtr: number,
  count: number,
  xPtr: number,
  yPtr: number,
  wPtr: number,
) => void;

/**
 * Gathers `count` events listed (u32) at `indexPtr` from the rows at `rowsPtr` and the
 * weights at `weightsPtr` into x, y, w at `xPtr`, `yPtr`, `wPtr`: every buffer already in
 * wasm memory and sized by the caller, every index below n; nothing is checked per call.
 */
export function gatherRowsF32InWasm(
  rowsPtr: number,
  nFeatures: number,
  weightsPtr: number,
  n0: number,
  indexPtr: number,
  count: number,
  xPtr: number,
  yPtr: number,
  wPtr: number,
): void {
  (kernels().exports.gather_rows_f32 as GatherRowsF32Export)(
    rowsPtr,
    nFeatures,
    weightsPtr,
    n0,
    indexPtr,
    count,
    xPtr,
    yPtr,
    wPtr,
  );
}

/**
 * Gathers the events `index` from `rows` ([n × nFeatures] f32, row-major) and `weights`
 * (f64 [n]); events from n0 on are labelled 1. Every index must be an integer in [0, n).
 */
export function gatherRowsF32(
  rows: Float32Array,
  nFeatures: number,
  weights: Float64Array,
  n0: number,
  index: ArrayLike<number>,
): { x: Float32Array; y: Float32Array; w: Float64Array } {
  checkInt('gather_rows_f32', 'nFeatures', nFeatures, 1);
  const n = weights.length;
  checkLength('gather_rows_f32', 'rows', rows, n * nFeatures, `n × nFeatures = ${n} × ${nFeatures}`);
  checkInt('gather_rows_f32', 'n0', n0, 0);
  const count = index.length;
  for (let r = 0; r < count; r++) {
    const i = index[r];
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new InputError(`gather_rows_f32: index[${r}] must be an integer in [0, ${n}); got ${i}`);
  }
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const rowsPtr = arena.allocF32(Math.max(rows.length, 1));
    const weightsPtr = arena.allocF64(Math.max(n, 1));
    const indexPtr = arena.allocU32(Math.max(count, 1));
    const xPtr = arena.allocF32(Math.max(count * nFeatures, 1));
    const yPtr = arena.allocF32(Math.max(count, 1));
    const wPtr = arena.allocF64(Math.max(count, 1));
    arena.f32(rowsPtr, rows.length).set(rows);
    arena.f64(weightsPtr, n).set(weights);
    arena.u32(indexPtr, count).set(index);
    gatherRowsF32InWasm(rowsPtr, nFeatures, weightsPtr, n0, indexPtr, count, xPtr, yPtr, wPtr);
    return {
      x: arena.f32(xPtr, count * nFeatures).slice(),
      y: arena.f32(yPtr, count).slice(),
      w: arena.f64(wPtr, count).slice(),
    };
  } finally {
    arena.release(mark);
  }
}
