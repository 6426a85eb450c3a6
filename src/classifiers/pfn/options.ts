/**
 * The PFN's options: their type, their defaults, and one rule per option, read by
 * `unfold()`'s option check (through the classifier registry) and by the classifier
 * itself. Options shared with the MLP keep its names, rules and defaults.
 */
import { fail, positiveInt } from '../../base/checks.js';
import { describeValue, InputError } from '../../base/errors.js';
import { checkDiscoOptions, MLP_DEFAULTS, MLP_OPTION_RULES, type MlpOptions } from '../mlp/options.js';

/** Options of the PFN classifier; every field has a default in {@link PFN_DEFAULTS}. */
export interface PfnOptions extends Pick<
  MlpOptions,
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'beta1'
  | 'beta2'
  | 'adamEpsilon'
  | 'validationFraction'
  | 'patience'
  | 'schedule'
  | 'init'
  | 'decorrelate'
  | 'discoLambda'
  | 'discoClass'
  | 'gradientBlocks'
> {
  /** Widths of the per-particle network Φ (ReLU on every layer); the last one is the latent size. */
  phi: number[];
  /** Hidden widths of the event network F (ReLU), before its one logit. */
  f: number[];
  /**
   * Whether F also reads the event-level features beside the pooled latent vector (default
   * true). With false the network sees the particles only, and the event-level features
   * stay observables for the summary and histograms (e.g. particle-level unfolding
   * compared with unfolding those observables).
   */
  eventFeatures: boolean;
}

/** Plain-data spec of a PFN classifier with every option resolved. */
export type PfnSpec = { type: 'pfn' } & PfnOptions;

/** PFN defaults: Φ 100,100,128 and F 100,100 as in the PFN paper (arXiv:1810.05165); training as the MLP's. */
export const PFN_DEFAULTS: Readonly<PfnOptions> = Object.freeze({
  phi: Object.freeze([100, 100, 128]) as unknown as number[],
  f: Object.freeze([100, 100]) as unknown as number[],
  epochs: MLP_DEFAULTS.epochs,
  batchSize: MLP_DEFAULTS.batchSize,
  learningRate: MLP_DEFAULTS.learningRate,
  beta1: MLP_DEFAULTS.beta1,
  beta2: MLP_DEFAULTS.beta2,
  adamEpsilon: MLP_DEFAULTS.adamEpsilon,
  validationFraction: MLP_DEFAULTS.validationFraction,
  patience: MLP_DEFAULTS.patience,
  schedule: MLP_DEFAULTS.schedule,
  init: MLP_DEFAULTS.init,
  gradientBlocks: MLP_DEFAULTS.gradientBlocks,
  eventFeatures: true,
});

function widths(path: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) return fail(path, 'be a non-empty array of positive integers', v);
  return v.map((n, k) => positiveInt(`${path}[${k}]`, n));
}

/** Each option's check: returns the value (a copy for arrays) or throws naming `path`. */
export const PFN_OPTION_RULES: { readonly [K in keyof PfnOptions]-?: (path: string, v: unknown) => PfnOptions[K] } =
  Object.freeze({
    phi: widths,
    f: widths,
    epochs: MLP_OPTION_RULES.epochs,
    batchSize: MLP_OPTION_RULES.batchSize,
    learningRate: MLP_OPTION_RULES.learningRate,
    beta1: MLP_OPTION_RULES.beta1,
    beta2: MLP_OPTION_RULES.beta2,
    adamEpsilon: MLP_OPTION_RULES.adamEpsilon,
    validationFraction: MLP_OPTION_RULES.validationFraction,
    patience: MLP_OPTION_RULES.patience,
    schedule: MLP_OPTION_RULES.schedule,
    init: MLP_OPTION_RULES.init,
    decorrelate: MLP_OPTION_RULES.decorrelate,
    discoLambda: MLP_OPTION_RULES.discoLambda,
    discoClass: MLP_OPTION_RULES.discoClass,
    gradientBlocks: MLP_OPTION_RULES.gradientBlocks,
    eventFeatures: (path: string, v: unknown) => (typeof v === 'boolean' ? v : fail(path, 'be true or false', v)),
  });

/** The option names, in the order above. */
export const PFN_OPTION_KEYS = Object.freeze(Object.keys(PFN_OPTION_RULES)) as readonly (keyof PfnOptions)[];

/** Checks the options present in `options` (undefined ones are skipped) under `path`; returns the checked values. */
export function checkPfnOptions(
  path: string,
  options: Partial<Record<keyof PfnOptions, unknown>>,
): Partial<PfnOptions> {
  const out: Partial<Record<keyof PfnOptions, unknown>> = {};
  for (const key of PFN_OPTION_KEYS) {
    if (options[key] !== undefined) out[key] = PFN_OPTION_RULES[key](`${path}.${key}`, options[key]);
  }
  checkDiscoOptions(path, out);
  return out as Partial<PfnOptions>;
}

/** Validates and resolves PFN options against {@link PFN_DEFAULTS} (InputError naming `pfn.<option>`). */
export function resolvePfnOptions(options: Partial<PfnOptions>): PfnOptions {
  if (options === null || typeof options !== 'object')
    throw new InputError(`pfn options must be an object; got ${describeValue(options)}`);
  return { ...PFN_DEFAULTS, ...checkPfnOptions('pfn', { ...PFN_DEFAULTS, ...options }) };
}

/** Layer widths of a spec: Φ [nP, ...phi], F [latent + nF, ...f, 1]. */
export function pfnDims(spec: Pick<PfnOptions, 'phi' | 'f'>, nParticleFeatures: number, nEventFeatures: number) {
  const phiDims = [nParticleFeatures, ...spec.phi];
  const fDims = [spec.phi[spec.phi.length - 1] + nEventFeatures, ...spec.f, 1];
  return { phiDims, fDims };
}
