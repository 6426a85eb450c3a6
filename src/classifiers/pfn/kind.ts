/**
 * The PFN's entry in the classifier registry: its spec check, its factory and the
 * `omnifold unfold` flags that set its options (`--phi`, `--f`, `--event-features`, and the
 * flags it shares with the MLP: `--epochs`, `--batch`, `--lr`, `--patience`, `--validation`,
 * `--init`, `--decorrelate`, `--disco-lambda`).
 */
import { knownKeys } from '../../base/checks.js';
import { InputError } from '../../base/errors.js';
import { choiceFlag, listFlag } from '../../base/flag_values.js';
import type { ClassifierFlag, ClassifierInputs, ClassifierKind } from '../kind.js';
import { DECORRELATE_FLAG, DISCO_CLASS_FLAG, DISCO_LAMBDA_FLAG, MLP_FLAGS, withDecorrelateIndex } from '../mlp/kind.js';
import { PfnClassifier } from './classifier.js';
import type { FeatureMatrix } from '../../base/features.js';
import { joinedHelpers, stopGang } from '../gang.js';
import { helpPfnFit } from './block_step.js';
import { createPfnGang, pfnGangShape } from './gang.js';
import { checkPfnOptions, PFN_DEFAULTS, PFN_OPTION_KEYS, resolvePfnOptions, type PfnOptions } from './options.js';
import { restorePfn } from './trained.js';

function widthsFlag(name: string, text: string): number[] {
  return listFlag(name, text).map((width) => {
    const v = Number(width);
    if (!Number.isInteger(v) || v < 1)
      throw new InputError(`--${name} must be comma-separated positive integers; got ${JSON.stringify(text)}`);
    return v;
  });
}

/** The training flags the PFN shares with the MLP (the same flag objects: listed once). */
const SHARED_FLAGS = ['epochs', 'batch', 'patience', 'validation', 'lr', 'init', 'gradient-blocks'];

const PFN_FLAGS: readonly ClassifierFlag[] = Object.freeze([
  Object.freeze({
    name: 'phi',
    option: 'phi',
    help: `PFN per-particle network widths, the last one the latent size (with --classifier pfn; default ${PFN_DEFAULTS.phi.join(',')})`,
    parse: (text: string) => widthsFlag('phi', text),
  }),
  Object.freeze({
    name: 'f',
    option: 'f',
    help: `PFN event network hidden widths (with --classifier pfn; default ${PFN_DEFAULTS.f.join(',')})`,
    parse: (text: string) => widthsFlag('f', text),
  }),
  Object.freeze({
    name: 'event-features',
    option: 'eventFeatures',
    help: 'PFN: yes lets the event network read the event-level features (--gen/--reco, or the --features of reweight) beside the particles, no reads the particles only (with --classifier pfn; default yes)',
    parse: (text: string) => choiceFlag('event-features', text, ['yes', 'no']) === 'yes',
  }),
  ...MLP_FLAGS.filter((flag) => SHARED_FLAGS.includes(flag.name)),
  DECORRELATE_FLAG,
  DISCO_LAMBDA_FLAG,
  DISCO_CLASS_FLAG,
]);

/** `{ type: 'pfn', ...options }`, each option optional (defaults: PFN_DEFAULTS). */
type PfnClassifierSpec = { type: 'pfn' } & Partial<PfnOptions>;

/** The PFN classifier kind (src/classifiers/pfn/classifier.ts). */
export const PFN_CLASSIFIER: ClassifierKind<PfnClassifierSpec> = Object.freeze({
  type: 'pfn',
  check(path: string, spec: Readonly<Record<string, unknown>>): PfnClassifierSpec {
    knownKeys(path, spec, ['type', ...PFN_OPTION_KEYS]);
    // the block count is always recorded: a stored spec without it was trained in one block
    // (LEGACY_GRADIENT_BLOCKS), before the PFN had the option
    return { type: 'pfn', gradientBlocks: PFN_DEFAULTS.gradientBlocks, ...checkPfnOptions(path, spec) };
  },
  create(spec: PfnClassifierSpec) {
    return new PfnClassifier(withoutType(spec));
  },
  restore: restorePfn,
  runLocalOptions: Object.freeze([]),
  particles: true,
  flags: PFN_FLAGS,
  dataParallel: Object.freeze({
    gang(spec: PfnClassifierSpec, x0: FeatureMatrix, x1: FeatureMatrix): SharedArrayBuffer | undefined {
      const options = resolvePfnOptions(withoutType(spec));
      if (options.gradientBlocks === 1 || x0.particles === undefined || x1.particles === undefined) return undefined;
      return createPfnGang(pfnGangShape(options, x0, x1));
    },
    help(spec: PfnClassifierSpec, gang: SharedArrayBuffer): number {
      return helpPfnFit(resolvePfnOptions(withoutType(spec)), gang);
    },
    stop: stopGang,
    joined: joinedHelpers,
  }),
  cliSpec: (options: Readonly<Record<string, unknown>>, inputs: ClassifierInputs): PfnClassifierSpec => ({
    type: 'pfn',
    ...withDecorrelateIndex(options, inputs),
  }),
});

function withoutType(spec: PfnClassifierSpec): Partial<PfnOptions> {
  const { type: _type, ...options } = spec;
  return options;
}
