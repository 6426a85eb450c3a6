/**
 * The in-process executor: runs replicas in this process, a few at once, their member fits
 * on one shared MemberRunner (this thread by default, or a worker pool: see
 * src/execution/pool_executor.ts).
 */
import { InputError } from '../base/errors.js';
import type { MemberRunner } from '../algorithm/types.js';
import { computeReplica, type ReplicaWork } from '../uncertainty/replicas.js';
import type { ExecutorRun, ReplicaExecutor } from './executor.js';

/** Options of {@link InProcessExecutor}; all optional. */
export interface InProcessExecutorOptions {
  /** Runs the member fits of every replica; default: each unfolding fits in this thread. */
  runner?: MemberRunner & { threads?: number };
  /** Replicas unfolding at once; default ⌈2 × the runner's threads / (nMembers × ensembleRuns)⌉, at least 2. */
  concurrency?: number;
}

/**
 * Runs replicas concurrently in this process. Each in flight holds its own weights, so the
 * default keeps just enough of them going to keep every thread of the runner busy.
 *
 * @example
 * const executor = new InProcessExecutor({ concurrency: 2 });
 * await executor.run(prepareReplicas(sim, data, { dataBootstraps: 4 }, false), [0, 1, 2], { store: new MemoryReplicaStore() });
 */
export class InProcessExecutor implements ReplicaExecutor {
  constructor(private readonly options: InProcessExecutorOptions = {}) {
    checkConcurrency(options.concurrency);
  }

  async run(work: ReplicaWork, indices: readonly number[], run: ExecutorRun): Promise<void> {
    const { runner } = this.options;
    // each unfolding keeps nMembers fits busy at once, per run in flight (src/algorithm/ensemble_runs.ts)
    const fitsPerReplica = work.options.nMembers * work.options.ensembleRuns;
    const concurrency =
      this.options.concurrency ?? Math.max(2, Math.ceil((2 * (runner?.threads ?? 1)) / fitsPerReplica));
    await runLimited(indices.length, concurrency, async (i) => {
      run.onStart?.(indices[i]);
      run.store.write(await computeReplica(work, indices[i], { runner, onProgress: run.onProgress }));
    });
  }

  /** Nothing to release: the runner belongs to the caller. */
  async close(): Promise<void> {}
}

/** Throws an InputError unless `concurrency` is undefined or a positive integer. */
export function checkConcurrency(concurrency: number | undefined): void {
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new InputError(`concurrency must be a positive integer; got ${concurrency}`);
}

/** Runs `task(0..n−1)` with at most `limit` in flight, started in index order; fails fast. */
async function runLimited(n: number, limit: number, task: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < n) {
      const k = next++;
      try {
        await task(k);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}
