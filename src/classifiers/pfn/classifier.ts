/**
 * PfnClassifier: a Particle Flow Network (Deep Sets; Komiske, Metodiev, Thaler,
 * arXiv:1810.05165) on variable-length particle sets. A per-particle network Φ (dense
 * ReLU layers of widths `phi`, ReLU on the last one too) maps every particle to a latent
 * vector; the vectors of an event are summed (an event without particles pools to zeros);
 * an event network F (dense ReLU layers of widths `f`, then one logit) reads
 * [pooled latent ‖ event features] (the pooled latent alone with `eventFeatures: false`). Trained like the MLP: weighted binary cross-entropy
 * with both classes rescaled to equal totals, minibatch Adam, a seeded validation split
 * with early stopping; ratio f/(1−f)·S1/S0 with the likelihood-ratio kernel's clipping.
 * Particle and event features are standardised inside the model.
 *
 * The parts: options.ts (options, defaults, rules), particles.ts (checks, standardisers,
 * batch gathering), training.ts (epochs, Adam, early stopping), trained.ts (the trained
 * model), kind.ts (the registry entry and CLI flags); the passes are
 * src/kernels/pfn_workspace.ts.
 */
import { InputError } from '../../base/errors.js';
import { column, type FeatureMatrix } from '../../base/features.js';
import { checkDecorrelateIndex } from '../mlp/options.js';
import type { Classifier, FitContext, TrainedClassifier } from '../classifier.js';
import { resolvePfnOptions, type PfnOptions, type PfnSpec } from './options.js';
import { particlesOf, particlesOnly } from './particles.js';
import { trainPfn } from './training.js';

/**
 * A PFN classifier type; `fit` trains one network on events that carry particle sets
 * (`FeatureMatrix.particles`). Options default to `PFN_DEFAULTS`.
 *
 * @example
 * const pfn = new PfnClassifier({ phi: [64, 64], f: [64], epochs: 10 });
 * const model = pfn.fit(x0, w0, x1, w1, { rngKey });   // x: FeatureMatrix with particles
 * model.ratio(x, { epsilon: 1e-6, wMax: 100 });
 */
export class PfnClassifier implements Classifier {
  readonly spec: PfnSpec;

  /** @param options overrides of `PFN_DEFAULTS`; validated here (InputError). */
  constructor(options: Partial<PfnOptions> = {}) {
    this.spec = { type: 'pfn', ...resolvePfnOptions(options) };
  }

  fit(
    x0: FeatureMatrix,
    w0: Float64Array,
    x1: FeatureMatrix,
    w1: Float64Array,
    context: FitContext,
  ): TrainedClassifier {
    const p0 = particlesOf('pfn.fit', 'class 0', x0);
    const p1 = particlesOf('pfn.fit', 'class 1', x1);
    if (p0.nFeatures !== p1.nFeatures)
      throw new InputError(
        `pfn.fit: both classes' particles must have the same number of features; got ${p0.nFeatures} and ${p1.nFeatures}`,
      );
    if (x0.nFeatures !== x1.nFeatures)
      throw new InputError(
        `pfn.fit: both classes must have the same number of event features; got ${x0.nFeatures} and ${x1.nFeatures}`,
      );
    const sumW0 = checkClass('class 0', x0, w0);
    const sumW1 = checkClass('class 1', x1, w1);
    // the decorrelation variable is an event feature, read even when F does not read them
    const k = this.spec.decorrelate;
    checkDecorrelateIndex('pfn', k, x0.nFeatures);
    const variable = k === undefined ? {} : { v0: column(x0, k), v1: column(x1, k) };
    const events = this.spec.eventFeatures ? { x0, x1 } : { x0: particlesOnly(x0), x1: particlesOnly(x1) };
    return trainPfn(this.spec, { ...events, w0, w1, ...variable }, sumW0, sumW1, context);
  }
}

/** Checks one class's weights and event features; returns its total weight S. */
function checkClass(name: string, x: FeatureMatrix, w: Float64Array): number {
  if (w.length !== x.nEvents)
    throw new InputError(
      `pfn.fit: ${name} weights must have one entry per event; got ${w.length} for ${x.nEvents} events`,
    );
  if (x.nEvents === 0) throw new InputError(`pfn.fit: ${name} must hold at least one event; got 0`);
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i]))
      throw new InputError(`pfn.fit: ${name} weights must be finite; got ${w[i]} at event ${i}`);
    sum += w[i];
  }
  if (!(sum > 0)) throw new InputError(`pfn.fit: ${name} total weight must be positive; got ${sum}`);
  const bad = x.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new InputError(
      `pfn.fit: ${name} event features must be finite; got ${x.values[bad]} at event ${Math.floor(bad / x.nFeatures)}`,
    );
  return sum;
}
