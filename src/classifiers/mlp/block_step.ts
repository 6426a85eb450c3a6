/**
 * One minibatch step, split into a fixed number of blocks of rows: each block's gradient
 * is computed from zero (here, or by a helper thread through the fit's gang), the blocks
 * are summed in block order, then one Adam update. The block count is an option of the
 * fit (mlp.gradientBlocks), never the thread count, so the bits are the same for any
 * number of threads. With one block it is the fused step (asm/mlp_train_step_f32.ts).
 */
import type { AdamScalars } from '../../kernels/adam_step_f32.js';
import {
  adamStepInWorkspace,
  mlpGradientF32,
  mlpTransposeF32,
  sumBlocksF32InWasm,
} from '../../kernels/mlp_gradient_f32.js';
import { mlpTrainStepF32 } from '../../kernels/mlp_train_step_f32.js';
import type { MlpWorkspace } from '../../kernels/mlp_workspace.js';
import type { Arena } from '../../kernels/wasm.js';
import { blockRows, GangCoordinator, GangViews, helpGang, type GangShape } from './gang.js';

/** Blocks of a minibatch of `nRows` rows: the option's count, at most one per row. */
export function blocksOf(nRows: number, gradientBlocks: number): number {
  return Math.min(gradientBlocks, nRows);
}

/** Trains a workspace's network one minibatch at a time, in blocks. */
export class BlockedStep {
  /** f32 [gradientBlocks × nParams] in wasm: each block's gradient. */
  private readonly slotsPtr: number;
  private readonly coordinator: GangCoordinator | undefined;

  constructor(
    private readonly workspace: MlpWorkspace,
    arena: Arena,
    private readonly gradientBlocks: number,
    gang?: GangViews,
  ) {
    this.slotsPtr = gradientBlocks > 1 ? arena.allocF32(gradientBlocks * workspace.nParams) : 0;
    this.coordinator = gradientBlocks > 1 && gang !== undefined ? new GangCoordinator(gang) : undefined;
  }

  /** Trains on the workspace's first `nBatch` rows with gradient factor `lossScale`; returns their Σ w·loss. */
  step(nBatch: number, lossScale: number, adam: AdamScalars): number {
    const ws = this.workspace;
    const nBlocks = blocksOf(nBatch, this.gradientBlocks);
    if (nBlocks === 1) return mlpTrainStepF32(ws, nBatch, lossScale, adam);
    mlpTransposeF32(ws);
    const slot = (b: number) => this.slotsPtr + 4 * b * ws.nParams;
    const losses = new Float64Array(nBlocks);
    const mine: boolean[] = new Array<boolean>(nBlocks).fill(true);
    const gang = this.coordinator;
    if (gang === undefined) {
      for (let b = 0; b < nBlocks; b++) {
        const [r0, r1] = blockRows(nBatch, nBlocks, b);
        losses[b] = mlpGradientF32(ws, r0, r1 - r0, lossScale, slot(b));
      }
    } else {
      const views = gang.views;
      views.params.set(ws.params);
      const d0 = ws.dims[0];
      views.x.set(ws.x.subarray(0, nBatch * d0));
      views.y.set(ws.y.subarray(0, nBatch));
      views.w.set(ws.w.subarray(0, nBatch));
      views.lossScale[0] = lossScale;
      const g = gang.announce(nBatch, nBlocks);
      for (let b = 0; b < nBlocks; b++) {
        if (!views.claim(b, g)) {
          mine[b] = false;
          continue;
        }
        const [r0, r1] = blockRows(nBatch, nBlocks, b);
        losses[b] = mlpGradientF32(ws, r0, r1 - r0, lossScale, slot(b));
        views.finishBlock();
      }
      gang.awaitBlocks(nBlocks);
      const memory = ws.arena.memory.buffer;
      for (let b = 0; b < nBlocks; b++) {
        if (mine[b]) continue;
        const n = ws.nParams;
        new Float32Array(memory, slot(b), n).set(views.slots.subarray(b * n, (b + 1) * n));
        losses[b] = views.losses[b];
      }
    }
    sumBlocksF32InWasm(ws.gradsPtr, this.slotsPtr, nBlocks, ws.nParams);
    adamStepInWorkspace(ws, adam);
    let loss = 0;
    for (let b = 0; b < nBlocks; b++) loss += losses[b];
    return loss;
  }

  /** Releases the helpers (the fit is over). */
  finish(): void {
    this.coordinator?.stop();
  }
}

/**
 * A helper thread's part of a data-parallel fit: until the coordinator stops, computes the
 * gradients of the blocks it claims into the gang's slots. `workspace` is this thread's
 * own, of the gang's dims and activation, with room for the largest block. Returns the
 * blocks it computed.
 */
export function helpBlockedFit(views: GangViews, workspace: MlpWorkspace): number {
  const n = views.nParams;
  const d0 = views.shape.dims[0];
  return helpGang(views, (b, nRows, nBlocks, first) => {
    if (first) {
      workspace.params.set(views.params);
      mlpTransposeF32(workspace);
    }
    const [r0, r1] = blockRows(nRows, nBlocks, b);
    const rows = r1 - r0;
    workspace.x.set(views.x.subarray(r0 * d0, r1 * d0));
    workspace.y.set(views.y.subarray(r0, r1));
    workspace.w.set(views.w.subarray(r0, r1));
    views.losses[b] = mlpGradientF32(workspace, 0, rows, views.lossScale[0], workspace.gradsPtr);
    views.slots.set(workspace.grads, b * n);
  });
}

/** The gang shape of an MLP fit: its network, its batch size and block count. */
export function mlpGangShape(dims: readonly number[], batchSize: number, gradientBlocks: number): GangShape {
  return { dims, batchRows: batchSize, maxBlocks: gradientBlocks };
}
