/**
 * The value checks every option resolver uses, each throwing an InputError that reads
 * `<path> must <rule>; got <value>` (src/base/errors.ts).
 */
import { describeValue, InputError } from './errors.js';

/** Throws `<path> must <rule>; got <value>`. */
export const fail = (path: string, rule: string, value: unknown): never => {
  throw new InputError(`${path} must ${rule}; got ${describeValue(value)}`);
};

export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function positiveInt(path: string, v: unknown): number {
  return isInt(v) && v >= 1 ? v : fail(path, 'be a positive integer', v);
}

export function nonNegativeInt(path: string, v: unknown): number {
  return isInt(v) && v >= 0 ? v : fail(path, 'be a non-negative integer', v);
}

export function oneOf<T extends string>(path: string, v: unknown, allowed: readonly T[]): T {
  return allowed.includes(v as T) ? (v as T) : fail(path, `be one of ${allowed.join(', ')}`, v);
}

/** A number in [lo, hi] with either end open as asked. */
export function inRange(path: string, v: unknown, lo: number, hi: number, hiOpen: boolean, loOpen = false): number {
  const ok = typeof v === 'number' && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  return ok ? v : fail(path, `be a number in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`, v);
}

export function knownKeys(path: string, obj: object, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(path, `only have the keys ${allowed.join(', ')}`, key);
  }
}
