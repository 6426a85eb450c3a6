/**
 * Command-line values from text: each parser reads one flag's text and throws a usage
 * InputError `--<flag> must <rule>; got "<text>"`. Used by the CLI and by the flags that
 * classifier kinds declare (src/classifiers/kind.ts), so a flag reads the same wherever
 * it is defined. Platform-neutral: no node:* imports.
 */
import { InputError } from './errors.js';

/** An integer ≥ `min` (0 or 1). */
export function integerFlag(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min) {
    throw new InputError(
      `--${flag} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer; got ${JSON.stringify(text)}`,
    );
  }
  return v;
}

/** A finite number > 0. */
export function positiveNumberFlag(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v > 0) || !Number.isFinite(v))
    throw new InputError(`--${flag} must be a positive number; got ${JSON.stringify(text)}`);
  return v;
}

/** A fraction in [0, 1). */
export function fractionFlag(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v >= 0 && v < 1))
    throw new InputError(`--${flag} must be a number in [0, 1); got ${JSON.stringify(text)}`);
  return v;
}

/** One of `allowed`. */
export function choiceFlag<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T))
    throw new InputError(`--${flag} must be one of ${allowed.join(', ')}; got ${JSON.stringify(text)}`);
  return text as T;
}

/** A comma-separated list of non-empty names, trimmed. */
export function listFlag(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new InputError(`--${flag} must be a comma-separated list of names; got ${JSON.stringify(text)}`);
  return items;
}

/** "a or b", "a, b or c": a list of choices in prose, as help text writes them. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
