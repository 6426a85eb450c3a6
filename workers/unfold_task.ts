/**
 * Piscina task: fits one member of one step job (src/algorithm/fit_member.ts) and returns its result.
 * No algorithm logic lives here.
 *
 * The compiled wasm module arrives once per thread, in `workerData.module` (or in the
 * first task's `module`), so a thread never compiles the kernels itself. The job's
 * feature values and weights are SharedArrayBuffer views: shared, never copied. The pool
 * passes SharedArrayBuffer `outputs` for the ratios, so the result carries no event data
 * (without them, the ratio arrays are copied back).
 *
 * This file imports neither piscina nor anything beyond the fit: every import is paid in
 * every thread's memory (piscina's main module alone is about 1.5 MiB per thread), and
 * Piscina hands its `workerData` option to the thread as Node's own `workerData`.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { fitMember } from '../src/algorithm/fit_member.js';
import { useWasmModule } from '../src/kernels/wasm.js';
import type { MemberResult, StepJob } from '../src/algorithm/types.js';

/** What the pool sends for one task. */
export interface UnfoldTask {
  module?: WebAssembly.Module;
  job: StepJob;
  member: number;
  /** One SharedArrayBuffer-backed [nEvents] array per target: the ratios are written there. */
  outputs?: Float64Array[];
}

let moduleSet = false;

function setModule(task: UnfoldTask): void {
  if (moduleSet) return;
  const module =
    task.module ?? (isMainThread ? undefined : (workerData as { module?: WebAssembly.Module } | undefined)?.module);
  if (module !== undefined) {
    useWasmModule(module);
    moduleSet = true;
  }
}

export default function unfoldTask(task: UnfoldTask): MemberResult {
  setModule(task);
  return fitMember(task.job, task.member, undefined, task.outputs);
}
