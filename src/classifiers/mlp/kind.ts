/**
 * The MLP's entry in the classifier registry: its spec check, its factory and the
 * `omnifold unfold` flags that set its options (help text with the defaults).
 */
import { knownKeys } from '../../base/checks.js';
import { describeValue, InputError } from '../../base/errors.js';
import { choiceFlag, fractionFlag, integerFlag, listFlag, orList, positiveNumberFlag } from '../../base/flag_values.js';
import { ACTIVATIONS } from '../../kernels/activation.js';
import type { ClassifierFlag, ClassifierInputs, ClassifierKind } from '../kind.js';
import { mlpGangShape } from './block_step.js';
import { MlpClassifier } from './classifier.js';
import type { FeatureMatrix } from '../../base/features.js';
import { joinedHelpers, stopGang } from '../gang.js';
import { createMlpGang } from './gang.js';
import { helpMlpFit } from './training.js';
import { restoreMlp } from './trained.js';
import {
  INITIALISATIONS,
  checkMlpOptions,
  MAX_GRADIENT_BLOCKS,
  resolveMlpOptions,
  MLP_DEFAULTS,
  MLP_OPTION_KEYS,
  type MlpOptions,
} from './options.js';

/**
 * `--decorrelate COL`: the column whose distance correlation with the classifier's output
 * is penalised. Its text is kept here and resolved to a feature index by `cliSpec`, which
 * knows the run's columns. Another kind that takes the option reuses this object.
 */
export const DECORRELATE_FLAG: ClassifierFlag = Object.freeze({
  name: 'decorrelate',
  option: 'decorrelate',
  help:
    'a --gen/--reco column name (or 0-based feature index) whose distance correlation with the classifier output is ' +
    'penalised by --disco-lambda (DisCo; default: none)',
  exclusive: true,
  parse: (text: string) => {
    if (text.trim() === '') throw new InputError(`--decorrelate must name a column; got ${JSON.stringify(text)}`);
    return text.trim();
  },
});

/** `--disco-lambda λ`: the decorrelation penalty's weight, required with `--decorrelate`. */
export const DISCO_LAMBDA_FLAG: ClassifierFlag = Object.freeze({
  name: 'disco-lambda',
  option: 'discoLambda',
  help: 'λ ≥ 0 of the --decorrelate penalty: each step minimises mean BCE + λ·dCorr²(σ(logit), COL)',
  exclusive: true,
  parse: (text: string) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < 0)
      throw new InputError(`--disco-lambda must be a finite number >= 0; got ${JSON.stringify(text)}`);
    return v;
  },
});

/** `--disco-class pooled|each|0|1`: the events the --decorrelate penalty's distance correlation is taken over. */
export const DISCO_CLASS_FLAG: ClassifierFlag = Object.freeze({
  name: 'disco-class',
  option: 'discoClass',
  help:
    'events the --decorrelate penalty is taken over: pooled (both classes), 0 (the reweighted sim, or the source of ' +
    "reweight), 1 (the target) or each (the sum of the two classes' own dCorr²) (default pooled)",
  exclusive: true,
  parse: (text: string) => {
    const value = choiceFlag('disco-class', text, ['pooled', 'each', '0', '1']);
    return value === '0' || value === '1' ? Number(value) : value;
  },
});

/**
 * Flag options with `--decorrelate COL` turned into its feature index; each of
 * `--decorrelate` and `--disco-lambda` needs the other. Shared by the kinds that take them.
 */
export function withDecorrelateIndex(
  options: Readonly<Record<string, unknown>>,
  inputs: ClassifierInputs,
): Record<string, unknown> {
  const { decorrelate, discoLambda } = options;
  if (decorrelate !== undefined && discoLambda === undefined)
    throw new InputError(
      `--decorrelate must come with --disco-lambda λ; got --decorrelate ${JSON.stringify(decorrelate)} without it`,
    );
  if (decorrelate === undefined && discoLambda !== undefined)
    throw new InputError(
      `--disco-lambda must come with --decorrelate COL; got --disco-lambda ${describeValue(discoLambda)} without it`,
    );
  if (options.discoClass !== undefined && decorrelate === undefined)
    throw new InputError(
      `--disco-class must come with --decorrelate COL and --disco-lambda λ; got --disco-class ${describeValue(options.discoClass)} without them`,
    );
  if (typeof decorrelate !== 'string') return { ...options };
  return { ...options, decorrelate: decorrelateIndex(decorrelate, inputs) };
}

