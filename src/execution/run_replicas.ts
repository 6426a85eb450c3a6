/**
 * A run of a replica plan (docs/algorithm.md §Uncertainty replicas): the replicas an
 * earlier run stored are resumed, the others go to an executor, and the records merge into
 * weight columns in plan order. {@link runReplicas} does all three for every replica; the
 * CLI's `--replicas` runs a chosen subset into the store and stops before the merge.
 */
import { InputError } from '../base/errors.js';
import type { DataSample, MemberRunner, SimSample } from '../algorithm/types.js';
import { MemoryReplicaStore, type ReplicaStore } from '../uncertainty/replica_record.js';
import { FolderReplicaStore, removeStaleTemporaries } from '../uncertainty/replica_store.js';
import {
  mergeReplicas,
  prepareReplicas,
  type ReplicaOptions,
  type ReplicaProgress,
  type ReplicaRunResult,
  type ReplicaWork,
} from '../uncertainty/replicas.js';
import type { ReplicaExecutor } from './executor.js';
import { InProcessExecutor } from './in_process_executor.js';

/** Where a replica run keeps its records, and what it reports. */
export interface ReplicaRunOptions {
  onProgress?: (progress: ReplicaProgress) => void;
  /**
   * When given, each finished replica is stored atomically in this folder (created; the
   * engine owns it: give a folder of its own, e.g. the CLI's `OUT/.omnifold-resume/`).
   */
  storeDir?: string;
  /** Load finished replicas from `storeDir` when their checksum and configuration hash match. */
  resume?: boolean;
}

/** What {@link runReplicas} needs besides data and options. */
export interface ReplicaContext extends ReplicaRunOptions {
  /** Runs the replicas; default an {@link InProcessExecutor} over `runner` and `concurrency`. */
  executor?: ReplicaExecutor;
  /** For the default executor: shared by every replica's unfolding (a PoolRunner keeps every core busy). */
  runner?: MemberRunner;
  /** For the default executor: replicas unfolding at once; default ⌈2 × the runner's threads / nMembers⌉, at least 2. */
  concurrency?: number;
}

/** The replicas one {@link ReplicaRun.execute} computed and resumed, by name in plan order. */
export interface ExecutedReplicas {
  computed: string[];
  resumed: string[];
}

/**
 * One run of a replica plan: prepared and checked on construction, before any work; its
 * replicas are then executed, all at once or in parts (by any executors), and merged.
 */
export class ReplicaRun {
  readonly work: ReplicaWork;
  /** Where the records go: `storeDir` when given, else memory. */
  readonly store: ReplicaStore;
  private readonly resumed: string[] = [];

  /** @throws InputError for bad options, a systematic that does not fit, or resume without storeDir */
  constructor(
    sim: SimSample,
    data: DataSample,
    options: ReplicaOptions = {},
    private readonly context: ReplicaRunOptions = {},
  ) {
    const { storeDir, onProgress } = context;
    this.work = prepareReplicas(sim, data, options, storeDir !== undefined);
    if (context.resume && storeDir === undefined)
      throw new InputError('resume must come with storeDir; got resume without storeDir');
    if (storeDir !== undefined && context.resume) removeStaleTemporaries(storeDir);
    this.store =
      storeDir === undefined
        ? new MemoryReplicaStore()
        : new FolderReplicaStore(storeDir, (name, message) => onProgress?.({ type: 'notice', name, message }));
  }

  /**
   * Runs the replicas at `indices` (positions in `work.plan`; default all) on `executor`,
   * which writes their records to {@link store}. With `resume`,
   * a replica stored by an earlier run of the same configuration is loaded instead, except
   * the nominal when `saveIterations` or `saveModels` is set (its per-iteration weights
   * and its models are not stored).
   *
   * @throws InputError unless `indices` are distinct positions in the plan
   */
  async execute(
    executor: ReplicaExecutor,
    indices: readonly number[] = this.work.plan.map((_, k) => k),
  ): Promise<ExecutedReplicas> {
    const { plan, hashes, options } = this.work;
    const chosen = checkIndices(indices, plan.length);
    const nEvents = this.work.sim.weights.length;
    const onProgress = this.context.onProgress;
    const total = chosen.length;
    let done = 0;
    const toRun: number[] = [];
    const resumed: string[] = [];
    for (const k of chosen) {
      const p = plan[k];
      const resumable =
        this.context.resume === true && !(p.family === 'nominal' && (options.saveIterations || options.saveModels));
      if (resumable && this.store.read(p.name, { hash: hashes[k], nEvents }) !== undefined) {
        resumed.push(p.name);
        onProgress?.({ type: 'replica', name: p.name, status: 'resumed', done: ++done, total });
      } else {
        toRun.push(k);
      }
    }
    const store = this.store;
    const reporting: ReplicaStore = {
      write(record) {
        store.write(record);
        onProgress?.({ type: 'replica', name: record.name, status: 'computed', done: ++done, total });
      },
      read: (name, expected) => store.read(name, expected),
    };
    await executor.run(this.work, toRun, {
      store: reporting,
      onStart: (k) =>
        onProgress?.({ type: 'replica-start', name: plan[k].name, replica: `${plan[k].kind}#${plan[k].index}`, total }),
      onProgress,
    });
    this.resumed.push(...resumed);
    return { computed: toRun.map((k) => plan[k].name), resumed };
  }

  /** The weight columns of every replica, once every one is in the store. */
  merge(): ReplicaRunResult {
    return mergeReplicas(this.work, this.store, this.resumed);
  }
}

/** `indices` in plan order; throws an InputError unless they are distinct positions in [0, nReplicas). */
function checkIndices(indices: readonly number[], nReplicas: number): number[] {
  const seen = new Set<number>();
  for (const k of indices) {
    if (!Number.isInteger(k) || k < 0 || k >= nReplicas)
      throw new InputError(`replica indices must be integers in [0, ${nReplicas}); got ${k}`);
    if (seen.has(k)) throw new InputError(`replica indices must be distinct; got ${k} twice`);
    seen.add(k);
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * Runs the nominal unfolding and every replica (by default concurrently in this process,
 * sharing one runner) and merges them.
 *
 * @example
 * const executor = new PoolExecutor();
 * const { columns } = await runReplicas(sim, data, { nIterations: 4, dataBootstraps: 20 }, { executor, storeDir: 'OUT/.omnifold-resume', resume: true });
 * columns.map((c) => c.name); // ['weight', 'data_boot_0', …, 'data_boot_19']
 */
export async function runReplicas(
  sim: SimSample,
  data: DataSample,
  options: ReplicaOptions = {},
  context: ReplicaContext = {},
): Promise<ReplicaRunResult> {
  const run = new ReplicaRun(sim, data, options, context);
  await run.execute(
    context.executor ?? new InProcessExecutor({ runner: context.runner, concurrency: context.concurrency }),
  );
  return run.merge();
}
