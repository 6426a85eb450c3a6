/**
 * From parsed `omnifold unfold` arguments to a run plan: plain data saying what to read,
 * which options to pass to `unfold()`, and where to write. Every value is validated here,
 * so a usage error surfaces before any file is read. Replica options (bootstraps,
 * systematics) belong in {@link RunPlan.replicas}: the runner already writes whatever
 * columns that list yields.
 */
import {
  CLASSIFIER_KINDS,
  CLASSIFIER_TYPES,
  type ClassifierType,
  FAKES_MODES,
  InputError,
  integerFlag,
  isRunLocalClassifierFlag,
  ITERATION_SEARCH_DEFAULTS,
  type IterationSearch,
  MIN_DATA_BOOTSTRAPS,
  positiveNumberFlag,
  MISSES_MODES,
  STEP2_REFERENCES,
  UNFOLD_DEFAULTS,
  type UnfoldOptions,
} from '../index.js';
import { parseBins as parseEdges } from './bins.js';
import { parseReplicaList } from './replica_list.js';
import { type SystematicArg, systematicsPlan } from './syst_args.js';
import type { UnfoldArgs } from './unfold_args.js';
import { argChoice, argInteger, argString } from './arg_values.js';
import { backgroundFiles, checkParticleInputs, inputPlan, type InputPlan } from './unfold_input_plan.js';

export { TOY_NAMES, type InputPlan, type ToyName } from './unfold_input_plan.js';

function replicasPlan(args: UnfoldArgs): RunPlan['replicas'] {
  const replicas = {
    dataBootstraps: argInteger(args, 'data-bootstraps', 0) ?? 0,
    simBootstraps: argInteger(args, 'sim-bootstraps', 0) ?? 0,
    backgroundBootstraps: argInteger(args, 'background-bootstraps', 0) ?? 0,
    systematics: systematicsPlan(args),
  };
  if (replicas.backgroundBootstraps > 0 && backgroundFiles(args).length === 0)
    throw new InputError(
      `--background-bootstraps must come with --background (they fluctuate its weights); got --background-bootstraps ${replicas.backgroundBootstraps} without --background`,
    );
  const chosen = argString(args, 'replicas');
  if (chosen === undefined) return replicas;
  if (
    replicas.dataBootstraps + replicas.simBootstraps + replicas.backgroundBootstraps + replicas.systematics.length ===
    0
  ) {
    throw new InputError(
      `--replicas must come with --data-bootstraps, --sim-bootstraps, --background-bootstraps or --syst (a run of the nominal alone is not split); got --replicas ${chosen}`,
    );
  }
  parseReplicaList(chosen); // the syntax, before any file is read
  return { ...replicas, chosen };
}

/**
 * Flags that change where and how a run executes, never its weights: the thread count,
 * the output folder, the memory budget (a classifier's run-local options, such as
 * --resident-mib), what is printed, which outputs are written, and which replicas this
 * run computes.
 */
export const RUN_LOCAL_ARGS: readonly string[] = Object.freeze([
  'out',
  'threads',
  ...CLASSIFIER_KINDS.flatMap((kind) => kind.flags.map((flag) => flag.name)).filter(isRunLocalClassifierFlag),
  'quiet',
  'debug',
  'resume',
  'force',
  'replicas',
  'no-plots',
  'config',
  'help',
]);

