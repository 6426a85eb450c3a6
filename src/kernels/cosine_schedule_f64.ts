/**
 * Cosine learning-rate factor ½(1 + cos(π·epoch/nEpochs)) from wasm: see asm/cosine_schedule_f64.ts.
 */
import { checkInt } from './check.js';
import { InputError } from '../base/errors.js';
import { kernels } from './wasm.js';

/** Factor in [0, 1] for 0-based `epoch` of `nEpochs`. */
export function cosineScheduleF64(epoch: number, nEpochs: number): number {
  checkInt('cosine_schedule_f64', 'nEpochs', nEpochs, 1);
  checkInt('cosine_schedule_f64', 'epoch', epoch, 0);
  if (epoch > nEpochs) throw new InputError(`cosine_schedule_f64: epoch must be <= nEpochs = ${nEpochs}; got ${epoch}`);
  return (kernels().exports.cosine_schedule_f64 as (e: number, n: number) => number)(epoch, nEpochs);
}
