/**
 * One block's gradient without the parameter update, and Wᵀ after a parameter change:
 * see asm/mlp_gradient_f32.ts for the contract.
 */
import { KernelError } from '../base/errors.js';
import type { MlpWorkspace } from './mlp_workspace.js';
import { kernels } from './wasm.js';

type MlpGradientF32Export = (
  descPtr: number,
  xPtr: number,
  yPtr: number,
  wPtr: number,
  nRows: number,
  lossScale: number,
  gradsPtr: number,
  extraPtr: number,
) => number;

/** Refreshes the workspace's Wᵀ scratch from its parameters (after every change of them). */
export function mlpTransposeF32(workspace: MlpWorkspace): void {
  (kernels().exports.mlp_transpose_f32 as (descPtr: number) => void)(workspace.descPtr);
}

/**
 * The gradient (times `lossScale`) of rows [row0, row0 + nRows) of the workspace's
 * minibatch buffers, written to `gradsPtr` (f32[nParams] in wasm memory); returns their
 * Σ w·loss. The workspace's Wᵀ must be current ({@link mlpTransposeF32}). `extraPtr`
 * (f64 in wasm memory, one per row of the block, 0: none) is added to each row's
 * ∂/∂logit before the backward pass (a decorrelation penalty's gradient).
 */
export function mlpGradientF32(
  workspace: MlpWorkspace,
  row0: number,
  nRows: number,
  lossScale: number,
  gradsPtr: number,
  extraPtr = 0,
): number {
  if (workspace.gradsPtr === 0)
    throw new KernelError('mlp_gradient_f32: workspace must be allocated for training; got an inference workspace');
  if (!(
    Number.isInteger(row0) &&
    row0 >= 0 &&
    Number.isInteger(nRows) &&
    nRows >= 1 &&
    row0 + nRows <= workspace.batchRows
  )) {
    throw new KernelError(
      `mlp_gradient_f32: rows [row0, row0 + nRows) must lie in [0, ${workspace.batchRows}) with nRows >= 1; got row0 ${row0}, nRows ${nRows}`,
    );
  }
  const d0 = workspace.dims[0];
  return (kernels().exports.mlp_gradient_f32 as MlpGradientF32Export)(
    workspace.descPtr,
    workspace.xPtr + 4 * row0 * d0,
    workspace.yPtr + 4 * row0,
    workspace.wPtr + 8 * row0,
    nRows,
    lossScale,
    gradsPtr,
    extraPtr,
  );
}
