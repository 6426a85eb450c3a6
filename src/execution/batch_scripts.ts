/**
 * The files that hand a batch plan's tasks to a scheduler (docs/cluster.md), as text:
 * - Slurm: `submit.sh`, which submits `slurm/task.sbatch` as a job array
 *   (`sbatch --parsable --array=0-(nTasks−1)%K`) and `slurm/merge.sbatch` after it
 *   (`--dependency=afterok:<array> --kill-on-invalid-dep=yes`); tested on a real Slurm;
 * - `tasks.txt`: one command per task, for GNU parallel, `xargs -P` or a Kubernetes
 *   Indexed Job;
 * - HTCondor: a submit file of `queue nTasks` jobs (`$(Process)` is the task), the merge
 *   as a local-universe job, and the DAGMan file that orders them; no shared filesystem
 *   assumed. Generated, not tested here.
 * Every path is absolute and shell-quoted; the engine command is the one that wrote the
 * plan unless the environment variable OMNIFOLD names another (an Apptainer image, a
 * relocatable Node on CVMFS).
 */
import { InputError } from '../base/errors.js';

/** What the scripts need to know about a plan. */
export interface BatchScriptPlan {
  /** The plan folder, absolute. */
  outDir: string;
  nTasks: number;
  nReplicas: number;
  /** The engine command on the worker nodes by default, e.g. [node, /…/bin/omnifold.js]. */
  engine: readonly string[];
  /** Worker threads per task (`run-task --threads`); default: what the node gives the task. */
  threads?: number;
}

/** Slurm settings of a plan's jobs; unset ones are left to the site's defaults. */
export interface SlurmSettings {
  partition?: string;
  account?: string;
  /** Wall-time limit of each task and of the merge, in a form sbatch reads (`2:00:00`, `1-0`). */
  time?: string;
  /** Memory per task and for the merge (`4G`, `500M`). */
  mem?: string;
  cpusPerTask?: number;
  /** Tasks running at once (the `%K` of `--array`). */
  maxConcurrent?: number;
  /** More sbatch options for the tasks and the merge, as the user wrote them. */
  extra?: string;
}

/** HTCondor settings of a plan's jobs. */
export interface HtcondorSettings {
  /** Input files the jobs need (absolute paths); transferred, as no shared filesystem is assumed. */
  inputs: readonly string[];
  requestCpus?: number;
  /** Memory request in MiB. */
  requestMemoryMiB?: number;
}

/** `text` quoted for a POSIX shell (left bare when it holds only safe characters). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits sbatch options written as on a command line (`--qos=long --constraint "a&b"`)
 * into words, honouring single and double quotes.
 *
 * @throws InputError for an unclosed quote or a control character (a newline would end an #SBATCH line)
 */
