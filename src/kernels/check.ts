/**
 * Precondition checks shared by the kernel glue files: each throws an InputError naming
 * the kernel and the argument, in the project's `<subject> must <rule>; got <value>` form.
 */
import { InputError } from '../base/errors.js';

/** `value` must be an integer ≥ `min`. */
export function checkInt(kernel: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InputError(`${kernel}: ${name} must be an integer >= ${min}; got ${value}`);
  }
}

/** `array.length` must equal `want` (described as `shape`, e.g. "nBatch × nIn = 3 × 2"). */
export function checkLength(kernel: string, name: string, array: ArrayLike<number>, want: number, shape: string): void {
  if (array.length !== want) {
    throw new InputError(`${kernel}: ${name} must hold ${shape} = ${want} numbers; got ${array.length}`);
  }
}

/** `value` must be a finite number in the interval described by `rule`. */
export function checkRange(kernel: string, name: string, value: number, ok: boolean, rule: string): void {
  if (!ok || !Number.isFinite(value)) throw new InputError(`${kernel}: ${name} must be ${rule}; got ${value}`);
}
