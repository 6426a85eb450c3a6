/**
 * dense_backward_f32: gradients of a dense layer Y = X·W + b given dY = ∂L/∂Y.
 *   dW[k,j] = Σ_{i<nBatch} x[i,k]·dy[i,j]      (increasing i)
 *   db[j]   = Σ_{i<nBatch} dy[i,j]             (increasing i)
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
 * without changing its order. Bit-identical to the reference.
 * Effects: writes only dx, dw, db, scratch; allocates nothing; no globals.
 * Twin: src/reference/dense_backward_f32.ts; test: test/kernels/dense_backward_f32.test.ts.
 */
import { tileGemm } from './tile_gemm';

export function dense_backward_f32(
  xPtr: usize, wPtr: usize, dyPtr: usize, nBatch: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, scratchPtr: usize,
): void {
  biasGrad(dyPtr, nBatch, nOut, dbPtr);
  // dW = Xᵀ·dY: A(m = k, kk = i) = x[i·nIn + k]
  tileGemm(xPtr, 1, nIn, dyPtr, nOut, dwPtr, nOut, nIn, nOut, nBatch, 0, false);
  if (dxPtr == 0) return;
  // dX = dY·Wᵀ with Wᵀ materialised so that the B operand has contiguous rows
  for (let k = 0; k < nIn; k++) {
    for (let j = 0; j < nOut; j++) {
      store<f32>(scratchPtr + ((<usize>j * nIn + k) << 2), load<f32>(wPtr + ((<usize>k * nOut + j) << 2)));
    }
  }
  tileGemm(dyPtr, nOut, 1, scratchPtr, nIn, dxPtr, nIn, nBatch, nIn, nOut, 0, false);
}

function biasGrad(dyPtr: usize, nBatch: i32, nOut: i32, dbPtr: usize): void {
  let j = 0;
  for (; j + 4 <= nOut; j += 4) {
    let acc = f32x4.splat(0);
    for (let i = 0; i < nBatch; i++) acc = f32x4.add(acc, v128.load(dyPtr + ((<usize>i * nOut + j) << 2)));
    v128.store(dbPtr + (<usize>j << 2), acc);
  }
  for (; j < nOut; j++) {
    let acc: f32 = 0;
    for (let i = 0; i < nBatch; i++) acc += load<f32>(dyPtr + ((<usize>i * nOut + j) << 2));
    store<f32>(dbPtr + (<usize>j << 2), acc);
  }
}