/**
 * The feature index of `--decorrelate COL`: COL's position in the `--reco` or `--gen` list
 * (the same position if in both: the lists are parallel), else a 0-based index valid in
 * both lists.
 */
export function decorrelateIndex(text: string, inputs: ClassifierInputs): number {
  const { genNames, recoNames } = inputs;
  const gen = genNames.indexOf(text);
  const reco = recoNames.indexOf(text);
  if (gen >= 0 && reco >= 0 && gen !== reco)
    throw new InputError(
      `--decorrelate must name a column at the same position in --gen and --reco (the lists are parallel); got ${JSON.stringify(text)} at gen position ${gen} and reco position ${reco}`,
    );
  if (reco >= 0) return reco;
  if (gen >= 0) return gen;
  const width = Math.min(genNames.length, recoNames.length);
  const index = Number(text);
  if (/^\d+$/.test(text) && index < width) return index;
  throw new InputError(
    `--decorrelate must be a --gen or --reco column (${[...new Set([...recoNames, ...genNames])].join(', ')}) or a 0-based index below ${width}; got ${JSON.stringify(text)}`,
  );
}

/** The most MiB `--resident-mib` accepts: wasm memory is at most 4 GiB. */
const MAX_RESIDENT_MIB = 4096;

/** The MLP's flags; the PFN shares its training ones (src/classifiers/pfn/kind.ts). */
export const MLP_FLAGS: readonly ClassifierFlag[] = Object.freeze(
  [
    {
      name: 'hidden',
      option: 'hidden',
      help: `MLP hidden layer widths (default ${MLP_DEFAULTS.hidden.join(',')})`,
      parse: (text: string) =>
        listFlag('hidden', text).map((width) => {
          const v = Number(width);
          if (!Number.isInteger(v) || v < 1)
            throw new InputError(`--hidden must be comma-separated positive integers; got ${JSON.stringify(text)}`);
          return v;
        }),
    },
    {
      name: 'activation',
      option: 'activation',
      help: `${orList(ACTIVATIONS)} (default ${MLP_DEFAULTS.activation})`,
      parse: (text: string) => choiceFlag('activation', text, ACTIVATIONS),
    },
    {
      name: 'epochs',
      option: 'epochs',
      help: `maximum MLP epochs (default ${MLP_DEFAULTS.epochs}; toys use fewer)`,
      parse: (text: string) => integerFlag('epochs', text, 1),
    },
    {
      name: 'batch',
      option: 'batchSize',
      help: `MLP minibatch size (default ${MLP_DEFAULTS.batchSize})`,
      parse: (text: string) => integerFlag('batch', text, 1),
    },
    {
      name: 'patience',
      option: 'patience',
      help: `early-stopping patience in epochs, 0 = off (default ${MLP_DEFAULTS.patience})`,
      parse: (text: string) => integerFlag('patience', text, 0),
    },
    {
      name: 'validation',
      option: 'validationFraction',
      help: `fraction of each fit's events held out (a seeded random split) for early stopping; 0 trains on every event and keeps the last epoch (default ${MLP_DEFAULTS.validationFraction})`,
      parse: (text: string) => fractionFlag('validation', text),
    },
    {
      name: 'lr',
      option: 'learningRate',
      help: `Adam learning rate (default ${MLP_DEFAULTS.learningRate})`,
      parse: (text: string) => positiveNumberFlag('lr', text),
    },
    {
      name: 'init',
      option: 'init',
      help:
        `MLP initial parameters: he (He-uniform ReLU layers, zero biases) or torch (PyTorch's default, uniform in ` +
        `±1/√fan_in: learns faster in the first steps at large batches) (default ${MLP_DEFAULTS.init})`,
      parse: (text: string) => choiceFlag('init', text, INITIALISATIONS),
    },
    {
      name: 'gradient-blocks',
      option: 'gradientBlocks',
      help:
        'blocks each MLP or PFN minibatch is split into; threads share one fit block by block, and the weights are the same ' +
        `for any thread count (default ${MLP_DEFAULTS.gradientBlocks}; 1 = one sum over the rows, as files written before this option)`,
      parse: (text: string) => {
        const v = integerFlag('gradient-blocks', text, 1);
        if (v > MAX_GRADIENT_BLOCKS)
          throw new InputError(
            `--gradient-blocks must be an integer in [1, ${MAX_GRADIENT_BLOCKS}]; got ${JSON.stringify(text)}`,
          );
        return v;
      },
    },
    {
      name: 'resident-mib',
      option: 'residentMiB',
      help:
        "MiB of events one MLP fit may copy into its thread's memory for speed; larger fits read the shared arrays, " +
        `same weights (default ${MLP_DEFAULTS.residentMiB})`,
      parse: (text: string) => {
        const v = integerFlag('resident-mib', text, 0);
        if (v > MAX_RESIDENT_MIB) {
          throw new InputError(
            `--resident-mib must be an integer in [0, ${MAX_RESIDENT_MIB}] (wasm memory is at most 4 GiB); got ${JSON.stringify(text)}`,
          );
        }
        return v;
      },
    },
    DECORRELATE_FLAG,
    DISCO_LAMBDA_FLAG,
    DISCO_CLASS_FLAG,
  ].map((flag) => Object.freeze(flag)),
);

