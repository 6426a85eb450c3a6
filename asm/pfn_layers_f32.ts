/**
 * dense_relu_forward_f32 and dense_relu_backward_f32: one ReLU layer of a PFN (or any
 * network) forward and backward, with the MLP's fast paths (asm/tile_gemm.ts epilogues and
 * asm/sparse_gemm.ts, which skips the exact zeros of a ReLU output or of a masked gradient).
 *
 * dense_relu_forward_f32: A = max(X·W + b, 0)
 *   a[i,j] = max(b[j] + Σ_{k<nIn} x[i,k]·w[k,j], 0)   (summed in increasing k, from b[j])
 * in    xPtr f32[nRows × nIn], wPtr f32[nIn × nOut], bPtr f32[nOut]
 * out   aPtr f32[nRows × nOut]  (disjoint from the inputs)
 * in    listPtr  0, or (when x is itself a ReLU output: many exact zeros) the scratch of
 *       asm/sparse_gemm.ts, f32[2·nIn]: the product then skips x's zeros (needs nOut ≥ 4)
 * Preconditions (glue): nRows ≥ 0, nIn ≥ 1, nOut ≥ 1.
 * Numerics: dense_forward_f32 then relu_forward_f32, bit for bit (sparse: for finite w
 * and a bias that is not −0; see asm/sparse_gemm.ts).
 *
 * dense_relu_backward_f32: the gradients of a dense layer Y = X·W + b given dY = ∂L/∂Y
 *   dW[k,j] = Σ_i x[i,k]·dy[i,j];  db[j] = Σ_i dy[i,j]   (increasing i, from 0; overwritten)
 *   dX[i,k] = Σ_j dy[i,j]·w[k,j], times [x[i,k] > 0] when reluInput ≠ 0 (x is a ReLU
 *   output and the gradient goes back through that ReLU); dxPtr = 0 skips dX
 * in    xPtr f32[nRows × nIn], wPtr f32[nIn × nOut], dyPtr f32[nRows × nOut]
 * out   dxPtr f32[nRows × nIn] or 0; dwPtr f32[nIn × nOut]; dbPtr f32[nOut]
 * scratch wtPtr f32[nIn × nOut] (Wᵀ), listPtr f32[2·max(nRows, nIn, nOut)],
 *       tPtr f32[nIn × (nRows + 32)] (Xᵀ)
 * Preconditions (glue): nRows ≥ 0, nIn, nOut ≥ 1; outputs and scratch disjoint from the inputs.
 * Paths: reluInput ≠ 0, dX wanted, nRows ≥ 1 and nIn, nOut ≥ 4: reluBackwardRows of
 * asm/dense_backward_f32.ts (Xᵀ copied, both products over nonzeros only); otherwise
 * denseBackwardRows (tile_gemm; with reluInput the mask is its dX epilogue).
 * Numerics: dense_backward_f32 then relu_backward_f32 on dX (masked by x > 0), bit for
 * bit for finite w (the sparse products' zero skipping, asm/sparse_gemm.ts).
 * Effects: writes only the outputs and scratch; allocates nothing; no globals.
 * Twin: composition of src/kernels/reference/dense_forward_f32.ts, relu_forward_f32.ts,
 * dense_backward_f32.ts and relu_backward_f32.ts; test: test/kernels/pfn_layers_f32.test.ts.
 */
import { denseBackwardRows, reluBackwardRows, transposeInto } from './dense_backward_f32';
import { sparseForwardRelu } from './sparse_gemm';
import { EPI_NONE, EPI_RELU_BWD, EPI_RELU_FWD, tileGemm } from './tile_gemm';

export function dense_relu_forward_f32(
  xPtr: usize, wPtr: usize, bPtr: usize, aPtr: usize, nRows: i32, nIn: i32, nOut: i32, listPtr: usize,
): void {
  if (listPtr != 0 && nOut >= 4) sparseForwardRelu(xPtr, nIn, wPtr, nOut, aPtr, nOut, nRows, nOut, nIn, bPtr, listPtr);
  else tileGemm(xPtr, nIn, 1, wPtr, nOut, aPtr, nOut, nRows, nOut, nIn, bPtr, false, 0, EPI_RELU_FWD);
}

export function dense_relu_backward_f32(
  xPtr: usize, wPtr: usize, dyPtr: usize, nRows: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, reluInput: i32, wtPtr: usize, listPtr: usize, tPtr: usize,
): void {
  if (dxPtr != 0) transposeInto(wPtr, nIn, nOut, wtPtr, nIn);
  if (reluInput != 0 && dxPtr != 0 && nRows > 0 && nIn >= 4 && nOut >= 4) {
    reluBackwardRows(xPtr, wtPtr, dyPtr, nRows, nIn, nOut, dxPtr, dwPtr, dbPtr, false, listPtr, tPtr);
  } else if (reluInput != 0) {
    denseBackwardRows(xPtr, wtPtr, dyPtr, nRows, nIn, nOut, dxPtr, dwPtr, dbPtr, false, xPtr, EPI_RELU_BWD);
  } else {
    denseBackwardRows(xPtr, wtPtr, dyPtr, nRows, nIn, nOut, dxPtr, dwPtr, dbPtr, false, 0, EPI_NONE);
  }
}
