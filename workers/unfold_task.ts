/**
 * Piscina task: fits one member of one step job (src/algorithm/fit_member.ts) and returns its result,
 * or helps another thread's data-parallel fit until it ends. No algorithm logic lives here.
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
import { classifierKind, type ClassifierSpec } from '../src/classifiers/registry.js';
import { useWasmModule } from '../src/kernels/wasm.js';
import type { MemberResult, StepJob } from '../src/algorithm/types.js';

/** What the pool sends for one fit. */
export interface UnfoldTask {
  module?: WebAssembly.Module;
  job: StepJob;
  member: number;
  /** One SharedArrayBuffer-backed [nEvents] array per target: the ratios are written there. */
  outputs?: Float64Array[];
  /** The fit's data-parallel shared memory, when helper tasks were sent to share it. */
  gang?: SharedArrayBuffer;
}

/** What the pool sends for a thread to help another thread's fit (src/classifiers/kind.ts, DataParallelFit). */
export interface HelpTask {
  module?: WebAssembly.Module;
  help: { classifier: ClassifierSpec; gang: SharedArrayBuffer };
}

let moduleSet = false;

function setModule(task: UnfoldTask | HelpTask): void {
  if (moduleSet) return;
  const module =
    task.module ?? (isMainThread ? undefined : (workerData as { module?: WebAssembly.Module } | undefined)?.module);
  if (module !== undefined) {
    useWasmModule(module);
    moduleSet = true;
  }
}

/** A fit's result, or for a help task the number of blocks it computed. */
export default function unfoldTask(task: UnfoldTask | HelpTask): MemberResult | number {
  setModule(task);
  if ('help' in task) {
    const { classifier, gang } = task.help;
    return classifierKind(classifier.type).dataParallel?.help(classifier, gang) ?? 0;
  }
  return fitMember(task.job, task.member, undefined, task.outputs, task.gang);
}
