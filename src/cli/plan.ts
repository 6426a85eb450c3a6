/**
 * `omnifold plan [unfold options] --slurm | --htcondor | --emit tasks.txt`: the run that
 * `omnifold unfold` with the same options would do, cut into tasks for a batch system
 * (docs/cluster.md). Writes in OUT, through the safe output folder (src/io/output_dir.ts):
 * plan.json (inputs' SHA-256, configuration, engine version, seed, the task table and the
 * plan hash), the scheduler files (submit.sh and slurm/*.sbatch; tasks.txt; htcondor/*),
 * and the empty replicas/, logs/ and running/ folders the tasks write into. Computes nothing.
 */
import {
  checkInputFile,
  checkOutputDir,
  engineVersion,
  type HtcondorSettings,
  htcondorFiles,
  InputError,
  planReplicas,
  resolveUnfoldOptions,
  SLURM_MAX_ARRAY_SIZE,
  slurmFiles,
  splitObjectPath,
  type SlurmSettings,
  splitOptions,
  type SystematicSpec,
  taskLines,
  taskTable,
  UNFOLD_DEFAULTS,
  type BatchScriptPlan,
  type InputFileRecord,
} from '../index.js';
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatPlanFile, PLAN_FILE, type PlanFile, planHashOf, REPLICAS_DIR, RUNNING_DIR } from './batch.js';
import { inputFiles } from './unfold.js';
import { type FlagTable, parseUnfoldArgs, UNFOLD_FLAGS, type UnfoldArgs } from './unfold_args.js';
import { describeInput, loadInputs } from './unfold_inputs.js';
import { planUnfold, type RunPlan } from './unfold_plan.js';
import { argInteger, argString } from './arg_values.js';
import { runUnfoldOptions } from './unfold_run.js';

/** The flags `plan` takes besides unfold's: the back ends, the packing and the Slurm settings. */
const BATCH_FLAGS: FlagTable = Object.freeze({
  slurm: {
    type: 'boolean',
    help: 'write submit.sh and slurm/task.sbatch, slurm/merge.sbatch (a job array and its merge)',
  },
  htcondor: {
    type: 'boolean',
    help: 'write htcondor/task.sub, merge.sub and omnifold.dag (generated, not tested here)',
  },
  emit: { type: 'string', help: 'tasks.txt: one run-task command per line (GNU parallel, xargs -P, Kubernetes)' },
  tasks: { type: 'string', help: 'tasks N: the replicas in N blocks of nearly equal size' },
  'replicas-per-task': {
    type: 'string',
    help: 'k replicas per task (default 1, more where the array would exceed its size)',
  },
  'max-array-size': {
    type: 'string',
    help: `the site's MaxArraySize: at most this many tasks (default ${SLURM_MAX_ARRAY_SIZE})`,
  },
  partition: { type: 'string', help: 'Slurm partition of the tasks and the merge' },
  account: { type: 'string', help: 'Slurm account' },
  time: { type: 'string', help: "Slurm time limit per task and for the merge, e.g. '2:00:00'" },
  mem: { type: 'string', help: "memory per task and for the merge, e.g. '4G' (HTCondor: request_memory)" },
  'cpus-per-task': { type: 'string', help: 'cores per task (HTCondor: request_cpus); the task sizes its pool to them' },
  'max-concurrent': { type: 'string', help: 'Slurm: at most K tasks at once (--array=0-(N-1)%K)' },
  'sbatch-extra': { type: 'string', help: "more sbatch options for the tasks and the merge, e.g. '--qos=long'" },
});

const PLAN_FLAGS: FlagTable = Object.freeze({ ...UNFOLD_FLAGS, ...BATCH_FLAGS });

/** Back ends `--emit` names. */
const EMITTERS = ['slurm', 'htcondor', 'tasks.txt'] as const;

function planHelp(): string {
  const lines = Object.entries(BATCH_FLAGS).map(([name, f]) => {
    const flag = `    --${name}${f.type === 'string' ? ' X' : ''}`;
    return `  ${flag.padEnd(24)} ${f.help}`;
  });
  return [
    'usage: omnifold plan [unfold options] --slurm | --htcondor | --emit tasks.txt [options]',
    '',
    'Cuts the run that omnifold unfold with the same options would do into tasks for a batch',
    'system, and writes OUT/plan.json with the files that submit them. Then:',
    '  OUT/submit.sh            submit the tasks and the merge (Slurm)',
    '  omnifold status OUT      done, running and missing tasks',
    '  omnifold merge OUT       weights.arrow, summary.json and the report, as unfold writes them',
    '',
    ...lines,
    '',
    'and every option of omnifold unfold (omnifold unfold --help) except --replicas; --threads',
    'sets the worker threads of each task.',
    '',
  ].join('\n');
}

