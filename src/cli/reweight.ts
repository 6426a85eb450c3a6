/**
 * `omnifold reweight`: weights a source sample to a target sample on chosen features with
 * a classifier (src/algorithm/reweight.ts), e.g. one generator to another, or on each
 * event's particle set (--particles, read as `unfold` reads them, with --classifier pfn). Writes
 * OUT/weights.arrow (the source events, their features and the reweighted `weight`, plus
 * bootstrap columns; the self-describing metadata of every weights file), OUT/summary.json
 * (χ² per feature before and after, ESS, clipped fraction) and OUT/plots/ (per feature:
 * source, reweighted source and target, with a ratio panel). Like `unfold`, only what the
 * engine wrote in OUT is ever replaced.
 */
import {
  checkOutputDir,
  classifierKind,
  type ClassifierSpec,
  dataSampleFromTable,
  describeInputFile,
  checkInputFile,
  Histogram,
  InputError,
  jaggedColumnList,
  LEGACY_GRADIENT_BLOCKS,
  storedBeforeBlocks,
  type ParticleColumns,
  type IterationDiagnostics,
  observableFigure,
  poissonOneWeights,
  PoolRunner,
  readTable,
  renderSvg,
  resolveReweightOptions,
  resolveUnfoldOptions,
  reweight,
  type ReweightDiagnostics,
  type ReweightSample,
  type MemberRunner,
  splitObjectPath,
  svgToPng,
  writeWeightsFile,
  type FeatureMatrix,
  type ReplicaWeightColumn,
  type WeightsFile,
  column,
} from '../index.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Args, parseReweightArgs, planReweight, reweightHelp, type ReweightPlan } from './reweight_plan.js';

async function readSample(
  path: string,
  features: string[],
  weight?: string,
  particles?: ParticleColumns,
): Promise<ReweightSample> {
  const table = await readTable(path, {
    columns: weight === undefined ? features : [...features, weight],
    jagged: jaggedColumnList(particles),
  });
  const sample = dataSampleFromTable(table, { reco: features, weight, particles });
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
  const source = await readSample(plan.source, plan.features, plan.sourceWeight, plan.particles);
  const target = await readSample(plan.target, plan.features, plan.targetWeight, plan.particles);
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
  // a file written before its kind had gradientBlocks: its fits summed each minibatch in one block
  const spec = (file.metadata.configuration as { options?: { classifier?: Record<string, unknown> } }).options
    ?.classifier;
  if (storedBeforeBlocks(spec)) args['gradient-blocks'] = String(LEGACY_GRADIENT_BLOCKS);
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
  const args = parseReweightArgs(argv);
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
        ...(plan.particles === undefined ? {} : { particles: plan.particles }),
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
