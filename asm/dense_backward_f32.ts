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
 * (denseBackwardRows with accumulate = true continues the same sums). With nOut = 1, dW
 * is computed as the row dWᵀ = dyᵀ·X (the same sums in the same order, SIMD along nIn);
 * db sums 16 columns at a time, each still in increasing i; Wᵀ is copied in 4×4 register
 * blocks (exact). Bit-identical to the reference.
 * Effects: writes only dx, dw, db, scratch; allocates nothing; no globals.
 * Twin: src/reference/dense_backward_f32.ts; test: test/kernels/dense_backward_f32.test.ts.
 */
import { EPI_NONE, tileGemm } from './tile_gemm';
import { sparseBackwardRelu, sparseProduct } from './sparse_gemm';

export function dense_backward_f32(
  xPtr: usize, wPtr: usize, dyPtr: usize, nBatch: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, scratchPtr: usize,
): void {
  if (dxPtr != 0) transposeInto(wPtr, nIn, nOut, scratchPtr, nIn);
  denseBackwardRows(xPtr, scratchPtr, dyPtr, nBatch, nIn, nOut, dxPtr, dwPtr, dbPtr, false, 0, EPI_NONE);
}

/**
 * wt [nOut × nIn] = wᵀ, rows ldt ≥ nIn floats apart, so that dX = dY·Wᵀ has a B operand
 * with contiguous rows.
 */