export function splitOptions(text: string, subject = '--sbatch-extra'): string[] {
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new InputError(
      `${subject} must be one line of options without control characters; got ${JSON.stringify(text)}`,
    );
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== undefined) throw new InputError(`${subject} must close every quote; got ${JSON.stringify(text)}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** `#SBATCH` lines for option words: each word starting with `-` opens a line, others join it. */
function directives(words: readonly string[]): string[] {
  const lines: string[][] = [];
  for (const w of words) {
    if (w.startsWith('-') || lines.length === 0) lines.push([w]);
    else lines[lines.length - 1].push(w);
  }
  return lines.map((l) => `#SBATCH ${l.map(shellQuote).join(' ')}`);
}

/** The common #SBATCH lines of the tasks and the merge. */
function commonDirectives(s: SlurmSettings): string[] {
  const words: string[] = [];
  if (s.partition !== undefined) words.push(`--partition=${s.partition}`);
  if (s.account !== undefined) words.push(`--account=${s.account}`);
  if (s.time !== undefined) words.push(`--time=${s.time}`);
  if (s.mem !== undefined) words.push(`--mem=${s.mem}`);
  return directives([...words, ...(s.extra === undefined ? [] : splitOptions(s.extra))]);
}

/** The lines that run the engine with `args`: $OMNIFOLD when set, else the plan's engine. */
function engineLines(plan: BatchScriptPlan, args: readonly string[]): string[] {
  const rest = args.join(' ');
  return [
    '# OMNIFOLD names the engine on the worker node (e.g. "apptainer exec omnifold.sif omnifold");',
    '# by default the Node and engine that wrote the plan.',
    'if [ -n "${OMNIFOLD:-}" ]; then',
    `  exec $OMNIFOLD ${rest}`,
    'fi',
    `exec ${plan.engine.map(shellQuote).join(' ')} ${rest}`,
  ];
}

function threadsArgs(plan: BatchScriptPlan): string[] {
  return plan.threads === undefined ? [] : ['--threads', String(plan.threads)];
}

/** The path of the Slurm task script in a plan folder. */
export function slurmTaskScript(outDir: string): string {
  return `${outDir}/slurm/task.sbatch`;
}

/** The sbatch line that (re)submits array indices `array` (e.g. `3,17,42`) of a plan. */
export function slurmResubmitLine(outDir: string, array: string): string {
  return `sbatch --array=${array} ${shellQuote(slurmTaskScript(outDir))}`;
}

/**
 * The Slurm files of a plan: `submit.sh` (executable), `slurm/task.sbatch`,
 * `slurm/merge.sbatch`; paths relative to the plan folder.
 */
export function slurmFiles(plan: BatchScriptPlan, settings: SlurmSettings): Record<string, string> {
  const out = plan.outDir;
  const q = shellQuote;
  const task = [
    '#!/usr/bin/env bash',
    '#SBATCH --job-name=omnifold-task',
    `#SBATCH --output=${q(`${out}/logs/task-%A_%a.out`)}`,
    '#SBATCH --open-mode=append',
    '#SBATCH --requeue',
    ...(settings.cpusPerTask === undefined ? [] : [`#SBATCH --cpus-per-task=${settings.cpusPerTask}`]),
    ...commonDirectives(settings),
    `# One task of the omnifold plan in ${out}: the replicas its index names in plan.json,`,
    `# each stored in ${out}/replicas/ as it finishes. Run again (requeued, resubmitted),`,
    '# it computes only the replicas not stored yet.',
    'set -eu',
    ...engineLines(plan, ['run-task', q(out), '--task', '"$SLURM_ARRAY_TASK_ID"', ...threadsArgs(plan)]),
    '',
  ];
  const merge = [
    '#!/usr/bin/env bash',
    '#SBATCH --job-name=omnifold-merge',
    `#SBATCH --output=${q(`${out}/logs/merge-%j.out`)}`,
    '#SBATCH --cpus-per-task=1',
    ...commonDirectives(settings),
    `# The merge of the omnifold plan in ${out}: checks every replica, then writes`,
    '# weights.arrow, summary.json, the figures and the report there.',
    'set -eu',
    ...engineLines(plan, ['merge', q(out)]),
    '',
  ];
  const throttle = settings.maxConcurrent === undefined ? '' : `%${settings.maxConcurrent}`;
  const submit = [
    '#!/usr/bin/env bash',
    `# Submits the omnifold plan in ${out} (${plan.nReplicas} replicas in ${plan.nTasks} tasks) to Slurm:`,
    `# the tasks as one job array, and the merge once every task has finished well.`,
    '# Options given to this script go to both sbatch calls (e.g. ./submit.sh --qos=long).',
    'set -euo pipefail',
    `array=$(sbatch --parsable --array=0-${plan.nTasks - 1}${throttle} "$@" ${q(`${out}/slurm/task.sbatch`)})`,
    'array=${array%%;*}',
    `merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$@" ${q(`${out}/slurm/merge.sbatch`)})`,
    'merge=${merge%%;*}',
    `echo "tasks=$array merge=$merge" >> ${q(`${out}/slurm/submitted`)}`,
    'echo "submitted the tasks as job array $array and the merge as job $merge"',
    `echo 'follow them with: omnifold status' ${q(out)}`,
    '',
  ];
  return {
    'submit.sh': submit.join('\n'),
    'slurm/task.sbatch': task.join('\n'),
    'slurm/merge.sbatch': merge.join('\n'),
  };
}

/** `tasks.txt`: the command of each task, one a line, task 0 first. */
export function taskLines(plan: BatchScriptPlan): string {
  const engine = plan.engine.map(shellQuote).join(' ');
  const lines: string[] = [];
  for (let t = 0; t < plan.nTasks; t++)
    lines.push([engine, 'run-task', shellQuote(plan.outDir), '--task', String(t), ...threadsArgs(plan)].join(' '));
  return `${lines.join('\n')}\n`;
}

/** An HTCondor submit-file value: a path list entry may not hold a comma or a newline. */
function condorPath(path: string): string {
  if (/[,\n"]/.test(path))
    throw new InputError(`HTCondor file paths must not hold a comma, quote or newline; got ${JSON.stringify(path)}`);
  return path;
}

/**
 * The HTCondor files of a plan (paths relative to the plan folder): `htcondor/task.sub`
 * (`queue nTasks`, `$(Process)` is the task), `htcondor/run_task.sh`, `htcondor/merge.sub`
 * and `htcondor/omnifold.dag`. No shared filesystem is assumed: each job receives
 * plan.json, the inputs and the engine, and sends back its `replicas/` folder.
 */
export function htcondorFiles(plan: BatchScriptPlan, settings: HtcondorSettings): Record<string, string> {
  const out = condorPath(plan.outDir);
  const transfer = [`${out}/plan.json`, ...settings.inputs.map(condorPath)];
  const task = [
    `# HTCondor jobs for the tasks of the omnifold plan in ${out}: $(Process) is the task.`,
    '# Generated by omnifold plan --htcondor; only the Slurm files are tested. No shared',
    '# filesystem is assumed: each job gets plan.json, the input files and the engine (the',
    '# Apptainer image omnifold.sif, built from apptainer/omnifold.def and put in the plan',
    '# folder), and sends its replicas back into the plan folder.',
    'universe                = container',
    `container_image         = ${out}/omnifold.sif`,
    `executable              = ${out}/htcondor/run_task.sh`,
    'arguments               = $(Process)',
    `initialdir              = ${out}`,
    'should_transfer_files   = YES',
    'when_to_transfer_output = ON_EXIT_OR_EVICT',
    `transfer_input_files    = ${transfer.join(', ')}`,
    'transfer_output_files   = replicas',
    'output                  = logs/task-$(Process).out',
    'error                   = logs/task-$(Process).err',
    'log                     = logs/htcondor.log',
    ...(settings.requestCpus === undefined ? [] : [`request_cpus            = ${settings.requestCpus}`]),
    ...(settings.requestMemoryMiB === undefined ? [] : [`request_memory          = ${settings.requestMemoryMiB}`]),
    'max_retries             = 3',
    `queue ${plan.nTasks}`,
    '',
  ];
  const run = [
    '#!/bin/sh',
    '# One task of an omnifold plan in the scratch folder of an HTCondor job: plan.json and',
    '# the inputs were transferred here; the replicas go to ./replicas/, which HTCondor sends',
    '# back. Inputs are found by file name (--input-dir .).',
    'set -eu',
    'mkdir -p replicas',
    `exec \${OMNIFOLD:-omnifold} run-task . --task "$1" --input-dir .${plan.threads === undefined ? '' : ` --threads ${plan.threads}`}`,
    '',
  ];
  const merge = [
    `# The merge of the omnifold plan in ${out}, on the submit machine (universe local),`,
    '# where the inputs and the returned replicas are.',
    'universe   = local',
    `executable = ${condorPath(plan.engine[0])}`,
    `arguments  = "${plan.engine
      .slice(1)
      .map((a) => `'${condorPath(a)}'`)
      .join(' ')} merge '${out}'"`,
    `initialdir = ${out}`,
    'output     = logs/merge.out',
    'error      = logs/merge.err',
    'log        = logs/htcondor.log',
    'queue',
    '',
  ];
  const dag = [
    `# DAGMan: the tasks of the omnifold plan in ${out}, then the merge.`,
    `# Submit with: condor_submit_dag ${out}/htcondor/omnifold.dag`,
    `JOB tasks ${out}/htcondor/task.sub`,
    `JOB merge ${out}/htcondor/merge.sub`,
    'PARENT tasks CHILD merge',
    'RETRY tasks 2',
    '',
  ];
  return {
    'htcondor/task.sub': task.join('\n'),
    'htcondor/run_task.sh': run.join('\n'),
    'htcondor/merge.sub': merge.join('\n'),
    'htcondor/omnifold.dag': dag.join('\n'),
  };
}
