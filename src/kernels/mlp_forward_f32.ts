/**
 * Whole-network forward pass in one wasm call: see asm/mlp_forward_f32.ts for the contract.
 */
import { KernelError } from '../base/errors.js';
import type { MlpWorkspace } from './mlp_workspace.js';
import { kernels } from './wasm.js';

/** Raw export: returns the byte pointer of the f32 logits. */
export type MlpForwardF32Export = (descPtr: number, xPtr: number, nRows: number) => number;

/** Runs the network on the first `nRows` rows of `workspace.x`; returns the logits' byte pointer. */
export function mlpForwardF32(workspace: MlpWorkspace, nRows: number): number {
  if (!Number.isInteger(nRows) || nRows < 0 || nRows > workspace.maxRows) {
    throw new KernelError(`mlp_forward_f32: nRows must be an integer in [0, ${workspace.maxRows}]; got ${nRows}`);
  }
  return (kernels().exports.mlp_forward_f32 as MlpForwardF32Export)(workspace.descPtr, workspace.xPtr, nRows);
}
