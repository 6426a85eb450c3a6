/**
 * The classifier registry: every classifier kind, one line each. `unfold()`'s option check
 * (src/algorithm/options.ts), the factory that rebuilds a classifier in any thread, the
 * `omnifold unfold` flags and `--help` all read this list; a kind's entry
 * ({@link ClassifierKind}, src/classifiers/kind.ts) lives beside its classifier.
 */
import { describeValue, InputError } from '../base/errors.js';
import { BINNED_CLASSIFIER } from './binned.js';
import type { Classifier, ModelData, TrainedClassifier } from './classifier.js';
import type { ClassifierFlag, ClassifierKind } from './kind.js';
import { MLP_CLASSIFIER } from './mlp/kind.js';
import { PFN_CLASSIFIER } from './pfn/kind.js';

/** Every classifier kind, in the order that messages and `--help` list them. */
export const CLASSIFIER_KINDS = Object.freeze([MLP_CLASSIFIER, BINNED_CLASSIFIER, PFN_CLASSIFIER] as const);

type SpecOf<Kind> = Kind extends ClassifierKind<infer Spec> ? Spec : never;

/** Plain-data description of a classifier, `{ type, ...options }`, rebuildable in any thread. */
export type ClassifierSpec = SpecOf<(typeof CLASSIFIER_KINDS)[number]>;

/** The classifier kinds' names: `'mlp' | 'binned' | 'pfn'`. */
export type ClassifierType = ClassifierSpec['type'];

/** The kinds' names, in registry order. */
export const CLASSIFIER_TYPES: readonly ClassifierType[] = Object.freeze(CLASSIFIER_KINDS.map((kind) => kind.type));

/** Every kind's flags, in registry order; a flag object that several kinds share is listed once. */
export const CLASSIFIER_FLAGS: readonly ClassifierFlag[] = Object.freeze([
  ...new Set(CLASSIFIER_KINDS.flatMap((kind) => kind.flags)),
]);

/** The entry of kind `type`; throws `classifier.type must be one of mlp, binned, pfn; got <type>`. */
export function classifierKind(type: unknown): ClassifierKind {
  const kind = CLASSIFIER_KINDS.find((k) => k.type === type);
  if (kind === undefined)
    throw new InputError(`classifier.type must be one of ${CLASSIFIER_TYPES.join(', ')}; got ${describeValue(type)}`);
  return kind;
}

/** Builds the {@link Classifier} of a plain-data spec, in any thread: `{ type: 'mlp', ...options }` → MlpClassifier, and so on. */
export function createClassifier(spec: ClassifierSpec): Classifier {
  return classifierKind((spec as { type?: unknown } | undefined)?.type).create(spec);
}

/**
 * The trained model of saved data (`TrainedClassifier.toData()`), by its kind's
 * `restore`; `path` names it in errors (e.g. the file it came from).
 */
export function restoreModel(data: ModelData, path: string): TrainedClassifier {
  const kind = CLASSIFIER_KINDS.find((k) => k.type === data?.type);
  if (kind === undefined)
    throw new InputError(
      `${path}.type must be one of ${CLASSIFIER_TYPES.join(', ')}; got ${describeValue(data?.type)}`,
    );
  return kind.restore(data, path);
}

/** `spec` without its kind's run-local options (memory, speed), as configurations are stored; `spec` itself when it has none. */
export function withoutRunLocalOptions<Spec extends ClassifierSpec>(spec: Spec): Spec {
  const runLocal = classifierKind(spec.type).runLocalOptions;
  if (!Object.keys(spec).some((key) => runLocal.includes(key))) return spec;
  return Object.fromEntries(Object.entries(spec).filter(([key]) => !runLocal.includes(key))) as Spec;
}

/** True when flag `name` sets a run-local option (it never changes a weight). */
export function isRunLocalClassifierFlag(name: string): boolean {
  return CLASSIFIER_KINDS.some((kind) =>
    kind.flags.some((flag) => flag.name === name && kind.runLocalOptions.includes(flag.option)),
  );
}

/**
 * True for the kinds whose minibatches are split into `gradientBlocks` blocks: those whose
 * fits threads share block by block (`dataParallel`).
 */
export function hasGradientBlocks(type: unknown): boolean {
  return CLASSIFIER_KINDS.some((kind) => kind.type === type && 'dataParallel' in kind);
}

/**
 * True when a stored classifier spec was written before its kind had `gradientBlocks`: it
 * lacks the block count, and its fits summed each minibatch in one block
 * (LEGACY_GRADIENT_BLOCKS).
 */
export function storedBeforeBlocks(spec: Readonly<Record<string, unknown>> | undefined): boolean {
  return spec !== undefined && hasGradientBlocks(spec.type) && spec.gradientBlocks === undefined;
}
