/**
 * dense_forward_f32: one fully connected layer, Y = X·W + b.
 *   y[i,j] = b[j] + Σ_{k<nIn} x[i,k]·w[k,j]   (summed in increasing k, from b[j])
 * in    xPtr  f32[nBatch × nIn]   row-major, 4-byte aligned
 * in    wPtr  f32[nIn × nOut]     row-major (row k holds the weights from input k)
 * in    bPtr  f32[nOut]           bias
 * out   yPtr  f32[nBatch × nOut]  row-major; must not overlap the inputs
 * Preconditions (glue): nBatch ≥ 0, nIn ≥ 1, nOut ≥ 1.
 * Edges: nBatch = 0 is a no-op; any nBatch, nIn, nOut (see tile_gemm: with nBatch, nOut ≥ 4
 * the last row and column tiles overlap their neighbours and store only new elements;
 * smaller shapes use 4×(1..3), 1×16, 1×4 and 1×1 tiles). NaN/±Inf propagate as IEEE
 * arithmetic says.
 * Numerics: f32 products and sums, no FMA, fixed order: bit-identical to the reference.
 * Effects: writes only y; allocates nothing; no globals.
 * Twin: src/reference/dense_forward_f32.ts; test: test/kernels/dense_forward_f32.test.ts.
 */
import { EPI_NONE, tileGemm } from './tile_gemm';

export function dense_forward_f32(xPtr: usize, wPtr: usize, bPtr: usize, yPtr: usize, nBatch: i32, nIn: i32, nOut: i32): void {
  tileGemm(xPtr, nIn, 1, wPtr, nOut, yPtr, nOut, nBatch, nOut, nIn, bPtr, false, 0, EPI_NONE);
}
