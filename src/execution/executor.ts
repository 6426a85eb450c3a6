/**
 * The executor seam: what runs whole replicas of a plan. An executor takes a prepared plan
 * (`ReplicaWork`, src/uncertainty/replicas.ts) and a chosen list of its replicas, runs them
 * where it likes (this thread, a worker pool, later the array jobs of a batch system) and
 * writes one record per replica to the store. The merge reads the records back, so every
 * executor gives the same columns, bit for bit: a replica's weights depend only on the
 * plan and its own (kind, index) (docs/algorithm.md §Determinism).
 *
 * Implementations: src/execution/in_process_executor.ts, src/execution/pool_executor.ts.
 */
import type { UnfoldProgress } from '../algorithm/types.js';
import type { ReplicaStore } from '../uncertainty/replica_record.js';
import type { ReplicaWork } from '../uncertainty/replicas.js';

/** What an executor writes to and reports to while it runs replicas. */
export interface ExecutorRun {
  /** Takes each finished replica's record (`computeReplica`'s result). */
  store: ReplicaStore;
  /** Called as the unfolding of replica `k` (its position in the plan) begins. */
  onStart?: (k: number) => void;
  /** The unfoldings' own progress (steps, epochs, iterations), where the executor sees it. */
  onProgress?: (progress: UnfoldProgress) => void;
}

/** Runs whole replicas of a plan and writes their records to a store. */
export interface ReplicaExecutor {
  /**
   * Runs replicas `indices` (positions in `work.plan`) in any order, as many at once as
   * the executor likes, and writes each finished one to `run.store`. Resolves once every
   * one is written; rejects with the first failure, starting no further replica (records
   * already written stay, for `--resume`).
   */
  run(work: ReplicaWork, indices: readonly number[], run: ExecutorRun): Promise<void>;
  /** Releases what the executor holds (worker threads); call once, after the last run. */
  close(): Promise<void>;
}
