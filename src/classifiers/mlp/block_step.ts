/**
 * One minibatch step, split into a fixed number of blocks of rows: each block's gradient
 * is computed from zero (here, or by a helper thread through the fit's gang), the blocks
 * are summed in block order, then one Adam update. The block count is an option of the
 * fit (mlp.gradientBlocks), never the thread count, so the bits are the same for any
 * number of threads. With one block it is the fused step (asm/mlp_train_step_f32.ts).
 *
 * With a decorrelation penalty (mlp.decorrelate, docs/algorithm.md "Decorrelation"), a
 * step first runs the network on the whole minibatch, computes the penalty λ·dCorr² and
 * each row's ∂penalty/∂logit once (src/kernels/distance_corr_f64.ts), then passes each
 * row's term into its block's gradient: a whole-minibatch quantity computed by one thread,
 * so the bits stay the same for any thread count.
 */
import { adamStepInWorkspace, type AdamScalars } from '../../kernels/adam_step_f32.js';
import { mlpGradientF32, mlpTransposeF32 } from '../../kernels/mlp_gradient_f32.js';
import { sumBlocksF32InWasm } from '../../kernels/sum_blocks_f32.js';
import { mlpTrainStepF32 } from '../../kernels/mlp_train_step_f32.js';
import { MLP_ROW_CHUNK, type MlpWorkspace } from '../../kernels/mlp_workspace.js';
import type { Arena } from '../../kernels/wasm.js';
import { bceLossF32InWasm } from '../../kernels/bce_loss_f32.js';
import { mlpForwardF32 } from '../../kernels/mlp_forward_f32.js';
import { DecorrelationPenalty, type DiscoClass } from '../../kernels/distance_corr_f64.js';
import { blockRows, COMMAND_FORWARD, COMMAND_GRADIENT, GangCoordinator, helpGang } from '../gang.js';
import { gangRows, GangViews, type GangShape } from './gang.js';

/** Blocks of a minibatch of `nRows` rows: the option's count, at most one per row. */
export function blocksOf(nRows: number, gradientBlocks: number): number {
  return Math.min(gradientBlocks, nRows);
}

/**
 * The decorrelation penalty of a fit: the input column v, λ, the minibatch size (the
 * validation's groups), and the classes its dCorr² is taken over (absent: pooled).
 */
export interface Decorrelation {
  column: number;
  lambda: number;
  batchSize: number;
  classes?: DiscoClass;
}

/** Trains a workspace's network one minibatch at a time, in blocks. */
export class BlockedStep {
  /** f32 [gradientBlocks × nParams] in wasm: each block's gradient. */
  private readonly slotsPtr: number;
  private readonly coordinator: GangCoordinator<GangViews> | undefined;
  private readonly logitsPtr: number;
  /** Each block's Σ w·loss, and whether this thread computed it (1) or a helper did (0). */
  private readonly losses: Float64Array;
  private readonly mine: Uint8Array;
  /** The decorrelation penalty's buffers (absent: no penalty, or λ = 0, which trains exactly as without one). */
  private readonly penalty: DecorrelationPenalty | undefined;

  constructor(
    private readonly workspace: MlpWorkspace,
    arena: Arena,
    private readonly gradientBlocks: number,
    gang?: GangViews,
    private readonly decorrelation?: Decorrelation,
  ) {
    this.slotsPtr = gradientBlocks > 1 ? arena.allocF32(gradientBlocks * workspace.nParams) : 0;
    this.coordinator = gradientBlocks > 1 && gang !== undefined ? new GangCoordinator<GangViews>(gang) : undefined;
    this.logitsPtr = this.coordinator !== undefined ? arena.allocF32(workspace.maxRows) : 0;
    this.losses = new Float64Array(gradientBlocks);
    this.mine = new Uint8Array(gradientBlocks);
    this.penalty =
      decorrelation !== undefined && decorrelation.lambda > 0
        ? new DecorrelationPenalty(arena, workspace.batchRows, decorrelation.lambda, decorrelation.classes)
        : undefined;
  }