/** Everything one `omnifold unfold` run does. */
export interface RunPlan {
  input: InputPlan;
  /** Options for `unfold()` except the classifier, which needs the feature names. */
  unfold: Partial<Omit<UnfoldOptions, 'classifier'>>;
  /** The classifier kind, from --classifier. */
  classifier: ClassifierType;
  /** Options of that kind set by its flags (the input's own, e.g. a toy's, go under them). */
  classifierOptions: Record<string, unknown>;
  /** Edges per column from `--bins`. */
  bins: Record<string, number[]>;
  /** Worker threads; undefined = decide from the ensemble size. */
  threads?: number;
  outDir: string;
  quiet: boolean;
  /** Write OUT/plots/ and OUT/report.html. */
  plots: boolean;
  /**
   * Uncertainty replicas, each a full unfolding beside the nominal one; `chosen`, from
   * `--replicas`, limits the run to those replicas (src/cli/replica_list.ts), stored but not merged.
   */
  replicas: {
    dataBootstraps: number;
    simBootstraps: number;
    backgroundBootstraps: number;
    systematics: SystematicArg[];
    chosen?: string;
  };
  /**
   * `--iterations auto[:MAX]`: the number of iterations is chosen from the data before the
   * run (src/execution/iteration_search.ts); `unfold.nIterations` is then unset.
   */
  iterationSearch?: IterationSearch;
  /** Continue an interrupted run in outDir, reusing the replicas it stored. */
  resume: boolean;
  /** Replace an earlier omnifold output in outDir. */
  force: boolean;
  /**
   * The arguments as given (after --config) that decide the result, stored in the output
   * metadata; the run-local ones ({@link RUN_LOCAL_ARGS}) are left out, so runs that differ
   * only in those write the same bytes.
   */
  args: Record<string, string | string[] | boolean>;
}

/** Parses `--bins`: `col=lo:hi:n` (n equal bins) or `col=e0,e1,…`, `;`-separated (src/cli/bins.ts). */
export function parseBins(text: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const part of text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const match = /^([^=]+)=(.+)$/.exec(part);
    if (match === null)
      throw new InputError(`--bins entries must read col=lo:hi:n or col=e0,e1,…; got ${JSON.stringify(part)}`);
    const col = match[1].trim();
    out[col] = Array.from(parseEdges(match[2].trim(), `--bins ${col}`));
  }
  return out;
}

/**
 * The options that classifier flags set (the registry's), for kind `type`. Every kind's
 * flags are checked, whichever kind runs, so a bad value is an error even where unused;
 * an exclusive flag (one that changes what a fit optimises) is refused by a kind without it.
 */
export function classifierOptionsPlan(args: UnfoldArgs, type: ClassifierType): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const own = CLASSIFIER_KINDS.find((kind) => kind.type === type)?.flags ?? [];
  for (const kind of CLASSIFIER_KINDS) {
    for (const flag of kind.flags) {
      const text = argString(args, flag.name);
      if (text === undefined) continue;
      const value = flag.parse(text);
      if (kind.type === type) options[flag.option] = value;
      else if (flag.exclusive === true && !own.includes(flag)) {
        const takers = CLASSIFIER_KINDS.filter((k) => k.flags.includes(flag)).map((k) => k.type);
        throw new InputError(
          `--${flag.name} must be used with --classifier ${takers.join(' or ')} (classifier ${type} has no such option); got --classifier ${type}`,
        );
      }
    }
  }
  return options;
}

/** `--iterations auto[:MAX]` and `--auto-threshold X`; undefined for a plain number of iterations. */
function iterationSearchPlan(args: UnfoldArgs): IterationSearch | undefined {
  const text = argString(args, 'iterations')?.trim();
  const auto = text === undefined ? null : /^auto(?::(.*))?$/.exec(text);
  const threshold = argString(args, 'auto-threshold');
  if (auto === null) {
    if (threshold !== undefined)
      throw new InputError(
        `--auto-threshold must come with --iterations auto[:MAX]; got --iterations ${text ?? 'not given'}`,
      );
    return undefined;
  }
  return {
    maxIterations:
      auto[1] === undefined ? ITERATION_SEARCH_DEFAULTS.maxIterations : integerFlag('iterations auto:MAX', auto[1], 1),
    threshold:
      threshold === undefined ? ITERATION_SEARCH_DEFAULTS.threshold : positiveNumberFlag('auto-threshold', threshold),
  };
}

