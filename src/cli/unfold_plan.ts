/**
 * From parsed `omnifold unfold` arguments to a run plan: plain data saying what to read,
 * which options to pass to `unfold()`, and where to write. Every value is validated here,
 * so a usage error surfaces before any file is read. Replica options (bootstraps,
 * systematics) belong in {@link RunPlan.replicas}: the runner already writes whatever
 * columns that list yields.
 */
import {
  choiceFlag,
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
  listFlag,
  MISSES_MODES,
  STEP2_REFERENCES,
  UNFOLD_DEFAULTS,
  type UnfoldOptions,
  type ParticleColumns,
} from '../index.js';
import { parseBins as parseEdges } from './bins.js';
import { checkParticleClassifier, particleColumnsPlan, refuseLoneParticleCaps } from './particle_flags.js';
import { parseReplicaList } from './replica_list.js';
import { type SystematicArg, systematicsPlan } from './syst_args.js';
import type { UnfoldArgs } from './unfold_args.js';

/** Where the events come from. */
export type InputPlan =
  | { kind: 'toy'; toy: ToyName; nEvents?: number }
  | {
      kind: 'files';
      sim: string;
      data: string;
      truth?: string;
      truthWeight?: string;
      gen: string[];
      reco: string[];
      simWeight?: string;
      dataWeight?: string;
      /** Simulated background files (--background, in order; empty: none) and their weight column. */
      background: string[];
      backgroundWeight?: string;
      passGen?: string;
      passReco?: string;
      /** Unit per gen column, from --units. */
      units: Record<string, string>;
      /** Particle sets at gen and at reco level (--gen-particles, --reco-particles, …), when given. */
      genParticles?: ParticleColumns;
      recoParticles?: ParticleColumns;
    };

/**
 * A particle-level classifier needs particle sets (from files, or the jets toy), and an
 * event-level one must not be given particle columns it would not read.
 */
function checkParticleInputs(input: InputPlan, classifier: ClassifierType): void {
  checkParticleClassifier(classifier, {
    hasParticles: input.kind === 'toy' ? input.toy === 'jets' : input.genParticles !== undefined,
    givenColumns: input.kind === 'files' && input.genParticles !== undefined,
    flags: '--gen-particles and --reco-particles',
    give: '--gen-particles and --reco-particles, or --toy jets',
    got: input.kind === 'toy' ? `--toy ${input.toy}` : 'no particle columns',
  });
}

/** The embedded toys, as `--toy` names them. */
export const TOY_NAMES = Object.freeze(['lepton-jet', 'gauss', 'jets'] as const);
export type ToyName = (typeof TOY_NAMES)[number];

const PARTICLE_FLAGS = [
  'gen-particles',
  'reco-particles',
  'gen-particle-count',
  'reco-particle-count',
  'max-particles',
  'particle-sort',
] as const;

