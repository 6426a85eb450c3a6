/**
 * A batch plan folder (docs/cluster.md), shared by `omnifold plan`, `run-task`, `merge`
 * and `status`: `plan.json` (what to compute: the unfold arguments, the inputs' SHA-256,
 * the engine version, the seed, the replicas and the task table; its plan hash), the
 * replicas in `replicas/`, the markers of running tasks in `running/`, and the way back
 * from plan.json to the replica work that `omnifold unfold` with the same options would do.
 */
import {
  describeInputFile,
  engineVersion,
  indexRanges,
  InputError,
  type InputFileRecord,
  type PlanReplicaState,
  prepareReplicas,
  type ReplicaProgress,
  type ReplicaWork,
  shellQuote,
  slurmResubmitLine,
  splitObjectPath,
  type SlurmSettings,
  UNFOLD_DEFAULTS,
  type UnfoldOptions,
} from '../index.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadInputs, type LoadedInputs } from './unfold_inputs.js';
import { planUnfold, type RunPlan } from './unfold_plan.js';
import { runReplicaOptions, runUnfoldOptions } from './unfold_run.js';
import { resolveSystematics } from './unfold_systematics.js';
import type { UnfoldArgs } from './unfold_args.js';

/** The plan file's name in the plan folder. */
export const PLAN_FILE = 'plan.json';
/** Where the tasks store their replicas. */
export const REPLICAS_DIR = 'replicas';
/** Where a running task keeps its marker, `task-<t>.json`. */
export const RUNNING_DIR = 'running';

/** `plan.json`. */
export interface PlanFile {
  format: 'omnifold-plan';
  formatVersion: 1;
  /** SHA-256 of everything that decides the replicas' weights (see {@link planHashOf}). */
  planHash: string;
  engine: { name: 'omnifold'; version: string };
  /** The run seed (every random stream is keyed by it). */
  seed: number;
  /** The `omnifold unfold` arguments that decide the result (as weights.arrow records them), and whether to draw figures. */
  configuration: { command: 'unfold'; arguments: Record<string, string | string[] | boolean>; plots: boolean };
  /** The folder the plan was made in: relative input paths resolve against it. */
  cwd: string;
  /** Every input file: role, path as given, SHA-256 and size. */
  inputs: InputFileRecord[];
  /** Replica names in plan order (column order of weights.arrow). */
  replicas: string[];
  /** Task t runs the replicas at these plan positions. */
  tasks: { task: number; replicas: number[] }[];
  /** How tasks run: the engine command on worker nodes and the threads per task. */
  run: { engine: string[]; threads?: number };
  /** The scheduler files written beside plan.json. */
  backends: { slurm?: SlurmSettings; htcondor?: boolean; tasksTxt?: boolean };
}

/** JSON with object keys sorted at every depth: the bytes the plan hash is taken of. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The plan hash: SHA-256 of the format, engine version, seed, unfold arguments, inputs
 * and replica names. The task table, the batch settings, the figures switch and the
 * folder are left out: they decide where a replica is computed or what the merge draws,
 * never a replica's weights, so a plan made again with other batch settings
 * (`plan --resume`) keeps its finished replicas.
 */
export function planHashOf(plan: Omit<PlanFile, 'planHash'>): string {
  const { format, formatVersion, engine, seed, configuration, inputs, replicas } = plan;
  const hashed = { format, formatVersion, engine, seed, arguments: configuration.arguments, inputs, replicas };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

/** plan.json as written: two-space JSON with each list of numbers on one line. */
export function formatPlanFile(plan: PlanFile): string {
  const { format, formatVersion, planHash, ...rest } = plan;
  const text = JSON.stringify({ format, formatVersion, planHash, ...rest }, null, 2)
    .replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g, (_, list: string) => `[${list.split(/,\s*/).join(', ')}]`)
    .replace(/\{\s*"task": (\d+),\s*"replicas": (\[[^\]]*\])\s*\}/g, '{ "task": $1, "replicas": $2 }');
  return `${text}\n`;
}

/**
 * Reads and checks `OUT/plan.json`: its format, its plan hash against its content, and
 * that this engine's version is the one that made it.
 *
 * @throws InputError naming the file and what is wrong
 */
