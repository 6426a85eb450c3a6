/**
 * The MLP's options: their type, their defaults, and one rule per option, read by
 * `unfold()`'s option check (through the classifier registry) and by the classifier
 * itself, so the two can never accept different values.
 */
import { fail, inRange, nonNegativeInt, oneOf, positiveInt } from '../../base/checks.js';
import { describeValue, InputError } from '../../base/errors.js';
import { ACTIVATIONS, type Activation } from '../../kernels/activation.js';
import { DISCO_CLASSES, type DiscoClass } from '../../kernels/distance_corr_f64.js';

export { DISCO_CLASSES, type DiscoClass };

/** The most blocks a minibatch may be split into (mlp.gradientBlocks). */
export const MAX_GRADIENT_BLOCKS = 256;

/** Parameter initialisations: see `initialise` in ./training.ts. */
export const INITIALISATIONS = Object.freeze(['he', 'torch'] as const);

/** Learning-rate schedules over epochs. */
export const SCHEDULES = Object.freeze(['constant', 'cosine'] as const);

/** Options of the MLP classifier; every field has a default in {@link MLP_DEFAULTS}. */
export interface MlpOptions {
  /** Hidden layer widths, e.g. [50, 50, 50]. */
  hidden: number[];
  activation: Activation;
  /** Maximum number of epochs. */
  epochs: number;
  /** Minibatch size (events). */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Adam β1, β2, ε. */
  beta1: number;
  beta2: number;
  adamEpsilon: number;
  /** Fraction of events held out for validation and early stopping. */
  validationFraction: number;
  /** Epochs without validation improvement before stopping; 0 disables early stopping. */
  patience: number;
  /** Learning-rate schedule over epochs. */
  schedule: (typeof SCHEDULES)[number];
  /**
   * Initial parameters: `he` (He-uniform ReLU layers, Glorot-uniform otherwise, zero
   * biases) or `torch` (PyTorch's nn.Linear default: weights and biases uniform in
   * ±1/√fan_in, so the first logits are near 0 and the first loss near ln 2).
   */
  init: (typeof INITIALISATIONS)[number];
  /**
   * Blocks of rows each minibatch is split into: each block's gradient is computed on its
   * own (on any thread) and the blocks are summed in block order, so the weights are the
   * same for any thread count. More blocks let more threads share one fit; 1 sums the
   * gradient over all rows in order, as weights files without this option were trained.
   */
  gradientBlocks: number;
  /**
   * Memory, not physics: a fit whose events take at most this many MiB (4 bytes per
   * feature and 8 per event) copies them once into its thread's wasm memory and gathers
   * minibatches there; a larger one gathers each minibatch from the caller's arrays, which
   * pool workers share without copies. The weights are bit-identical either way; resident
   * is faster (about 5 % per fit at 3×50). Each pool worker holds its own copy, so the
   * default (16) adds at most 16 MiB per thread. 0 never copies.
   */
  residentMiB: number;
  /**
   * Decorrelation (DisCo, docs/algorithm.md "Decorrelation"): the index of the input
   * feature v (a column of the classifier's rows) whose distance correlation with the
   * output σ(logit) is penalised. Absent: no penalty. Given together with discoLambda.
   */
  decorrelate?: number;
  /** The penalty's weight λ ≥ 0 (finite): each step minimises mean BCE + λ·dCorr²(σ(logit), v). */
  discoLambda?: number;
  /**
   * Which events the penalty's distance correlation is taken over ({@link DiscoClass}).
   * Absent: 'pooled'. Given only with decorrelate.
   */
  discoClass?: DiscoClass;
}

/** Plain-data spec of an MLP classifier with every option resolved. */
export type MlpSpec = { type: 'mlp' } & MlpOptions;

/** MLP classifier defaults (the 3×50 ReLU network of the OmniFold paper's Gaussian example). */
export const MLP_DEFAULTS: Readonly<MlpOptions> = Object.freeze({
  hidden: Object.freeze([50, 50, 50]) as unknown as number[],
  activation: 'relu',
  epochs: 30,
  batchSize: 256,
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  adamEpsilon: 1e-7,
  validationFraction: 0.2,
  patience: 5,
  schedule: 'constant',
  init: 'he',
  gradientBlocks: 8,
  residentMiB: 16,
});