function replicasPlan(args: UnfoldArgs): RunPlan['replicas'] {
  const replicas = {
    dataBootstraps: integer(args, 'data-bootstraps', 0) ?? 0,
    simBootstraps: integer(args, 'sim-bootstraps', 0) ?? 0,
    backgroundBootstraps: integer(args, 'background-bootstraps', 0) ?? 0,
    systematics: systematicsPlan(args),
  };
  if (replicas.backgroundBootstraps > 0 && backgroundFiles(args).length === 0)
    throw new InputError(
      `--background-bootstraps must come with --background (they fluctuate its weights); got --background-bootstraps ${replicas.backgroundBootstraps} without --background`,
    );
  const chosen = str(args, 'replicas');
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

const str = (args: UnfoldArgs, key: string): string | undefined =>
  typeof args[key] === 'string' ? args[key] : undefined;

function integer(args: UnfoldArgs, key: string, min: number): number | undefined {
  const text = str(args, key);
  return text === undefined ? undefined : integerFlag(key, text, min);
}

function oneOf<T extends string>(args: UnfoldArgs, key: string, allowed: readonly T[]): T | undefined {
  const text = str(args, key);
  return text === undefined ? undefined : choiceFlag(key, text, allowed);
}

function list(args: UnfoldArgs, key: string): string[] | undefined {
  const text = str(args, key);
  return text === undefined ? undefined : listFlag(key, text);
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

/** Parses `--units 'col=unit;…'`; every column must be a --gen column. */
function parseUnits(args: UnfoldArgs, gen: readonly string[]): Record<string, string> {
  const text = str(args, 'units');
  const out: Record<string, string> = {};
  if (text === undefined) return out;
  for (const part of text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const match = /^([^=]+)=(.*)$/.exec(part);
    const col = match?.[1].trim() ?? '';
    if (match === null || !gen.includes(col)) {
      throw new InputError(
        `--units entries must read col=unit with col one of --gen (${gen.join(', ')}); got ${JSON.stringify(part)}`,
      );
    }
    out[col] = match[2].trim();
  }
  return out;
}

/** The `--background` files, in the order given. */
function backgroundFiles(args: UnfoldArgs): string[] {
  const raw = args.background;
  const files = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  for (const file of files)
    if (file.trim() === '') throw new InputError(`--background must name a file; got ${JSON.stringify(file)}`);
  return files;
}

function inputPlan(args: UnfoldArgs): InputPlan {
  const files = ['sim', 'data', 'gen', 'reco'].filter((k) => args[k] !== undefined);
  if (files.length === 0) {
    for (const k of [
      'truth',
      'truth-weight',
      'sim-weight',
      'data-weight',
      'background',
      'background-weight',
      'pass-gen',
      'pass-reco',
      'units',
      ...PARTICLE_FLAGS,
    ]) {
      if (args[k] !== undefined)
        throw new InputError(`--${k} must come with --sim, --data, --gen and --reco; got no input files`);
    }
    return {
      kind: 'toy',
      toy: oneOf(args, 'toy', TOY_NAMES) ?? 'lepton-jet',
      nEvents: integer(args, 'events', 1),
    };
  }
  const missing = ['sim', 'data', 'gen', 'reco'].filter((k) => args[k] === undefined);
  if (missing.length > 0)
    throw new InputError(`--sim, --data, --gen and --reco must be given together; got no --${missing.join(', --')}`);
  if (args.toy !== undefined || args.events !== undefined)
    throw new InputError(
      `--toy and --events must not come with input files; got --${args.toy !== undefined ? 'toy' : 'events'}`,
    );
  if (args['truth-weight'] !== undefined && args.truth === undefined)
    throw new InputError('--truth-weight must come with --truth; got no --truth');
  const background = backgroundFiles(args);
  if (args['background-weight'] !== undefined && background.length === 0)
    throw new InputError('--background-weight must come with --background; got no --background');
  const gen = list(args, 'gen') as string[];
  const reco = list(args, 'reco') as string[];
  const levels = ['gen-particles', 'reco-particles'];
  const genParticles = particleColumnsPlan(args, { list: 'gen-particles', count: 'gen-particle-count' }, levels);
  const recoParticles = particleColumnsPlan(args, { list: 'reco-particles', count: 'reco-particle-count' }, levels);
  if (
    genParticles !== undefined &&
    recoParticles !== undefined &&
    genParticles.features.length !== recoParticles.features.length
  )
    throw new InputError(
      `--reco-particles must name as many columns as --gen-particles (the same particle features at each level); got ${recoParticles.features.length} and ${genParticles.features.length}`,
    );
  if ((genParticles === undefined) !== (recoParticles === undefined))
    throw new InputError(
      `--gen-particles and --reco-particles must be given together; got only --${genParticles === undefined ? 'reco' : 'gen'}-particles`,
    );
  if (genParticles === undefined) refuseLoneParticleCaps(args, '--gen-particles and --reco-particles');
  return {
    kind: 'files',
    sim: str(args, 'sim') as string,
    data: str(args, 'data') as string,
    truth: str(args, 'truth'),
    truthWeight: str(args, 'truth-weight'),
    gen,
    reco,
    simWeight: str(args, 'sim-weight'),
    dataWeight: str(args, 'data-weight'),
    background,
    backgroundWeight: str(args, 'background-weight'),
    passGen: str(args, 'pass-gen'),
    passReco: str(args, 'pass-reco'),
    units: parseUnits(args, gen),
    ...(genParticles === undefined ? {} : { genParticles, recoParticles }),
  };
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
      const text = str(args, flag.name);
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
  const text = str(args, 'iterations')?.trim();
  const auto = text === undefined ? null : /^auto(?::(.*))?$/.exec(text);
  const threshold = str(args, 'auto-threshold');
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
  const iterationsText = str(args, 'iterations');
  if (iterationSearch === undefined && iterationsText !== undefined && !/^\s*[0-9]+\s*$/.test(iterationsText))
    throw new InputError(
      `--iterations must be a positive integer or auto[:MAX]; got ${JSON.stringify(iterationsText)}`,
    );
  const nIterations = iterationSearch === undefined ? integer(args, 'iterations', 1) : undefined;
  if (nIterations !== undefined) unfold.nIterations = nIterations;
  const misses = oneOf(args, 'misses', MISSES_MODES);
  if (misses !== undefined) unfold.misses = misses;
  const fakes = oneOf(args, 'fakes', FAKES_MODES);
  if (fakes !== undefined) unfold.fakes = fakes;
  const step2Reference = oneOf(args, 'step2-reference', STEP2_REFERENCES);
  if (step2Reference !== undefined) unfold.step2Reference = step2Reference;
  const nMembers = integer(args, 'ensemble', 1);
  if (nMembers !== undefined) unfold.nMembers = nMembers;
  const seed = integer(args, 'seed', 0);
  if (seed !== undefined) {
    if (seed > 0xffffffff) throw new InputError(`--seed must be an integer in [0, 2^32); got ${seed}`);
    unfold.seed = seed;
  }
  if (args['save-iterations'] === true) unfold.saveIterations = true;
  if (args['save-members'] === true) unfold.saveMembers = true;
  if (args['save-models'] === true) unfold.saveModels = true;
  const ensembleRuns = integer(args, 'ensemble-runs', 1);
  if (ensembleRuns !== undefined) unfold.ensembleRuns = ensembleRuns;
  const ensembleCombine = oneOf(args, 'ensemble-combine', ['mean', 'median'] as const);
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
  const classifier = oneOf(args, 'classifier', CLASSIFIER_TYPES) ?? UNFOLD_DEFAULTS.classifier.type;
  checkParticleInputs(input, classifier);
  return {
    input,
    unfold,
    classifier,
    classifierOptions: classifierOptionsPlan(args, classifier),
    bins: args.bins === undefined ? {} : parseBins(String(args.bins)),
    threads: integer(args, 'threads', 1),
    outDir: str(args, 'out') ?? 'omnifold-out',
    quiet: args.quiet === true,
    plots: args['no-plots'] !== true,
    replicas,
    ...(iterationSearch === undefined ? {} : { iterationSearch }),
    resume: args.resume === true,
    force: args.force === true,
    args: given,
  };
}
