/**
 * One PFN minibatch step in a fixed number of blocks of events (pfn.gradientBlocks, never
 * the thread count): each block's gradient is computed from zero on its events alone
 * (PfnWorkspace.gradientBlock: its particles, pooled per event, through F), here or by a
 * helper thread through the fit's gang (./gang.ts), the blocks are summed in block order
 * (asm/sum_blocks_f32.ts), then one Adam update. The bits are the same for any number of
 * threads; with one block the step is the whole minibatch's gradient, as before blocks.
 *
 * Forward passes (the validation loss, a decorrelation penalty's logits, the ratios) split
 * a batch into blocks the same way: an event's logit depends on that event alone, so who
 * computes which block changes no bit.
 */
import type { AdamScalars } from '../../kernels/adam_step_f32.js';
import { PfnWorkspace } from '../../kernels/pfn_workspace.js';
import { sumBlocksF32InWasm } from '../../kernels/sum_blocks_f32.js';
import { kernels, type Arena } from '../../kernels/wasm.js';
import { blockRows, COMMAND_FORWARD, COMMAND_GRADIENT, GangCoordinator, helpGang } from '../gang.js';
import { largestBlock, PfnGangViews, recordedPfnShape } from './gang.js';
import type { PfnOptions } from './options.js';

/** Trains a PFN workspace one minibatch at a time, in blocks of events. */
export class PfnBlockedStep {
  /** f32 [gradientBlocks × nParams] in wasm: each block's gradient (absent with one block). */
  private readonly slotsPtr: number;
  private readonly coordinator: GangCoordinator<PfnGangViews> | undefined;
  private readonly losses: Float64Array;
  /** Whether this thread computed block b (1) or a helper did (0). */
  private readonly mine: Uint8Array;

  constructor(
    private readonly ws: PfnWorkspace,
    arena: Arena,
    private readonly gradientBlocks: number,
    gang?: PfnGangViews,
  ) {
    this.slotsPtr = gradientBlocks > 1 ? arena.allocF32(gradientBlocks * ws.nParams) : 0;
    this.coordinator = gradientBlocks > 1 && gang !== undefined ? new GangCoordinator(gang) : undefined;
    this.losses = new Float64Array(gradientBlocks);
    this.mine = new Uint8Array(gradientBlocks);
  }

  /**
   * Trains on the `count` events in the workspace (gathered, `nParticles` particles) with
   * gradient factor `lossScale` and, with `extraPtr` (f64 [count] in wasm; 0: none), each
   * event's extra ∂/∂logit; returns their Σ w·loss.
   */
  step(count: number, nParticles: number, lossScale: number, extraPtr: number, adam: AdamScalars): number {
    const ws = this.ws;
    const nBlocks = Math.min(this.gradientBlocks, count);
    if (nBlocks === 1) {
      const loss = ws.gradient(count, nParticles, lossScale, extraPtr);
      ws.adam(adam);
      return loss;
    }
    const slot = (b: number) => this.slotsPtr + 4 * b * ws.nParams;
    const extraAt = (e0: number) => (extraPtr === 0 ? 0 : extraPtr + 8 * e0);
    const { losses, mine } = this;
    const gang = this.coordinator;
    if (gang === undefined) {
      for (let b = 0; b < nBlocks; b++) {
        const [e0, e1] = blockRows(count, nBlocks, b);
        losses[b] = ws.gradientBlock(e0, e1, lossScale, extraAt(e0), slot(b));
      }
    } else {
      const views = gang.views;
      publish(views, ws, count, nParticles);
      views.y.set(ws.arena.f32(ws.yPtr, count));
      views.w.set(ws.arena.f64(ws.wPtr, count));
      if (extraPtr !== 0) views.extra.set(ws.arena.f64(extraPtr, count));
      views.lossScale[0] = lossScale;
      const g = gang.announce(count, nBlocks, COMMAND_GRADIENT, 0, extraPtr !== 0);
      gang.runBlocks(g, nBlocks, mine, (b) => {
        const [e0, e1] = blockRows(count, nBlocks, b);
        losses[b] = ws.gradientBlock(e0, e1, lossScale, extraAt(e0), slot(b));
      });
      const n = ws.nParams;
      const slots = ws.arena.f32(this.slotsPtr, this.gradientBlocks * n);
      for (let b = 0; b < nBlocks; b++) {
        if (mine[b] === 1) continue;
        slots.set(views.slots.subarray(b * n, (b + 1) * n), b * n);
        losses[b] = views.losses[b];
      }
    }
    sumBlocksF32InWasm(ws.gradsPtr, this.slotsPtr, nBlocks, ws.nParams);
    ws.adam(adam);
    let loss = 0;
    for (let b = 0; b < nBlocks; b++) loss += losses[b];
    return loss;
  }

  /** The logits of the `count` events in the workspace (`nParticles` particles), in its logits; helpers may compute blocks. */
  forward(count: number, nParticles: number): void {
    forwardShared(this.ws, this.coordinator, count, nParticles, this.mine);
  }

  /** The fit's helpers (until the owner stops them). */
  get helpers(): GangCoordinator<PfnGangViews> | undefined {
    return this.coordinator;
  }
}

