/**
 * The wasm-side memory and the minibatch passes of one Particle Flow Network (Deep Sets,
 * arXiv:1810.05165): a per-particle network Φ (dense + ReLU layers, ReLU on the last one
 * too), sum pooling over each event's particles, and an event network F (dense + ReLU
 * hidden layers, one logit) on [pooled latent ‖ event features]. Every pass is a sequence
 * of wasm kernel calls on buffers allocated once from the thread's arena:
 * dense_relu_forward_f32 per ReLU layer (asm/pfn_layers_f32.ts: the MLP's tile and
 * sparse products), segment_sum_f32 for the pooling, dense_forward_f32 for the logit,
 * bce_loss_f32, then dense_relu_backward_f32 per layer, segment_broadcast_f32 and
 * relu_backward_f32 for the pooling's backward, and adam_step_f32.
 *
 * Memory per minibatch is proportional to its particles: the particle buffers hold
 * `maxParticles` rows (the caller's bound on one minibatch's particles), never a padded
 * [events × largest event] block. Every sum runs in a fixed order (kernels' contracts),
 * so a step's bits depend only on its inputs.
 *
 * Parameter layout (f32): Φ's layers, then F's, each layer W [in × out] row-major then b [out].
 */
import { InputError } from '../base/errors.js';
import type { Arena } from './wasm.js';
import { kernels } from './wasm.js';
import type { AdamScalars } from './adam_step_f32.js';

type Fn = (...args: number[]) => number;

/** Number of f32 parameters of a PFN with Φ widths `phiDims` ([nParticleFeatures, ...phi]) and F widths `fDims` ([latent + nEventFeatures, ...f, 1]). */
export function pfnParameterCount(phiDims: readonly number[], fDims: readonly number[]): number {
  let n = 0;
  for (const dims of [phiDims, fDims]) for (let l = 0; l + 1 < dims.length; l++) n += (dims[l] + 1) * dims[l + 1];
  return n;
}

/** Byte pointers of one PFN's buffers in wasm memory, and its forward, gradient and train-step passes. */
export class PfnWorkspace {
  readonly nParams: number;
  readonly paramsPtr: number;
  readonly gradsPtr: number;
  readonly adamMPtr: number;
  readonly adamVPtr: number;
  /** f32 [maxParticles × nParticleFeatures]: the minibatch's particles, standardised. */
  readonly particlesPtr: number;
  /** u32 [maxEvents + 1]: the minibatch's particle offsets, from 0. */
  readonly offsetsPtr: number;
  /** f32 [maxEvents × fDims[0]]: F's input, pooled latent then event features (written by the caller at column `latent`). */
  readonly fInPtr: number;
  /** f32 [maxEvents] labels; f64 [maxEvents] weights and ratios. */
  readonly yPtr: number;
  readonly wPtr: number;
  readonly ratioPtr: number;
  readonly logitsPtr: number;
  /** The latent width L (Φ's last width). */
  readonly latent: number;
  private readonly phiAct: number[] = [];
  private readonly fAct: number[] = [];
  private readonly layerOffsets: number[] = [];
  private readonly phiDelta: [number, number];
  private readonly fDelta: [number, number];
  private readonly scratchPtr: number;
  /** Scratch of the sparse products (asm/sparse_gemm.ts): f32[2·max(rows, widths)]. */
  private readonly listPtr: number;
  /** Xᵀ of a ReLU layer's input for its weight gradient: f32[widest input × (rows + 32)] (training). */
  private readonly transPtr: number;
  /** u32 [maxEvents + 1]: a block's particle offsets from its first particle. */
  private readonly blockOffsetsPtr: number;
  private readonly k: Record<string, Fn>;

