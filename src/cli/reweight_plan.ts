/**
 * `omnifold reweight` arguments: the flag table, `--help`, parsing, and the checked plan
 * of a run (every value validated before any file is read). src/cli/reweight.ts runs it.
 */
import {
  CLASSIFIER_FLAGS,
  CLASSIFIER_TYPES,
  choiceFlag,
  InputError,
  integerFlag,
  listFlag,
  orList,
  type ParticleColumns,
  type ReweightOptions,
  REWEIGHT_NORMALISATIONS,
  UNFOLD_DEFAULTS,
} from '../index.js';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';
import {
  checkParticleClassifier,
  PARTICLE_CAP_FLAGS,
  particleColumnsPlan,
  particleCountHelp,
  refuseLoneParticleCaps,
} from './particle_flags.js';
import { classifierOptionsPlan, parseBins } from './unfold_plan.js';

type FlagType = 'string' | 'boolean';

/** Every flag of `omnifold reweight`, with its help. */
export const REWEIGHT_FLAGS: Readonly<Record<string, { type: FlagType; help: string; short?: string }>> = Object.freeze(
  {
    source: { type: 'string', help: 'the sample to reweight (FILE or FILE:OBJECT)' },
    target: { type: 'string', help: 'the sample to reweight it to (FILE or FILE:OBJECT)' },
    features: { type: 'string', help: 'feature columns of both samples, comma-separated' },
    'source-weight': { type: 'string', help: 'source event weight column (default: all 1; negative allowed)' },
    'target-weight': { type: 'string', help: 'target event weight column (default: all 1; negative allowed)' },
    particles: {
      type: 'string',
      help: 'particle feature columns of both samples (variable-length lists, one per feature), comma-separated, for particle-level classifiers (--classifier pfn)',
    },
    'particle-count': { type: 'string', help: particleCountHelp('') },
    ...PARTICLE_CAP_FLAGS,
    normalise: {
      type: 'string',
      help: 'target: Σ weight estimates Σ target weights (default); source: keep Σ source weights (shape only)',
    },
    classifier: { type: 'string', help: `${orList(CLASSIFIER_TYPES)} (default ${UNFOLD_DEFAULTS.classifier.type})` },
    bins: {
      type: 'string',
      help: "per feature 'col=lo:hi:n' or 'col=e0,e1,…', ';'-separated (binned classifier and figures)",
    },
    ...Object.fromEntries(CLASSIFIER_FLAGS.map((flag) => [flag.name, { type: 'string' as const, help: flag.help }])),
    ensemble: { type: 'string', help: `ensemble members (default ${UNFOLD_DEFAULTS.nMembers})` },
    'ensemble-combine': { type: 'string', help: "mean or median of the members' ratios (default mean)" },
    'target-bootstraps': {
      type: 'string',
      help: 'bootstrap replicas of the target (Poisson(1) weights): columns data_boot_<b> (default 0)',
    },
    'source-bootstraps': {
      type: 'string',
      help: 'bootstrap replicas of the source (Poisson(1) weights): columns sim_boot_<b> (default 0)',
    },
    seed: { type: 'string', help: `run seed, integer in [0, 2^32) (default ${UNFOLD_DEFAULTS.seed})` },
    threads: { type: 'string', help: 'worker threads (default 1, or all cores when --ensemble > 1)' },
    units: { type: 'string', help: "units of features for figures and metadata, e.g. 'pt=GeV;phi=rad'" },
    out: { type: 'string', help: 'output directory (default ./omnifold-reweight)' },
    force: { type: 'boolean', help: 'replace an earlier omnifold output in --out (only what the engine wrote there)' },
    'no-plots': { type: 'boolean', help: 'skip OUT/plots/' },
    quiet: { type: 'boolean', help: 'no progress on stderr (errors still print)' },
    debug: { type: 'boolean', help: 'print the stack with an error' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
);

/** Arguments that never change a weight: left out of the stored configuration. */
const RUN_LOCAL = ['threads', 'out', 'force', 'no-plots', 'quiet', 'debug', 'help'];

export type Args = Record<string, string | boolean | undefined>;

/** The `omnifold reweight --help` text. */
export function reweightHelp(): string {
  const lines = Object.entries(REWEIGHT_FLAGS).map(([name, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' X' : ''}`;
    return `  ${flag.padEnd(24)} ${f.help}`;
  });
  return [
    'usage: omnifold reweight --source F --target F --features COLS [options]',
    '',
    'Weights the source events so that their distribution of the features follows the',
    "target's (a classifier's density ratio), e.g. one generator to another; with",
    '--particles and --classifier pfn, of their particle sets. Writes OUT/weights.arrow,',
    'OUT/summary.json and OUT/plots/.',
    '',
    ...lines,
    '',
  ].join('\n');
}

export function parseReweightArgs(argv: string[]): Args {
  const options = Object.fromEntries(
    Object.entries(REWEIGHT_FLAGS).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}) }]),
  );
  try {
    return parseArgs({ args: joinDashValues(argv, REWEIGHT_FLAGS), options, strict: true, allowPositionals: false })
      .values;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1]?.split(' ')[0] ?? '?';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new InputError(`reweight options must be known flags (see omnifold reweight --help); got ${flag}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new InputError(`reweight arguments must all be --flags; got ${flag}`);
    throw new InputError(`reweight arguments must parse; got ${(error as Error).message.split('\n')[0]}`);
  }
}

/** What a `reweight` run does, every value checked before any file is read. */
export interface ReweightPlan {
  source: string;
  target: string;
  features: string[];
  sourceWeight?: string;
  targetWeight?: string;
  /** The particle sets of both samples (--particles, …), for a particle-level classifier. */
  particles?: ParticleColumns;
  options: Partial<ReweightOptions>;
  classifier: (typeof CLASSIFIER_TYPES)[number];
  classifierOptions: Record<string, unknown>;
  bins: Record<string, number[]>;
  targetBootstraps: number;
  sourceBootstraps: number;
  threads?: number;
  units: Record<string, string>;
  outDir: string;
  force: boolean;
  plots: boolean;
  quiet: boolean;
  /** The arguments that decide the result, stored in the metadata. */
  args: Record<string, string | boolean>;
}

export function planReweight(args: Args): ReweightPlan {
  const str = (key: string) => (typeof args[key] === 'string' ? args[key] : undefined);
  for (const key of ['source', 'target', 'features']) {
    if (str(key) === undefined) throw new InputError(`--${key} must be given; got none (see omnifold reweight --help)`);
  }
  const features = listFlag('features', str('features') as string);
  const int = (key: string, min: number) => {
    const text = str(key);
    return text === undefined ? undefined : integerFlag(key, text, min);
  };
  const options: Partial<ReweightOptions> = {};
  const nMembers = int('ensemble', 1);
  if (nMembers !== undefined) options.nMembers = nMembers;
  const seed = int('seed', 0);
  if (seed !== undefined) {
    if (seed > 0xffffffff) throw new InputError(`--seed must be an integer in [0, 2^32); got ${seed}`);
    options.seed = seed;
  }
  const combine = str('ensemble-combine');
  if (combine !== undefined)
    options.ensembleCombine = choiceFlag('ensemble-combine', combine, ['mean', 'median'] as const);
  const normalise = str('normalise');
  if (normalise !== undefined) options.normalisation = choiceFlag('normalise', normalise, REWEIGHT_NORMALISATIONS);
  const classifier = str('classifier');
  const type =
    classifier === undefined ? UNFOLD_DEFAULTS.classifier.type : choiceFlag('classifier', classifier, CLASSIFIER_TYPES);
  const particles = particleColumnsPlan(args, { list: 'particles', count: 'particle-count' });
  if (particles === undefined) refuseLoneParticleCaps(args, '--particles');
  checkParticleClassifier(type, {
    hasParticles: particles !== undefined,
    givenColumns: particles !== undefined,
    flags: '--particles',
    give: '--particles',
    got: 'no particle columns',
  });
  const units: Record<string, string> = {};
  for (const part of (str('units') ?? '').split(';').map((s) => s.trim())) {
    if (part === '') continue;
    const match = /^([^=]+)=(.*)$/.exec(part);
    const col = match?.[1].trim() ?? '';
    if (match === null || !features.includes(col)) {
      throw new InputError(
        `--units entries must read col=unit with col one of --features (${features.join(', ')}); got ${JSON.stringify(part)}`,
      );
    }
    units[col] = match[2].trim();
  }
  return {
    source: str('source') as string,
    target: str('target') as string,
    features,
    sourceWeight: str('source-weight'),
    targetWeight: str('target-weight'),
    ...(particles === undefined ? {} : { particles }),
    options,
    classifier: type,
    classifierOptions: classifierOptionsPlan(args, type),
    bins: str('bins') === undefined ? {} : parseBins(str('bins') as string),
    targetBootstraps: int('target-bootstraps', 0) ?? 0,
    sourceBootstraps: int('source-bootstraps', 0) ?? 0,
    threads: int('threads', 1),
    units,
    outDir: str('out') ?? 'omnifold-reweight',
    force: args.force === true,
    plots: args['no-plots'] !== true,
    quiet: args.quiet === true,
    args: Object.fromEntries(
      Object.entries(args).filter(
        (e): e is [string, string | boolean] => e[1] !== undefined && !RUN_LOCAL.includes(e[0]),
      ),
    ),
  };
}
