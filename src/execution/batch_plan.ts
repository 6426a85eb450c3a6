/**
 * A replica plan cut into batch tasks (docs/cluster.md): task t runs a contiguous block of
 * the plan's replicas, and every task is one index of a job array (Slurm's
 * `--array=0-(nTasks−1)`, HTCondor's `$(Process)`, a Kubernetes Indexed Job's completion
 * index). The task table decides only where each replica runs, never its weights: a
 * replica's bits depend on the plan and its own (kind, index) (docs/algorithm.md
 * §Determinism), so any packing merges to the same bytes.
 */
import { InputError } from '../base/errors.js';

/** Slurm's default MaxArraySize: array indices run from 0 to MaxArraySize − 1. */
export const SLURM_MAX_ARRAY_SIZE = 1001;

/** How the replicas are packed: a number of tasks, or a number of replicas per task (not both). */
export interface TaskPacking {
  /** Tasks, 1 ≤ nTasks ≤ min(nReplicas, maxTasks). */
  nTasks?: number;
  /** Replicas per task (the last task may hold fewer), ≥ 1. */
  replicasPerTask?: number;
  /** The most tasks one array may hold (default {@link SLURM_MAX_ARRAY_SIZE}). */
  maxTasks?: number;
}

/**
 * The task table: for each task, the plan positions of its replicas, ascending and
 * contiguous; together they are 0 … nReplicas−1, each once. With `nTasks`, sizes differ by
 * at most one (the larger tasks first); with `replicasPerTask` k, ⌈nReplicas / k⌉ tasks of
 * k (the last holds the rest). With neither, one replica per task, packed more densely
 * where that would exceed `maxTasks`.
 *
 * @throws InputError for both options at once, a count below 1, more tasks than replicas,
 *   or more tasks than `maxTasks` (naming the packing that fits)
 * @example
 * taskTable(10, { nTasks: 4 }); // [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]
 * taskTable(10, { replicasPerTask: 4 }); // [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
 */
export function taskTable(nReplicas: number, packing: TaskPacking = {}): number[][] {
  const maxTasks = packing.maxTasks ?? SLURM_MAX_ARRAY_SIZE;
  const { nTasks, replicasPerTask } = packing;
  if (!Number.isInteger(nReplicas) || nReplicas < 1)
    throw new InputError(`the plan must hold at least one replica; got ${nReplicas}`);
  if (!Number.isInteger(maxTasks) || maxTasks < 1)
    throw new InputError(`--max-array-size must be a positive integer; got ${maxTasks}`);
  if (nTasks !== undefined && replicasPerTask !== undefined)
    throw new InputError(
      `--tasks and --replicas-per-task must not be given together; got --tasks ${nTasks} and --replicas-per-task ${replicasPerTask}`,
    );
  if (nTasks !== undefined) {
    if (!Number.isInteger(nTasks) || nTasks < 1 || nTasks > nReplicas)
      throw new InputError(
        `--tasks must be an integer in 1-${nReplicas} (the plan holds ${nReplicas} replicas); got ${nTasks}`,
      );
    checkArraySize(nTasks, maxTasks, nReplicas);
    return evenBlocks(nReplicas, nTasks);
  }
  if (replicasPerTask !== undefined && (!Number.isInteger(replicasPerTask) || replicasPerTask < 1))
    throw new InputError(`--replicas-per-task must be a positive integer; got ${replicasPerTask}`);
  const perTask = replicasPerTask ?? Math.ceil(nReplicas / maxTasks);
  checkArraySize(Math.ceil(nReplicas / perTask), maxTasks, nReplicas);
  const tasks: number[][] = [];
  for (let start = 0; start < nReplicas; start += perTask)
    tasks.push(range(start, Math.min(start + perTask, nReplicas)));
  return tasks;
}

function checkArraySize(nTasks: number, maxTasks: number, nReplicas: number): void {
  if (nTasks <= maxTasks) return;
  throw new InputError(
    `the job array must hold at most ${maxTasks} tasks (array indices below MaxArraySize ${maxTasks}); got ${nTasks}; pack the ${nReplicas} replicas with --replicas-per-task ${Math.ceil(nReplicas / maxTasks)} or more`,
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** `n` positions in `nBlocks` contiguous blocks whose sizes differ by at most one, larger first. */
function evenBlocks(n: number, nBlocks: number): number[][] {
  const small = Math.floor(n / nBlocks);
  const nLarge = n % nBlocks;
  const blocks: number[][] = [];
  let start = 0;
  for (let b = 0; b < nBlocks; b++) {
    const size = small + (b < nLarge ? 1 : 0);
    blocks.push(range(start, start + size));
    start += size;
  }
  return blocks;
}

/**
 * Integers as Slurm's `--array` writes them: ascending, runs of three or more as `a-b`.
 *
 * @example
 * indexRanges([3, 17, 42]); // '3,17,42'
 * indexRanges([0, 1, 2, 5, 7, 8]); // '0-2,5,7,8'
 */
export function indexRanges(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}