/** Each option's check: returns the value (a copy for arrays) or throws naming `path`. */
export const MLP_OPTION_RULES: { readonly [K in keyof MlpOptions]-?: (path: string, v: unknown) => MlpOptions[K] } =
  Object.freeze({
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
    schedule: (path: string, v: unknown) => oneOf(path, v, SCHEDULES),
    init: (path: string, v: unknown) => oneOf(path, v, INITIALISATIONS),
    gradientBlocks: (path: string, v: unknown) =>
      Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_GRADIENT_BLOCKS
        ? (v as number)
        : fail(path, `be an integer in [1, ${MAX_GRADIENT_BLOCKS}]`, v),
    residentMiB: (path: string, v: unknown) => inRange(path, v, 0, 4096, false),
    decorrelate: nonNegativeInt,
    discoLambda: (path: string, v: unknown) =>
      typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(path, 'be a finite number >= 0', v),
    discoClass: (path: string, v: unknown) =>
      DISCO_CLASSES.includes(v as DiscoClass) ? (v as DiscoClass) : fail(path, "be one of 'pooled', 'each', 0, 1", v),
  });

/** The option names, in the order above. */
export const MLP_OPTION_KEYS = Object.freeze(Object.keys(MLP_OPTION_RULES)) as readonly (keyof MlpOptions)[];

/**
 * Checks the options present in `options` (undefined ones are skipped) under `path`
 * (e.g. `mlp` or `options.classifier`); returns the checked values. `decorrelate` and
 * `discoLambda` come together or not at all, and `discoClass` only with them.
 */
export function checkMlpOptions(
  path: string,
  options: Partial<Record<keyof MlpOptions, unknown>>,
): Partial<MlpOptions> {
  const out: Partial<Record<keyof MlpOptions, unknown>> = {};
  for (const key of MLP_OPTION_KEYS) {
    if (options[key] !== undefined) out[key] = MLP_OPTION_RULES[key](`${path}.${key}`, options[key]);
  }
  checkDiscoOptions(path, out);
  return out as Partial<MlpOptions>;
}

/**
 * The decorrelation options of checked options `out` (any kind that takes them):
 * `decorrelate` and `discoLambda` come together or not at all, and `discoClass` only with
 * them.
 */
export function checkDiscoOptions(path: string, out: Partial<Record<string, unknown>>): void {
  if ((out.decorrelate === undefined) !== (out.discoLambda === undefined)) {
    const [given, missing] =
      out.decorrelate === undefined ? ['discoLambda', 'decorrelate'] : ['decorrelate', 'discoLambda'];
    fail(`${path}.${missing}`, `be given with ${path}.${given}`, undefined);
  }
  if (out.discoClass !== undefined && out.decorrelate === undefined)
    fail(`${path}.decorrelate`, `be given with ${path}.discoClass`, undefined);
}

/**
 * Checks `mlp.decorrelate` against the classifier's input width (known when it fits):
 * the index of a feature, below `nFeatures`.
 */
export function checkDecorrelateIndex(path: string, decorrelate: number | undefined, nFeatures: number): void {
  if (decorrelate !== undefined && decorrelate >= nFeatures)
    fail(`${path}.decorrelate`, `be the index of an input feature, in [0, ${nFeatures - 1}]`, decorrelate);
}

/** Validates and resolves MLP options against {@link MLP_DEFAULTS} (InputError naming `mlp.<option>`). */
export function resolveMlpOptions(options: Partial<MlpOptions>): MlpOptions {
  if (options === null || typeof options !== 'object')
    throw new InputError(`mlp options must be an object; got ${describeValue(options)}`);
  return { ...MLP_DEFAULTS, ...checkMlpOptions('mlp', { ...MLP_DEFAULTS, ...options }) };
}
