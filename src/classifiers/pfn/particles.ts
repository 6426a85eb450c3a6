/**
 * The PFN's inputs: the checks of a class's particle sets, the standardisers of particle
 * and event features, and the gatherer that copies a batch of events (particles, offsets,
 * event features, labels, weights) into a {@link PfnWorkspace}.
 */
import { InputError } from '../../base/errors.js';
import type { FeatureMatrix, ParticleSets } from '../../base/features.js';
import type { PfnWorkspace } from '../../kernels/pfn_workspace.js';
import type { Arena } from '../../kernels/wasm.js';
import { loadStandardiser, type StandardiseRows, type Standardiser } from '../mlp/standardiser.js';

/** `x`'s particle sets without its event-level features (a matrix of 0 event features). */
export function particlesOnly(x: FeatureMatrix): FeatureMatrix {
  if (x.nFeatures === 0) return x;
  const only: FeatureMatrix = { values: new Float32Array(0), nEvents: x.nEvents, nFeatures: 0 };
  return x.particles === undefined ? only : { ...only, particles: x.particles };
}

/** The particle sets of `x`, checked (one-line InputError naming `who` and `name`): present and consistent. */
export function particlesOf(who: string, name: string, x: FeatureMatrix): ParticleSets {
  const sets = x.particles;
  if (sets === undefined)
    throw new InputError(
      `${who}: ${name} must carry per-event particle sets (FeatureMatrix.particles); got event features only (${x.nFeatures} per event)`,
    );
  const { offsets, values, nFeatures } = sets;
  if (!Number.isInteger(nFeatures) || nFeatures < 1)
    throw new InputError(`${who}: ${name} particles must have at least one feature each; got ${nFeatures}`);
  if (offsets.length !== x.nEvents + 1 || offsets[0] !== 0)
    throw new InputError(
      `${who}: ${name} particle offsets must hold nEvents + 1 = ${x.nEvents + 1} entries from 0; got ${offsets.length} from ${offsets[0]}`,
    );
  for (let i = 0; i < x.nEvents; i++) {
    if (offsets[i + 1] < offsets[i])
      throw new InputError(
        `${who}: ${name} particle offsets must be non-decreasing; got ${offsets[i + 1]} after ${offsets[i]} at event ${i}`,
      );
  }
  if (values.length !== offsets[x.nEvents] * nFeatures)
    throw new InputError(
      `${who}: ${name} particle values must hold ${offsets[x.nEvents]} particles × ${nFeatures} features; got ${values.length}`,
    );
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k]))
      throw new InputError(
        `${who}: ${name} particle features must be finite; got ${values[k]} at particle ${Math.floor(k / nFeatures)}, feature ${k % nFeatures}`,
      );
  }
  return sets;
}

/**
 * Location and scale of `nFeatures` columns over the rows that `forEachRow` visits (in its
 * order): mean and standard deviation in f64, two passes, a fixed order; a column without
 * spread gets scale 1.
 */