  /**
   * Trains on the workspace's first `nBatch` rows with gradient factor `lossScale`; returns
   * their Σ w·loss, plus nBatch·λ·dCorr² with a decorrelation penalty.
   */
  step(nBatch: number, lossScale: number, adam: AdamScalars): number {
    const ws = this.workspace;
    const nBlocks = blocksOf(nBatch, this.gradientBlocks);
    const penalty = this.penalty;
    const penaltySum = penalty !== undefined ? nBatch * penalty.lambda * this.minibatchPenalty(nBatch) : 0;
    const extraPtr = penalty !== undefined ? penalty.gradPtr : 0;
    const extraAt = (r0: number) => (extraPtr === 0 ? 0 : extraPtr + 8 * r0);
    if (nBlocks === 1) return mlpTrainStepF32(ws, nBatch, lossScale, adam, extraPtr) + penaltySum;
    mlpTransposeF32(ws);
    const slot = (b: number) => this.slotsPtr + 4 * b * ws.nParams;
    const { losses, mine } = this;
    const gang = this.coordinator;
    if (gang === undefined) {
      for (let b = 0; b < nBlocks; b++) {
        const [r0, r1] = blockRows(nBatch, nBlocks, b);
        losses[b] = mlpGradientF32(ws, r0, r1 - r0, lossScale, slot(b), extraAt(r0));
      }
    } else {
      const views = gang.views;
      views.params.set(ws.params);
      const d0 = ws.dims[0];
      views.x.set(ws.x.subarray(0, nBatch * d0));
      views.y.set(ws.y.subarray(0, nBatch));
      views.w.set(ws.w.subarray(0, nBatch));
      views.lossScale[0] = lossScale;
      if (penalty !== undefined) views.extra.set(penalty.gradient(nBatch));
      const g = gang.announce(nBatch, nBlocks, COMMAND_GRADIENT, 0, penalty !== undefined);
      gang.runBlocks(g, nBlocks, mine, (b) => {
        const [r0, r1] = blockRows(nBatch, nBlocks, b);
        losses[b] = mlpGradientF32(ws, r0, r1 - r0, lossScale, slot(b), extraAt(r0));
      });
      const n = ws.nParams;
      const slots = new Float32Array(ws.arena.memory.buffer, this.slotsPtr, this.gradientBlocks * n);
      for (let b = 0; b < nBlocks; b++) {
        if (mine[b] === 1) continue;
        slots.set(views.slots.subarray(b * n, (b + 1) * n), b * n);
        losses[b] = views.losses[b];
      }
    }
    sumBlocksF32InWasm(ws.gradsPtr, this.slotsPtr, nBlocks, ws.nParams);
    adamStepInWorkspace(ws, adam);
    let loss = 0;
    for (let b = 0; b < nBlocks; b++) loss += losses[b];
    return loss + penaltySum;
  }

  /**
   * The penalty's dCorr² of the workspace's first `nBatch` rows, with each row's
   * λ·∂dCorr²/∂logit left in the penalty's gradient: the logits of the whole minibatch
   * first (in chunks of maxRows, on this thread), then one kernel call.
   */
  private minibatchPenalty(nBatch: number): number {
    const ws = this.workspace;
    const penalty = this.penalty!;
    const chunk = ws.maxRows;
    for (let r0 = 0; r0 < nBatch; r0 += chunk) {
      const count = Math.min(chunk, nBatch - r0);
      const ptr = mlpForwardF32(ws, count, r0);
      penalty.logits().set(new Float32Array(ws.arena.memory.buffer, ptr, count), r0);
    }
    const d0 = ws.dims[0];
    const column = this.decorrelation!.column;
    const x = ws.x;
    const w = ws.w;
    const v = penalty.variable(nBatch);
    const weights = penalty.weights(nBatch);
    for (let r = 0; r < nBatch; r++) {
      v[r] = x[r * d0 + column];
      weights[r] = w[r];
    }
    if (penalty.classes !== 'pooled') penalty.labels(nBatch).set(ws.y.subarray(0, nBatch));
    return penalty.compute(nBatch);
  }

