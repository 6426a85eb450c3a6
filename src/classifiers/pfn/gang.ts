/**
 * The PFN's gang (the shared memory of one fit that several threads share, see
 * src/classifiers/gang.ts): the parameters, a minibatch's particle offsets, standardised
 * particles and event features, labels, weights and extra ∂/∂logit, each block's
 * gradient slot and loss, and the logits of a forward pass's blocks. Its shape words are the fit's particle and event feature counts
 * and its bounds on the particles of a minibatch and of a block, which the fit's inputs
 * decide.
 */
import type { FeatureMatrix } from '../../base/features.js';
import { pfnParameterCount } from '../../kernels/pfn_workspace.js';
import { createGang, gangShape, GangRegions, GangSync } from '../gang.js';
import { pfnDims, type PfnOptions } from './options.js';
import { batchParticleBound } from './particles.js';

/** What a PFN gang holds: its network and the most a minibatch and a block can carry. */
export interface PfnGangShape {
  phiDims: readonly number[];
  fDims: readonly number[];
  /** Events of a minibatch, and blocks of one. */
  batchEvents: number;
  maxBlocks: number;
  /** The most particles of a minibatch, and of a block. */
  batchParticles: number;
  blockParticles: number;
}

/** Event features F reads besides the pooled latent: the matrix's, or none with eventFeatures false. */
function pfnEventFeatures(spec: Pick<PfnOptions, 'eventFeatures'>, x: FeatureMatrix): number {
  return spec.eventFeatures ? x.nFeatures : 0;
}

/** Events of the largest block of a minibatch of `batch` events in `blocks` blocks. */
export function largestBlock(batch: number, blocks: number): number {
  return Math.ceil(batch / Math.min(blocks, batch));
}

/** The gang shape of a fit of `spec` on classes `x0` and `x1` (both with particle sets). */
export function pfnGangShape(spec: PfnOptions, x0: FeatureMatrix, x1: FeatureMatrix): PfnGangShape {
  const { phiDims, fDims } = pfnDims(spec, x0.particles!.nFeatures, pfnEventFeatures(spec, x0));
  const batchEvents = spec.batchSize;
  return {
    phiDims,
    fDims,
    batchEvents,
    maxBlocks: spec.gradientBlocks,
    batchParticles: batchParticleBound([x0, x1], batchEvents),
    blockParticles: batchParticleBound([x0, x1], largestBlock(batchEvents, spec.gradientBlocks)),
  };
}

interface GangLayout {
  nParams: number;
  claims: number;
  lossScale: number;
  params: number;
  offsets: number;
  particles: number;
  events: number;
  y: number;
  w: number;
  extra: number;
  slots: number;
  losses: number;
  logits: number;
  bytes: number;
}

function layout(shape: PfnGangShape): GangLayout {
  const { phiDims, fDims, batchEvents: n, maxBlocks } = shape;
  const nParams = pfnParameterCount(phiDims, fDims);
  const at = new GangRegions();
  const claims = at.take(4 * maxBlocks);
  const lossScale = at.take(8);
  const params = at.take(4 * nParams);
  const offsets = at.take(4 * (n + 1));
  const particles = at.take(4 * shape.batchParticles * phiDims[0]);
  const events = at.take(4 * n * nEventFeatures(shape));
  const y = at.take(4 * n);
  const w = at.take(8 * n);
  const extra = at.take(8 * n);
  const slots = at.take(4 * maxBlocks * nParams);
  const losses = at.take(8 * maxBlocks);
  const logits = at.take(4 * n);
  return {
    nParams,
    claims,
    lossScale,
    params,
    offsets,
    particles,
    events,
    y,
    w,
    extra,
    slots,
    losses,
    logits,
    bytes: at.bytes,
  };
}

function nEventFeatures(shape: PfnGangShape): number {
  return shape.fDims[0] - shape.phiDims[shape.phiDims.length - 1];
}

/** A new gang for a PFN fit of this shape, its inputs' shape recorded. */
export function createPfnGang(shape: PfnGangShape): SharedArrayBuffer {
  const words = [shape.phiDims[0], nEventFeatures(shape), shape.batchParticles, shape.blockParticles];
  return createGang(layout(shape).bytes, words);
}

/** The shape a PFN gang records, for a fit of `spec`. */
export function recordedPfnShape(spec: PfnOptions, buffer: SharedArrayBuffer): PfnGangShape {
  const [nP, nF, batchParticles, blockParticles] = gangShape(buffer);
  return {
    ...pfnDims(spec, nP, nF),
    batchEvents: spec.batchSize,
    maxBlocks: spec.gradientBlocks,
    batchParticles,
    blockParticles,
  };
}

/** Whether two gang shapes describe the same fit. */
export function sameShape(a: PfnGangShape, b: PfnGangShape): boolean {
  const same = (u: readonly number[], v: readonly number[]) => u.length === v.length && u.every((x, i) => x === v[i]);
  return (
    same(a.phiDims, b.phiDims) &&
    same(a.fDims, b.fDims) &&
    a.batchEvents === b.batchEvents &&
    a.maxBlocks === b.maxBlocks &&
    a.batchParticles === b.batchParticles &&
    a.blockParticles === b.blockParticles
  );
}

/** Typed views of a PFN gang's buffer. */
export class PfnGangViews extends GangSync {
  readonly nParams: number;
  readonly nEventFeatures: number;
  readonly lossScale: Float64Array;
  readonly params: Float32Array;
  /** u32 [batch + 1]: the minibatch's particle offsets, from 0. */
  readonly offsets: Uint32Array;
  /** f32 [batchParticles × nP]: its standardised particles. */
  readonly particles: Float32Array;
  /** f32 [batch × nF]: its standardised event features. */
  readonly events: Float32Array;
  readonly y: Float32Array;
  readonly w: Float64Array;
  /** f64 [batch]: each event's extra ∂/∂logit of a step that has one (GangStep.extra). */
  readonly extra: Float64Array;
  readonly slots: Float32Array;
  readonly losses: Float64Array;
  /** f32 [batch]: the logits of a forward pass's blocks that helpers computed. */
  readonly logits: Float32Array;

  constructor(
    buffer: SharedArrayBuffer,
    readonly shape: PfnGangShape,
  ) {
    const at = layout(shape);
    super(buffer, at.claims, shape.maxBlocks, at.bytes);
    const n = shape.batchEvents;
    this.nParams = at.nParams;
    this.nEventFeatures = nEventFeatures(shape);
    this.lossScale = new Float64Array(buffer, at.lossScale, 1);
    this.params = new Float32Array(buffer, at.params, at.nParams);
    this.offsets = new Uint32Array(buffer, at.offsets, n + 1);
    this.particles = new Float32Array(buffer, at.particles, shape.batchParticles * shape.phiDims[0]);
    this.events = new Float32Array(buffer, at.events, n * this.nEventFeatures);
    this.y = new Float32Array(buffer, at.y, n);
    this.w = new Float64Array(buffer, at.w, n);
    this.extra = new Float64Array(buffer, at.extra, n);
    this.slots = new Float32Array(buffer, at.slots, shape.maxBlocks * at.nParams);
    this.losses = new Float64Array(buffer, at.losses, shape.maxBlocks);
    this.logits = new Float32Array(buffer, at.logits, n);
  }
}
