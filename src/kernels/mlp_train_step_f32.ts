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
) => number;

/**
 * Trains on the first `nBatch` rows of `ws.x`, `ws.y`, `ws.w` with gradient factor
 * `lossScale`; returns the minibatch's Σ w·loss. The glue checks only what is cheap:
 * callers validate options once per fit (adam scalars via checkAdam).
 */
export function mlpTrainStepF32(ws: MlpWorkspace, nBatch: number, lossScale: number, adam: AdamScalars): number {
  if (ws.gradsPtr === 0)
    throw new KernelError('mlp_train_step_f32: workspace must be allocated for training; got an inference workspace');
  if (!(Number.isInteger(nBatch) && nBatch >= 1 && nBatch <= ws.batchRows)) {
    throw new KernelError(`mlp_train_step_f32: nBatch must be an integer in [1, ${ws.batchRows}]; got ${nBatch}`);
  }
  return (kernels().exports.mlp_train_step_f32 as MlpTrainStepF32Export)(
    ws.descPtr,
    ws.xPtr,
    ws.yPtr,
    ws.wPtr,
    nBatch,
    lossScale,
    adam.lr,
    adam.beta1,
    adam.beta2,
    adam.eps,
    adam.bc1,
    adam.bc2,
  );
}
