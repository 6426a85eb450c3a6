/**
 * The inputs of `omnifold unfold` from its parsed arguments: an embedded toy, or the sim,
 * data, truth and background files with their columns, weights, selections, units and
 * particle columns. Every value is checked here, before any file is read.
 */
import { type ClassifierType, InputError, type ParticleColumns } from '../index.js';
import { argChoice, argInteger, argList, argString } from './arg_values.js';
import { checkParticleClassifier, particleColumnsPlan, refuseLoneParticleCaps } from './particle_flags.js';
import type { UnfoldArgs } from './unfold_args.js';

/** Where the events come from. */
export type InputPlan =
  | { kind: 'toy'; toy: ToyName; nEvents?: number }
  | {
      kind: 'files';
      sim: string;
      data: string;
      truth?: string;
      truthWeight?: string;
      gen: string[];
      reco: string[];
      simWeight?: string;
      dataWeight?: string;
      /** Simulated background files (--background, in order; empty: none) and their weight column. */
      background: string[];
      backgroundWeight?: string;
      passGen?: string;
      passReco?: string;
      /** Unit per gen column, from --units. */
      units: Record<string, string>;
      /** Particle sets at gen and at reco level (--gen-particles, --reco-particles, …), when given. */
      genParticles?: ParticleColumns;
      recoParticles?: ParticleColumns;
    };

/** The embedded toys, as `--toy` names them. */
export const TOY_NAMES = Object.freeze(['lepton-jet', 'gauss', 'jets'] as const);
export type ToyName = (typeof TOY_NAMES)[number];

const PARTICLE_FLAGS = [
  'gen-particles',
  'reco-particles',
  'gen-particle-count',
  'reco-particle-count',
  'max-particles',
  'particle-sort',
] as const;

/**
 * A particle-level classifier needs particle sets (from files, or the jets toy), and an
 * event-level one must not be given particle columns it would not read.
 */
export function checkParticleInputs(input: InputPlan, classifier: ClassifierType): void {
  checkParticleClassifier(classifier, {
    hasParticles: input.kind === 'toy' ? input.toy === 'jets' : input.genParticles !== undefined,
    givenColumns: input.kind === 'files' && input.genParticles !== undefined,
    flags: '--gen-particles and --reco-particles',
    give: '--gen-particles and --reco-particles, or --toy jets',
    got: input.kind === 'toy' ? `--toy ${input.toy}` : 'no particle columns',
  });
}

/** Parses `--units 'col=unit;…'`; every column must be a --gen column. */
function parseUnits(args: UnfoldArgs, gen: readonly string[]): Record<string, string> {
  const text = argString(args, 'units');
  const out: Record<string, string> = {};
  if (text === undefined) return out;
  for (const part of text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const match = /^([^=]+)=(.*)$/.exec(part);
    const col = match?.[1].trim() ?? '';
    if (match === null || !gen.includes(col)) {
      throw new InputError(
        `--units entries must read col=unit with col one of --gen (${gen.join(', ')}); got ${JSON.stringify(part)}`,
      );
    }
    out[col] = match[2].trim();
  }
  return out;
}

/** The `--background` files, in the order given. */
export function backgroundFiles(args: UnfoldArgs): string[] {
  const raw = args.background;
  const files = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  for (const file of files)
    if (file.trim() === '') throw new InputError(`--background must name a file; got ${JSON.stringify(file)}`);
  return files;
}

/** The inputs the arguments name. */
export function inputPlan(args: UnfoldArgs): InputPlan {
  const files = ['sim', 'data', 'gen', 'reco'].filter((k) => args[k] !== undefined);
  if (files.length === 0) {
    for (const k of [
      'truth',
      'truth-weight',
      'sim-weight',
      'data-weight',
      'background',
      'background-weight',
      'pass-gen',
      'pass-reco',
      'units',
      ...PARTICLE_FLAGS,
    ]) {
      if (args[k] !== undefined)
        throw new InputError(`--${k} must come with --sim, --data, --gen and --reco; got no input files`);
    }
    return {
      kind: 'toy',
      toy: argChoice(args, 'toy', TOY_NAMES) ?? 'lepton-jet',
      nEvents: argInteger(args, 'events', 1),
    };
  }
  const missing = ['sim', 'data', 'gen', 'reco'].filter((k) => args[k] === undefined);
  if (missing.length > 0)
    throw new InputError(`--sim, --data, --gen and --reco must be given together; got no --${missing.join(', --')}`);
  if (args.toy !== undefined || args.events !== undefined)
    throw new InputError(
      `--toy and --events must not come with input files; got --${args.toy !== undefined ? 'toy' : 'events'}`,
    );
  if (args['truth-weight'] !== undefined && args.truth === undefined)
    throw new InputError('--truth-weight must come with --truth; got no --truth');
  const background = backgroundFiles(args);
  if (args['background-weight'] !== undefined && background.length === 0)
    throw new InputError('--background-weight must come with --background; got no --background');
  const gen = argList(args, 'gen') as string[];
  const reco = argList(args, 'reco') as string[];
  const levels = ['gen-particles', 'reco-particles'];
  const genParticles = particleColumnsPlan(args, { list: 'gen-particles', count: 'gen-particle-count' }, levels);
  const recoParticles = particleColumnsPlan(args, { list: 'reco-particles', count: 'reco-particle-count' }, levels);
  if (
    genParticles !== undefined &&
    recoParticles !== undefined &&
    genParticles.features.length !== recoParticles.features.length
  )
    throw new InputError(
      `--reco-particles must name as many columns as --gen-particles (the same particle features at each level); got ${recoParticles.features.length} and ${genParticles.features.length}`,
    );
  if ((genParticles === undefined) !== (recoParticles === undefined))
    throw new InputError(
      `--gen-particles and --reco-particles must be given together; got only --${genParticles === undefined ? 'reco' : 'gen'}-particles`,
    );
  if (genParticles === undefined) refuseLoneParticleCaps(args, '--gen-particles and --reco-particles');
  return {
    kind: 'files',
    sim: argString(args, 'sim') as string,
    data: argString(args, 'data') as string,
    truth: argString(args, 'truth'),
    truthWeight: argString(args, 'truth-weight'),
    gen,
    reco,
    simWeight: argString(args, 'sim-weight'),
    dataWeight: argString(args, 'data-weight'),
    background,
    backgroundWeight: argString(args, 'background-weight'),
    passGen: argString(args, 'pass-gen'),
    passReco: argString(args, 'pass-reco'),
    units: parseUnits(args, gen),
    ...(genParticles === undefined ? {} : { genParticles, recoParticles }),
  };
}