/** The run plan of parsed arguments; throws InputError (exit 2) on any bad value. */
export function planUnfold(args: UnfoldArgs): RunPlan {
  const unfold: RunPlan['unfold'] = {};
  const iterationSearch = iterationSearchPlan(args);
  const iterationsText = argString(args, 'iterations');
  if (iterationSearch === undefined && iterationsText !== undefined && !/^\s*[0-9]+\s*$/.test(iterationsText))
    throw new InputError(
      `--iterations must be a positive integer or auto[:MAX]; got ${JSON.stringify(iterationsText)}`,
    );
  const nIterations = iterationSearch === undefined ? argInteger(args, 'iterations', 1) : undefined;
  if (nIterations !== undefined) unfold.nIterations = nIterations;
  const misses = argChoice(args, 'misses', MISSES_MODES);
  if (misses !== undefined) unfold.misses = misses;
  const fakes = argChoice(args, 'fakes', FAKES_MODES);
  if (fakes !== undefined) unfold.fakes = fakes;
  const step2Reference = argChoice(args, 'step2-reference', STEP2_REFERENCES);
  if (step2Reference !== undefined) unfold.step2Reference = step2Reference;
  const nMembers = argInteger(args, 'ensemble', 1);
  if (nMembers !== undefined) unfold.nMembers = nMembers;
  const seed = argInteger(args, 'seed', 0);
  if (seed !== undefined) {
    if (seed > 0xffffffff) throw new InputError(`--seed must be an integer in [0, 2^32); got ${seed}`);
    unfold.seed = seed;
  }
  if (args['save-iterations'] === true) unfold.saveIterations = true;
  if (args['save-members'] === true) unfold.saveMembers = true;
  if (args['save-models'] === true) unfold.saveModels = true;
  const ensembleRuns = argInteger(args, 'ensemble-runs', 1);
  if (ensembleRuns !== undefined) unfold.ensembleRuns = ensembleRuns;
  const ensembleCombine = argChoice(args, 'ensemble-combine', ['mean', 'median'] as const);
  if (ensembleCombine !== undefined) unfold.ensembleCombine = ensembleCombine;
  const given = Object.fromEntries(
    Object.entries(args).filter(
      (e): e is [string, string | string[] | boolean] => e[1] !== undefined && !RUN_LOCAL_ARGS.includes(e[0]),
    ),
  );
  if (args.resume === true && args.force === true)
    throw new InputError(
      '--resume and --force must not be given together; got both (--resume continues an output, --force replaces it)',
    );
  const input = inputPlan(args);
  const replicas = replicasPlan(args);
  if (iterationSearch !== undefined) {
    if (replicas.dataBootstraps < MIN_DATA_BOOTSTRAPS)
      throw new InputError(
        `--iterations ${String(args.iterations)} must come with --data-bootstraps ${MIN_DATA_BOOTSTRAPS} or more (the criterion measures the statistical noise with them); got --data-bootstraps ${replicas.dataBootstraps}`,
      );
    if (replicas.chosen !== undefined)
      throw new InputError(
        `--iterations ${String(args.iterations)} must not come with --replicas (every part would search again); got --replicas ${replicas.chosen}`,
      );
  }
  const classifier = argChoice(args, 'classifier', CLASSIFIER_TYPES) ?? UNFOLD_DEFAULTS.classifier.type;
  checkParticleInputs(input, classifier);
  return {
    input,
    unfold,
    classifier,
    classifierOptions: classifierOptionsPlan(args, classifier),
    bins: args.bins === undefined ? {} : parseBins(String(args.bins)),
    threads: argInteger(args, 'threads', 1),
    outDir: argString(args, 'out') ?? 'omnifold-out',
    quiet: args.quiet === true,
    plots: args['no-plots'] !== true,
    replicas,
    ...(iterationSearch === undefined ? {} : { iterationSearch }),
    resume: args.resume === true,
    force: args.force === true,
    args: given,
  };
}
