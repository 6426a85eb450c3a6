/**
 * The pool executor: replicas run in this process as with the in-process executor, and
 * every member fit of every replica goes to one worker pool (src/execution/pool.ts), so
 * all cores are busy. Same records, bit for bit, as in-process.
 */
import type { ReplicaWork } from '../uncertainty/replicas.js';
import type { ExecutorRun, ReplicaExecutor } from './executor.js';
import { InProcessExecutor, checkConcurrency } from './in_process_executor.js';
import { PoolRunner, type PoolOptions } from './pool.js';

/** Options of {@link PoolExecutor}: the pool's, and the replicas unfolding at once. */
export interface PoolExecutorOptions extends PoolOptions {
  /** Replicas unfolding at once; default ⌈2 × threads / nMembers⌉, at least 2. */
  concurrency?: number;
}

/**
 * Runs replicas on a worker pool that it owns; `close()` it at the end.
 *
 * @example
 * const executor = new PoolExecutor({ threads: 8 });
 * try { await runReplicas(sim, data, { dataBootstraps: 100 }, { executor }); } finally { await executor.close(); }
 */
export class PoolExecutor implements ReplicaExecutor {
  /** Worker threads in the pool. */
  readonly threads: number;
  private readonly runner: PoolRunner;
  private readonly local: InProcessExecutor;

  constructor(options: PoolExecutorOptions = {}) {
    const { concurrency, ...pool } = options;
    checkConcurrency(concurrency); // before any thread starts
    this.runner = new PoolRunner(pool);
    this.threads = this.runner.threads;
    this.local = new InProcessExecutor({ runner: this.runner, concurrency });
  }

  run(work: ReplicaWork, indices: readonly number[], run: ExecutorRun): Promise<void> {
    return this.local.run(work, indices, run);
  }

  /** Waits for running tasks, then stops the threads. */
  close(): Promise<void> {
    return this.runner.close();
  }
}