export function transposeInto(wPtr: usize, nIn: i32, nOut: i32, wtPtr: usize, ldt: i32): void {
  // 4×4 blocks through registers (exact copies), then the leftover rows and columns
  const rs = <usize>nOut << 2;
  const ts = <usize>ldt << 2;
  let k = 0;
  for (; k + 4 <= nIn; k += 4) {
    let j = 0;
    for (; j + 4 <= nOut; j += 4) {
      const src = wPtr + ((<usize>k * nOut + j) << 2);
      const r0 = v128.load(src), r1 = v128.load(src + rs), r2 = v128.load(src + 2 * rs), r3 = v128.load(src + 3 * rs);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const dst = wtPtr + ((<usize>j * ldt + k) << 2);
      v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(dst + ts, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(dst + 2 * ts, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(dst + 3 * ts, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; j < nOut; j++) {
      for (let kk = k; kk < k + 4; kk++) {
        store<f32>(wtPtr + ((<usize>j * ldt + kk) << 2), load<f32>(wPtr + ((<usize>kk * nOut + j) << 2)));
      }
    }
  }
  for (; k < nIn; k++) {
    for (let j = 0; j < nOut; j++) {
      store<f32>(wtPtr + ((<usize>j * ldt + k) << 2), load<f32>(wPtr + ((<usize>k * nOut + j) << 2)));
    }
  }
}

/**
 * The backward pass on nRows rows given Wᵀ (wtPtr); with accumulate, dW and db continue
 * the sums already in them (the rows follow the rows of the previous call). dxEpi/zPtr:
 * an optional tile_gemm epilogue on dX (EPI_RELU_BWD with the previous layer's
 * pre-activation fuses relu_backward_f32 into the dX product; same bits).
 */
export function denseBackwardRows(
  xPtr: usize, wtPtr: usize, dyPtr: usize, nRows: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, accumulate: bool, zPtr: usize, dxEpi: i32,
): void {
  biasGrad(dyPtr, nRows, nOut, dbPtr, accumulate);
  // dW = Xᵀ·dY: A(m = k, kk = i) = x[i·nIn + k]. With one output (the logit layer) dW is
  // computed as the row dWᵀ = dyᵀ·X instead (same sums, same order; SIMD along nIn).
  if (nOut == 1) tileGemm(dyPtr, 0, 1, xPtr, nIn, dwPtr, nIn, 1, nIn, nRows, 0, accumulate, 0, EPI_NONE);
  else tileGemm(xPtr, 1, nIn, dyPtr, nOut, dwPtr, nOut, nIn, nOut, nRows, 0, accumulate, 0, EPI_NONE);
  if (dxPtr != 0) tileGemm(dyPtr, nOut, 1, wtPtr, nIn, dxPtr, nIn, nRows, nIn, nOut, 0, false, zPtr, dxEpi);
}

/** Events per block of reluBackwardRows's weight gradient (dY's block stays in L1). */
const DW_ROWS: i32 = 128;

/**
 * The row stride (floats) of Xᵀ for nRows events: the smallest odd multiple of 16 that is
 * at least nRows, i.e. an odd number of 64-byte lines. With a stride of a power of two
 * lines (256 events: 1 KiB) the transpose's stores to 4 rows of Xᵀ at a time fall into a
 * few L1 sets; an odd number of lines spreads them (the transposes' share of a 3×50 fit's
 * profile went from 3.4 % to 1.8 %).
 */
// @ts-ignore: decorator
@inline export function transposedStride(nRows: i32): i32 {
  return ((nRows + 15) & ~15) | 16;
}

/**
 * denseBackwardRows for a layer whose input x is a ReLU output and whose input gradient
 * goes back through that ReLU (masked by x > 0): both products skip exact zeros
 * (asm/sparse_gemm.ts, the same bits for finite weights). dW = Xᵀ·dY runs as the rows of
 * Xᵀ (copied to tPtr, f32[nIn × transposedStride(nRows)]) over their nonzeros; dX = dY·Wᵀ
 * over the nonzeros of dY's rows (zero wherever the layer's own ReLU was off). Needs nIn,
 * nOut ≥ 4.
 */
export function reluBackwardRows(
  xPtr: usize, wtPtr: usize, dyPtr: usize, nRows: i32, nIn: i32, nOut: i32,
  dxPtr: usize, dwPtr: usize, dbPtr: usize, accumulate: bool, listPtr: usize, tPtr: usize,
): void {
  biasGrad(dyPtr, nRows, nOut, dbPtr, accumulate);
  const ldt = transposedStride(nRows);
  transposeInto(xPtr, nRows, nIn, tPtr, ldt);
  // in blocks of DW_ROWS events, dW continuing its sums from block to block (the same
  // order), so that the rows of dY one block reads stay in L1 across the nIn rows of Xᵀ
  for (let i0 = 0; i0 < nRows; i0 += DW_ROWS) {
    const rows = min(DW_ROWS, nRows - i0);
    sparseProduct(tPtr + (<usize>i0 << 2), ldt, dyPtr + ((<usize>i0 * nOut) << 2), nOut, dwPtr, nOut, nIn, nOut, rows, accumulate || i0 > 0, listPtr);
  }
  sparseBackwardRelu(dyPtr, nOut, wtPtr, nIn, dxPtr, nIn, nRows, nIn, nOut, xPtr, listPtr);
}

function biasGrad(dyPtr: usize, nRows: i32, nOut: i32, dbPtr: usize, accumulate: bool): void {
  const rs = <usize>nOut << 2;
  let j = 0;
  // 16 columns at a time: four independent sums (each still in increasing i)
  for (; j + 16 <= nOut; j += 16) {
    const d = dbPtr + (<usize>j << 2);
    let a0 = accumulate ? v128.load(d) : f32x4.splat(0);
    let a1 = accumulate ? v128.load(d, 16) : f32x4.splat(0);
    let a2 = accumulate ? v128.load(d, 32) : f32x4.splat(0);
    let a3 = accumulate ? v128.load(d, 48) : f32x4.splat(0);
    let p = dyPtr + (<usize>j << 2);
    for (let i = 0; i < nRows; i++) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      p += rs;
    }
    v128.store(d, a0);
    v128.store(d, a1, 16);
    v128.store(d, a2, 32);
    v128.store(d, a3, 48);
  }
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
