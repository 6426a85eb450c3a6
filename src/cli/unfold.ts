/**
 * `omnifold unfold`: arguments → run plan → output folder checked → inputs → replicas
 * (each stored for --resume in OUT/.omnifold-resume/; with --replicas only those, and the
 * run stops there) → weights.arrow, summary.json, models/ (with --save-models),
 * plots and report, each moved into OUT whole → the result table on stdout. Only what the
 * engine wrote in OUT is ever replaced (src/io/output_dir.ts).
 */
import {
  checkOutputDir,
  encodeWeightsFile,
  engineVersion,
  type ExecutedReplicas,
  type LinkedWeightsFile,
  type OutputDir,
  planReplicas,
  type ReplicaExecutor,
  ReplicaRun,
  type ReplicaRunResult,
  type RunSummary,
  runWarnings,
  splitObjectPath,
  summarize,
  UNFOLD_DEFAULTS,
  unfold,
  type UnfoldOptions,
  type UnfoldResult,
  withoutRunLocalOptions,
  writePlotsAndReport,
  writeModels,
  writeSummary,
  writeWeightsFile,
} from '../index.js';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { progressPrinter } from './progress.js';
import { formatResultTable } from './table.js';
import { parseUnfoldArgs, unfoldHelp } from './unfold_args.js';
import { chooseReplicas } from './replica_list.js';
import { membersOf, planHasReplicas, replicaExecutor, runReplicaOptions, runUnfoldOptions } from './unfold_run.js';
import { loadInputs, type LoadedInputs } from './unfold_inputs.js';
import { planUnfold, type RunPlan } from './unfold_plan.js';
import { type AlternativeSample, loadAlternatives, resolveSystematics } from './unfold_systematics.js';
import { chooseIterationsOf, describeChoice, type RecordedIterationChoice } from './unfold_auto.js';

/** The replica settings as stored in the metadata (systematics by name and source). */
function replicaConfiguration(plan: RunPlan): Record<string, unknown> {
  return {
    dataBootstraps: plan.replicas.dataBootstraps,
    simBootstraps: plan.replicas.simBootstraps,
    ...(plan.replicas.backgroundBootstraps > 0 ? { backgroundBootstraps: plan.replicas.backgroundBootstraps } : {}),
    systematics: plan.replicas.systematics,
  };
}

/** What `omnifold unfold` writes in its output folder. */
export function outputEntries(plan: RunPlan): string[] {
  return [
    'weights.arrow',
    ...alternativeFiles(plan).map((a) => a.file),
    'summary.json',
    ...(plan.unfold.saveModels === true ? ['models'] : []),
    ...(plan.plots ? ['report.html', 'plots'] : []),
  ];
}

/** The alternative unfoldings of a plan (`--syst name=unfold:FILE`) and the weights files they write. */
function alternativeFiles(plan: RunPlan): { name: string; file: string }[] {
  return plan.replicas.systematics
    .filter((s) => s.kind === 'alternative')
    .map((s) => ({ name: s.name, file: `syst_${s.name}.arrow` }));
}

/** An alternative unfolding, done: its sample and result. */
interface AlternativeRun {
  alternative: AlternativeSample;
  result: UnfoldResult;
}

/** The input files a plan reads, by option (none for a toy). */
export function inputFiles(plan: RunPlan): { option: string; path: string }[] {
  const files: { option: string; path: string }[] = [];
  if (plan.input.kind === 'files') {
    files.push(
      { option: '--sim', path: splitObjectPath(plan.input.sim).file },
      { option: '--data', path: splitObjectPath(plan.input.data).file },
    );
    if (plan.input.truth !== undefined) files.push({ option: '--truth', path: splitObjectPath(plan.input.truth).file });
    for (const path of plan.input.background) files.push({ option: '--background', path: splitObjectPath(path).file });
  }
  for (const s of plan.replicas.systematics)
    if (s.kind === 'sample' || s.kind === 'alternative')
      files.push({ option: `--syst ${s.name}`, path: splitObjectPath(s.file).file });
  return files;
}

/** The resolved options as stored: without the classifier's memory budget, which never changes a weight. */
function storedOptions(options: UnfoldOptions): UnfoldOptions {
  const classifier = withoutRunLocalOptions(options.classifier);
  return classifier === options.classifier ? options : { ...options, classifier };
}

