/**
 * Typed values of parsed CLI arguments: a flag's text, or the flag checked as an integer,
 * one of a list, or a comma-separated list (one-line InputErrors naming the flag).
 */
import { choiceFlag, integerFlag, listFlag } from '../index.js';

/** Parsed arguments: each flag's text, texts (repeatable flags) or true (switches). */
type Args = Readonly<Record<string, string | string[] | boolean | undefined>>;

/** The text of `--key`, when given once with a value. */
export const argString = (args: Args, key: string): string | undefined =>
  typeof args[key] === 'string' ? args[key] : undefined;

/** `--key` as an integer ≥ min, when given. */
export function argInteger(args: Args, key: string, min: number): number | undefined {
  const text = argString(args, key);
  return text === undefined ? undefined : integerFlag(key, text, min);
}

/** `--key` as one of `allowed`, when given. */
export function argChoice<T extends string>(args: Args, key: string, allowed: readonly T[]): T | undefined {
  const text = argString(args, key);
  return text === undefined ? undefined : choiceFlag(key, text, allowed);
}

/** `--key` as a comma-separated list, when given. */
export function argList(args: Args, key: string): string[] | undefined {
  const text = argString(args, key);
  return text === undefined ? undefined : listFlag(key, text);
}