/** A Slurm setting checked against `rule` (it goes into an #SBATCH line). */
function slurmValue(args: UnfoldArgs, key: string, rule: RegExp, what: string): string | undefined {
  const text = argString(args, key);
  if (text !== undefined && !rule.test(text))
    throw new InputError(`--${key} must be ${what}; got ${JSON.stringify(text)}`);
  return text;
}

/** The back ends asked for. */
function backEnds(args: UnfoldArgs): Set<(typeof EMITTERS)[number]> {
  const chosen = new Set<(typeof EMITTERS)[number]>();
  if (args.slurm === true) chosen.add('slurm');
  if (args.htcondor === true) chosen.add('htcondor');
  for (const item of (argString(args, 'emit') ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    if (!(EMITTERS as readonly string[]).includes(item))
      throw new InputError(`--emit must list ${EMITTERS.join(', ')}; got ${JSON.stringify(item)}`);
    chosen.add(item as (typeof EMITTERS)[number]);
  }
  if (chosen.size === 0)
    throw new InputError('plan must be given a back end: --slurm, --htcondor or --emit tasks.txt; got none');
  return chosen;
}

/** The Slurm settings; they need --slurm. */
function slurmSettings(args: UnfoldArgs, slurm: boolean): SlurmSettings {
  const settings: SlurmSettings = {
    partition: slurmValue(args, 'partition', /^[A-Za-z0-9_.,+-]+$/, 'a partition name (letters, digits, _ . , + -)'),
    account: slurmValue(args, 'account', /^[A-Za-z0-9_.+-]+$/, 'an account name (letters, digits, _ . + -)'),
    time: slurmValue(
      args,
      'time',
      /^(\d+(-\d+)?(:\d+){0,2}|UNLIMITED|INFINITE)$/,
      'a Slurm time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS',
    ),
    mem: slurmValue(args, 'mem', /^\d+[KMGT]?$/, 'a size in MiB or with a K, M, G or T suffix, e.g. 4G'),
    cpusPerTask: argInteger(args, 'cpus-per-task', 1),
    maxConcurrent: argInteger(args, 'max-concurrent', 1),
    extra: argString(args, 'sbatch-extra'),
  };
  if (settings.extra !== undefined) splitOptions(settings.extra);
  if (!slurm) {
    for (const key of ['partition', 'account', 'time', 'max-concurrent', 'sbatch-extra'])
      if (args[key] !== undefined) throw new InputError(`--${key} must come with --slurm; got no --slurm`);
  }
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** `--mem` in MiB (HTCondor's request_memory). */
function memoryMiB(mem: string | undefined): number | undefined {
  if (mem === undefined) return undefined;
  const factor = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 }[mem.slice(-1)] ?? 1;
  return Math.ceil(Number(/^\d+/.exec(mem)?.[0]) * factor);
}

/** The unfold arguments (the batch flags removed), checked as unfold checks them. */
function unfoldPlanOf(args: UnfoldArgs): RunPlan {
  if (args.replicas !== undefined)
    throw new InputError(
      `--replicas must not be given to plan (it packs every replica into tasks; run-task runs one); got --replicas ${String(args.replicas)}`,
    );
  const unfoldArgs = Object.fromEntries(Object.entries(args).filter(([key]) => !Object.hasOwn(BATCH_FLAGS, key)));
  const runPlan = planUnfold(unfoldArgs);
  if (runPlan.iterationSearch !== undefined)
    throw new InputError(
      `--iterations must be a number in plan (choose it first with omnifold unfold --iterations auto); got --iterations ${String(args.iterations)}`,
    );
  return runPlan;
}

/** The replica names the plan's options give, in plan order (systematics only by name here). */
function replicaNames(runPlan: RunPlan): string[] {
  const systematics = runPlan.replicas.systematics.map((s): SystematicSpec => ({
    name: s.name,
    kind: 'weight',
    weights: new Float64Array(0),
  }));
  const { dataBootstraps, simBootstraps } = runPlan.replicas;
  return planReplicas({ dataBootstraps, simBootstraps, systematics }).map((p) => p.name);
}

/** `--sbatch-extra VALUE` as `--sbatch-extra=VALUE`: its value is options, so it starts with `--` itself. */
function joinSbatchExtra(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sbatch-extra' && i + 1 < argv.length) out.push(`--sbatch-extra=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** Every entry the plan may write in OUT. */
const PLAN_ENTRIES = [PLAN_FILE, 'submit.sh', 'slurm', 'tasks.txt', 'htcondor', REPLICAS_DIR, 'logs', RUNNING_DIR];

/** Runs `omnifold plan argv…`; resolves to the exit code (errors propagate to main). */
export async function runPlan(argv: string[]): Promise<number> {
  const args = parseUnfoldArgs(joinSbatchExtra(argv), PLAN_FLAGS, 'plan');
  if (args.help === true) {
    process.stdout.write(planHelp());
    return 0;
  }
  const emit = backEnds(args);
  const slurm = slurmSettings(args, emit.has('slurm'));
  const runPlan = unfoldPlanOf(args);
  const packing = {
    nTasks: argInteger(args, 'tasks', 1),
    replicasPerTask: argInteger(args, 'replicas-per-task', 1),
    maxTasks: argInteger(args, 'max-array-size', 1),
  };
  const names = replicaNames(runPlan);
  const tasks = taskTable(names.length, packing); // before any file is read
  const out = await checkOutputDir(runPlan.outDir, {
    command: 'plan',
    force: runPlan.force,
    resume: runPlan.resume,
    update: runPlan.resume,
    writes: PLAN_ENTRIES,
    inputs: inputFiles(runPlan),
  });
  const inputs = await loadInputs(runPlan.input);
  const records: InputFileRecord[] = [...inputs.files];
  for (const s of runPlan.replicas.systematics) {
    if (s.kind !== 'sample') continue;
    await checkInputFile(`--syst ${s.name}`, s.file);
    records.push(await describeInput(`syst:${s.name}`, `--syst ${s.name}`, s.file));
  }
  const options = resolveUnfoldOptions(runUnfoldOptions(runPlan, inputs));
  const outDir = out.path;
  const engine = [process.execPath, realpathSync(process.argv[1])];
  const content: Omit<PlanFile, 'planHash'> = {
    format: 'omnifold-plan',
    formatVersion: 1,
    engine: { name: 'omnifold', version: engineVersion() },
    seed: options.seed ?? UNFOLD_DEFAULTS.seed,
    configuration: { command: 'unfold', arguments: runPlan.args, plots: runPlan.plots },
    cwd: process.cwd(),
    inputs: records,
    replicas: names,
    tasks: tasks.map((replicas, task) => ({ task, replicas })),
    run: { engine, ...(runPlan.threads === undefined ? {} : { threads: runPlan.threads }) },
    backends: {
      ...(emit.has('slurm') ? { slurm } : {}),
      ...(emit.has('htcondor') ? { htcondor: true } : {}),
      ...(emit.has('tasks.txt') ? { tasksTxt: true } : {}),
    },
  };
  const plan: PlanFile = { planHash: planHashOf(content), ...content };
  const scripts: BatchScriptPlan = {
    outDir,
    nTasks: tasks.length,
    nReplicas: names.length,
    engine,
    threads: runPlan.threads,
  };
  const files: Record<string, string> = { [PLAN_FILE]: formatPlanFile(plan) };
  if (emit.has('slurm')) Object.assign(files, slurmFiles(scripts, slurm));
  if (emit.has('tasks.txt'))
    files['tasks.txt'] = taskLines({ ...scripts, threads: runPlan.threads ?? slurm.cpusPerTask });
  if (emit.has('htcondor')) {
    const htcondor: HtcondorSettings = {
      inputs: records.map((r) => resolve(splitObjectPath(r.path).file)),
      requestCpus: slurm.cpusPerTask ?? runPlan.threads,
      requestMemoryMiB: memoryMiB(slurm.mem),
    };
    Object.assign(files, htcondorFiles({ ...scripts, threads: runPlan.threads ?? slurm.cpusPerTask }, htcondor));
  }
  await out.open();
  const kept = new Set(runPlan.resume ? [REPLICAS_DIR, 'logs', RUNNING_DIR] : []);
  await out.commit(async (dir) => {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
      if (name.endsWith('.sh') || name.endsWith('.sbatch')) await chmod(join(dir, name), 0o755);
    }
    for (const folder of [REPLICAS_DIR, 'logs', RUNNING_DIR])
      if (!kept.has(folder) || !existsSync(join(outDir, folder))) await mkdir(join(dir, folder));
  });
  const written = Object.keys(files).map((f) => join(outDir, f));
  process.stdout.write(
    [
      `planned ${names.length} replicas in ${tasks.length} tasks in ${outDir} (plan ${plan.planHash.slice(0, 12)})`,
      `wrote ${written.join(', ')}`,
      ...(emit.has('slurm') ? [`submit: ${join(outDir, 'submit.sh')}`] : []),
      ...(emit.has('tasks.txt') ? [`run the tasks: parallel -j N < ${join(outDir, 'tasks.txt')}`] : []),
      ...(emit.has('htcondor') ? [`submit: condor_submit_dag ${join(outDir, 'htcondor', 'omnifold.dag')}`] : []),
      `follow: omnifold status ${outDir}`,
      `merge:  omnifold merge ${outDir}`,
      '',
    ].join('\n'),
  );
  return 0;
}