/** The block count of an MLP spec stored before mlp.gradientBlocks existed: one sum over the minibatch. */
export const LEGACY_GRADIENT_BLOCKS = 1;

/** `{ type: 'mlp', ...options }`, each option optional (defaults: MLP_DEFAULTS). */
type MlpClassifierSpec = { type: 'mlp' } & Partial<MlpOptions>;

/** The MLP classifier kind (src/classifiers/mlp/classifier.ts). */
export const MLP_CLASSIFIER: ClassifierKind<MlpClassifierSpec> = Object.freeze({
  type: 'mlp',
  check(path: string, spec: Readonly<Record<string, unknown>>): MlpClassifierSpec {
    knownKeys(path, spec, ['type', ...MLP_OPTION_KEYS]);
    // the block count is always recorded: a stored spec without it was trained in one block
    // (LEGACY_GRADIENT_BLOCKS), before the option existed
    return { type: 'mlp', gradientBlocks: MLP_DEFAULTS.gradientBlocks, ...checkMlpOptions(path, spec) };
  },
  create(spec: MlpClassifierSpec) {
    const { type: _type, ...options } = spec;
    return new MlpClassifier(options);
  },
  restore: restoreMlp,
  runLocalOptions: Object.freeze(['residentMiB']),
  flags: MLP_FLAGS,
  cliSpec(options: Readonly<Record<string, unknown>>, inputs: ClassifierInputs): MlpClassifierSpec {
    return { type: 'mlp', ...withDecorrelateIndex(options, inputs) };
  },
  dataParallel: Object.freeze({
    gang(spec: MlpClassifierSpec, x0: FeatureMatrix): SharedArrayBuffer | undefined {
      const options = resolveMlpOptions(withoutType(spec));
      if (options.gradientBlocks === 1) return undefined;
      return createMlpGang(
        mlpGangShape([x0.nFeatures, ...options.hidden, 1], options.batchSize, options.gradientBlocks),
      );
    },
    help(spec: MlpClassifierSpec, gang: SharedArrayBuffer): number {
      return helpMlpFit(resolveMlpOptions(withoutType(spec)), gang);
    },
    stop: stopGang,
    joined: joinedHelpers,
  }),
});

function withoutType(spec: MlpClassifierSpec): Partial<MlpOptions> {
  const { type: _type, ...options } = spec;
  return options;
}
