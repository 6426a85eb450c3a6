/**
 * Reference twin of asm/mlp_train_step_f32.ts: forward, weighted BCE gradient, backward
 * layer by layer and one Adam step, each by its reference kernel. Updates `params`, `m`,
 * `v` in place; returns Σ w·loss and the gradients. mlpGradientF32 is the step without
 * the update (asm/mlp_gradient_f32.ts).
 */
import type { Activation } from '../activation.js';
import type { AdamScalars } from '../adam_step_f32.js';
import { adamStepF32 } from './adam_step_f32.js';
import { bceLossF32 } from './bce_loss_f32.js';
import { denseBackwardF32 } from './dense_backward_f32.js';
import { geluBackwardF32 } from './gelu_backward_f32.js';
import { layerParams, mlpForwardF32 } from './mlp_forward_f32.js';
import { reluBackwardF32 } from './relu_backward_f32.js';
import { siluBackwardF32 } from './silu_backward_f32.js';

const BACKWARD: Readonly<Record<Activation, (z: ArrayLike<number>, dy: ArrayLike<number>) => Float32Array>> = {
  relu: reluBackwardF32,
  silu: siluBackwardF32,
  gelu: geluBackwardF32,
};

export function mlpTrainStepF32(
  params: Float32Array,
  m: Float32Array,
  v: Float32Array,
  dims: readonly number[],
  activation: Activation,
  x: Float32Array,
  y: Float32Array,
  w: Float64Array,
  nBatch: number,
  lossScale: number,
  adam: AdamScalars,
): { loss: number; grads: Float32Array } {
  const { loss, grads } = mlpGradientF32(params, dims, activation, x, y, w, nBatch, lossScale);
  adamStepF32(params, grads, m, v, adam);
  return { loss, grads };
}

/**
 * Reference twin of asm/mlp_gradient_f32.ts: Σ w·loss and the gradients (times lossScale) of
 * nBatch rows; `extra` (one per row) is added to each row's ∂/∂logit before the backward pass.
 */
export function mlpGradientF32(
  params: Float32Array,
  dims: readonly number[],
  activation: Activation,
  x: Float32Array,
  y: Float32Array,
  w: Float64Array,
  nBatch: number,
  lossScale: number,
  extra?: ArrayLike<number>,
): { loss: number; grads: Float32Array } {
  const L = dims.length - 1;
  const trace = mlpForwardF32(params, dims, activation, x, nBatch);
  const { loss, grad } = bceLossF32(trace.logits, y, w, lossScale, extra);
  const grads = new Float32Array(params.length);
  let delta = grad;
  for (let l = L - 1; l >= 0; l--) {
    const input = l === 0 ? x : trace.a[l - 1];
    const g = denseBackwardF32(input, layerParams(params, dims, l).w, delta, nBatch, dims[l], dims[l + 1], l > 0);
    const slot = layerParams(grads, dims, l);
    slot.w.set(g.dw);
    slot.b.set(g.db);
    if (l > 0) delta = BACKWARD[activation](trace.z[l - 1], g.dx!);
  }
  return { loss, grads };
}