  /**
   * @param phiDims [nParticleFeatures, ...phi]; @param fDims [latent + nEventFeatures, ...f, 1]
   * @param maxEvents events per pass; @param maxParticles particles per pass (≥ 0)
   * @param training also allocate gradients, Adam moments (zeroed) and the backward buffers
   */
  constructor(
    readonly arena: Arena,
    readonly phiDims: readonly number[],
    readonly fDims: readonly number[],
    readonly maxEvents: number,
    readonly maxParticles: number,
    training: boolean,
  ) {
    if (
      phiDims.length < 2 ||
      fDims.length < 2 ||
      fDims[fDims.length - 1] !== 1 ||
      fDims[0] < phiDims[phiDims.length - 1]
    )
      throw new InputError(
        `pfn: layer widths must be [nP, ...phi] and [latent + nF, ...f, 1]; got ${phiDims} and ${fDims}`,
      );
    this.latent = phiDims[phiDims.length - 1];
    this.nParams = pfnParameterCount(phiDims, fDims);
    let off = 0;
    for (const dims of [phiDims, fDims]) {
      for (let l = 0; l + 1 < dims.length; l++) {
        this.layerOffsets.push(off);
        off += (dims[l] + 1) * dims[l + 1] * 4;
      }
    }
    const rowsP = Math.max(maxParticles, 1);
    const rowsE = Math.max(maxEvents, 1);
    this.paramsPtr = arena.allocF32(this.nParams);
    this.gradsPtr = training ? arena.allocF32(this.nParams) : 0;
    this.adamMPtr = training ? arena.allocF32(this.nParams) : 0;
    this.adamVPtr = training ? arena.allocF32(this.nParams) : 0;
    if (training) {
      arena.f32(this.adamMPtr, this.nParams).fill(0);
      arena.f32(this.adamVPtr, this.nParams).fill(0);
    }
    this.particlesPtr = arena.allocF32(rowsP * phiDims[0]);
    this.offsetsPtr = arena.allocU32(rowsE + 1);
    for (let l = 1; l < phiDims.length; l++) this.phiAct.push(arena.allocF32(rowsP * phiDims[l]));
    this.fInPtr = arena.allocF32(rowsE * fDims[0]);
    for (let l = 1; l < fDims.length - 1; l++) this.fAct.push(arena.allocF32(rowsE * fDims[l]));
    this.logitsPtr = arena.allocF32(rowsE);
    this.yPtr = arena.allocF32(rowsE);
    this.wPtr = arena.allocF64(rowsE);
    this.ratioPtr = arena.allocF64(rowsE);
    const phiWidth = Math.max(...phiDims.slice(1));
    const fWidth = Math.max(...fDims);
    this.phiDelta = training ? [arena.allocF32(rowsP * phiWidth), arena.allocF32(rowsP * phiWidth)] : [0, 0];
    this.fDelta = training ? [arena.allocF32(rowsE * fWidth), arena.allocF32(rowsE * fWidth)] : [0, 0];
    let maxLayer = 1;
    for (const dims of [phiDims, fDims])
      for (let l = 0; l + 1 < dims.length; l++) maxLayer = Math.max(maxLayer, dims[l] * dims[l + 1]);
    this.scratchPtr = training ? arena.allocF32(maxLayer) : 0;
    const rows = Math.max(rowsP, rowsE);
    this.listPtr = arena.allocF32(2 * Math.max(rows, phiWidth, fWidth, phiDims[0]));
    this.transPtr = training ? arena.allocF32(Math.max(phiWidth, fWidth) * (rows + 32)) : 0;
    this.blockOffsetsPtr = arena.allocU32(rowsE + 1);
    this.k = kernels().exports as unknown as Record<string, Fn>;
  }

  /** The parameters (a fresh view). */
  params(): Float32Array {
    return this.arena.f32(this.paramsPtr, this.nParams);
  }

  /** The logits of the last forward pass's first `nEvents` events (a fresh view). */
  logits(nEvents: number): Float32Array {
    return this.arena.f32(this.logitsPtr, nEvents);
  }

  /** The gradients of the last {@link gradient} (a fresh view). */
  grads(): Float32Array {
    return this.arena.f32(this.gradsPtr, this.nParams);
  }

  /**
   * The logits of `nEvents` events whose `nParticles` particles (standardised) and offsets
   * are in place, and whose event features are in F's input at column `latent`; returns
   * the pointer of the f32 logits.
   */
  forward(nEvents: number, nParticles: number): number {
    this.pass(0, nEvents, nParticles, this.particlesPtr, this.offsetsPtr);
    return this.logitsPtr;
  }

