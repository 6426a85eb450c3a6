/**
 * The `--syst` syntax of `omnifold unfold` (and of what `verify` re-reads from a weights
 * file's configuration): one systematic per value, `name=SPEC`.
 */
import { GENERATOR_RECIPES, type GeneratorRecipe, InputError } from '../index.js';
import type { UnfoldArgs } from './unfold_args.js';

/**
 * A `--syst` value: `name=FILE` (the nominal events through another detector, row-aligned),
 * `name=prior:FILE` or `name=response:FILE` (another generator, by a reweighting recipe),
 * `name=unfold:FILE` (the data unfolded with another generator's sample as the sim, its
 * weights in a file of their own), `name=weight:COL` or `name=reco:COL*factor`.
 */
export type SystematicArg =
  | { name: string; kind: 'sample'; file: string; recipe?: GeneratorRecipe }
  | { name: string; kind: 'alternative'; file: string }
  | { name: string; kind: 'weight'; column: string }
  | { name: string; kind: 'reco-transform'; column: string; scale: number };

/** Parses one `--syst` value. */
export function parseSystematic(text: string): SystematicArg {
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(text.trim());
  if (match === null)
    throw new InputError(
      `--syst must read name=FILE, name=prior:FILE, name=response:FILE, name=unfold:FILE, name=weight:COL or name=reco:COL*factor (name of letters, digits, _ . -); got ${JSON.stringify(text)}`,
    );
  const [, name, spec] = match;
  if (spec.startsWith('weight:')) {
    const column = spec.slice('weight:'.length).trim();
    if (column === '')
      throw new InputError(`--syst ${name}=weight:COL must name a column; got ${JSON.stringify(text)}`);
    return { name, kind: 'weight', column };
  }
  if (spec.startsWith('reco:')) {
    const transform = /^reco:\s*([^*\s]+)\s*\*\s*([^*\s]+)\s*$/.exec(spec);
    const scale = transform === null ? NaN : Number(transform[2]);
    if (transform === null || !Number.isFinite(scale)) {
      throw new InputError(
        `--syst ${name}=reco:COL*factor must give a column and a finite factor, e.g. reco:reco_pt*1.01; got ${JSON.stringify(text)}`,
      );
    }
    return { name, kind: 'reco-transform', column: transform[1], scale };
  }
  if (spec.startsWith('unfold:')) {
    const file = spec.slice('unfold:'.length).trim();
    if (file === '') throw new InputError(`--syst ${name}=unfold:FILE must name a file; got ${JSON.stringify(text)}`);
    return { name, kind: 'alternative', file };
  }
  for (const recipe of GENERATOR_RECIPES) {
    if (!spec.startsWith(`${recipe}:`)) continue;
    const file = spec.slice(recipe.length + 1).trim();
    if (file === '')
      throw new InputError(`--syst ${name}=${recipe}:FILE must name a file; got ${JSON.stringify(text)}`);
    return { name, kind: 'sample', file, recipe };
  }
  return { name, kind: 'sample', file: spec };
}

/** The `--syst` values of `args`, parsed; names must be unique. */
export function systematicsPlan(args: UnfoldArgs): SystematicArg[] {
  const raw = args.syst;
  const items = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const parsed = items.map(parseSystematic);
  const seen = new Set<string>();
  for (const s of parsed) {
    if (seen.has(s.name)) throw new InputError(`--syst names must be unique; got ${JSON.stringify(s.name)} twice`);
    seen.add(s.name);
  }
  return parsed;
}
