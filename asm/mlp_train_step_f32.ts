/**
 * mlp_train_step_f32: one fused minibatch step — forward, weighted BCE gradient, backward
 * through every layer, and one Adam update of all parameters — in a single wasm call.
 *   loss = Σ_i w_i·BCE(logit_i, y_i)  (returned, f64);  ∂/∂logit_i = lossScale·w_i·(σ − y_i)
 *   grads = ∂(lossScale·loss)/∂params;  params ← Adam(params, grads; lr, β1, β2, ε, bc1, bc2)
 * in    descPtr  network descriptor (asm/mlp_layout.ts): params, grads, Adam m/v, buffers
 * in    xPtr     f32[nBatch × d_0]  standardised features, row-major
 * in    yPtr     f32[nBatch]  labels;  wPtr f64[nBatch]  training weights (may be negative)
 * in    lossScale f64 (e.g. 1/nBatch); lr, beta1, beta2, eps, bc1 = 1−β1^t, bc2 = 1−β2^t: f32
 * in    extraPtr f64[nBatch]  a per-row term added to ∂/∂logit_i (mlp_gradient_f32), or 0
 * Preconditions (glue): nBatch ≥ 1 (any size: rows run in chunks of the descriptor's
 * maxRows, so the activation buffers stay cache-sized); descriptor consistent, with a σ
 * buffer for SiLU and GELU.
 * Edges: a partial last batch is just a smaller nBatch; NaN inputs propagate into the loss.
 * Numerics: mlp_transpose_f32, then mlp_gradient_f32 into the descriptor's gradient
 * block (asm/mlp_gradient_f32.ts), then adam_step_f32. The gradient is the composition
 * mlp_forward_f32 → bce_loss_f32 → dense_backward_f32 and the activation backward (layer by layer, last first) → adam_step_f32. With ReLU the
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
import { adam_step_f32 } from './adam_step_f32';
import { mlp_gradient_f32, mlp_transpose_f32 } from './mlp_gradient_f32';
import { DESC_ADAM_M, DESC_ADAM_V, DESC_GRADS, DESC_NPARAMS, DESC_PARAMS, descGet } from './mlp_layout';

export function mlp_train_step_f32(
  descPtr: usize, xPtr: usize, yPtr: usize, wPtr: usize, nBatch: i32, lossScale: f64,
  lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32, extraPtr: usize,
): f64 {
  mlp_transpose_f32(descPtr);
  const loss = mlp_gradient_f32(descPtr, xPtr, yPtr, wPtr, nBatch, lossScale, <usize>descGet(descPtr, DESC_GRADS), extraPtr);
  adam_step_f32(
    <usize>descGet(descPtr, DESC_PARAMS), <usize>descGet(descPtr, DESC_GRADS),
    <usize>descGet(descPtr, DESC_ADAM_M), <usize>descGet(descPtr, DESC_ADAM_V),
    descGet(descPtr, DESC_NPARAMS), lr, beta1, beta2, eps, bc1, bc2,
  );
  return loss;
}
