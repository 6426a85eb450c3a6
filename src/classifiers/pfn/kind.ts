/**
 * The PFN's entry in the classifier registry: its spec check, its factory and the
 * `omnifold unfold` flags that set its options (`--phi`, `--f`, and the training flags it
 * shares with the MLP: `--epochs`, `--batch`, `--lr`, `--patience`, `--validation`, `--init`).
 */
import { knownKeys } from '../../base/checks.js';
import { InputError } from '../../base/errors.js';
import { listFlag } from '../../base/flag_values.js';
import type { ClassifierFlag, ClassifierKind } from '../kind.js';
import { MLP_FLAGS } from '../mlp/kind.js';
import { PfnClassifier } from './classifier.js';
import { checkPfnOptions, PFN_DEFAULTS, PFN_OPTION_KEYS, type PfnOptions } from './options.js';
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
const SHARED_FLAGS = ['epochs', 'batch', 'patience', 'validation', 'lr', 'init'];

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
  ...MLP_FLAGS.filter((flag) => SHARED_FLAGS.includes(flag.name)),
]);

/** `{ type: 'pfn', ...options }`, each option optional (defaults: PFN_DEFAULTS). */
type PfnClassifierSpec = { type: 'pfn' } & Partial<PfnOptions>;

/** The PFN classifier kind (src/classifiers/pfn/classifier.ts). */
export const PFN_CLASSIFIER: ClassifierKind<PfnClassifierSpec> = Object.freeze({
  type: 'pfn',
  check(path: string, spec: Readonly<Record<string, unknown>>): PfnClassifierSpec {
    knownKeys(path, spec, ['type', ...PFN_OPTION_KEYS]);
    return { type: 'pfn', ...checkPfnOptions(path, spec) };
  },
  create(spec: PfnClassifierSpec) {
    const { type: _type, ...options } = spec;
    return new PfnClassifier(options);
  },
  restore: restorePfn,
  runLocalOptions: Object.freeze([]),
  flags: PFN_FLAGS,
  cliSpec: (options: Readonly<Record<string, unknown>>): PfnClassifierSpec => ({ type: 'pfn', ...options }),
});