  /**
   * The forward pass of events [e0, e0 + nEvents), whose `nParticles` particles start at
   * `particlesPtr` with offsets (from that particle) at `offsetsPtr`: Φ's activations from
   * the buffers' first rows, the pooled latent into F's input rows from e0, the logits
   * into the logits from e0.
   */
  private pass(e0: number, nEvents: number, nParticles: number, particlesPtr: number, offsetsPtr: number): void {
    const { k, phiDims, fDims } = this;
    let input = particlesPtr;
    for (let l = 0; l + 1 < phiDims.length; l++) {
      const w = this.paramsPtr + this.layerOffsets[l];
      const a = this.phiAct[l];
      // after the first layer the input is a ReLU output: the product skips its zeros
      const list = l > 0 ? this.listPtr : 0;
      k.dense_relu_forward_f32(
        input,
        w,
        w + phiDims[l] * phiDims[l + 1] * 4,
        a,
        nParticles,
        phiDims[l],
        phiDims[l + 1],
        list,
      );
      input = a;
    }
    const fIn = this.fInPtr + 4 * e0 * fDims[0];
    k.segment_sum_f32(input, offsetsPtr, nEvents, this.latent, fIn, fDims[0]);
    input = fIn;
    const nPhi = phiDims.length - 1;
    for (let l = 0; l + 1 < fDims.length; l++) {
      const w = this.paramsPtr + this.layerOffsets[nPhi + l];
      const b = w + fDims[l] * fDims[l + 1] * 4;
      if (l + 2 < fDims.length) {
        const list = l > 0 ? this.listPtr : 0;
        k.dense_relu_forward_f32(input, w, b, this.fAct[l], nEvents, fDims[l], fDims[l + 1], list);
        input = this.fAct[l];
      } else k.dense_forward_f32(input, w, b, this.logitsPtr + 4 * e0, nEvents, fDims[l], fDims[l + 1]);
    }
  }

  /**
   * Forward, weighted BCE (labels and weights in place) and backward into the gradients:
   * grads = ∂(lossScale·Σ w·BCE)/∂params; returns Σ w·BCE (f64, in event order). With
   * `extraPtr` (f64 [nEvents], e.g. a decorrelation penalty's ∂/∂logit) each event's
   * output gradient is lossScale·w·(σ − y) + extra, rounded to f32 once (asm/bce_loss_f32.ts).
   */
  gradient(nEvents: number, nParticles: number, lossScale: number, extraPtr = 0): number {
    const offsets = this.arena.u32(this.offsetsPtr, nEvents + 1);
    if (offsets[nEvents] !== nParticles)
      throw new InputError(`pfn: a batch's offsets must end at its ${nParticles} particles; got ${offsets[nEvents]}`);
    return this.gradientBlock(0, nEvents, lossScale, extraPtr, this.gradsPtr);
  }

  /**
   * The logits of the events [e0, e1) of the batch in place alone, into the logits from e0:
   * the same bits as a forward pass of the whole batch gives them (each event's logit
   * depends on that event alone).
   */
  forwardBlock(e0: number, e1: number): void {
    this.blockPass(e0, e1);
  }

  /** The forward pass of events [e0, e1) from their first particle; returns where their particles start, and how many. */
  private blockPass(e0: number, e1: number): { particles: number; nParticles: number } {
    const nEvents = e1 - e0;
    // the block's offsets from its first particle: the pooling reads its particles alone
    const offsets = this.arena.u32(this.offsetsPtr, e1 + 1);
    const p0 = offsets[e0];
    const nParticles = offsets[e1] - p0;
    const blockOffsets = this.arena.u32(this.blockOffsetsPtr, nEvents + 1);
    for (let i = 0; i <= nEvents; i++) blockOffsets[i] = offsets[e0 + i] - p0;
    const particles = this.particlesPtr + 4 * p0 * this.phiDims[0];
    this.pass(e0, nEvents, nParticles, particles, this.blockOffsetsPtr);
    return { particles, nParticles };
  }

