/**
 * Builds a {@link Classifier} from its plain-data spec, in any thread.
 */
import { BinnedClassifier } from './binned.js';
import type { Classifier, ClassifierSpec } from './classifier.js';
import { describeValue, InputError } from '../base/errors.js';
import { MlpClassifier } from './mlp/classifier.js';

/** `{ type: 'binned', edges }` → BinnedClassifier; `{ type: 'mlp', ...options }` → MlpClassifier. */
export function createClassifier(spec: ClassifierSpec): Classifier {
  switch (spec?.type) {
    case 'binned':
      return new BinnedClassifier(spec);
    case 'mlp': {
      const { type: _type, ...options } = spec;
      return new MlpClassifier(options);
    }
    default:
      throw new InputError(`classifier.type must be one of mlp, binned; got ${describeValue((spec as { type?: unknown } | undefined)?.type)}`);
  }
}