export function readPlanFile(outDir: string): PlanFile {
  const path = join(outDir, PLAN_FILE);
  let plan: PlanFile;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as PlanFile;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const got = code === 'ENOENT' ? 'none' : code === undefined ? 'a file that is not JSON' : code;
    throw new InputError(`plan folder ${outDir} must hold ${PLAN_FILE} (written by omnifold plan); got ${got}`, {
      cause: error,
    });
  }
  if (plan?.format !== 'omnifold-plan' || plan.formatVersion !== 1 || !Array.isArray(plan.tasks))
    throw new InputError(
      `${path} must be an omnifold plan of format version 1; got format ${JSON.stringify(plan?.format)} version ${JSON.stringify(plan?.formatVersion)}`,
    );
  const { planHash, ...rest } = plan;
  const hash = planHashOf(rest);
  if (hash !== planHash)
    throw new InputError(
      `${path} planHash must match its content (${hash.slice(0, 12)}…); got ${String(planHash).slice(0, 12)}… (the file was edited: plan again)`,
    );
  const version = engineVersion();
  if (plan.engine?.version !== version)
    throw new InputError(
      `${path} must be run by the engine version that planned it (${plan.engine?.version}); got omnifold ${version} (use that version, or plan again)`,
    );
  return plan;
}

/** Iterations per unfolding, for the progress display (the flag's, else the default). */
export function planIterations(plan: PlanFile): number {
  const given = Number(plan.configuration.arguments.iterations);
  return Number.isInteger(given) && given > 0 ? given : UNFOLD_DEFAULTS.nIterations;
}

/** The task index from `--task`, or else from SLURM_ARRAY_TASK_ID; checked against the plan. */
export function taskIndex(text: string | undefined, plan: PlanFile): number {
  const given = text ?? process.env.SLURM_ARRAY_TASK_ID;
  const subject = text === undefined ? 'SLURM_ARRAY_TASK_ID' : '--task';
  if (given === undefined)
    throw new InputError('--task must name the task to run (or SLURM_ARRAY_TASK_ID be set); got neither');
  const task = /^\d+$/.test(given.trim()) ? Number(given.trim()) : NaN;
  if (!Number.isInteger(task) || task >= plan.tasks.length)
    throw new InputError(
      `${subject} must be a task of the plan, an integer in 0-${plan.tasks.length - 1}; got ${JSON.stringify(given)}`,
    );
  return task;
}

/** `path` (a file, maybe with an `:OBJECT` suffix) looked up by file name in `dir`. */
function inDir(path: string, dir: string): string {
  const { file } = splitObjectPath(path);
  return join(dir, basename(file)) + path.slice(file.length);
}

/**
 * The plan's unfold arguments with each input file looked up by its file name in
 * `inputDir` (a job's scratch folder, where the files were transferred), or as given.
 */
function planArguments(plan: PlanFile, inputDir: string | undefined): UnfoldArgs {
  const args: UnfoldArgs = { ...plan.configuration.arguments };
  if (inputDir === undefined) return args;
  for (const key of ['sim', 'data', 'truth']) if (typeof args[key] === 'string') args[key] = inDir(args[key], inputDir);
  if (Array.isArray(args.syst)) {
    args.syst = args.syst.map((item) => {
      const match = /^([^=]+)=((?:prior:|response:)?)(.+)$/.exec(item);
      return match === null || /^(weight|reco):/.test(match[3])
        ? item
        : `${match[1]}=${match[2]}${inDir(match[3], inputDir)}`;
    });
  }
  return args;
}

/**
 * Makes relative input paths resolve as they did when the plan was made: moves to the
 * plan's folder (`cwd`), unless the inputs are looked up in `inputDir`.
 */
export function enterPlanFolder(plan: PlanFile, inputDir: string | undefined): void {
  if (inputDir !== undefined || plan.inputs.length === 0) return;
  if (!existsSync(plan.cwd))
    throw new InputError(
      `plan.json cwd ${plan.cwd} must exist on this machine (relative input paths resolve against it); got none (give --input-dir DIR where the input files are)`,
    );
  process.chdir(plan.cwd);
}

/** Throws unless every input file is the one planned (same SHA-256). */
async function checkInputs(plan: PlanFile, inputDir: string | undefined): Promise<void> {
  for (const planned of plan.inputs) {
    const path = inputDir === undefined ? planned.path : inDir(planned.path, inputDir);
    const { file } = splitObjectPath(path);
    if (!existsSync(file))
      throw new InputError(`input ${planned.role} ${path} must exist (it is in plan.json); got no such file`);
    const found = await describeInputFile(planned.role, path);
    if (found.sha256 !== planned.sha256)
      throw new InputError(
        `input ${planned.role} ${path} must be the file planned (SHA-256 ${planned.sha256.slice(0, 12)}…); got ${found.sha256.slice(0, 12)}… (it changed since omnifold plan: plan again)`,
      );
  }
}