  /**
   * Σ w·loss of `nRows` rows that `fill(start, count)` puts into the workspace's first
   * `count` rows, in chunks of the workspace's maxRows, one running sum in row order (a
   * validation pass); helpers may compute some chunks' logits (see {@link forwardRows}).
   * With a decorrelation penalty, plus Σ_g n_g·λ·dCorr²_g over consecutive groups g of
   * batchSize rows (the last may be smaller), as a training step adds its minibatch's.
   */
  evaluate(nRows: number, fill: (start: number, count: number) => void): number {
    const ws = this.workspace;
    const views = this.coordinator?.views;
    const penalty = this.penalty;
    const group = this.decorrelation?.batchSize ?? 0;
    const column = this.decorrelation?.column ?? 0;
    const d0 = ws.dims[0];
    let filled = 0;
    let penaltySum = 0;
    const flush = () => {
      if (filled > 0) penaltySum += filled * penalty!.lambda * penalty!.compute(filled, false);
      filled = 0;
    };
    let sum = 0;
    forwardRows(
      ws,
      this.coordinator,
      this.logitsPtr,
      nRows,
      (start, count, slot) => {
        fill(start, count);
        // the labels and weights wait in the gang while other chunks are filled
        if (views === undefined || slot === undefined) return;
        views.y.set(ws.y.subarray(0, count), slot);
        views.w.set(ws.w.subarray(0, count), slot);
      },
      (_start, count, logitsPtr, slot) => {
        if (views !== undefined && slot !== undefined) {
          ws.y.set(views.y.subarray(slot, slot + count));
          ws.w.set(views.w.subarray(slot, slot + count));
        }
        sum = bceLossF32InWasm(logitsPtr, ws.yPtr, ws.wPtr, count, 1, 0, sum);
        if (penalty === undefined) return;
        const logits = new Float32Array(ws.arena.memory.buffer, logitsPtr, count);
        const x = views !== undefined && slot !== undefined ? views.x.subarray(slot * d0) : ws.x;
        const w = ws.w;
        const [pz, pv, pw, py] = [penalty.logits(), penalty.variable(), penalty.weights(), penalty.labels()];
        const y = ws.y;
        const pooled = penalty.classes === 'pooled';
        for (let r = 0; r < count; r++) {
          pz[filled] = logits[r];
          pv[filled] = x[r * d0 + column];
          pw[filled] = w[r];
          if (!pooled) py[filled] = y[r];
          if (++filled === group) flush();
        }
      },
    );
    if (penalty !== undefined) flush();
    return sum + penaltySum;
  }

  /** The fit's helpers, for the ratios of the trained network (until the owner stops them). */
  get helpers(): GangCoordinator<GangViews> | undefined {
    return this.coordinator;
  }
}

/**
 * A helper thread's part of a data-parallel fit: until the coordinator stops, computes the
 * gradients of the blocks it claims into the gang's slots, or in a validation pass the
 * logits of the chunks it claims. `workspace` is this thread's
 * own, of the gang's dims and activation, with room for the largest block, and `extraPtr`
 * f64 in wasm with as many rows (a block's extra ∂/∂logit is copied there). Returns the
 * blocks it computed.
 */