export function measureColumns(
  nFeatures: number,
  forEachRow: (visit: (values: Float32Array, row: number) => void) => void,
): Standardiser {
  const mean = new Float64Array(nFeatures);
  const scale = new Float64Array(nFeatures);
  let count = 0;
  forEachRow((values, row) => {
    for (let f = 0; f < nFeatures; f++) mean[f] += values[row * nFeatures + f];
    count++;
  });
  for (let f = 0; f < nFeatures; f++) mean[f] /= Math.max(count, 1);
  forEachRow((values, row) => {
    for (let f = 0; f < nFeatures; f++) {
      const d = values[row * nFeatures + f] - mean[f];
      scale[f] += d * d;
    }
  });
  for (let f = 0; f < nFeatures; f++) {
    const sd = Math.sqrt(scale[f] / Math.max(count, 1)); // IEEE sqrt: correctly rounded everywhere
    scale[f] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { mean, scale };
}

/** The two standardisers of a PFN: per particle feature, and per event feature (empty when there are none). */
export interface PfnStandardisers {
  particle: Standardiser;
  event: Standardiser;
}

/**
 * Copies batches of events into a workspace: particles (standardised in wasm), offsets
 * from 0, event features (standardised in wasm, then placed after the latent columns of
 * F's input) and, for training, labels and weights.
 */
export class BatchGatherer {
  private readonly standardiseParticles: StandardiseRows;
  private readonly standardiseEvents: StandardiseRows | undefined;
  private readonly eventScratchPtr: number;
  readonly nParticleFeatures: number;
  readonly nEventFeatures: number;

  constructor(
    arena: Arena,
    private readonly ws: PfnWorkspace,
    std: Readonly<PfnStandardisers>,
  ) {
    this.nParticleFeatures = std.particle.mean.length;
    this.nEventFeatures = std.event.mean.length;
    this.standardiseParticles = loadStandardiser(arena, std.particle);
    this.standardiseEvents = this.nEventFeatures > 0 ? loadStandardiser(arena, std.event) : undefined;
    this.eventScratchPtr = arena.allocF32(Math.max(ws.maxEvents * this.nEventFeatures, 1));
  }

  /**
   * Gathers `count` events, event r being row `row(r)` of `matrix(r)`; with `label`, also
   * its label and training weight. Returns the batch's particle count.
   */
  gather(
    count: number,
    matrix: (r: number) => FeatureMatrix,
    row: (r: number) => number,
    label?: (r: number) => { y: number; w: number },
  ): number {
    const { ws, nParticleFeatures: nP, nEventFeatures: nF } = this;
    const arena = ws.arena;
    const offsets = arena.u32(ws.offsetsPtr, count + 1);
    const particles = arena.f32(ws.particlesPtr, Math.max(ws.maxParticles, 1) * nP);
    const events = arena.f32(this.eventScratchPtr, count * nF);
    const y = arena.f32(ws.yPtr, count);
    const w = arena.f64(ws.wPtr, count);
    let n = 0;
    offsets[0] = 0;
    for (let r = 0; r < count; r++) {
      const x = matrix(r);
      const i = row(r);
      const sets = x.particles as ParticleSets;
      const p0 = sets.offsets[i];
      const p1 = sets.offsets[i + 1];
      if (n + p1 - p0 > ws.maxParticles)
        throw new InputError(`pfn: a batch must hold at most ${ws.maxParticles} particles; got more at event ${i}`);
      particles.set(sets.values.subarray(p0 * nP, p1 * nP), n * nP);
      n += p1 - p0;
      offsets[r + 1] = n;
      if (nF > 0) events.set(x.values.subarray(i * nF, (i + 1) * nF), r * nF);
      if (label !== undefined) {
        const l = label(r);
        y[r] = l.y;
        w[r] = l.w;
      }
    }
    if (n > 0) this.standardiseParticles(ws.particlesPtr, n);
    if (nF > 0) {
      (this.standardiseEvents as StandardiseRows)(this.eventScratchPtr, count);
      const ld = ws.fDims[0];
      const fIn = arena.f32(ws.fInPtr, count * ld);
      const std = arena.f32(this.eventScratchPtr, count * nF);
      for (let r = 0; r < count; r++) fIn.set(std.subarray(r * nF, (r + 1) * nF), r * ld + ws.latent);
    }
    return n;
  }
}

/** Multiplicity of event i of `x`. */
export function multiplicity(x: FeatureMatrix, i: number): number {
  const offsets = (x.particles as ParticleSets).offsets;
  return offsets[i + 1] - offsets[i];
}

/**
 * The most particles any `batch` events of `xs` hold together: the sum of the `batch`
 * largest multiplicities, from a histogram of the multiplicities (linear in the events).
 */
export function batchParticleBound(xs: readonly FeatureMatrix[], batch: number): number {
  let largest = 0;
  for (const x of xs) for (let i = 0; i < x.nEvents; i++) largest = Math.max(largest, multiplicity(x, i));
  const events = new Float64Array(largest + 1);
  for (const x of xs) for (let i = 0; i < x.nEvents; i++) events[multiplicity(x, i)]++;
  let sum = 0;
  let left = batch;
  for (let m = largest; m > 0 && left > 0; m--) {
    const take = Math.min(left, events[m]);
    sum += take * m;
    left -= take;
  }
  return sum;
}