/** A plan brought back to the work `omnifold unfold` would do with its options. */
export interface PlanWork {
  runPlan: RunPlan;
  inputs: LoadedInputs;
  options: Partial<UnfoldOptions>;
  work: ReplicaWork;
}

/** The run plan of `omnifold unfold` with the plan's options, writing into `outDir`. */
export function planRunPlan(plan: PlanFile, outDir: string, inputDir: string | undefined): RunPlan {
  const args: UnfoldArgs = { ...planArguments(plan, inputDir), out: outDir };
  if (!plan.configuration.plots) args['no-plots'] = true;
  return planUnfold(args);
}

/**
 * The replica work of a plan: the inputs checked against their planned SHA-256 and
 * loaded, the systematics resolved, the replicas prepared with their configuration
 * hashes, exactly as `omnifold unfold` prepares them.
 */
export async function loadPlanWork(
  plan: PlanFile,
  runPlan: RunPlan,
  inputDir: string | undefined,
  onProgress?: (progress: ReplicaProgress) => void,
): Promise<PlanWork> {
  await checkInputs(plan, inputDir);
  const inputs = await loadInputs(runPlan.input);
  const options = runUnfoldOptions(runPlan, inputs);
  const systematics = await resolveSystematics(
    runPlan.replicas.systematics,
    runPlan.input,
    inputs,
    options,
    onProgress,
  );
  const work = prepareReplicas(inputs.sim, inputs.data, runReplicaOptions(runPlan, options, systematics), true);
  const names = work.plan.map((p) => p.name);
  if (names.join(',') !== plan.replicas.join(','))
    throw new InputError(
      `plan.json replicas must be those its options plan (${names.length}); got ${plan.replicas.length} others (plan again)`,
    );
  return { runPlan, inputs, options, work };
}

/**
 * What to run for tasks whose replicas are missing: the sbatch line that resubmits only
 * those array indices (Slurm plans), else the run-task commands.
 */
export function rerunLines(plan: PlanFile, outDir: string, tasks: readonly number[]): string[] {
  if (tasks.length === 0) return [];
  if (plan.backends.slurm !== undefined)
    return [`resubmit only those tasks: ${slurmResubmitLine(outDir, indexRanges(tasks))}`];
  const shown = tasks.slice(0, 3).map((t) => `omnifold run-task ${shellQuote(outDir)} --task ${t}`);
  return [`run those tasks again: ${shown.join('; ')}${tasks.length > 3 ? `; … (tasks ${indexRanges(tasks)})` : ''}`];
}

/** Replica names grouped by task for a message: `data_boot_4, data_boot_5 (task 2); syst_x (task 3: damaged: …)`. */
export function describeByTask(
  plan: PlanFile,
  states: readonly PlanReplicaState[],
  limit = 12,
): { text: string; tasks: number[] } {
  const owner = taskOfReplica(plan);
  const byTask = new Map<number, string[]>();
  let shown = 0;
  for (const [k, state] of states.entries()) {
    if (state.status === 'done') continue;
    const list = byTask.get(owner[k]) ?? [];
    byTask.set(owner[k], list);
    if (shown++ < limit) list.push(state.status === 'unusable' ? `${state.name} (${state.reason})` : state.name);
  }
  const parts = [...byTask]
    .filter(([, names]) => names.length > 0)
    .map(([t, names]) => `${names.join(', ')} (task ${t})`);
  const more = shown > limit ? `; … ${shown} replicas in ${byTask.size} tasks` : '';
  return { text: parts.join('; ') + more, tasks: [...byTask.keys()].sort((a, b) => a - b) };
}

/** A command's flags parsed by node:util parseArgs, its errors as one-line InputErrors. */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(
  argv: string[],
  options: T,
  command: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values, positionals };
  } catch (error) {
    const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? (error as Error).message.split('\n')[0];
    throw new InputError(
      `${command} options must be known flags with their values (see omnifold ${command} --help); got ${flag}`,
      {
        cause: error,
      },
    );
  }
}

/** The absolute plan folder, from the command's one positional argument. */
export function planFolder(positionals: readonly string[], command: string): string {
  if (positionals.length !== 1)
    throw new InputError(
      `${command} must be given one plan folder (written by omnifold plan); got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  return resolve(positionals[0]);
}

/** The task of each replica position. */
export function taskOfReplica(plan: PlanFile): number[] {
  const owner: number[] = [];
  for (const t of plan.tasks) for (const k of t.replicas) owner[k] = t.task;
  return owner;
}
