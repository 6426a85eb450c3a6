/**
 * `omnifold run-task OUT --task T`: one task of a batch plan (docs/cluster.md). Runs the
 * task's replicas (plan.json `tasks[T]`) with a pool of min(available cores,
 * SLURM_CPUS_PER_TASK) threads and stores each one in OUT/replicas/ as it finishes
 * (temporary file, rename; with its checksum and the plan hash). Replicas already stored
 * for this plan are skipped, so running a task again does nothing more, and a task killed
 * and requeued resumes. While it runs, OUT/running/task-T.json says where (a killed task
 * leaves it behind; `omnifold status` tells a live one from a dead one).
 */
import {
  InProcessExecutor,
  InputError,
  PlanReplicaStore,
  planReplicaState,
  PoolExecutor,
  removeStaleTemporaries,
  type ReplicaExecutor,
  type ReplicaProgress,
  type ReplicaStore,
} from '../index.js';
import { mkdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import {
  enterPlanFolder,
  loadPlanWork,
  parseCommandArgs,
  planIterations,
  planRunPlan,
  type PlanFile,
  planFolder,
  readPlanFile,
  REPLICAS_DIR,
  RUNNING_DIR,
  taskIndex,
} from './batch.js';
import { progressPrinter } from './progress.js';
import { membersOf } from './unfold_run.js';

const HELP = `usage: omnifold run-task OUT --task T [options]

Runs task T of the plan in OUT (written by omnifold plan) and stores each of its replicas
in OUT/replicas/ as it finishes. Replicas already stored for this plan are skipped: run it
again after a kill or a requeue and it computes only the rest.

      --task T           the task (default: $SLURM_ARRAY_TASK_ID)
      --threads N        worker threads (default min(available cores, $SLURM_CPUS_PER_TASK))
      --input-dir DIR    find the input files by name in DIR (a job's scratch folder)
      --quiet            no progress on stderr
  -h, --help             show this help
`;

/** Worker threads of a task: --threads, else min(available cores, SLURM_CPUS_PER_TASK). */
export function taskThreads(text: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (text !== undefined) {
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1)) throw new InputError(`--threads must be a positive integer; got ${JSON.stringify(text)}`);
    return n;
  }
  const cores = availableParallelism();
  const slurm = env.SLURM_CPUS_PER_TASK;
  if (slurm === undefined || slurm === '') return cores;
  const n = /^\d+$/.test(slurm) ? Number(slurm) : NaN;
  if (!(n >= 1)) throw new InputError(`SLURM_CPUS_PER_TASK must be a positive integer; got ${JSON.stringify(slurm)}`);
  return Math.min(cores, n);
}

/** Writes the marker of a running task (atomically); returns the function that removes it. */
function markRunning(outDir: string, task: number): () => void {
  const dir = join(outDir, RUNNING_DIR);
  const path = join(dir, `task-${task}.json`);
  const env = process.env;
  const marker = {
    task,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(env.SLURM_JOB_ID === undefined
      ? {}
      : {
          slurm: { jobId: env.SLURM_JOB_ID, arrayJobId: env.SLURM_ARRAY_JOB_ID, arrayTaskId: env.SLURM_ARRAY_TASK_ID },
        }),
  };
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(marker)}\n`);
  renameSync(temp, path);
  return () => rmSync(path, { force: true });
}

/** Names, shortened to the first five and a count. */
function shortNames(names: readonly string[]): string {
  if (names.length === 0) return '';
  return ` (${names.length <= 6 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, … ${names.length} in all`})`;
}

/** Runs `omnifold run-task OUT --task T`; resolves to the exit code. */
export async function runTask(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      task: { type: 'string' },
      threads: { type: 'string' },
      'input-dir': { type: 'string' },
      quiet: { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'run-task',
  );
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const outDir = planFolder(positionals, 'run-task');
  const plan = readPlanFile(outDir);
  const task = taskIndex(values.task as string | undefined, plan);
  const threads = taskThreads(
    (values.threads as string | undefined) ?? (plan.run.threads === undefined ? undefined : String(plan.run.threads)),
  );
  const inputDir = values['input-dir'] as string | undefined;
  const positions = plan.tasks[task].replicas;
  const storeDir = join(outDir, REPLICAS_DIR);
  // a task found complete is done before any input is read: a second run costs a few file reads
  const stored = positions.filter((k) => planReplicaState(storeDir, plan.replicas[k], plan.planHash).status === 'done');
  if (stored.length === positions.length) {
    process.stdout.write(
      `task ${task}: all ${plural(positions.length, 'replica')} already stored${shortNames(positions.map((k) => plan.replicas[k]))}\n`,
    );
    return 0;
  }
  enterPlanFolder(plan, inputDir);
  // a task killed (scancel, a time limit, a lost node) leaves its marker: status then asks
  // Slurm, or checks the process on this host, before it calls the task running
  const unmark = markRunning(outDir, task);
  try {
    return await runReplicasOfTask(plan, outDir, task, threads, inputDir, values.quiet === true);
  } finally {
    unmark();
  }
}

async function runReplicasOfTask(
  plan: PlanFile,
  outDir: string,
  task: number,
  threads: number,
  inputDir: string | undefined,
  quiet: boolean,
): Promise<number> {
  const started = Date.now();
  const printer = progressPrinter(process.stderr, planIterations(plan), quiet);
  const store = new PlanReplicaStore(join(outDir, REPLICAS_DIR), plan.planHash, (name, message) =>
    printer.onProgress({ type: 'notice', name, message: `${message}; recomputing it` }),
  );
  let executor: ReplicaExecutor | undefined;
  let computed: string[];
  let resumed: string[];
  try {
    const runPlan = planRunPlan(plan, outDir, inputDir);
    const { options, work } = await loadPlanWork(plan, runPlan, inputDir, printer.onProgress);
    const nEvents = work.sim.weights.length;
    const positions = plan.tasks[task].replicas;
    // a killed run of this task may have left temporary files of its own replicas
    removeStaleTemporaries(
      join(outDir, REPLICAS_DIR),
      positions.map((k) => work.plan[k].name),
    );
    const toRun = positions.filter(
      (k) => store.read(work.plan[k].name, { hash: work.hashes[k], nEvents }) === undefined,
    );
    resumed = positions.filter((k) => !toRun.includes(k)).map((k) => work.plan[k].name);
    computed = toRun.map((k) => work.plan[k].name);
    const parallel = threads > 1 && (toRun.length > 1 || membersOf(options) > 1);
    executor = parallel ? new PoolExecutor({ threads }) : new InProcessExecutor();
    printer.message(
      `task ${task} of ${plan.tasks.length}: ${plural(toRun.length, 'replica')} to compute on ${plural(parallel ? threads : 1, 'thread')}`,
    );
    let done = resumed.length;
    const total = positions.length;
    const reporting: ReplicaStore = {
      write(record) {
        store.write(record);
        printer.onProgress({ type: 'replica', name: record.name, status: 'computed', done: ++done, total });
      },
      read: (name, expected) => store.read(name, expected),
    };
    await executor.run(work, toRun, {
      store: reporting,
      onStart: (k) =>
        printer.onProgress({
          type: 'replica-start',
          name: work.plan[k].name,
          replica: `${work.plan[k].kind}#${work.plan[k].index}`,
          total,
        } satisfies ReplicaProgress),
      onProgress: printer.onProgress,
    });
  } finally {
    printer.end();
    await executor?.close();
  }
  process.stdout.write(
    `task ${task}: computed ${computed.length}${shortNames(computed)}, already stored ${resumed.length}${shortNames(resumed)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

/** `1 replica`, `2 replicas`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
