/**
 * `omnifold reweight`: weights a source sample to a target sample on chosen features with
 * a classifier (src/algorithm/reweight.ts), e.g. one generator to another. Writes
 * OUT/weights.arrow (the source events, their features and the reweighted `weight`, plus
 * bootstrap columns; the self-describing metadata of every weights file), OUT/summary.json
 * (χ² per feature before and after, ESS, clipped fraction) and OUT/plots/ (per feature:
 * source, reweighted source and target, with a ratio panel). Like `unfold`, only what the
 * engine wrote in OUT is ever replaced.
 */
import {
  CLASSIFIER_FLAGS,
  CLASSIFIER_TYPES,
  checkOutputDir,
  classifierKind,
  type ClassifierSpec,
  dataSampleFromTable,
  describeInputFile,
  checkInputFile,
  Histogram,
  InputError,
  type IterationDiagnostics,
  observableFigure,
  orList,
  poissonOneWeights,
  PoolRunner,
  readTable,
  renderSvg,
  resolveReweightOptions,
  resolveUnfoldOptions,
  reweight,
  type ReweightDiagnostics,
  type ReweightOptions,
  type ReweightSample,
  type MemberRunner,
  REWEIGHT_NORMALISATIONS,
  splitObjectPath,
  svgToPng,
  UNFOLD_DEFAULTS,
  writeWeightsFile,
  type FeatureMatrix,
  type ReplicaWeightColumn,
  type WeightsFile,
  choiceFlag,
  integerFlag,
  listFlag,
  column,
} from '../index.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';
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

type Args = Record<string, string | boolean | undefined>;

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
    "target's (a classifier's density ratio), e.g. one generator to another. Writes",
    'OUT/weights.arrow, OUT/summary.json and OUT/plots/.',
    '',
    ...lines,
    '',
  ].join('\n');
}

