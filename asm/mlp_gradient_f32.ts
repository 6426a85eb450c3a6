/**
 * mlp_gradient_f32: the gradient of one block of rows — forward, weighted BCE gradient,
 * backward through every layer — without the parameter update, into any f32[nParams]
 * block. mlp_train_step_f32 is mlp_transpose_f32, this on the whole minibatch into the
 * descriptor's gradients, and adam_step_f32; the blocked minibatch of a data-parallel fit
 * (src/classifiers/mlp/block_step.ts) runs this on each block of rows, on any thread, and
 * sums the blocks in block order (sum_blocks_f32).
 *   loss = Σ_i w_i·BCE(logit_i, y_i) over the nRows rows (returned, f64, summed from 0)
 *   grads = ∂(lossScale·loss)/∂params, summed over the rows in row order from 0
 * in    descPtr  network descriptor (asm/mlp_layout.ts); Wᵀ of the layers after the first
 *       must be current in its scratch (mlp_transpose_f32 after every parameter change)
 * in    xPtr f32[nRows × d_0], yPtr f32[nRows], wPtr f64[nRows]; lossScale f64
 * out   gradsPtr f32[nParams] (overwritten; the descriptor's own gradient block or another)
 * in    extraPtr f64[nRows]  a per-row term added to ∂(lossScale·loss)/∂logit_i before the
 *       backward pass (bce_loss_f32's extra: a decorrelation penalty's gradient), or 0 for none
 * Preconditions (glue): nRows ≥ 1; gradsPtr disjoint from the descriptor's other buffers.
 * Numerics: rows run in chunks of the descriptor's maxRows and each chunk's sums continue
 * the previous chunk's, so the result does not depend on maxRows.
 * Effects: writes grads and the descriptor's activation buffers; allocates nothing.
 * Twin: src/kernels/reference/mlp_train_step_f32.ts (mlpGradientF32); test:
 * test/kernels/mlp_train_step_f32.test.ts.
 */
import { mlp_forward_f32 } from './mlp_forward_f32';
import { bce_loss_f32 } from './bce_loss_f32';
import { denseBackwardRows, reluBackwardRows, transposeInto } from './dense_backward_f32';
import { EPI_NONE, EPI_RELU_BWD } from './tile_gemm';
import { siluBackwardKept } from './silu_backward_f32';
import { geluBackwardKept } from './gelu_backward_f32';
import {
  DESC_ACT, DESC_ACTIVATION, DESC_DELTA0, DESC_DELTA1, DESC_LAYERS, DESC_LIST, DESC_TRANS,
  DESC_MAXROWS, DESC_PARAMS, DESC_PREACT, DESC_SCRATCH, DESC_SIGMA, descGet, dim, paramOffset, rowsOffset,
} from './mlp_layout';

export function mlp_gradient_f32(
  descPtr: usize, xPtr: usize, yPtr: usize, wPtr: usize, nRows: i32, lossScale: f64, gradsPtr: usize, extraPtr: usize,
): f64 {
  const maxRows = descGet(descPtr, DESC_MAXROWS);
  const d0 = dim(descPtr, 0);
  const delta = <usize>descGet(descPtr, DESC_DELTA0);
  let loss: f64 = 0;
  for (let r0 = 0; r0 < nRows; r0 += maxRows) {
    const n = min(maxRows, nRows - r0);
    const x = xPtr + ((<usize>r0 * d0) << 2);
    const logits = mlp_forward_f32(descPtr, x, n);
    const extra: usize = extraPtr == 0 ? 0 : extraPtr + (<usize>r0 << 3);
    loss = bce_loss_f32(logits, yPtr + (<usize>r0 << 2), wPtr + (<usize>r0 << 3), n, lossScale, delta, loss, extra);
    backward(descPtr, x, n, r0 > 0, gradsPtr);
  }
  return loss;
}

/** Wᵀ of every layer but the first (whose input gradient is not needed), once per step. */
export function mlp_transpose_f32(descPtr: usize): void {
  const L = descGet(descPtr, DESC_LAYERS);
  const params = <usize>descGet(descPtr, DESC_PARAMS);
  const scratch = <usize>descGet(descPtr, DESC_SCRATCH);
  for (let l = 1; l < L; l++) {
    const off = paramOffset(descPtr, l);
    transposeInto(params + off, dim(descPtr, l), dim(descPtr, l + 1), scratch + off, dim(descPtr, l));
  }
}

/** Backpropagates ∂L/∂logits (in delta0) of nRows rows into the gradient block. */
function backward(descPtr: usize, xPtr: usize, nRows: i32, accumulate: bool, grads: usize): void {
  const L = descGet(descPtr, DESC_LAYERS);
  const act = descGet(descPtr, DESC_ACTIVATION);
  const zBase = <usize>descGet(descPtr, DESC_PREACT);
  const aBase = <usize>descGet(descPtr, DESC_ACT);
  const sBase = <usize>descGet(descPtr, DESC_SIGMA);
  const scratch = <usize>descGet(descPtr, DESC_SCRATCH);
  const list = <usize>descGet(descPtr, DESC_LIST);
  const trans = <usize>descGet(descPtr, DESC_TRANS);
  let delta = <usize>descGet(descPtr, DESC_DELTA0);
  let other = <usize>descGet(descPtr, DESC_DELTA1);
  for (let l = L - 1; l >= 0; l--) {
    const nIn = dim(descPtr, l);
    const nOut = dim(descPtr, l + 1);
    const off = paramOffset(descPtr, l);
    const input = l == 0 ? xPtr : aBase + rowsOffset(descPtr, l - 1);
    const dx: usize = l == 0 ? 0 : other;
    const dw = grads + off;
    const z: usize = l == 0 ? 0 : zBase + rowsOffset(descPtr, l - 1);
    // ReLU's backward is the dX product's epilogue, masked by A > 0 (= Z > 0; the forward
    // stores no hidden Z with ReLU); SiLU's and GELU's run after it in place, reading Z
    if (act == 0 && l > 0 && nIn >= 4 && nOut >= 4 && list != 0 && trans != 0) {
      reluBackwardRows(input, scratch + off, delta, nRows, nIn, nOut, dx, dw, dw + ((<usize>nIn * nOut) << 2), accumulate, list, trans);
    } else if (act == 0) denseBackwardRows(input, scratch + off, delta, nRows, nIn, nOut, dx, dw, dw + ((<usize>nIn * nOut) << 2), accumulate, input, EPI_RELU_BWD);
    else denseBackwardRows(input, scratch + off, delta, nRows, nIn, nOut, dx, dw, dw + ((<usize>nIn * nOut) << 2), accumulate, 0, EPI_NONE);
    if (l > 0) {
      const sig = sBase + rowsOffset(descPtr, l - 1);
      if (act == 1) siluBackwardKept(z, sig, other, nRows * nIn, other);
      else if (act == 2) geluBackwardKept(z, sig, other, nRows * nIn, other);
      const t = delta;
      delta = other;
      other = t;
    }
  }
}
