/**
 * `omnifold merge OUT`: the end of a batch plan (docs/cluster.md). Checks that every
 * replica is stored in OUT/replicas/ for this plan (plan hash, checksum, then, with the
 * inputs loaded, its configuration hash); if any is missing it names them and prints the
 * line that reruns only their tasks (`sbatch --array=3,17,42 …`), and writes nothing.
 * Otherwise it writes weights.arrow, summary.json, the figures and the report into OUT
 * exactly as `omnifold unfold` with the same options writes them (summary.json `run`
 * aside, which says where and how long), beside the plan's own files.
 */
import {
  checkOutputDir,
  computeReplica,
  mergeReplicas,
  PlanReplicaStore,
  planReplicaState,
  type PlanReplicaState,
  type ReplicaRecord,
  type ReplicaStore,
} from '../index.js';
import { join } from 'node:path';
import {
  describeByTask,
  enterPlanFolder,
  loadPlanWork,
  parseCommandArgs,
  type PlanFile,
  planFolder,
  planIterations,
  planRunPlan,
  readPlanFile,
  REPLICAS_DIR,
  rerunLines,
} from './batch.js';
import { progressPrinter } from './progress.js';
import { finishRun, inputFiles, outputEntries } from './unfold.js';

const HELP = `usage: omnifold merge OUT [options]

Checks that every replica of the plan in OUT (written by omnifold plan) is stored, with
the plan's hash and an intact checksum, and writes OUT/weights.arrow, OUT/summary.json,
the figures and the report as omnifold unfold with the same options writes them. If any
replica is missing it names them, prints the line that reruns only their tasks, and
exits 1 without writing.

      --input-dir DIR    find the input files by name in DIR
      --quiet            no progress on stderr
  -h, --help             show this help
`;

/** Prints what is missing and what reruns it; returns the exit code 1. */
function refuse(plan: PlanFile, outDir: string, states: readonly PlanReplicaState[]): number {
  const { text, tasks } = describeByTask(plan, states);
  const nMissing = states.filter((s) => s.status !== 'done').length;
  process.stderr.write(
    [
      `omnifold: merge ${outDir} must find every replica of the plan stored; got ${nMissing} of ${states.length} missing: ${text}`,
      ...rerunLines(plan, outDir, tasks),
      `then merge again: omnifold merge ${outDir}`,
      '',
    ].join('\n'),
  );
  return 1;
}

/** Runs `omnifold merge OUT`; resolves to the exit code. */
export async function runMerge(argv: string[]): Promise<number> {
  const started = Date.now();
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      'input-dir': { type: 'string' },
      quiet: { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'merge',
  );
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const outDir = planFolder(positionals, 'merge');
  const plan = readPlanFile(outDir);
  const storeDir = join(outDir, REPLICAS_DIR);
  // every replica present for this plan, before any input is read
  const found = plan.replicas.map((name) => planReplicaState(storeDir, name, plan.planHash));
  if (found.some((s) => s.status !== 'done')) return refuse(plan, outDir, found);
  const inputDir = values['input-dir'] as string | undefined;
  enterPlanFolder(plan, inputDir);
  const runPlan = planRunPlan(plan, outDir, inputDir);
  const out = await checkOutputDir(outDir, {
    command: 'plan',
    resume: true,
    update: true,
    writes: outputEntries(runPlan),
    inputs: inputFiles(runPlan),
  });
  const printer = progressPrinter(process.stderr, planIterations(plan), values.quiet === true);
  const { inputs, work } = await loadPlanWork(plan, runPlan, inputDir, printer.onProgress);
  // then each one made with these inputs and options (its configuration hash)
  const store = new PlanReplicaStore(storeDir, plan.planHash);
  const nEvents = work.sim.weights.length;
  const checked = work.plan.map((p, k): PlanReplicaState => {
    if (store.read(p.name, { hash: work.hashes[k], nEvents }) !== undefined) return { name: p.name, status: 'done' };
    return planReplicaState(storeDir, p.name, plan.planHash, { hash: work.hashes[k], nEvents });
  });
  if (checked.some((s) => s.status !== 'done')) return refuse(plan, outDir, checked);
  let merged: ReplicaStore = store;
  if (work.options.saveIterations) {
    // the nominal's per-iteration weights are not stored with it: computed again here, as unfold does
    printer.message('computing the nominal unfolding again for its per-iteration weights (--save-iterations)');
    const nominal: ReplicaRecord = await computeReplica(work, 0, { onProgress: printer.onProgress });
    merged = { write: () => undefined, read: (name, e) => (name === nominal.name ? nominal : store.read(name, e)) };
  }
  const run = mergeReplicas(work, merged, []);
  printer.end();
  const runFacts = {
    threads: 1,
    out: outDir,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    resumed: [],
    plan: { planHash: plan.planHash, nTasks: plan.tasks.length, nReplicas: plan.replicas.length },
  };
  await finishRun(out, runPlan, inputs, run, printer, runFacts);
  return 0;
}
