/**
 * Step jobs whose event data live in SharedArrayBuffers, so that posting a job to a worker
 * (a Node worker thread or a Web Worker) shares the data instead of copying it. Used by the
 * Node pool (src/execution/pool.ts) and the worker engine (src/engine/). Needs
 * SharedArrayBuffer: in a browser, a cross-origin isolated page.
 */
import type { FeatureMatrix } from '../base/features.js';
import type { StepJob } from '../algorithm/types.js';

const sharedArrays = new WeakMap<Float32Array | Uint32Array, Float32Array | Uint32Array>();

/** `a` itself when SAB-backed, else a cached shared copy. */
function shareArray<T extends Float32Array | Uint32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  let shared = sharedArrays.get(a) as T | undefined;
  if (shared === undefined) {
    shared = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
    shared.set(a);
    sharedArrays.set(a, shared);
  }
  return shared;
}

/** The matrix with SAB-backed values (and particle sets): itself if already shared, else cached shared copies. */
export function shareFeatures(x: FeatureMatrix): FeatureMatrix {
  const values = shareArray(x.values);
  const p = x.particles;
  if (p === undefined) return values === x.values ? x : { values, nEvents: x.nEvents, nFeatures: x.nFeatures };
  const offsets = shareArray(p.offsets);
  const particleValues = shareArray(p.values);
  if (values === x.values && offsets === p.offsets && particleValues === p.values) return x;
  const particles = { offsets, values: particleValues, nFeatures: p.nFeatures };
  return { values, nEvents: x.nEvents, nFeatures: x.nFeatures, particles };
}

/**
 * SharedArrayBuffers reused from job to job, by byte length. A worker thread keeps its
 * view of a task's buffers until its own garbage collector runs, which, as a worker
 * allocates almost nothing, can take hundreds of tasks: fresh buffers per job would pile
 * up (about 40 MiB per step job at 10⁶ events, measured). Recycled buffers make those
 * stale views harmless: memory stays at the peak number of buffers in flight at once.
 */
export class SharedBuffers {
  private readonly free = new Map<number, SharedArrayBuffer[]>();

  /** A buffer of `byteLength` bytes: a released one if any, else a new one. Contents are stale. */
  take(byteLength: number): SharedArrayBuffer {
    return this.free.get(byteLength)?.pop() ?? new SharedArrayBuffer(byteLength);
  }

  /** Returns `buffer` for reuse; nothing may read or write it afterwards. */
  release(buffer: SharedArrayBuffer): void {
    let list = this.free.get(buffer.byteLength);
    if (list === undefined) this.free.set(buffer.byteLength, (list = []));
    list.push(buffer);
  }
}

function shareWeights(w: Float64Array, copies: Map<Float64Array, Float64Array>, buffers?: SharedBuffers): Float64Array {
  if (w.buffer instanceof SharedArrayBuffer) return w;
  let shared = copies.get(w);
  if (shared === undefined) {
    shared = new Float64Array(buffers?.take(w.byteLength) ?? new SharedArrayBuffer(w.byteLength), 0, w.length);
    shared.set(w);
    copies.set(w, shared);
  }
  return shared;
}

/**
 * The job with every array SAB-backed, so posting it to a worker copies no event data.
 * Weight copies come from `buffers` when given; the caller then releases
 * `job.w0.buffer` and `job.w1.buffer` if they are not the caller's own.
 */
export function shareJob(job: StepJob, buffers?: SharedBuffers): StepJob {
  const copies = new Map<Float64Array, Float64Array>();
  return {
    ...job,
    x0: shareFeatures(job.x0),
    x1: shareFeatures(job.x1),
    targets: job.targets.map(shareFeatures),
    w0: shareWeights(job.w0, copies, buffers),
    w1: shareWeights(job.w1, copies, buffers),
  };
}
