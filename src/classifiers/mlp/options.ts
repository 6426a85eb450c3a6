/**
 * The MLP's options: one rule per option, read by `unfold()`'s option check
 * (src/algorithm/options.ts) and by the classifier itself (src/classifiers/mlp/classifier.ts), so the two can
 * never accept different values.
 */
import { fail, inRange, nonNegativeInt, oneOf, positiveInt } from '../../base/checks.js';
import type { MlpOptions } from '../classifier.js';
import { ACTIVATIONS } from '../../kernels/activation.js';

/** Each option's check: returns the value (a copy for arrays) or throws naming `path`. */
export const MLP_OPTION_RULES: { readonly [K in keyof MlpOptions]-?: (path: string, v: unknown) => MlpOptions[K] } = Object.freeze({
  hidden: (path: string, v: unknown) => {
    if (!Array.isArray(v) || v.length === 0) return fail(path, 'be a non-empty array of positive integers', v);
    return v.map((n, k) => positiveInt(`${path}[${k}]`, n));
  },
  activation: (path: string, v: unknown) => oneOf(path, v, ACTIVATIONS),
  epochs: positiveInt,
  batchSize: positiveInt,
  learningRate: (path: string, v: unknown) => inRange(path, v, 0, 1e6, false, true),
  beta1: (path: string, v: unknown) => inRange(path, v, 0, 1, true),
  beta2: (path: string, v: unknown) => inRange(path, v, 0, 1, true),
  adamEpsilon: (path: string, v: unknown) => inRange(path, v, 0, 1, false, true),
  validationFraction: (path: string, v: unknown) => inRange(path, v, 0, 1, true),
  patience: nonNegativeInt,
  schedule: (path: string, v: unknown) => oneOf(path, v, ['constant', 'cosine'] as const),
  residentMiB: (path: string, v: unknown) => inRange(path, v, 0, 4096, false),
});

/** The option names, in the order above. */
export const MLP_OPTION_KEYS = Object.freeze(Object.keys(MLP_OPTION_RULES)) as readonly (keyof MlpOptions)[];

/**
 * Checks the options present in `options` (undefined ones are skipped) under `path`
 * (e.g. `mlp` or `options.classifier`); returns the checked values.
 */
export function checkMlpOptions(path: string, options: Partial<Record<keyof MlpOptions, unknown>>): Partial<MlpOptions> {
  const out: Partial<Record<keyof MlpOptions, unknown>> = {};
  for (const key of MLP_OPTION_KEYS) {
    if (options[key] !== undefined) out[key] = MLP_OPTION_RULES[key](`${path}.${key}`, options[key]);
  }
  return out as Partial<MlpOptions>;
}
