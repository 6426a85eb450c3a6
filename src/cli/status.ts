/**
 * `omnifold status OUT`: where a batch plan stands (docs/cluster.md): its tasks done (every
 * replica stored for this plan, checksum intact), running or pending, and missing, with
 * the line that reruns the missing ones, and whether the merge has written its outputs.
 * Running tasks are known from Slurm's queue (`squeue`, where it is installed) and from
 * the markers run-task keeps in OUT/running/ while it works. Reads only; prints on stdout.
 */
import { planReplicaState, type PlanReplicaState, indexRanges, slurmTaskScript } from '../index.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  parseCommandArgs,
  type PlanFile,
  planFolder,
  readPlanFile,
  REPLICAS_DIR,
  rerunLines,
  RUNNING_DIR,
} from './batch.js';

const HELP = `usage: omnifold status OUT [--json]

Prints the tasks of the plan in OUT (written by omnifold plan) that are done, running or
pending, and missing, with the line that reruns the missing ones.

      --json             the same as one JSON object
  -h, --help             show this help
`;

/** A task's state. */
type TaskState = 'done' | 'running' | 'pending' | 'missing';

interface TaskStatus {
  task: number;
  state: TaskState;
  /** Replicas stored for this plan. */
  stored: string[];
  /** Replicas not stored (or stored unusable: with the reason). */
  missing: string[];
  /** Where it runs, when known. */
  where?: string;
}

/** A run-task marker in OUT/running/. */
interface Marker {
  task: number;
  host: string;
  pid: number;
  startedAt: string;
  slurm?: { jobId?: string; arrayJobId?: string; arrayTaskId?: string };
}

function readMarkers(outDir: string): Map<number, Marker> {
  const dir = join(outDir, RUNNING_DIR);
  const markers = new Map<number, Marker>();
  if (!existsSync(dir)) return markers;
  for (const entry of readdirSync(dir)) {
    if (!/^task-\d+\.json$/.test(entry)) continue;
    try {
      const marker = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as Marker;
      if (Number.isInteger(marker.task)) markers.set(marker.task, marker);
    } catch {
      // being written, or damaged: no marker
    }
  }
  return markers;
}

/** Whether process `pid` lives on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Slurm's view of this plan's jobs: array task → state, and the merge's state; undefined without squeue. */
function slurmQueue(outDir: string): { tasks: Map<number, string>; merge?: string } | undefined {
  const script = slurmTaskScript(outDir);
  const merge = join(outDir, 'slurm', 'merge.sbatch');
  const r = spawnSync('squeue', ['-h', '-r', '-o', '%K|%T|%o|%i|%r'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || r.error !== undefined) return undefined;
  const tasks = new Map<number, string>();
  let mergeState: string | undefined;
  for (const line of r.stdout.split('\n')) {
    const [index, state, command, id, reason] = line.split('|');
    if (command === script && /^\d+$/.test(index)) tasks.set(Number(index), state);
    if (command === merge) mergeState = `job ${id} ${state}${reason && reason !== 'None' ? ` (${reason})` : ''}`;
  }
  return { tasks, merge: mergeState };
}

/** The state of each task, from its replicas, Slurm's queue and the markers. */
function taskStates(plan: PlanFile, outDir: string): { tasks: TaskStatus[]; merge?: string } {
  const storeDir = join(outDir, REPLICAS_DIR);
  const states: PlanReplicaState[] = plan.replicas.map((name) => planReplicaState(storeDir, name, plan.planHash));
  const queue = plan.backends.slurm === undefined ? undefined : slurmQueue(outDir);
  const markers = readMarkers(outDir);
  const here = hostname();
  const tasks = plan.tasks.map(({ task, replicas }): TaskStatus => {
    const stored = replicas.filter((k) => states[k].status === 'done').map((k) => plan.replicas[k]);
    const missing = replicas
      .filter((k) => states[k].status !== 'done')
      .map((k) => {
        const s = states[k];
        return s.status === 'unusable' ? `${s.name} (${s.reason})` : s.name;
      });
    if (missing.length === 0) return { task, state: 'done', stored, missing };
    const queued = queue?.tasks.get(task);
    const marker = markers.get(task);
    const where = marker === undefined ? undefined : `on ${marker.host} since ${marker.startedAt}`;
    if (queued === 'PENDING' || queued === 'REQUEUED') return { task, state: 'pending', stored, missing };
    if (queued !== undefined) return { task, state: 'running', stored, missing, where };
    // without Slurm's word, a marker counts unless its process is known to be gone
    const stale =
      marker === undefined ||
      (queue !== undefined && marker.slurm !== undefined) ||
      (marker.host === here && !alive(marker.pid));
    return stale ? { task, state: 'missing', stored, missing } : { task, state: 'running', stored, missing, where };
  });
  return { tasks, merge: queue?.merge };
}

/** The plan hash the last merge in OUT recorded (summary.json `run.plan`), if any. */
function mergedPlan(outDir: string): string | undefined {
  if (!existsSync(join(outDir, 'weights.arrow'))) return undefined;
  try {
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      run?: { plan?: { planHash?: string } };
    };
    return summary.run?.plan?.planHash;
  } catch {
    return undefined;
  }
}

