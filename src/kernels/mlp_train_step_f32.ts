/**
 * One fused minibatch step (forward, BCE gradient, backward, Adam) in one wasm call: see
 * asm/mlp_train_step_f32.ts for the contract.
 */
import { KernelError } from '../base/errors.js';
import type { AdamScalars } from './adam_step_f32.js';
import type { MlpWorkspace } from './mlp_workspace.js';
import { kernels } from './wasm.js';

/** Raw export: returns Σ w·loss of the minibatch (f64). */
export type MlpTrainStepF32Export = (
  descPtr: number,
  xPtr: number,
  yPtr: number,
  wPtr: number,
  nBatch: number,
  lossScale: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  bc1: number,
  bc2: number,
  extraPtr: number,
) => number;

/**
 * Trains on the first `nBatch` rows of `workspace.x`, `workspace.y`, `workspace.w` with gradient factor
 * `lossScale`; returns the minibatch's Σ w·loss. The glue checks only what is cheap:
 * callers validate options once per fit (adam scalars via checkAdam). `extraPtr` (f64[nBatch]
 * in wasm memory, 0: none) is added to each row's ∂/∂logit before the backward pass.
 */
export function mlpTrainStepF32(
  workspace: MlpWorkspace,
  nBatch: number,
  lossScale: number,
  adam: AdamScalars,
  extraPtr = 0,
): number {
  if (workspace.gradsPtr === 0)
    throw new KernelError('mlp_train_step_f32: workspace must be allocated for training; got an inference workspace');
  if (!(Number.isInteger(nBatch) && nBatch >= 1 && nBatch <= workspace.batchRows)) {
    throw new KernelError(
      `mlp_train_step_f32: nBatch must be an integer in [1, ${workspace.batchRows}]; got ${nBatch}`,
    );
  }
  return (kernels().exports.mlp_train_step_f32 as MlpTrainStepF32Export)(
    workspace.descPtr,
    workspace.xPtr,
    workspace.yPtr,
    workspace.wPtr,
    nBatch,
    lossScale,
    adam.lr,
    adam.beta1,
    adam.beta2,
    adam.eps,
    adam.bc1,
    adam.bc2,
    extraPtr,
  );
}
