/**
 * A trained PFN: its parameters and standardisers, kept in JS, evaluated in wasm chunk by
 * chunk (src/kernels/pfn_workspace.ts forward, then asm/likelihood_ratio_f32.ts); right
 * after its fit, the fit's helper threads share each chunk's blocks (./block_step.ts).
 * Each event's ratio depends on that event alone, so neither chunks nor blocks change a bit.
 */
import { InputError } from '../../base/errors.js';
import type { FeatureMatrix } from '../../base/features.js';
import { checkRatioClip, likelihoodRatioF32InWasm } from '../../kernels/likelihood_ratio_f32.js';
import { pfnParameterCount, PfnWorkspace } from '../../kernels/pfn_workspace.js';
import { kernels } from '../../kernels/wasm.js';
import {
  modelArray,
  ratioOutput,
  restoredInfo,
  type FitInfo,
  type ModelData,
  type RatioClip,
  type RatioResult,
  type TrainedClassifier,
} from '../classifier.js';
import type { GangCoordinator } from '../gang.js';
import { forwardShared } from './block_step.js';
import type { PfnGangViews } from './gang.js';
import { BatchGatherer, multiplicity, particlesOf, particlesOnly, type PfnStandardisers } from './particles.js';

/** Events per forward chunk of `ratio()`. */
export const PFN_EVENT_CHUNK = 256;
/** Particles per forward chunk of `ratio()` (more when one event holds more). */
export const PFN_PARTICLE_CHUNK = 16384;

/** A trained PFN: parameters and standardisers kept in JS, evaluated in wasm chunk by chunk. */
export class TrainedPfn implements TrainedClassifier {
  constructor(
    readonly info: FitInfo,
    /** Φ widths [nParticleFeatures, ...phi] and F widths [latent + nEventFeatures, ...f, 1]. */
    readonly phiDims: readonly number[],
    readonly fDims: readonly number[],
    /** f32 [nParams]: Φ's layers, then F's, each W [in × out] then b [out]. */
    readonly params: Float32Array,
    readonly standardisers: Readonly<PfnStandardisers>,
    /** The helpers of the fit that trained it, still joined: they share the blocks of the ratios' forward passes. */
    private readonly helpers?: GangCoordinator<PfnGangViews>,
  ) {}

  /** A model trained on the particles only (no event features) reads the particles of `x` and ignores its event features. */
  ratio(events: FeatureMatrix, clip: RatioClip, into?: Float64Array): RatioResult {
    const x = this.standardisers.event.mean.length === 0 ? particlesOnly(events) : events;
    const sets = particlesOf('pfn.ratio', 'events', x);
    const nP = this.phiDims[0];
    const nF = this.standardisers.event.mean.length;
    if (sets.nFeatures !== nP)
      throw new InputError(`pfn.ratio: particles must have ${nP} features each; got ${sets.nFeatures}`);
    if (x.nFeatures !== nF)
      throw new InputError(`pfn.ratio: events must have ${nF} event features; got ${x.nFeatures}`);
    const s10 = this.info.sumW1 / this.info.sumW0;
    checkRatioClip(clip, s10);
    const out = ratioOutput(x, into);
    let largest = 0;
    for (let i = 0; i < x.nEvents; i++) largest = Math.max(largest, multiplicity(x, i));
    // with helpers, chunks of the gang's size (an event's logit does not depend on its chunk)
    const shape = this.helpers?.views.shape;
    const chunkParticles = shape?.batchParticles ?? PFN_PARTICLE_CHUNK;
    const maxParticles = Math.max(chunkParticles, largest);
    const maxEvents = Math.min(shape?.batchEvents ?? PFN_EVENT_CHUNK, Math.max(x.nEvents, 1));
    const mine = new Uint8Array(shape?.maxBlocks ?? 1);
    let nClipped = 0;
    const { arena } = kernels();
    const mark = arena.mark();
    try {
      const ws = new PfnWorkspace(arena, this.phiDims, this.fDims, maxEvents, maxParticles, false);
      ws.params().set(this.params);
      const gatherer = new BatchGatherer(arena, ws, this.standardisers);
      let start = 0;
      while (start < x.nEvents) {
        // as many events as fit both limits (at least one)
        let count = 0;
        let particles = 0;
        while (start + count < x.nEvents && count < maxEvents) {
          const m = multiplicity(x, start + count);
          if (count > 0 && particles + m > chunkParticles) break;
          particles += m;
          count++;
        }
        const s = start;
        const nParticles = gatherer.gather(
          count,
          () => x,
          (r) => s + r,
        );
        forwardShared(ws, this.helpers, count, nParticles, mine);
        nClipped += likelihoodRatioF32InWasm(ws.logitsPtr, count, clip, s10, ws.ratioPtr);
        out.set(arena.f64(ws.ratioPtr, count), start);
        start += count;
      }
    } finally {
      arena.release(mark);
    }
    return { ratio: out, nClipped };
  }

  /** Layer widths and class totals; the f32 parameters and the f64 standardisers. */
  toData(): ModelData {
    const { particle, event } = this.standardisers;
    return {
      type: 'pfn',
      fields: {
        phiDims: [...this.phiDims],
        fDims: [...this.fDims],
        sumW0: this.info.sumW0,
        sumW1: this.info.sumW1,
      },
      arrays: {
        params: this.params.slice(),
        particleMean: Float64Array.from(particle.mean),
        particleScale: Float64Array.from(particle.scale),
        ...(event.mean.length > 0
          ? { eventMean: Float64Array.from(event.mean), eventScale: Float64Array.from(event.scale) }
          : {}),
      },
    };
  }
}

function widths(path: string, name: string, v: unknown, lastOne: boolean): number[] {
  if (
    !Array.isArray(v) ||
    v.length < 2 ||
    !v.every((d) => Number.isInteger(d) && d >= 1) ||
    (lastOne && v[v.length - 1] !== 1)
  )
    throw new InputError(
      `${path}.fields.${name} must be positive integer layer widths${lastOne ? ' ending in 1' : ''}; got ${JSON.stringify(v)}`,
    );
  return v as number[];
}

/** A trained PFN from the data its `toData()` gave; `path` names it in errors. */
export function restorePfn(data: ModelData, path: string): TrainedPfn {
  const phiDims = widths(path, 'phiDims', data.fields.phiDims, false);
  const fDims = widths(path, 'fDims', data.fields.fDims, true);
  const latent = phiDims[phiDims.length - 1];
  const nF = fDims[0] - latent;
  if (nF < 0)
    throw new InputError(
      `${path}.fields.fDims[0] must be at least the latent width ${latent}; got ${JSON.stringify(fDims[0])}`,
    );
  const info = restoredInfo(data, path);
  const params = modelArray(data, path, 'params', Float32Array, pfnParameterCount(phiDims, fDims));
  const scaled = (meanName: string, scaleName: string, length: number) => {
    if (length === 0) return { mean: new Float64Array(0), scale: new Float64Array(0) };
    const mean = modelArray(data, path, meanName, Float64Array, length);
    const scale = modelArray(data, path, scaleName, Float64Array, length);
    const zero = scale.findIndex((v) => !(v > 0));
    if (zero >= 0) throw new InputError(`${path}.arrays.${scaleName} must be positive; got ${scale[zero]} at ${zero}`);
    return { mean, scale };
  };
  return new TrainedPfn(info, phiDims, fDims, params, {
    particle: scaled('particleMean', 'particleScale', phiDims[0]),
    event: scaled('eventMean', 'eventScale', nF),
  });
}