function parse(argv: string[]): Args {
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
interface ReweightPlan {
  source: string;
  target: string;
  features: string[];
  sourceWeight?: string;
  targetWeight?: string;
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

function planReweight(args: Args): ReweightPlan {
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

async function readSample(path: string, features: string[], weight?: string): Promise<ReweightSample> {
  const table = await readTable(path, { columns: weight === undefined ? features : [...features, weight] });
  const sample = dataSampleFromTable(table, { reco: features, weight });
  return { x: sample.reco, weights: sample.weights };
}

/** Histogram edges of a feature: its --bins, else 20 equal bins over the target's range. */
function figureEdges(plan: ReweightPlan, f: number, target: FeatureMatrix): number[] | undefined {
  const given = plan.bins[plan.features[f]];
  if (given !== undefined) return given;
  const x = column(target, f);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return undefined;
  return Array.from({ length: 21 }, (_, k) => (k === 20 ? hi + (hi - lo) * 1e-9 : lo + ((hi - lo) * k) / 20));
}

function fill(edges: number[], x: Float32Array, w: Float64Array): Histogram {
  return new Histogram(edges).fill(x, w);
}

function inner(values: Float64Array, n: number): Float64Array {
  return values.slice(1, n + 1);
}

async function writeFigures(
  dir: string,
  plan: ReweightPlan,
  source: ReweightSample,
  target: ReweightSample,
  weights: Float64Array,
  diagnostics: ReweightDiagnostics,
): Promise<string[]> {
  await mkdir(join(dir, 'plots'), { recursive: true });
  const files: string[] = [];
  for (const [f, name] of plan.features.entries()) {
    const edges = figureEdges(plan, f, target.x);
    if (edges === undefined) continue;
    const n = edges.length - 1;
    const xs = column(source.x, f);
    const before = fill(edges, xs, source.weights);
    const after = fill(edges, xs, weights);
    const goal = fill(edges, column(target.x, f), target.weights);
    const chi2 = diagnostics.chi2[f];
    const spec = observableFigure({
      name,
      ...(plan.units[name] ? { unit: plan.units[name] } : {}),
      edges,
      unfolded: { values: inner(after.sumw, n), errors: inner(after.sumw2, n).map(Math.sqrt) },
      prior: { values: inner(before.sumw, n) },
      truth: { values: inner(goal.sumw, n), errors: inner(goal.sumw2, n).map(Math.sqrt) },
      uncertaintyLabel: 'Σw²',
      chi2: { unfolded: chi2.after, prior: chi2.before },
      names: { result: 'Reweighted', prior: 'Source', truth: 'Target', tag: 'reweighted' },
    });
    const svg = await renderSvg(spec);
    const stem = `plots/reweight_${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    await writeFile(join(dir, `${stem}.svg`), svg);
    await writeFile(join(dir, `${stem}.png`), await svgToPng(svg));
    files.push(`${stem}.svg`, `${stem}.png`);
  }
  return files;
}

/** The reweighting as the one "iteration" of a weights file's diagnostics. */
function asIteration(d: ReweightDiagnostics, nEvents: number, sourceWeights: Float64Array, weights: Float64Array) {
  let change = 0;
  let base = 0;
  for (let i = 0; i < weights.length; i++) {
    change += Math.abs(weights[i] - sourceWeights[i]);
    base += Math.abs(sourceWeights[i]);
  }
  const iteration: IterationDiagnostics = {
    iteration: 1,
    steps: [
      {
        step: 'reweight',
        clippedFraction: d.clippedFraction,
        ess: d.essAfter,
        nEvents,
        change: base > 0 ? change / base : 0,
        members: d.members,
      },
    ],
    recoChi2: d.chi2.map((c) => ({ feature: c.feature, chi2: c.after.chi2, ndf: c.after.ndf })),
  };
  return iteration;
}

function times(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v * b[i]);
}

function table(d: ReweightDiagnostics): string {
  const rows = d.chi2.map((c) => [
    c.feature,
    `${c.before.chi2.toFixed(1)}/${c.before.ndf}`,
    `${c.after.chi2.toFixed(1)}/${c.after.ndf}`,
  ]);
  const head = ['feature', 'chi2/ndf before', 'chi2/ndf after'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((v, k) => (k === 0 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  ');
  return [
    line(head),
    ...rows.map(line),
    `ESS ${d.essBefore.toFixed(1)} -> ${d.essAfter.toFixed(1)}; clipped ${(100 * d.clippedFraction).toFixed(2)} %; sum of weights ${d.sumSource.toPrecision(6)} -> ${d.sumReweighted.toPrecision(6)} (target ${d.sumTarget.toPrecision(6)})`,
    '',
  ].join('\n');
}

/** Reads the samples of a plan and computes its weight columns: the nominal reweighting and the bootstraps. */
async function computeReweight(plan: ReweightPlan, log: (text: string) => void) {
  // both files are checked before either is read
  await checkInputFile('--source', plan.source);
  await checkInputFile('--target', plan.target);
  const source = await readSample(plan.source, plan.features, plan.sourceWeight);
  const target = await readSample(plan.target, plan.features, plan.targetWeight);
  const classifier = classifierKind(plan.classifier).cliSpec(plan.classifierOptions, {
    genNames: plan.features,
    recoNames: plan.features,
    bins: plan.bins,
  }) as ClassifierSpec;
  const options = resolveReweightOptions({ ...plan.options, classifier });
  const parallel = options.nMembers > 1 || plan.targetBootstraps + plan.sourceBootstraps > 0;
  const pool = (plan.threads === undefined ? parallel : plan.threads > 1)
    ? new PoolRunner({ threads: plan.threads })
    : undefined;
  const runner: MemberRunner | undefined = pool;
  if (pool !== undefined) log(`using ${pool.threads} worker threads`);
  const columns: ReplicaWeightColumn[] = [];
  let nominal: Awaited<ReturnType<typeof reweight>>;
  try {
    log(`reweighting ${source.x.nEvents} source events to ${target.x.nEvents} target events`);
    nominal = await reweight(source, target, options, { runner, names: plan.features });
    const key = { seed: options.seed, iteration: 0, step: 'none', member: 0 } as const;
    for (let b = 0; b < plan.targetBootstraps; b++) {
      log(`target bootstrap ${b + 1} of ${plan.targetBootstraps}`);
      const poisson = poissonOneWeights(target.x.nEvents, { ...key, kind: 'data', replica: b });
      const r = await reweight(
        source,
        { x: target.x, weights: times(target.weights, poisson) },
        { ...options, replica: { kind: 'data', index: b } },
        { runner, names: plan.features },
      );
      columns.push({ name: `data_boot_${b}`, family: 'data_bootstrap', values: r.weights });
    }
    for (let b = 0; b < plan.sourceBootstraps; b++) {
      log(`source bootstrap ${b + 1} of ${plan.sourceBootstraps}`);
      const poisson = poissonOneWeights(source.x.nEvents, { ...key, kind: 'sim', replica: b });
      const r = await reweight(
        { x: source.x, weights: times(source.weights, poisson) },
        target,
        { ...options, replica: { kind: 'sim', index: b } },
        { runner, names: plan.features },
      );
      columns.push({ name: `sim_boot_${b}`, family: 'sim_bootstrap', values: r.weights });
    }
  } finally {
    await pool?.close();
  }
  return { source, target, options, nominal, columns, threads: pool?.threads ?? 1 };
}

/**
 * `omnifold verify` of a file written by `reweight`: re-runs the reweighting from the
 * recorded arguments (inputs checked against their SHA-256 first, `--source`/`--target`
 * for moved copies) and returns each weight column's recomputed values by name.
 */
export async function recomputeReweight(
  path: string,
  file: WeightsFile,
  moved: { source?: string; target?: string; threads?: number },
  log: (text: string) => void,
): Promise<Map<string, Float64Array>> {
  const recorded = (file.metadata.configuration as { arguments?: unknown }).arguments;
  if (typeof recorded !== 'object' || recorded === null || Array.isArray(recorded))
    throw new InputError(`${path}: metadata configuration.arguments must record the reweight flags; got none`);
  const args: Args = {
    ...(recorded as Args),
    quiet: true,
    ...(moved.threads ? { threads: String(moved.threads) } : {}),
  };
  for (const key of ['source', 'target'] as const) {
    const given = moved[key];
    if (given !== undefined) args[key] = given;
    const record = file.metadata.inputs.find((i) => i.role === key);
    const now = String(args[key]);
    if (record === undefined) {
      log(`note: ${key} input has no SHA-256 in the weights file; not checked`);
      continue;
    }
    await checkInputFile(`--${key}`, now);
    const found = await describeInputFile(key, now);
    if (found.sha256 !== record.sha256)
      throw new InputError(
        `${key} input ${now} must have the SHA-256 recorded in the weights file; got ${found.sha256.slice(0, 12)}… (recorded ${record.sha256.slice(0, 12)}…)`,
      );
  }
  const plan = planReweight(args);
  const { nominal, columns } = await computeReweight(plan, log);
  return new Map([['weight', nominal.weights], ...columns.map((c): [string, Float64Array] => [c.name, c.values])]);
}

/** Runs `omnifold reweight argv…`; resolves to the exit code (errors propagate to main). */
export async function runReweight(argv: string[]): Promise<number> {
  const started = Date.now();
  const args = parse(argv);
  if (args.help === true) {
    process.stdout.write(reweightHelp());
    return 0;
  }
  const plan = planReweight(args);
  const writes = ['weights.arrow', 'summary.json', ...(plan.plots ? ['plots'] : [])];
  const out = await checkOutputDir(plan.outDir, {
    command: 'reweight',
    force: plan.force,
    writes,
    inputs: [
      { option: '--source', path: splitObjectPath(plan.source).file },
      { option: '--target', path: splitObjectPath(plan.target).file },
    ],
  });
  const log = (text: string) => {
    if (!plan.quiet) process.stderr.write(`${text}\n`);
  };
  const { source, target, options, nominal, columns, threads } = await computeReweight(plan, log);
  const d = nominal.diagnostics;
  const nEvents = source.x.nEvents;
  const files = [await describeInputFile('source', plan.source), await describeInputFile('target', plan.target)];
  const summary = {
    command: 'reweight',
    features: d.chi2,
    essBefore: d.essBefore,
    essAfter: d.essAfter,
    clippedFraction: d.clippedFraction,
    sumSource: d.sumSource,
    sumReweighted: d.sumReweighted,
    sumTarget: d.sumTarget,
    normalisationFactor: d.normalisationFactor,
    members: d.members,
    replicas: columns.map((c) => c.name),
    run: { threads, out: plan.outDir, wallSeconds: Math.round((Date.now() - started) / 100) / 10 },
  };
  await out.open();
  await out.commit(async (dir) => {
    const ones = new Uint8Array(nEvents).fill(1);
    await writeWeightsFile(join(dir, 'weights.arrow'), {
      genNames: plan.features,
      gen: source.x,
      passGen: ones,
      passReco: ones,
      priorWeights: source.weights,
      dataWeightSum: d.sumTarget,
      result: {
        weights: nominal.weights,
        iterations: [asIteration(d, nEvents, source.weights, nominal.weights)],
        nDropped: 0,
        options: resolveUnfoldOptions({ seed: options.seed }),
      },
      replicas: columns,
      configuration: {
        command: 'reweight',
        arguments: plan.args,
        options: { ...options, classifier: options.classifier },
        replicas: { targetBootstraps: plan.targetBootstraps, sourceBootstraps: plan.sourceBootstraps },
      },
      inputs: files,
      observables: plan.features.map((name) => ({ name, ...(plan.units[name] ? { unit: plan.units[name] } : {}) })),
      normalisationDescription:
        options.normalisation === 'target'
          ? 'weight = source weight * p_target/p_source in the features (the classifier ratio); sum estimates the sum of target weights'
          : 'weight = source weight * p_target/p_source in the features, rescaled to keep the sum of source weights',
    });
    await writeFile(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (plan.plots) await writeFigures(dir, plan, source, target, nominal.weights, d);
  });
  log(`wrote ${writes.map((f) => join(plan.outDir, f)).join(', ')}`);
  process.stdout.write(table(d));
  return 0;
}
