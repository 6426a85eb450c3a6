/**
 * Piscina task: fits one member of one step job (src/fit_member.ts) and moves the ratio
 * buffers back to the main thread. No algorithm logic lives here.
 *
 * The compiled wasm module arrives once per thread, in `workerData.module` (or in the
 * first task's `module`), so a thread never compiles the kernels itself. The job's
 * feature values and weights are SharedArrayBuffer views: shared, never copied.
 */
import { isWorkerThread, move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { fitMember } from '../src/fit_member.js';
import { useWasmModule } from '../src/kernels/wasm.js';
import type { MemberResult, StepJob } from '../src/types.js';

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
  const module = task.module ?? (isWorkerThread ? (workerData as { module?: WebAssembly.Module } | undefined)?.module : undefined);
  if (module !== undefined) {
    useWasmModule(module);
    moduleSet = true;
  }
}

/**
 * A ratio array in a SharedArrayBuffer goes back shared; one that owns its whole
 * ArrayBuffer is transferred; anything else is copied first.
 */
function ownBuffer(a: Float64Array): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
  return whole ? a : a.slice();
}

export default async function unfoldTask(task: UnfoldTask): Promise<unknown> {
  setModule(task);
  const result = fitMember(task.job, task.member, undefined, task.outputs);
  const value: MemberResult = { ...result, ratios: result.ratios.map(ownBuffer) };
  const buffers = [...new Set(value.ratios.map((r) => r.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return value;
    },
  });
}