/** Runs `omnifold status OUT`; resolves to the exit code. */
export async function runStatus(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { json: { type: 'boolean' }, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'status',
  );
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const outDir = planFolder(positionals, 'status');
  const plan = readPlanFile(outDir);
  const { tasks, merge } = taskStates(plan, outDir);
  const merged = mergedPlan(outDir) === plan.planHash;
  const of = (state: TaskState) => tasks.filter((t) => t.state === state);
  if (values.json === true) {
    const summary = Object.fromEntries(
      (['done', 'running', 'pending', 'missing'] as const).map((s) => [s, of(s).map((t) => t.task)]),
    );
    process.stdout.write(
      `${JSON.stringify({ plan: outDir, planHash: plan.planHash, nReplicas: plan.replicas.length, nTasks: plan.tasks.length, ...summary, merged, ...(merge === undefined ? {} : { merge }), tasks })}\n`,
    );
    return 0;
  }
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const line = (label: string, list: TaskStatus[], detail?: (t: TaskStatus) => string) => {
    const nReplicas = list.reduce((n, t) => n + t.stored.length + t.missing.length, 0);
    const head = `${label.padEnd(8)} ${plural(list.length, 'task')} (${plural(nReplicas, 'replica')})`;
    if (list.length === 0) return head;
    if (detail === undefined) return `${head}: ${indexRanges(list.map((t) => t.task))}`;
    const shown = list.slice(0, 8).map(detail);
    return `${head}: ${shown.join('; ')}${list.length > 8 ? `; … tasks ${indexRanges(list.map((t) => t.task))}` : ''}`;
  };
  const missingTasks = of('missing').map((t) => t.task);
  process.stdout.write(
    [
      `plan ${outDir}: ${plan.replicas.length} replicas in ${plan.tasks.length} tasks (plan ${plan.planHash.slice(0, 12)})`,
      line('done', of('done')),
      line(
        'running',
        of('running'),
        (t) =>
          `${t.task} (${t.stored.length} of ${t.stored.length + t.missing.length} stored${t.where ? `, ${t.where}` : ''})`,
      ),
      line('pending', of('pending')),
      line(
        'missing',
        of('missing'),
        (t) => `${t.task} (${t.missing.slice(0, 4).join(', ')}${t.missing.length > 4 ? ', …' : ''})`,
      ),
      ...rerunLines(plan, outDir, missingTasks),
      ...(merge === undefined ? [] : [`merge    ${merge}`]),
      merged
        ? `merged   ${join(outDir, 'weights.arrow')}`
        : `merged   not yet (omnifold merge ${outDir} once every task is done)`,
      '',
    ].join('\n'),
  );
  return 0;
}
