/**
 * The particle-column flags that `omnifold unfold` (--gen-particles, --reco-particles and
 * their counts) and `omnifold reweight` (--particles, --particle-count) share, with
 * --max-particles and --particle-sort: their help, their parsing into
 * {@link ParticleColumns}, and the rule that a particle-level classifier (--classifier pfn)
 * has particle columns and an event-level one has none. Every check runs before any file
 * is read; every error is one line (exit 2).
 */
import {
  CLASSIFIER_KINDS,
  type ClassifierType,
  checkParticleColumns,
  classifierKind,
  InputError,
  integerFlag,
  orList,
  type ParticleColumns,
} from '../index.js';
import { argList, argString } from './arg_values.js';

type Args = Readonly<Record<string, string | string[] | boolean | undefined>>;
type Flag = { readonly type: 'string'; readonly help: string };

/** `--max-particles` and `--particle-sort`: the same flags, and help, in every command that reads particles. */
export const PARTICLE_CAP_FLAGS: Readonly<Record<'max-particles' | 'particle-sort', Flag>> = Object.freeze({
  'max-particles': { type: 'string', help: 'keep at most this many particles per event (default: all)' },
  'particle-sort': {
    type: 'string',
    help: 'with --max-particles: keep the particles with the largest values of this particle feature, e.g. pt (default: the first ones, in the file’s order)',
  },
});

/** The help of a count flag (`--gen-particle-count`, `--particle-count`): `whose` particles it counts. */
export function particleCountHelp(whose: string): string {
  return `padded formats (HDF5, NPY/NPZ): the column with each event’s number of ${whose}particles`;
}

/** The two flags that name one set of particle columns: the comma-separated list and its count column. */
export interface ParticleFlagNames {
  /** e.g. `gen-particles`, `particles` */
  list: string;
  /** e.g. `gen-particle-count`, `particle-count` */
  count: string;
}

/**
 * The particle columns that `flags` name, with --max-particles and --particle-sort, or
 * undefined when `flags.list` is not given (its count flag alone is an error).
 * `--particle-sort COL` names a column of any of the lists `levels` (every level's list
 * flag, the same particle features in the same order); the column at its position in this
 * level's list is the one that sorts.
 */
export function particleColumnsPlan(
  args: Args,
  flags: ParticleFlagNames,
  levels: readonly string[] = [flags.list],
): ParticleColumns | undefined {
  const features = argList(args, flags.list);
  const count = argString(args, flags.count);
  if (features === undefined) {
    if (count !== undefined)
      throw new InputError(`--${flags.count} must come with --${flags.list}; got no --${flags.list}`);
    return undefined;
  }
  const sort = argString(args, 'particle-sort');
  let sortBy: string | undefined;
  if (sort !== undefined) {
    const position = levels.map((level) => (argList(args, level) ?? []).indexOf(sort)).find((k) => k >= 0);
    if (position === undefined)
      throw new InputError(
        `--particle-sort must name a column of ${levels.map((level) => `--${level}`).join(' or ')}; got ${JSON.stringify(sort)}`,
      );
    sortBy = features[position];
  }
  const max = argString(args, 'max-particles');
  const columns: ParticleColumns = {
    features,
    ...(count === undefined ? {} : { count }),
    ...(max === undefined ? {} : { maxParticles: integerFlag('max-particles', max, 1) }),
    ...(sortBy === undefined ? {} : { sortBy }),
  };
  checkParticleColumns(`--${flags.list}`, columns);
  return columns;
}

/** --max-particles and --particle-sort given without particle columns: an error naming `flags`, the lists they need. */
export function refuseLoneParticleCaps(args: Args, flags: string): void {
  for (const k of Object.keys(PARTICLE_CAP_FLAGS))
    if (args[k] !== undefined) throw new InputError(`--${k} must come with ${flags}; got no particle columns`);
}

/**
 * A particle-level classifier must be given particle sets (`hasParticles`), and an event-level
 * one no particle columns it would not read (`givenColumns`). `flags` names the particle
 * flags, `give` what supplies particle sets, `got` what was given instead.
 */
export function checkParticleClassifier(
  classifier: ClassifierType,
  input: { hasParticles: boolean; givenColumns: boolean; flags: string; give: string; got: string },
): void {
  const particleLevel = classifierKind(classifier).particles === true;
  if (particleLevel && !input.hasParticles)
    throw new InputError(`--classifier ${classifier} reads particle sets: give ${input.give}; got ${input.got}`);
  if (!particleLevel && input.givenColumns)
    throw new InputError(
      `${input.flags} must come with a particle-level classifier (${orList(CLASSIFIER_KINDS.filter((k) => k.particles === true).map((k) => k.type))}); got --classifier ${classifier}`,
    );
}