export function helpBlockedFit(views: GangViews, workspace: MlpWorkspace, extraPtr: number): number {
  const n = views.nParams;
  const d0 = views.shape.dims[0];
  return helpGang(views, (b, step, first) => {
    const { nRows, nBlocks, command, chunkRows: chunk } = step;
    if (first) {
      workspace.params.set(views.params);
      if (command === COMMAND_GRADIENT) mlpTransposeF32(workspace);
    }
    if (command === COMMAND_FORWARD) {
      const count = Math.min(chunk, nRows - b * chunk);
      workspace.x.set(views.x.subarray(b * chunk * d0, (b * chunk + count) * d0));
      forwardInto(workspace, count, views.logits, b * chunk);
      return;
    }
    const [r0, r1] = blockRows(nRows, nBlocks, b);
    const rows = r1 - r0;
    workspace.x.set(views.x.subarray(r0 * d0, r1 * d0));
    workspace.y.set(views.y.subarray(r0, r1));
    workspace.w.set(views.w.subarray(r0, r1));
    if (step.extra) workspace.arena.f64(extraPtr, rows).set(views.extra.subarray(r0, r1));
    const extra = step.extra ? extraPtr : 0;
    views.losses[b] = mlpGradientF32(workspace, 0, rows, views.lossScale[0], workspace.gradsPtr, extra);
    views.slots.set(workspace.grads, b * n);
  });
}

/**
 * The network on `nRows` rows, in chunks of the workspace's maxRows: `fill(start, count,
 * slot)` puts a chunk's standardised rows into the workspace's first rows, and
 * `consume(start, count, logitsPtr, slot)` takes its logits (f32 in wasm), chunk after
 * chunk in row order. With a gang, chunks are filled a group at a time into its row
 * buffers (at row `slot`), any thread computes a chunk's logits, and they are consumed
 * in order from `logitsPtr` (f32[maxRows] in wasm): a row's logit depends on that row
 * alone, so the results are the same bits.
 */
export function forwardRows(
  ws: MlpWorkspace,
  gang: GangCoordinator<GangViews> | undefined,
  logitsPtr: number,
  nRows: number,
  fill: (start: number, count: number, slot?: number) => void,
  consume: (start: number, count: number, logitsPtr: number, slot?: number) => void,
): void {
  const chunk = ws.maxRows;
  if (gang === undefined) {
    for (let start = 0; start < nRows; start += chunk) {
      const count = Math.min(chunk, nRows - start);
      fill(start, count);
      consume(start, count, mlpForwardF32(ws, count));
    }
    return;
  }
  const views = gang.views;
  const d0 = ws.dims[0];
  const group = Math.floor(gangRows(views.shape) / chunk) * chunk;
  const mine = new Uint8Array(views.claims.length);
  views.params.set(ws.params);
  for (let first = 0; first < nRows; first += group) {
    const rows = Math.min(group, nRows - first);
    const nChunks = Math.ceil(rows / chunk);
    for (let c = 0; c < nChunks; c++) {
      const count = Math.min(chunk, rows - c * chunk);
      fill(first + c * chunk, count, c * chunk);
      views.x.set(ws.x.subarray(0, count * d0), c * chunk * d0);
    }
    const g = gang.announce(rows, nChunks, COMMAND_FORWARD, chunk);
    gang.runBlocks(g, nChunks, mine, (c) => {
      const count = Math.min(chunk, rows - c * chunk);
      ws.x.set(views.x.subarray(c * chunk * d0, (c * chunk + count) * d0));
      forwardInto(ws, count, views.logits, c * chunk);
    });
    const logits = new Float32Array(ws.arena.memory.buffer, logitsPtr, chunk);
    for (let c = 0; c < nChunks; c++) {
      const count = Math.min(chunk, rows - c * chunk);
      logits.set(views.logits.subarray(c * chunk, c * chunk + count));
      consume(first + c * chunk, count, logitsPtr, c * chunk);
    }
  }
}

/** The logits of the workspace's first `count` rows, written to `out` from `at`. */
function forwardInto(workspace: MlpWorkspace, count: number, out: Float32Array, at: number): void {
  const ptr = mlpForwardF32(workspace, count);
  out.set(new Float32Array(workspace.arena.memory.buffer, ptr, count), at);
}

/** The gang shape of an MLP fit: its network, its batch size and block count, and the forward chunk (MLP_ROW_CHUNK). */
export function mlpGangShape(dims: readonly number[], batchSize: number, gradientBlocks: number): GangShape {
  return { dims, batchRows: batchSize, maxBlocks: gradientBlocks, chunkRows: MLP_ROW_CHUNK };
}