  /**
   * {@link gradient} of the events [e0, e1) of the batch in place alone, into the f32
   * [nParams] at `gradsPtr` (the workspace's gradients or a block's slot), from zero:
   * a pure function of those events and the parameters, whichever block of a minibatch
   * they are. `extraPtr` (0: none) holds those events' extra ∂/∂logit from its start.
   */
  gradientBlock(e0: number, e1: number, lossScale: number, extraPtr: number, gradsPtr: number): number {
    const { k, phiDims, fDims } = this;
    const nEvents = e1 - e0;
    const { particles, nParticles } = this.blockPass(e0, e1);
    let [delta, other] = this.fDelta;
    const loss = k.bce_loss_f32(
      this.logitsPtr + 4 * e0,
      this.yPtr + 4 * e0,
      this.wPtr + 8 * e0,
      nEvents,
      lossScale,
      delta,
      0,
      extraPtr,
    );
    const nPhi = phiDims.length - 1;
    const { scratchPtr, listPtr, transPtr } = this;
    const fIn = this.fInPtr + 4 * e0 * fDims[0];
    for (let l = fDims.length - 2; l >= 0; l--) {
      const off = this.layerOffsets[nPhi + l];
      const nIn = fDims[l];
      const nOut = fDims[l + 1];
      // F's first layer reads [pooled ‖ event features]: its input gradient is not masked
      const input = l === 0 ? fIn : this.fAct[l - 1];
      const dw = gradsPtr + off;
      const reluInput = l > 0 ? 1 : 0;
      k.dense_relu_backward_f32(
        input,
        this.paramsPtr + off,
        delta,
        nEvents,
        nIn,
        nOut,
        other,
        dw,
        dw + nIn * nOut * 4,
        reluInput,
        scratchPtr,
        listPtr,
        transPtr,
      );
      [delta, other] = [other, delta];
    }
    // delta: ∂/∂(F's input); its first `latent` columns go back through the pooling to
    // every particle, then through Φ's last ReLU
    const [d0, d1] = this.phiDelta;
    let pd = d0;
    let po = d1;
    k.segment_broadcast_f32(delta, fDims[0], this.blockOffsetsPtr, nEvents, this.latent, pd);
    k.relu_backward_f32(this.phiAct[nPhi - 1], pd, nParticles * this.latent, pd);
    for (let l = nPhi - 1; l >= 0; l--) {
      const off = this.layerOffsets[l];
      const nIn = phiDims[l];
      const nOut = phiDims[l + 1];
      const input = l === 0 ? particles : this.phiAct[l - 1];
      const dw = gradsPtr + off;
      const dx = l === 0 ? 0 : po;
      const reluInput = l > 0 ? 1 : 0;
      k.dense_relu_backward_f32(
        input,
        this.paramsPtr + off,
        pd,
        nParticles,
        nIn,
        nOut,
        dx,
        dw,
        dw + nIn * nOut * 4,
        reluInput,
        scratchPtr,
        listPtr,
        transPtr,
      );
      [pd, po] = [po, pd];
    }
    return loss;
  }

  /** One Adam step on the gradients of {@link gradient}. */
  adam(s: AdamScalars): void {
    this.k.adam_step_f32(
      this.paramsPtr,
      this.gradsPtr,
      this.adamMPtr,
      this.adamVPtr,
      this.nParams,
      s.lr,
      s.beta1,
      s.beta2,
      s.eps,
      s.bc1,
      s.bc2,
    );
  }

  /** Σ w·BCE of the events in place (validation), continuing `init`. */
  loss(nEvents: number, nParticles: number, init: number): number {
    this.forward(nEvents, nParticles);
    return this.lossOfLogits(nEvents, init);
  }

  /** Σ w·BCE of the logits in place (after a forward pass of the events), continuing `init`. */
  lossOfLogits(nEvents: number, init: number): number {
    return this.k.bce_loss_f32(this.logitsPtr, this.yPtr, this.wPtr, nEvents, 0, 0, init, 0);
  }
}