async function writeOutputs(
  out: OutputDir,
  plan: RunPlan,
  inputs: LoadedInputs,
  run: ReplicaRunResult,
  summary: RunSummary,
  alternatives: readonly AlternativeRun[],
  choice: RecordedIterationChoice | undefined,
): Promise<void> {
  const { sim, data } = inputs;
  const dataWeightSum = data.weights.reduce((s, w) => s + w, 0);
  const models = run.nominal.models;
  await out.commit(async (dir) => {
    // the models first: the weights file records their hashes
    const modelsRecord = models === undefined ? undefined : await writeModels(join(dir, 'models'), models);
    const linked: LinkedWeightsFile[] = [];
    for (const { alternative, result } of alternatives) {
      const file = `syst_${alternative.name}.arrow`;
      const bytes = encodeWeightsFile({
        genNames: inputs.genNames,
        gen: alternative.sim.gen,
        passGen: alternative.sim.passGen,
        passReco: alternative.sim.passReco,
        priorWeights: alternative.sim.weights,
        dataWeightSum,
        result,
        configuration: {
          command: 'unfold',
          alternativeUnfolding: alternative.name,
          arguments: plan.args,
          options: storedOptions(result.options),
        },
        inputs: [alternative.input, ...inputs.files.filter((f) => !f.role.startsWith('syst:'))],
        observables: inputs.observables,
        selection: inputs.selection,
        engineVersion: engineVersion(),
      });
      await writeFile(join(dir, file), bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      linked.push({ name: alternative.name, family: 'systematic', file, sha256, bytes: bytes.length });
    }
    await writeWeightsFile(join(dir, 'weights.arrow'), {
      genNames: inputs.genNames,
      gen: sim.gen,
      passGen: sim.passGen,
      passReco: sim.passReco,
      priorWeights: sim.weights,
      dataWeightSum,
      ...(data.background ? { backgroundWeightSum: data.background.weights.reduce((s, w) => s + w, 0) } : {}),
      result: run.nominal,
      replicas: run.columns.slice(1),
      configuration: {
        command: 'unfold',
        arguments: plan.args,
        input: inputs.description,
        options: storedOptions(run.options),
        replicas: replicaConfiguration(plan),
        ...(choice === undefined ? {} : { iterationChoice: choice }),
      },
      inputs: inputs.files,
      observables: inputs.observables,
      selection: inputs.selection,
      linked,
      ...(modelsRecord === undefined ? {} : { models: modelsRecord }),
    });
    await writeSummary(join(dir, 'summary.json'), summary);
    if (plan.plots) {
      await writePlotsAndReport(dir);
    }
  });
}

/**
 * The alternative unfoldings (`--syst name=unfold:FILE`, as H1 does it): the data unfolded
 * with each alternative sample as the sim, with the nominal's options, in this thread. Their
 * random streams are keyed as systematic replicas numbered after the plan's own.
 */
async function runAlternatives(
  plan: RunPlan,
  inputs: LoadedInputs,
  run: ReplicaRunResult,
  printer: { message: (line: string) => void },
): Promise<AlternativeRun[]> {
  const samples = await loadAlternatives(plan.replicas.systematics, plan.input, inputs);
  const first = plan.replicas.systematics.filter((s) => s.kind !== 'alternative').length;
  const out: AlternativeRun[] = [];
  for (const [k, alternative] of samples.entries()) {
    printer.message(`systematic ${alternative.name}: unfolding the data with ${alternative.input.path} as the sim`);
    // its file holds the unfolded weights only: no member columns, no models
    const result = await unfold(alternative.sim, inputs.data, {
      ...run.options,
      saveMembers: false,
      saveModels: false,
      replica: { kind: 'syst', index: first + k },
    });
    out.push({ alternative, result });
  }
  return out;
}

/** What a `--replicas` run did, for stdout: the replicas computed and found stored, and what comes next. */
function subsetLine(executed: ExecutedReplicas, nPlanned: number, resumeDir: string): string {
  const { computed, resumed } = executed;
  const names = (list: string[]) => (list.length === 0 ? '' : ` (${list.join(', ')})`);
  return `stored ${computed.length + resumed.length} of ${nPlanned} replicas in ${resumeDir}: computed ${computed.length}${names(computed)}, already stored ${resumed.length}${names(resumed)}; run again with --resume to compute the rest and merge`;
}

/** Runs `omnifold unfold argv…`; resolves to the exit code (errors propagate to main). */
export async function runUnfold(argv: string[]): Promise<number> {
  const started = Date.now();
  const args = parseUnfoldArgs(argv);
  if (args.help === true) {
    process.stdout.write(unfoldHelp());
    return 0;
  }
  let plan = planUnfold(args);
  // the output location is checked before any work; nothing is written until the inputs are read
  const out = await checkOutputDir(plan.outDir, {
    command: 'unfold',
    force: plan.force,
    resume: plan.resume,
    writes: outputEntries(plan),
    inputs: inputFiles(plan),
  });
  const inputs = await loadInputs(plan.input);
  const executor = await replicaExecutor(
    plan.threads,
    membersOf(runUnfoldOptions(plan, inputs)) > 1 || planHasReplicas(plan),
  );
  try {
    let choice: RecordedIterationChoice | undefined;
    if (plan.iterationSearch !== undefined) {
      if (executor.threads !== undefined)
        process.stderr.write(plan.quiet ? '' : `using ${executor.threads} worker threads\n`);
      ({ plan, choice } = await chooseIterationsOf(plan, inputs, runUnfoldOptions(plan, inputs), executor));
    }
    return await runChosen(plan, out, inputs, executor, started, choice);
  } finally {
    await executor.close();
  }
}

/** The run itself, once the number of iterations is known, on `executor` (closed by the caller). */
async function runChosen(
  plan: RunPlan,
  out: OutputDir,
  inputs: LoadedInputs,
  executor: ReplicaExecutor & { readonly threads?: number },
  started: number,
  choice: RecordedIterationChoice | undefined,
): Promise<number> {
  const options = runUnfoldOptions(plan, inputs);
  const printer = progressPrinter(process.stderr, options.nIterations ?? UNFOLD_DEFAULTS.nIterations, plan.quiet);
  for (const s of plan.replicas.systematics) {
    if (s.kind === 'sample' && s.recipe !== undefined)
      printer.message(`systematic ${s.name}: weighting the nominal sim by the ${s.recipe} recipe to ${s.file}`);
  }
  const systematics = await resolveSystematics(plan.replicas.systematics, plan.input, inputs, options);
  const replicaOptions = runReplicaOptions(plan, options, systematics);
  const chosen =
    plan.replicas.chosen === undefined ? undefined : chooseReplicas(plan.replicas.chosen, planReplicas(replicaOptions));
  await out.open();
  const replicaRun = new ReplicaRun(inputs.sim, inputs.data, replicaOptions, {
    // only a run with replicas keeps them for --resume; a lone nominal is simply recomputed
    storeDir: planHasReplicas(plan) ? out.resumeDir : undefined,
    resume: plan.resume && planHasReplicas(plan),
    onProgress: printer.onProgress,
  });
  if (executor.threads !== undefined && choice === undefined)
    printer.message(`using ${executor.threads} worker threads`);
  let executed: ExecutedReplicas;
  try {
    executed = await replicaRun.execute(executor, chosen);
  } finally {
    printer.end();
  }
  if (chosen !== undefined) {
    process.stdout.write(`${subsetLine(executed, replicaRun.work.plan.length, out.resumeDir)}\n`);
    return 0;
  }
  const run = replicaRun.merge();
  if (run.resumed.length > 0)
    printer.message(`resumed ${run.resumed.length} finished replica(s): ${run.resumed.join(', ')}`);
  const runFacts = {
    threads: executor.threads ?? 1,
    out: plan.outDir,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    resumed: run.resumed,
  };
  await finishRun(out, plan, inputs, run, printer, runFacts, choice);
  return 0;
}

/**
 * The end of a run once its replicas are merged (`unfold`, and `merge` of a batch plan):
 * the summary and its warnings, weights.arrow, summary.json, figures and report moved into
 * OUT whole, and the result table on stdout. `runFacts` (summary.json `run`) say where and
 * how the run went; nothing else depends on where the replicas were computed.
 */
export async function finishRun(
  out: OutputDir,
  plan: RunPlan,
  inputs: LoadedInputs,
  run: ReplicaRunResult,
  printer: { message: (line: string) => void },
  runFacts: Record<string, unknown>,
  choice?: RecordedIterationChoice,
): Promise<void> {
  const result = run.nominal;
  const summary = summarize({
    ...inputs.sim,
    genNames: inputs.genNames,
    priorWeights: inputs.sim.weights,
    weights: result.weights,
    truth: inputs.truth,
    bins: { ...inputs.bins, ...plan.bins },
    iterations: result.iterations,
    nDropped: result.nDropped,
    columns: run.columns,
  });
  const warnings = runWarnings({
    iterations: result.iterations,
    nEvents: inputs.sim.weights.length,
    observables: summary.features.map((f) => ({ info: { name: f.feature }, summary: f })),
  });
  // warnings are printed with or without plots and --quiet, and kept in summary.json
  for (const w of warnings) process.stderr.write(`warning: ${w.where}: ${w.message}\n`);
  if (choice !== undefined && !choice.converged)
    warnings.push({ kind: 'iterations', where: `--iterations ${choice.requested}`, message: describeChoice(choice) });
  const alternatives = await runAlternatives(plan, inputs, run, printer);
  await writeOutputs(
    out,
    plan,
    inputs,
    run,
    { ...summary, warnings, run: runFacts, ...(choice === undefined ? {} : { iterationChoice: choice }) },
    alternatives,
    choice,
  );
  printer.message(
    `wrote ${outputEntries(plan)
      .map((f) => join(plan.outDir, f))
      .join(', ')}`,
  );
  process.stdout.write(formatResultTable(summary));
}
