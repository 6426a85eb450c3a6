/**
 * `omnifold unfold`: arguments → run plan → inputs → unfold() → weights.arrow and
 * summary.json (written atomically) → the result table on stdout.
 */
import { join } from 'node:path';
import type { ClassifierSpec } from '../classifier.js';
import { UNFOLD_DEFAULTS } from '../defaults.js';
import { InputError } from '../errors.js';
import { summarize } from '../io/summary.js';
import { writeSummary } from '../io/summary.js';
import { writeOutputDir, writeWeightsFile } from '../io/weights_file.js';
import type { ReplicaRunResult } from '../replicas.js';
import type { MemberRunner } from '../types.js';
import { progressPrinter, type ProgressPrinter } from './progress.js';
import { formatResultTable } from './table.js';
import { parseUnfoldArgs, unfoldHelp } from './unfold_args.js';
import { loadInputs, type LoadedInputs } from './unfold_inputs.js';
import { planUnfold, type RunPlan } from './unfold_plan.js';
import { resolveSystematics } from './unfold_systematics.js';

/** The replica settings as stored in the metadata (systematics by name and source). */
function replicaConfiguration(plan: RunPlan): Record<string, unknown> {
  return { dataBootstraps: plan.replicas.dataBootstraps, simBootstraps: plan.replicas.simBootstraps, systematics: plan.replicas.systematics };
}

/** The classifier spec of a run: binned edges per gen feature, or MLP options. */
export function classifierSpec(plan: RunPlan, inputs: LoadedInputs): ClassifierSpec {
  if (plan.classifier === 'mlp') return { type: 'mlp', ...inputs.mlp, ...plan.mlp };
  if (inputs.genNames.length !== inputs.recoNames.length) {
    throw new InputError(`--classifier binned must have as many --gen as --reco columns (one grid serves both levels); got ${inputs.genNames.length} and ${inputs.recoNames.length}`);
  }
  const bins = { ...inputs.bins, ...plan.bins };
  const edges = inputs.genNames.map((name, f) => bins[name] ?? bins[inputs.recoNames[f]]);
  const missing = inputs.genNames.filter((_, f) => edges[f] === undefined);
  if (missing.length > 0) throw new InputError(`--bins must give edges for every --gen column with --classifier binned; got none for ${missing.join(', ')}`);
  return { type: 'binned', edges };
}

/** True when the plan runs more than the nominal unfolding. */
function hasReplicas(plan: RunPlan): boolean {
  const r = plan.replicas;
  return r.dataBootstraps + r.simBootstraps + r.systematics.length > 0;
}

/** A member runner for the plan: the worker pool when there is parallel work, unless --threads 1. */
async function makeRunner(plan: RunPlan, nMembers: number, printer: ProgressPrinter): Promise<(MemberRunner & { close?: () => Promise<void> }) | undefined> {
  const parallel = nMembers > 1 || hasReplicas(plan);
  if (plan.threads === undefined ? !parallel : plan.threads === 1) return undefined;
  const { PoolRunner } = await import('../pool.js');
  const runner = new PoolRunner({ threads: plan.threads });
  printer.message(`using ${runner.threads} worker threads`);
  return runner;
}

async function writeOutputs(plan: RunPlan, inputs: LoadedInputs, run: ReplicaRunResult, summary: ReturnType<typeof summarize>, printer: ProgressPrinter): Promise<void> {
  const { sim, data } = inputs;
  await writeOutputDir(plan.outDir, async (dir) => {
    await writeWeightsFile(join(dir, 'weights.arrow'), {
      genNames: inputs.genNames,
      gen: sim.gen,
      passGen: sim.passGen,
      passReco: sim.passReco,
      priorWeights: sim.weights,
      dataWeightSum: data.weights.reduce((s, w) => s + w, 0),
      result: run.nominal,
      replicas: run.columns.slice(1),
      configuration: { command: 'unfold', arguments: plan.args, input: inputs.description, options: run.options, replicas: replicaConfiguration(plan) },
      inputs: inputs.files,
      observables: inputs.observables,
      selection: inputs.selection,
    });
    await writeSummary(join(dir, 'summary.json'), summary);
    if (plan.plots) {
      const { writePlotsAndReport } = await import('../report/publish.js');
      const { warnings } = await writePlotsAndReport(dir);
      for (const w of warnings) printer.message(`warning: ${w.where}: ${w.message}`);
    }
  });
}

/** Runs `omnifold unfold argv…`; resolves to the exit code (errors propagate to main). */
export async function runUnfold(argv: string[]): Promise<number> {
  const args = parseUnfoldArgs(argv);
  if (args.help === true) {
    process.stdout.write(unfoldHelp());
    return 0;
  }
  const plan = planUnfold(args);
  const inputs = await loadInputs(plan.input);
  const options = { ...inputs.unfold, ...plan.unfold, classifier: classifierSpec(plan, inputs) };
  const printer = progressPrinter(process.stderr, options.nIterations ?? UNFOLD_DEFAULTS.nIterations, plan.quiet);
  const systematics = await resolveSystematics(plan.replicas.systematics, plan.input, inputs);
  const { runReplicas } = await import('../replicas.js');
  const runner = await makeRunner(plan, options.nMembers ?? UNFOLD_DEFAULTS.nMembers, printer);
  let run: ReplicaRunResult;
  try {
    const replicaOptions = { ...options, dataBootstraps: plan.replicas.dataBootstraps, simBootstraps: plan.replicas.simBootstraps, systematics };
    run = await runReplicas(inputs.sim, inputs.data, replicaOptions, {
      runner,
      outDir: plan.outDir,
      resume: plan.resume,
      onProgress: (p) => (p.type === 'replica' ? printer.message(`replica ${p.name} ${p.status} (${p.done}/${p.total})`) : printer.onProgress(p)),
    });
  } finally {
    printer.end();
    await runner?.close?.();
  }
  if (run.resumed.length > 0) printer.message(`resumed ${run.resumed.length} finished replica(s): ${run.resumed.join(', ')}`);
  const result = run.nominal;
  const summary = summarize({ ...inputs.sim, genNames: inputs.genNames, priorWeights: inputs.sim.weights, weights: result.weights, truth: inputs.truth, bins: { ...inputs.bins, ...plan.bins }, iterations: result.iterations, nDropped: result.nDropped });
  await writeOutputs(plan, inputs, run, summary, printer);
  const written = ['weights.arrow', 'summary.json', ...(plan.plots ? ['report.html', 'plots/'] : [])];
  printer.message(`wrote ${written.map((f) => join(plan.outDir, f)).join(', ')}`);
  process.stdout.write(formatResultTable(summary));
  return 0;
}