/** Writes the workspace's parameters and the inputs of its first `count` events (no labels) into the gang. */
function publish(views: PfnGangViews, ws: PfnWorkspace, count: number, nParticles: number): void {
  const arena = ws.arena;
  const nP = ws.phiDims[0];
  const nF = views.nEventFeatures;
  views.params.set(ws.params());
  views.offsets.set(arena.u32(ws.offsetsPtr, count + 1));
  views.particles.set(arena.f32(ws.particlesPtr, nParticles * nP));
  if (nF > 0) {
    const ld = ws.fDims[0];
    const fIn = arena.f32(ws.fInPtr, count * ld);
    for (let r = 0; r < count; r++) views.events.set(fIn.subarray(r * ld + ws.latent, (r + 1) * ld), r * nF);
  }
}

/**
 * The logits of the `count` events in `ws` (`nParticles` particles) into its logits, in
 * as many blocks as the fit's minibatches (at most one per event) that the gang's helpers
 * may share; alone (one pass) without a gang, or when a block holds more particles than
 * the gang's helpers have room for. `mine`: scratch of at least the gang's block count.
 */
export function forwardShared(
  ws: PfnWorkspace,
  gang: GangCoordinator<PfnGangViews> | undefined,
  count: number,
  nParticles: number,
  mine: Uint8Array,
): void {
  const nBlocks = gang === undefined ? 1 : Math.min(gang.views.shape.maxBlocks, count);
  if (gang === undefined || nBlocks === 1 || !fitsHelpers(gang.views, ws, count, nBlocks, nParticles)) {
    ws.forward(count, nParticles);
    return;
  }
  const views = gang.views;
  publish(views, ws, count, nParticles);
  const g = gang.announce(count, nBlocks, COMMAND_FORWARD);
  gang.runBlocks(g, nBlocks, mine, (b) => ws.forwardBlock(...blockRows(count, nBlocks, b)));
  const logits = ws.logits(count);
  for (let b = 0; b < nBlocks; b++) {
    if (mine[b] === 1) continue;
    const [e0, e1] = blockRows(count, nBlocks, b);
    logits.set(views.logits.subarray(e0, e1), e0);
  }
}

/** Whether the gang holds `count` events of `nParticles` particles and each of their `nBlocks` blocks fits a helper. */
function fitsHelpers(views: PfnGangViews, ws: PfnWorkspace, count: number, nBlocks: number, nParticles: number) {
  const { batchEvents, batchParticles, blockParticles } = views.shape;
  if (count > batchEvents || nParticles > batchParticles) return false;
  const offsets = ws.arena.u32(ws.offsetsPtr, count + 1);
  for (let b = 0; b < nBlocks; b++) {
    const [e0, e1] = blockRows(count, nBlocks, b);
    if (offsets[e1] - offsets[e0] > blockParticles) return false;
  }
  return true;
}

/**
 * A helper thread's part of a PFN fit that another thread trains through `gang`: this
 * thread's own workspace for the largest block, until the fit ends; each block it claims
 * is copied there (offsets from the block's first particle), and its gradient goes to the
 * gang's slot, or in a forward pass its logits to the gang's logits. Returns the blocks it
 * computed.
 */
export function helpPfnFit(spec: PfnOptions, gang: SharedArrayBuffer): number {
  const shape = recordedPfnShape(spec, gang);
  const views = new PfnGangViews(gang, shape);
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const maxEvents = largestBlock(shape.batchEvents, shape.maxBlocks);
    const ws = new PfnWorkspace(arena, shape.phiDims, shape.fDims, maxEvents, shape.blockParticles, true);
    const extraPtr = arena.allocF64(maxEvents);
    const nP = shape.phiDims[0];
    const nF = views.nEventFeatures;
    const ld = shape.fDims[0];
    const n = views.nParams;
    return helpGang(views, (b, step, first) => {
      if (first) ws.params().set(views.params);
      const [e0, e1] = blockRows(step.nRows, step.nBlocks, b);
      const nEvents = e1 - e0;
      const p0 = views.offsets[e0];
      const offsets = arena.u32(ws.offsetsPtr, nEvents + 1);
      for (let i = 0; i <= nEvents; i++) offsets[i] = views.offsets[e0 + i] - p0;
      arena.f32(ws.particlesPtr, offsets[nEvents] * nP).set(views.particles.subarray(p0 * nP, views.offsets[e1] * nP));
      if (nF > 0) {
        const fIn = arena.f32(ws.fInPtr, nEvents * ld);
        for (let r = 0; r < nEvents; r++)
          fIn.set(views.events.subarray((e0 + r) * nF, (e0 + r + 1) * nF), r * ld + ws.latent);
      }
      if (step.command === COMMAND_FORWARD) {
        ws.forwardBlock(0, nEvents);
        views.logits.set(ws.logits(nEvents), e0);
        return;
      }
      arena.f32(ws.yPtr, nEvents).set(views.y.subarray(e0, e1));
      arena.f64(ws.wPtr, nEvents).set(views.w.subarray(e0, e1));
      if (step.extra) arena.f64(extraPtr, nEvents).set(views.extra.subarray(e0, e1));
      views.losses[b] = ws.gradientBlock(0, nEvents, views.lossScale[0], step.extra ? extraPtr : 0, ws.gradsPtr);
      views.slots.set(ws.grads(), b * n);
    });
  } finally {
    arena.release(mark);
  }
}
