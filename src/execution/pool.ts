/**
 * The worker pool: a {@link MemberRunner} that fits the members of step jobs on Piscina
 * worker threads (workers/unfold_task.ts), so every core is busy with ensemble members and
 * with the steps of concurrently running replicas.
 *
 * Memory: feature values travel as SharedArrayBuffer views, shared by every worker and
 * task; a matrix that is not SAB-backed is copied into a SAB once and cached by identity
 * (feature values are never written by the engine), so later iterations reuse it. Weights
 * change every step, so each job's weights are copied into SABs once per job (not per
 * member); those copies and the ratio outputs are recycled ({@link SharedBuffers}).
 * Results come back in member order whatever the completion order, and a member's fit is
 * a pure function of the job, so the weights are bit-identical for any pool size.
 *
 * Threads left idle by the fits in flight help them: a job whose members do not fill the
 * pool sends help tasks that share each fit's minibatches (classifier kinds with
 * `dataParallel`, the MLP: src/classifiers/mlp/gang.ts), with the same bits.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { InputError, WorkerError } from '../base/errors.js';
import { classifierKind } from '../classifiers/registry.js';
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
  /** Fit and help tasks sent and not yet settled. */
  private inFlight = 0;
  /** Minibatch blocks that help tasks computed for fits on other threads, so far (a speed figure only). */
  helpedBlocks = 0;

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
    // threads that nothing else uses now are shared out between this job's fits: replicas
    // and members in flight come first, and a fit never waits for a helper
    const helpers = Math.max(0, Math.floor((this.threads - this.inFlight) / nMembers) - 1);
    const runs: Promise<MemberResult>[] = [];
    for (let member = 0; member < nMembers; member++) runs.push(this.runMember(shared, member, helpers));
    const settled = await Promise.allSettled(runs);
    for (const w of new Set([shared.w0, shared.w1])) {
      if (w !== job.w0 && w !== job.w1) this.buffers.release(w.buffer as SharedArrayBuffer);
    }
    return settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
  }

  private async runMember(job: StepJob, member: number, helpers: number): Promise<MemberResult> {
    // the worker writes the ratios here: a thread holds no per-event memory between tasks
    const outputs = job.targets.map((t) => new Float64Array(this.buffers.take(t.nEvents * 8), 0, t.nEvents));
    this.inFlight++;
    try {
      const result = await this.runTask(job, member, outputs, helpers);
      return { ...result, ratios: result.ratios.map((r) => r.slice()) };
    } finally {
      this.inFlight--;
      for (const out of outputs) this.buffers.release(out.buffer);
    }
  }

  private async runTask(job: StepJob, member: number, outputs: Float64Array[], helpers: number): Promise<MemberResult> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      // the fit is queued before its helpers, so it never waits behind them; a retry runs
      // alone (the bits do not depend on helpers)
      const buffer = attempt === 1 ? this.gangBuffer(job, helpers) : undefined;
      const fit = this.pool.run({ job, member, outputs, gang: buffer });
      const gang = buffer !== undefined ? this.startHelpers(job, helpers, buffer) : undefined;
      try {
        return (await fit) as MemberResult;
      } catch (error) {
        last = error;
      } finally {
        // helpers that joined return at once, and are waited for, so that the next job
        // counts their threads as free; helpers still queued start later and return at once
        if (gang !== undefined) await gang.release();
      }
    }
    const message = last instanceof Error ? last.message : String(last);
    const tries = this.attempts === 1 ? 'once' : `${this.attempts} times`;
    throw new WorkerError(`${describeTask(job, member)} failed ${tries}: ${message}`, { cause: last });
  }

  /** The shared memory of a fit of `job` that `count` helpers will share, if its kind can be shared. */
  private gangBuffer(job: StepJob, count: number): SharedArrayBuffer | undefined {
    const parallel = classifierKind(job.classifier.type).dataParallel;
    if (count < 1 || parallel === undefined) return undefined;
    return parallel.gang(job.classifier, job.x0, job.x1);
  }

  /** Sends `count` help tasks that share the fit of `job` that owns `buffer`. */
  private startHelpers(job: StepJob, count: number, buffer: SharedArrayBuffer): Helpers {
    const parallel = classifierKind(job.classifier.type).dataParallel!;
    const tasks: Promise<unknown>[] = [];
    for (let h = 0; h < count; h++) {
      this.inFlight++;
      const task = this.pool.run({ help: { classifier: job.classifier, gang: buffer } }) as Promise<number>;
      tasks.push(
        task
          .then(
            (blocks) => {
              this.helpedBlocks += blocks;
            },
            () => undefined,
          )
          .finally(() => this.inFlight--),
      );
    }
    // a helper's failure costs the fit nothing but speed: the fit computes what nobody took
    const settled = Promise.allSettled(tasks);
    return {
      release: async () => {
        parallel.stop(buffer);
        if (parallel.joined(buffer) === count) await settled;
      },
    };
  }

  /** Waits for running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** The help tasks of one fit. */
interface Helpers {
  /** Ends their part; resolves once they have returned, if all of them had joined. */
  release(): Promise<void>;
}

/** The kernels compiled once in the main thread, or undefined when they are not built. */
function compiledKernels(): WebAssembly.Module | undefined {
  try {
    return wasmModule();
  } catch {
    return undefined; // a worker that needs the kernels reports the missing build itself
  }
}
