/**
 * Whole-network forward pass in one wasm call: see asm/mlp_forward_f32.ts for the contract.
 */
import { KernelError } from '../base/errors.js';
import type { MlpWorkspace } from './mlp_workspace.js';
import { kernels } from './wasm.js';

/** Raw export: returns the byte pointer of the f32 logits. */
export type MlpForwardF32Export = (descPtr: number, xPtr: number, nRows: number) => number;

/**
 * Runs the network on `nRows` rows of `workspace.x` from row `row0` (default 0); returns
 * the logits' byte pointer (the descriptor's buffer, overwritten by the next call).
 */
export function mlpForwardF32(workspace: MlpWorkspace, nRows: number, row0 = 0): number {
  if (!Number.isInteger(nRows) || nRows < 0 || nRows > workspace.maxRows) {
    throw new KernelError(`mlp_forward_f32: nRows must be an integer in [0, ${workspace.maxRows}]; got ${nRows}`);
  }
  if (!Number.isInteger(row0) || row0 < 0 || row0 + nRows > workspace.batchRows) {
    throw new KernelError(
      `mlp_forward_f32: row0 + nRows must be at most ${workspace.batchRows} with row0 >= 0; got row0 ${row0}, nRows ${nRows}`,
    );
  }
  const xPtr = workspace.xPtr + 4 * row0 * workspace.dims[0];
  return (kernels().exports.mlp_forward_f32 as MlpForwardF32Export)(workspace.descPtr, xPtr, nRows);
}
