/**
 * mlp_train_step_f32: one fused minibatch step — forward, weighted BCE gradient, backward
 * through every layer, and one Adam update of all parameters — in a single wasm call.
 *   loss = Σ_i w_i·BCE(logit_i, y_i)  (returned, f64);  ∂/∂logit_i = lossScale·w_i·(σ − y_i)
 *   grads = ∂(lossScale·loss)/∂params;  params ← Adam(params, grads; lr, β1, β2, ε, bc1, bc2)
 * in    descPtr  network descriptor (asm/mlp_layout.ts): params, grads, Adam m/v, buffers
 * in    xPtr     f32[nBatch × d_0]  standardised features, row-major
 * in    yPtr     f32[nBatch]  labels;  wPtr f64[nBatch]  training weights (may be negative)
 * in    lossScale f64 (e.g. 1/nBatch); lr, beta1, beta2, eps, bc1 = 1−β1^t, bc2 = 1−β2^t: f32
 * Preconditions (glue): nBatch ≥ 1 (any size: rows run in chunks of the descriptor's
 * maxRows, so the activation buffers stay cache-sized); descriptor consistent, with a σ
 * buffer for SiLU and GELU.
 * Edges: a partial last batch is just a smaller nBatch; NaN inputs propagate into the loss.
 * Numerics: the composition mlp_forward_f32 → bce_loss_f32 → dense_backward_f32 and the
 * activation backward (layer by layer, last first) → adam_step_f32. With ReLU the
 * activation backward is the dX product's epilogue (tile_gemm EPI_RELU_BWD: the mask of
 * relu_backward_f32, read as A > 0, which equals Z > 0 also for −0 and NaN, applied once
 * the sum is complete); SiLU and GELU run silu_backward_f32 / gelu_backward_f32 (f32x4)
 * in place on dX, reading the σ the forward kept (descriptor slot 13, required for SiLU
 * and GELU training) instead of recomputing it: the same bits. Gradient sums over
 * events continue from chunk to chunk in event order, and so does the loss (each chunk's
 * bce_loss_f32 continues the sum so far): gradients, parameters and the returned loss are
 * bit-identical to one unchunked pass, whatever maxRows.
 * Effects: writes params, grads, m, v and the descriptor's buffers; allocates nothing.
 * Twin: src/reference/mlp_train_step_f32.ts; test: test/kernels/mlp_train_step_f32.test.ts.
 */
import { mlp_forward_f32 } from './mlp_forward_f32';
import { bce_loss_f32 } from './bce_loss_f32';
import { denseBackwardRows, reluBackwardRows, transposeInto } from './dense_backward_f32';
import { adam_step_f32 } from './adam_step_f32';
import { EPI_NONE, EPI_RELU_BWD } from './tile_gemm';
import { siluBackwardKept } from './silu_backward_f32';
import { geluBackwardKept } from './gelu_backward_f32';
import {
  DESC_ACT, DESC_ACTIVATION, DESC_ADAM_M, DESC_ADAM_V, DESC_DELTA0, DESC_DELTA1, DESC_GRADS, DESC_LAYERS, DESC_LIST, DESC_TRANS,
  DESC_MAXROWS, DESC_NPARAMS, DESC_PARAMS, DESC_PREACT, DESC_SCRATCH, DESC_SIGMA, descGet, dim, paramOffset, rowsOffset,
} from './mlp_layout';

export function mlp_train_step_f32(
  descPtr: usize, xPtr: usize, yPtr: usize, wPtr: usize, nBatch: i32, lossScale: f64,
  lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32,
): f64 {
  transposeAll(descPtr);
  const maxRows = descGet(descPtr, DESC_MAXROWS);
  const d0 = dim(descPtr, 0);
  const delta = <usize>descGet(descPtr, DESC_DELTA0);
  let loss: f64 = 0;
  for (let r0 = 0; r0 < nBatch; r0 += maxRows) {
    const nRows = min(maxRows, nBatch - r0);
    const x = xPtr + ((<usize>r0 * d0) << 2);
    const logits = mlp_forward_f32(descPtr, x, nRows);
    loss = bce_loss_f32(logits, yPtr + (<usize>r0 << 2), wPtr + (<usize>r0 << 3), nRows, lossScale, delta, loss);
    backward(descPtr, x, nRows, r0 > 0);
  }
  adam_step_f32(
    <usize>descGet(descPtr, DESC_PARAMS), <usize>descGet(descPtr, DESC_GRADS),
    <usize>descGet(descPtr, DESC_ADAM_M), <usize>descGet(descPtr, DESC_ADAM_V),
    descGet(descPtr, DESC_NPARAMS), lr, beta1, beta2, eps, bc1, bc2,
  );
  return loss;
}

/** Wᵀ of every layer but the first (whose input gradient is not needed), once per step. */
function transposeAll(descPtr: usize): void {
  const L = descGet(descPtr, DESC_LAYERS);
  const params = <usize>descGet(descPtr, DESC_PARAMS);
  const scratch = <usize>descGet(descPtr, DESC_SCRATCH);
  for (let l = 1; l < L; l++) {
    const off = paramOffset(descPtr, l);
    transposeInto(params + off, dim(descPtr, l), dim(descPtr, l + 1), scratch + off, dim(descPtr, l));
  }
}

/** Backpropagates ∂L/∂logits (in delta0) of nRows rows into the gradient block. */
function backward(descPtr: usize, xPtr: usize, nRows: i32, accumulate: bool): void {
  const L = descGet(descPtr, DESC_LAYERS);
  const act = descGet(descPtr, DESC_ACTIVATION);
  const grads = <usize>descGet(descPtr, DESC_GRADS);
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
