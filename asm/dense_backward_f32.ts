/**
 * dense_backward_f32: gradients of a dense layer Y = X·W + b given dY = ∂L/∂Y.
 *   dW[k,j] = Σ_{i<nBatch} x[i,k]·dy[i,j]      (increasing i, from 0)
 *   db[j]   = Σ_{i<nBatch} dy[i,j]             (increasing i, from 0)
 *   dX[i,k] = Σ_{j<nOut} dy[i,j]·w[k,j]        (increasing j; skipped when dxPtr = 0)
 * in    xPtr   f32[nBatch × nIn]    the layer's input, row-major
 * in    wPtr   f32[nIn × nOut]      row-major
 * in    dyPtr  f32[nBatch × nOut]   row-major
 * out   dxPtr  f32[nBatch × nIn]    or 0 (first layer: no input gradient needed)
 * out   dwPtr  f32[nIn × nOut], dbPtr f32[nOut]   overwritten (not accumulated)
 * out   scratchPtr f32[nIn × nOut]  workspace for Wᵀ; used only when dxPtr ≠ 0
 * Preconditions (glue): nBatch ≥ 0, nIn ≥ 1, nOut ≥ 1; outputs disjoint from inputs.
 * Edges: nBatch = 0 writes dW = 0, db = 0. Any sizes; tails as in tile_gemm.
 * Numerics: f32, no FMA, fixed order; the batch sum of dW runs in blocks of 128 events
 * without changing its order, and so does the row-chunked use by mlp_train_step_f32
 * (denseBackwardRows with accumulate = true continues the same sums). Bit-identical to
 * the reference.
 * Effects: writes only dx, dw, db, scratch; allocates nothing; no globals.
 * Twin: src/reference/dense_backward_f32.ts; test: test/kernels/dense_backward_f32.test.ts.
 */
import { tileGemm } from './tile_gemm';

export function dense_backward_f32(
  xPtr: usize, wPtr: usize, dyPtr: usize, nBatch: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, scratchPtr: usize,
): void {
  if (dxPtr != 0) transposeInto(wPtr, nIn, nOut, scratchPtr);
  denseBackwardRows(xPtr, scratchPtr, dyPtr, nBatch, nIn, nOut, dxPtr, dwPtr, dbPtr, false);
}

/** wt [nOut × nIn] = wᵀ, so that dX = dY·Wᵀ has a B operand with contiguous rows. */
export function transposeInto(wPtr: usize, nIn: i32, nOut: i32, wtPtr: usize): void {
  for (let k = 0; k < nIn; k++) {
    for (let j = 0; j < nOut; j++) {
      store<f32>(wtPtr + ((<usize>j * nIn + k) << 2), load<f32>(wPtr + ((<usize>k * nOut + j) << 2)));
    }
  }
}

/**
 * The backward pass on nRows rows given Wᵀ (wtPtr); with accumulate, dW and db continue
 * the sums already in them (the rows follow the rows of the previous call).
 */
export function denseBackwardRows(
  xPtr: usize, wtPtr: usize, dyPtr: usize, nRows: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, accumulate: bool,
): void {
  biasGrad(dyPtr, nRows, nOut, dbPtr, accumulate);
  // dW = Xᵀ·dY: A(m = k, kk = i) = x[i·nIn + k]
  tileGemm(xPtr, 1, nIn, dyPtr, nOut, dwPtr, nOut, nIn, nOut, nRows, 0, accumulate);
  if (dxPtr != 0) tileGemm(dyPtr, nOut, 1, wtPtr, nIn, dxPtr, nIn, nRows, nIn, nOut, 0, false);
}

function biasGrad(dyPtr: usize, nRows: i32, nOut: i32, dbPtr: usize, accumulate: bool): void {
  let j = 0;
  for (; j + 4 <= nOut; j += 4) {
    let acc = accumulate ? v128.load(dbPtr + (<usize>j << 2)) : f32x4.splat(0);
    for (let i = 0; i < nRows; i++) acc = f32x4.add(acc, v128.load(dyPtr + ((<usize>i * nOut + j) << 2)));
    v128.store(dbPtr + (<usize>j << 2), acc);
  }
  for (; j < nOut; j++) {
    let acc: f32 = accumulate ? load<f32>(dbPtr + (<usize>j << 2)) : 0;
    for (let i = 0; i < nRows; i++) acc += load<f32>(dyPtr + ((<usize>i * nOut + j) << 2));
    store<f32>(dbPtr + (<usize>j << 2), acc);
  }
}
