/**
 * The blocked minibatch step's kernels: one block's gradient without the update
 * (asm/mlp_gradient_f32.ts), Wᵀ after a parameter change, the fixed-order sum of the
 * blocks (asm/sum_blocks_f32.ts) and Adam on a workspace's own buffers.
 */
import { KernelError } from '../base/errors.js';
import type { AdamScalars, AdamStepF32Export } from './adam_step_f32.js';
import { checkInt } from './check.js';
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
) => number;
type SumBlocksF32Export = (dstPtr: number, srcPtr: number, nBlocks: number, n: number) => void;

/** Refreshes the workspace's Wᵀ scratch from its parameters (after every change of them). */
export function mlpTransposeF32(workspace: MlpWorkspace): void {
  (kernels().exports.mlp_transpose_f32 as (descPtr: number) => void)(workspace.descPtr);
}

/**
 * The gradient (times `lossScale`) of rows [row0, row0 + nRows) of the workspace's
 * minibatch buffers, written to `gradsPtr` (f32[nParams] in wasm memory); returns their
 * Σ w·loss. The workspace's Wᵀ must be current ({@link mlpTransposeF32}).
 */
export function mlpGradientF32(
  workspace: MlpWorkspace,
  row0: number,
  nRows: number,
  lossScale: number,
  gradsPtr: number,
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
  );
}

/** dst = Σ_b src_b in increasing b (f32), on pointers into wasm memory: `nBlocks` blocks of `n` floats. */
export function sumBlocksF32InWasm(dstPtr: number, srcPtr: number, nBlocks: number, n: number): void {
  checkInt('sum_blocks_f32', 'nBlocks', nBlocks, 1);
  checkInt('sum_blocks_f32', 'n', n, 0);
  (kernels().exports.sum_blocks_f32 as SumBlocksF32Export)(dstPtr, srcPtr, nBlocks, n);
}

/** The fixed-order sum of `nBlocks` blocks of `n` floats held one after another in `blocks`. */
export function sumBlocksF32(blocks: Float32Array, nBlocks: number, n: number): Float32Array {
  checkInt('sum_blocks_f32', 'nBlocks', nBlocks, 1);
  checkInt('sum_blocks_f32', 'n', n, 0);
  if (blocks.length !== nBlocks * n)
    throw new KernelError(
      `sum_blocks_f32: blocks must hold nBlocks × n = ${nBlocks * n} numbers; got ${blocks.length}`,
    );
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const src = arena.allocF32(nBlocks * n);
    const dst = arena.allocF32(Math.max(n, 1));
    arena.f32(src, nBlocks * n).set(blocks);
    sumBlocksF32InWasm(dst, src, nBlocks, n);
    return arena.f32(dst, n).slice();
  } finally {
    arena.release(mark);
  }
}

/** One Adam update of the workspace's parameters from its gradient block (checked scalars: checkAdam). */
export function adamStepInWorkspace(workspace: MlpWorkspace, adam: AdamScalars): void {
  (kernels().exports.adam_step_f32 as AdamStepF32Export)(
    workspace.paramsPtr,
    workspace.gradsPtr,
    workspace.adamMPtr,
    workspace.adamVPtr,
    workspace.nParams,
    adam.lr,
    adam.beta1,
    adam.beta2,
    adam.eps,
    adam.bc1,
    adam.bc2,
  );
}
