/**
 * MlpClassifier: a multilayer perceptron (hidden layers with ReLU, SiLU or GELU, one logit
 * out) trained with minibatch Adam on weighted binary cross-entropy, entirely in the wasm
 * kernels. A fit's events are copied once into wasm memory and standardised there
 * (asm/standardise_rows_f32.ts) when they fit in mlp.residentMiB, and each minibatch is
 * gathered from them in wasm (asm/gather_rows_f32.ts); larger fits gather each minibatch
 * from the caller's arrays and standardise it in place. Each minibatch is trained by ONE
 * fused call, asm/mlp_train_step_f32.ts; validation and prediction run in fixed-size chunks.
 * Single-threaded inside one fit, and deterministic: the same `rngKey` gives bit-identical
 * parameters and ratios on any machine.
 *
 * The parts, one file each: options.ts (options, defaults, rules), events.ts (the two
 * classes as one index space), event_order.ts (split and per-epoch order), standardiser.ts,
 * gather.ts (minibatch rows, resident or shared), training.ts (Adam, epochs, early
 * stopping), trained.ts (the trained model), kind.ts (the registry entry and CLI flags).
 */
import { InputError } from '../../base/errors.js';
import type { FeatureMatrix } from '../../base/features.js';
import { type Classifier, type FitContext, type TrainedClassifier } from '../classifier.js';
import { Events } from './events.js';
import { checkDecorrelateIndex, resolveMlpOptions, type MlpOptions, type MlpSpec } from './options.js';
import { trainMlp } from './training.js';

/**
 * An MLP classifier type; `fit` trains one network. Options default to `MLP_DEFAULTS`
 * (3×50 ReLU, 30 epochs, batches of 256, Adam 1e-3, 20 % validation, patience 5).
 * Features are standardised inside the model (location and scale of the training sample),
 * so they can be given in natural units; weights may be negative, each class total must be
 * positive, and the ratio carries S1/S0.
 *
 * @example
 * const mlp = new MlpClassifier({ hidden: [32, 32], epochs: 8 });
 * const model = mlp.fit(x0, w0, x1, w1, { rngKey });   // x: FeatureMatrix, w: Float64Array
 * model.ratio(x, { epsilon: 1e-6, wMax: 100 });
 * // → { ratio: Float64Array [nEvents] ≈ p1(x)/p0(x)·S1/S0, nClipped: 0 }
 */
export class MlpClassifier implements Classifier {
  readonly spec: MlpSpec;

  /** @param options overrides of `MLP_DEFAULTS`; validated here (InputError). */
  constructor(options: Partial<MlpOptions> = {}) {
    const resolved = resolveMlpOptions(options);
    this.spec = { type: 'mlp', ...resolved };
  }

  fit(
    x0: FeatureMatrix,
    w0: Float64Array,
    x1: FeatureMatrix,
    w1: Float64Array,
    context: FitContext,
  ): TrainedClassifier {
    const sumW0 = checkClass('class 0', x0, w0);
    const sumW1 = checkClass('class 1', x1, w1);
    if (x0.nFeatures !== x1.nFeatures) {
      throw new InputError(
        `mlp.fit: both classes must have the same number of features; got ${x0.nFeatures} and ${x1.nFeatures}`,
      );
    }
    checkDecorrelateIndex('mlp', this.spec.decorrelate, x0.nFeatures);
    return trainMlp(this.spec, new Events(x0, x1, w0, w1), sumW0, sumW1, context);
  }
}

/** Checks one class's shapes and weights; returns its total weight S. */
function checkClass(name: string, x: FeatureMatrix, w: Float64Array): number {
  if (w.length !== x.nEvents)
    throw new InputError(
      `mlp.fit: ${name} weights must have one entry per event; got ${w.length} for ${x.nEvents} events`,
    );
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i]))
      throw new InputError(`mlp.fit: ${name} weights must be finite; got ${w[i]} at event ${i}`);
    sum += w[i];
  }
  if (!(sum > 0)) throw new InputError(`mlp.fit: ${name} total weight must be positive; got ${sum}`);
  const values = x.values;
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) {
      const event = Math.floor(k / x.nFeatures);
      throw new InputError(
        `mlp.fit: ${name} features must be finite; got ${values[k]} at event ${event}, feature ${k - event * x.nFeatures}`,
      );
    }
  }
  return sum;
}
