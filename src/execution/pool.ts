/**
 * The worker pool: a {@link MemberRunner} that fits the members of step jobs on Piscina
 * worker threads (workers/unfold_task.ts), so every core is busy with ensemble members and
 * with the steps of concurrently running replicas.
 *
 * Memory: feature values travel as SharedArrayBuffer views, shared by every worker and
 * task; a matrix that is not SAB-backed is copied into a SAB once and cached by identity
 * (feature values are never written by the engine), so later iterations reuse it. Weights
 * change every step, so each job's weights are copied into SABs once per job (not per
 * member); those copies and the ratio outputs are recycled ({@link SharedBuffers}). Results come back in member order whatever the completion order, and a member's
 * fit is a pure function of the job, so the weights are bit-identical for any pool size.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { InputError, WorkerError } from '../base/errors.js';
import { wasmModule } from '../kernels/wasm.js';
import type { MemberResult, MemberRunner, StepJob } from '../algorithm/types.js';
import { SharedBuffers, shareJob } from './shared_job.js';

export { SharedBuffers, shareFeatures, shareJob } from './shared_job.js';

/** Options of {@link PoolRunner}. */
export interface PoolOptions {
  /** Worker threads; default `SLURM_CPUS_PER_TASK` if set, else `os.availableParallelism()`. */
  threads?: number;
  /** Task file (a path or file URL); default the compiled workers/unfold_task.js. For tests. */
  workerFile?: string | URL;
  /** Attempts per task before failing with a {@link WorkerError}; default 2 (one retry). */
  attempts?: number;
}

/**
 * V8 young-generation limit of each worker thread, MiB. A worker allocates almost nothing
 * per task (event data is shared, a fit's buffers are reused), so a small nursery costs no
 * speed, and it keeps each extra thread near Node's own floor of about 9 MiB: by default
 * the nursery grew to 4 MiB per thread (bench/pool.bench.ts, `--rss`).
 */
const WORKER_YOUNG_GENERATION_MB = 1;

/** Worker threads to use: explicit, else `SLURM_CPUS_PER_TASK`, else the available cores. */
export function resolveThreadCount(threads?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new InputError(`options.threads must be a positive integer; got ${threads}`);
    return threads;
  }
  const slurm = env.SLURM_CPUS_PER_TASK;
  if (slurm !== undefined && slurm !== '') {
    const n = Number(slurm);
    if (!Number.isInteger(n) || n < 1)
      throw new InputError(`SLURM_CPUS_PER_TASK must be a positive integer; got ${JSON.stringify(slurm)}`);
    return n;
  }
  return availableParallelism();
}

function describeTask(job: StepJob, member: number): string {
  const seed = `0x${(job.seed >>> 0).toString(16).padStart(8, '0')}`;
  return `task ${job.replica.kind}#${job.replica.index} iteration ${job.iteration} ${job.step} member ${(job.memberOffset ?? 0) + member} (seed ${seed})`;
}

/**
 * Runs member fits on a Piscina pool. Create one per process and share it between the
 * nominal unfolding and every replica; `close()` it at the end.
 *
 * @example
 * const runner = new PoolRunner({ threads: 4 });
 * try { await unfold(sim, data, options, { runner }); } finally { await runner.close(); }
 */
export class PoolRunner implements MemberRunner {
  /** Worker threads in the pool. */
  readonly threads: number;
  private readonly pool: Piscina;
  private readonly attempts: number;
  private readonly buffers = new SharedBuffers();

  constructor(options: PoolOptions = {}) {
    this.threads = resolveThreadCount(options.threads);
    this.attempts = options.attempts ?? 2;
    if (!Number.isInteger(this.attempts) || this.attempts < 1) {
      throw new InputError(`options.attempts must be a positive integer; got ${options.attempts}`);
    }
    const filename = options.workerFile ?? new URL('../../workers/unfold_task.js', import.meta.url);
    this.pool = new Piscina({
      filename: filename.toString(),
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 60_000,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      workerData: { module: compiledKernels() },
    });
  }

  /**
   * Fits members 0..nMembers−1 of `job` concurrently; resolves in member order. The
   * ratios are the caller's own arrays: the shared buffers the workers wrote are copied
   * and recycled once every member has finished (or failed).
   */
  async fitMembers(job: StepJob, nMembers: number): Promise<MemberResult[]> {
    if (!Number.isInteger(nMembers) || nMembers < 1)
      throw new InputError(`nMembers must be a positive integer; got ${nMembers}`);
    const shared = shareJob(job, this.buffers);
    const runs: Promise<MemberResult>[] = [];
    for (let member = 0; member < nMembers; member++) runs.push(this.runMember(shared, member));
    const settled = await Promise.allSettled(runs);
    for (const w of new Set([shared.w0, shared.w1])) {
      if (w !== job.w0 && w !== job.w1) this.buffers.release(w.buffer as SharedArrayBuffer);
    }
    return settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
  }

  private async runMember(job: StepJob, member: number): Promise<MemberResult> {
    // the worker writes the ratios here: a thread holds no per-event memory between tasks
    const outputs = job.targets.map((t) => new Float64Array(this.buffers.take(t.nEvents * 8), 0, t.nEvents));
    try {
      const result = await this.runTask(job, member, outputs);
      return { ...result, ratios: result.ratios.map((r) => r.slice()) };
    } finally {
      for (const out of outputs) this.buffers.release(out.buffer);
    }
  }

  private async runTask(job: StepJob, member: number, outputs: Float64Array[]): Promise<MemberResult> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        return (await this.pool.run({ job, member, outputs })) as MemberResult;
      } catch (error) {
        last = error;
      }
    }
    const message = last instanceof Error ? last.message : String(last);
    const tries = this.attempts === 1 ? 'once' : `${this.attempts} times`;
    throw new WorkerError(`${describeTask(job, member)} failed ${tries}: ${message}`, { cause: last });
  }

  /** Waits for running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** The kernels compiled once in the main thread, or undefined when they are not built. */
function compiledKernels(): WebAssembly.Module | undefined {
  try {
    return wasmModule();
  } catch {
    return undefined; // a worker that needs the kernels reports the missing build itself
  }
}
