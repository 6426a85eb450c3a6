/**
 * What the classifier registry (src/classifiers/registry.ts) knows about one classifier
 * kind: how `unfold()` checks its spec, how a thread builds it, and how `omnifold unfold`
 * sets its options from flags. Each kind declares one {@link ClassifierKind} beside its
 * classifier (src/classifiers/mlp/kind.ts, src/classifiers/binned.ts); the registry lists
 * them, and the option check, the factory, the CLI flags and `--help` read that list.
 */
import type { FeatureMatrix } from '../base/features.js';
import type { Classifier, ModelData, TrainedClassifier } from './classifier.js';

/** A `--flag X` that sets one option of a classifier kind. */
export interface ClassifierFlag {
  /** The flag without dashes, e.g. `hidden` for `--hidden X`. */
  readonly name: string;
  /** The option of the kind's spec that it sets, e.g. `hidden`. */
  readonly option: string;
  /** Its line in `omnifold unfold --help`, with the default. */
  readonly help: string;
  /** The option value of the flag's text; throws an InputError naming `--<name>`. */
  parse(text: string): unknown;
  /**
   * True for a flag that changes what a fit optimises (e.g. `--decorrelate`): a run whose
   * kind does not take it refuses it instead of ignoring it.
   */
  readonly exclusive?: boolean;
}

/** What the CLI knows when it builds a classifier spec: the columns and the binning. */
export interface ClassifierInputs {
  /** Gen and reco feature columns, in feature order. */
  genNames: readonly string[];
  recoNames: readonly string[];
  /** Edges per column: the input's own, overridden by `--bins`. */
  bins: Readonly<Record<string, number[]>>;
}

/** One classifier kind: its spec type `Spec` is `{ type, ...options }`, plain data. */
export interface ClassifierKind<Spec extends { type: string } = { type: string }> {
  /** The kind's name, `spec.type`, and the value of `--classifier`. */
  readonly type: Spec['type'];
  /**
   * Validates a spec given to `unfold()` (`path` names it in messages, e.g.
   * `options.classifier`): only known keys, every option by its rule. Returns the spec as
   * `unfold()` keeps it; options not given stay absent, {@link create} fills the defaults.
   */
  check(path: string, spec: Readonly<Record<string, unknown>>): Spec;
  /** Builds the classifier of a spec, filling its defaults; throws an InputError on a bad option. */
  create(spec: Spec): Classifier;
  /**
   * The trained model that `TrainedClassifier.toData()` of this kind saved; throws an
   * InputError naming `path` and the field when the data do not describe a model of this
   * kind (shapes, lengths, values).
   */
  restore(data: ModelData, path: string): TrainedClassifier;
  /** Options that never change a weight (memory, speed): left out of stored configurations. */
  readonly runLocalOptions: readonly string[];
  /** The `omnifold unfold` flags that set its options, in `--help` order (may be none). */
  readonly flags: readonly ClassifierFlag[];
  /**
   * The spec of an `omnifold unfold` run: `options` holds the input's defaults (a toy's)
   * overridden by the options that flags set. Throws a usage InputError when the inputs
   * cannot serve this kind (e.g. a column without bins).
   */
  cliSpec(options: Readonly<Record<string, unknown>>, inputs: ClassifierInputs): Spec;
  /**
   * True for particle-level kinds (e.g. `pfn`): they read each event's particle sets
   * (`FeatureMatrix.particles`), which every sample then must have. Absent: the kind reads
   * the event-level features only (at least one), and ignores particle sets.
   */
  readonly particles?: boolean;
  /** Kinds whose one fit several threads can share (the MLP); absent: one thread per fit. */
  readonly dataParallel?: DataParallelFit<Spec>;
}

/**
 * How threads share one fit (src/classifiers/gang.ts): `gang(spec, x0, x1)` creates the
 * fit's shared memory, which the fit's thread gets as `FitContext.gang`, and each helper
 * thread runs `help(spec, gang)` with the same buffer, which returns when the fit ends.
 */
export interface DataParallelFit<Spec> {
  /**
   * The shared memory of a fit of `spec` on classes `x0` and `x1` (sized and shaped for
   * them), or undefined when this spec's fits are not shared (e.g. one block per step).
   */
  gang(spec: Spec, x0: FeatureMatrix, x1: FeatureMatrix): SharedArrayBuffer | undefined;
  /** Joins the fit that owns `gang` until it ends (or returns at once if it has); returns the blocks it computed. */
  help(spec: Spec, gang: SharedArrayBuffer): number;
  /** Releases the helpers of `gang` once its fit and its ratios are done, or failed. */
  stop(gang: SharedArrayBuffer): void;
  /** Helpers that have joined `gang` so far. */
  joined(gang: SharedArrayBuffer): number;
}
