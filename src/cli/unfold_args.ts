/**
 * `omnifold unfold` arguments: the flag table, `--help`, parsing with node:util parseArgs,
 * and `--config file.json` (same keys as the flags; flags override). Produces plain values;
 * src/cli/unfold_plan.ts turns them into a run plan.
 */
import {
  CLASSIFIER_FLAGS,
  CLASSIFIER_TYPES,
  InputError,
  ITERATION_SEARCH_DEFAULTS,
  orList,
  UNFOLD_DEFAULTS,
} from '../index.js';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';
import { PARTICLE_CAP_FLAGS, particleCountHelp } from './particle_flags.js';

type FlagType = 'string' | 'boolean';

/**
 * Every flag: type, help text (defaults are filled from UNFOLD_DEFAULTS). The classifier
 * kinds' flags (--hidden, --epochs, …) come from the classifier registry, after --fakes.
 */
export const UNFOLD_FLAGS: Readonly<
  Record<string, { type: FlagType; help: string; short?: string; multiple?: boolean }>
> = Object.freeze({
  sim: {
    type: 'string',
    help: 'simulation file (.arrow, .csv, …; FILE:OBJECT names a tree, group or member) with gen and reco columns',
  },
  data: { type: 'string', help: 'data file with the reco columns (FILE or FILE:OBJECT)' },
  gen: { type: 'string', help: 'gen-level feature columns, comma-separated' },
  reco: { type: 'string', help: 'reco-level feature columns (sim and data), comma-separated' },
  'sim-weight': { type: 'string', help: 'sim prior weight column (default: all 1)' },
  'data-weight': { type: 'string', help: 'data weight column (default: all 1)' },
  background: {
    type: 'string',
    multiple: true,
    help: 'simulated background file with the --reco columns (FILE or FILE:OBJECT), subtracted from the data in step 1; repeatable (files concatenate)',
  },
  'background-weight': { type: 'string', help: 'background weight column of every --background file (default: all 1)' },
  'pass-gen': { type: 'string', help: 'sim gen-selection mask column, 0/1 or boolean (default: all pass)' },
  'pass-reco': { type: 'string', help: 'sim reco-selection mask column (default: all pass)' },
  units: { type: 'string', help: "units of gen columns for plots and metadata, e.g. 'gen_pt=GeV;gen_phi=rad'" },
  'gen-particles': {
    type: 'string',
    help: 'gen-level particle feature columns (variable-length lists, one per feature), comma-separated, for particle-level classifiers (--classifier pfn)',
  },
  'reco-particles': {
    type: 'string',
    help: 'reco-level particle feature columns (sim and data, and any --background), comma-separated',
  },
  'gen-particle-count': { type: 'string', help: particleCountHelp('gen ') },
  'reco-particle-count': { type: 'string', help: particleCountHelp('reco ') },
  ...PARTICLE_CAP_FLAGS,
  truth: { type: 'string', help: 'gen-level truth file (gen columns; FILE or FILE:OBJECT) for the χ² in the summary' },
  'truth-weight': { type: 'string', help: 'truth event weight column (default: all 1)' },
  toy: {
    type: 'string',
    help: 'embedded toy when no files are given: lepton-jet (default), gauss, or jets (jets with constituents, for --classifier pfn)',
  },
  events: { type: 'string', help: "toy events per sample (default: the toy's own size)" },
  iterations: {
    type: 'string',
    help: `OmniFold iterations (default ${UNFOLD_DEFAULTS.nIterations}), or auto[:MAX]: the first iteration whose change is below the data bootstraps' statistical noise, at most MAX (default ${ITERATION_SEARCH_DEFAULTS.maxIterations}; needs --data-bootstraps ≥ 4)`,
  },
  'auto-threshold': {
    type: 'string',
    help: `with --iterations auto: stop when the change's χ²/ndf against the bootstrap variance is below this (default ${ITERATION_SEARCH_DEFAULTS.threshold})`,
  },
  classifier: { type: 'string', help: `${orList(CLASSIFIER_TYPES)} (default ${UNFOLD_DEFAULTS.classifier.type})` },
  bins: {
    type: 'string',
    help: "per column 'col=lo:hi:n' or 'col=e0,e1,…', ';'-separated (binned classifier and summary)",
  },
  misses: { type: 'string', help: `expectation or prior (default ${UNFOLD_DEFAULTS.misses})` },
  fakes: { type: 'string', help: `reco-average, global or fixed (default ${UNFOLD_DEFAULTS.fakes})` },
  'step2-reference': {
    type: 'string',
    help: `previous (step 2 learns the change of the last push weights: ν′ = ν·g) or prior (it learns them from the prior: ν′ = g) (default ${UNFOLD_DEFAULTS.step2Reference})`,
  },
  ...Object.fromEntries(CLASSIFIER_FLAGS.map((flag) => [flag.name, { type: 'string' as const, help: flag.help }])),
  ensemble: { type: 'string', help: `ensemble members per step (default ${UNFOLD_DEFAULTS.nMembers})` },
  'ensemble-combine': {
    type: 'string',
    help: `mean or median of the members' ratios (default ${UNFOLD_DEFAULTS.ensembleCombine})`,
  },
  'ensemble-runs': {
    type: 'string',
    help: `independent full unfoldings with different network seeds; weight = their mean per event (default ${UNFOLD_DEFAULTS.ensembleRuns})`,
  },
  'data-bootstraps': { type: 'string', help: 'data bootstrap replicas (Poisson(1) data weights; default 0)' },
  'sim-bootstraps': { type: 'string', help: 'sim bootstrap replicas (Poisson(1) sim weights; default 0)' },
  'background-bootstraps': {
    type: 'string',
    help: 'background bootstrap replicas (Poisson(1) background weights only; needs --background; default 0)',
  },
  syst: {
    type: 'string',
    multiple: true,
    help: 'systematic replica, repeatable: name=prior:FILE or name=response:FILE (another generator, by reweighting) | name=unfold:FILE (the data unfolded with FILE as the sim, into OUT/syst_<name>.arrow) | name=FILE (the same events through another detector, row-aligned) | name=weight:COL | name=reco:COL*1.01',
  },
  replicas: {
    type: 'string',
    help: 'compute only these replicas into OUT/.omnifold-resume/, no merge: plan positions (0 = weight), ranges (0-9) or names (data_boot_3), comma-separated; a later --resume run merges',
  },
  resume: { type: 'boolean', help: 'continue an interrupted run into the same --out, reusing its finished replicas' },
  force: { type: 'boolean', help: 'replace an earlier omnifold output in --out (only what the engine wrote there)' },
  seed: { type: 'string', help: `run seed, integer in [0, 2^32) (default ${UNFOLD_DEFAULTS.seed})` },
  threads: {
    type: 'string',
    help: 'worker threads (default 1, or all cores when --ensemble or --ensemble-runs > 1, or with replicas)',
  },
  'save-iterations': { type: 'boolean', help: 'also write weight_iter1..N columns' },
  'save-members': {
    type: 'boolean',
    help: "also write the ensemble columns: each member's final weights member_0..member_{M-1}, or with --ensemble-runs R > 1 each run's, run_0..run_{R-1}",
  },
  'save-models': {
    type: 'boolean',
    help: 'also write OUT/models/: the trained step-2 and fakes models, which omnifold apply uses on other events',
  },
  out: { type: 'string', help: 'output directory (default ./omnifold-out)' },
  config: { type: 'string', help: 'JSON file with the same keys as these flags (flags override)' },
  'no-plots': { type: 'boolean', help: 'skip OUT/plots/ and OUT/report.html' },
  quiet: { type: 'boolean', help: 'no progress on stderr (warnings and errors still print)' },
  debug: { type: 'boolean', help: 'print the stack with an error' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
});

/** Parsed flag values: strings for value flags, booleans for switches. */
export type UnfoldArgs = Record<string, string | string[] | boolean | undefined>;

/** The `omnifold unfold --help` text. */
export function unfoldHelp(): string {
  const lines = Object.entries(UNFOLD_FLAGS).map(([name, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' X' : ''}`;
    return `  ${flag.padEnd(24)} ${f.help}`;
  });
  return [
    'usage: omnifold unfold [--sim F --data F --gen COLS --reco COLS] [options]',
    '',
    'Unfolds data with OmniFold and writes OUT/weights.arrow and OUT/summary.json.',
    'With no input files it runs the embedded lepton-jet toy (8 observables).',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** Config values may be numbers, booleans, arrays or (for bins) objects: normalise to flag strings. */
function configValue(key: string, value: unknown): string | string[] | boolean {
  const type = UNFOLD_FLAGS[key].type;
  if (UNFOLD_FLAGS[key].multiple === true) {
    const items = Array.isArray(value) ? value : [value];
    if (!items.every((v) => typeof v === 'string'))
      throw new InputError(`config key "${key}" must be a string or a list of strings; got ${JSON.stringify(value)}`);
    return items;
  }
  if (type === 'boolean') {
    if (typeof value !== 'boolean')
      throw new InputError(`config key "${key}" must be true or false; got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
    return value.join(',');
  if (key === 'bins' && typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([col, spec]) => `${col}=${Array.isArray(spec) ? spec.join(',') : String(spec)}`)
      .join(';');
  }
  throw new InputError(`config key "${key}" must be a string, number or array; got ${JSON.stringify(value)}`);
}

/** A `name=FILE` (or `name=prior:FILE`, `name=response:FILE`, `name=unfold:FILE`) systematic with a relative FILE, resolved against `folder`; other forms unchanged. */
function resolveSystFile(item: string, folder: string): string {
  const match = /^([^=]+)=(.+)$/.exec(item.trim());
  if (match === null || /^(weight|reco):/.test(match[2])) return item;
  const recipe = /^(prior|response|unfold):/.exec(match[2])?.[0] ?? '';
  const file = match[2].slice(recipe.length);
  return isAbsolute(file) ? item : `${match[1]}=${recipe}${resolve(folder, file)}`;
}

/**
 * Reads `--config`: keys as the flags; relative file paths (also of `syst` and `background`
 * files) resolve against the config's folder.
 */
export function readConfig(path: string): UnfoldArgs {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message);
    throw new InputError(`--config ${path} must be a readable JSON file; got ${reason}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InputError(`--config ${path} must hold a JSON object; got ${JSON.stringify(json)?.slice(0, 40)}`);
  const out: UnfoldArgs = {};
  for (const [key, value] of Object.entries(json)) {
    if (!Object.hasOwn(UNFOLD_FLAGS, key) || key === 'config' || key === 'help') {
      throw new InputError(`--config ${path} keys must be unfold flags without dashes; got "${key}"`);
    }
    out[key] = configValue(key, value);
    if (['sim', 'data', 'truth', 'out'].includes(key) && typeof out[key] === 'string' && !isAbsolute(out[key])) {
      out[key] = resolve(dirname(path), out[key]);
    }
    if (key === 'syst') out[key] = (out[key] as string[]).map((item) => resolveSystFile(item, dirname(path)));
    if (key === 'background')
      out[key] = (out[key] as string[]).map((file) => (isAbsolute(file) ? file : resolve(dirname(path), file)));
  }
  return out;
}

/** A flag table: {@link UNFOLD_FLAGS}, or a command's superset of it (`omnifold plan`'s). */
export type FlagTable = Readonly<Record<string, { type: FlagType; help: string; short?: string; multiple?: boolean }>>;

/**
 * Parses `omnifold unfold` argv (after the subcommand), merging `--config` under the flags.
 * `flags` and `command` let another command take unfold's options plus its own.
 */
export function parseUnfoldArgs(argv: string[], flags: FlagTable = UNFOLD_FLAGS, command = 'unfold'): UnfoldArgs {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) },
    ]),
  );
  let values: UnfoldArgs;
  try {
    ({ values } = parseArgs({
      args: joinDashValues(argv, flags),
      options: options,
      strict: true,
      allowPositionals: false,
    }) as { values: UnfoldArgs });
  } catch (error) {
    throw new InputError(usageMessage(error as Error, command), { cause: error });
  }
  const fromConfig = typeof values.config === 'string' ? readConfig(values.config) : {};
  const merged: UnfoldArgs = { ...fromConfig };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** parseArgs's errors rewritten as one-line `<subject> must <rule>; got <value>`. */
function usageMessage(error: Error, command: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  const flag = /'(-[^']*)'/.exec(error.message)?.[1] ?? /option "?([^"\s]+)/.exec(error.message)?.[1] ?? '?';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `${command} options must be known flags (see omnifold ${command} --help); got ${flag.split(' ')[0]}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `${command} arguments must all be --flags; got ${JSON.stringify(/'([^']*)'/.exec(error.message)?.[1] ?? '?')}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return `${command} option ${flag.split(' ')[0]} must ${/argument/.test(error.message) ? 'have a value' : 'not have a value'}; got ${/argument/.test(error.message) ? 'none' : 'one'}`;
  return `${command} arguments must parse; got ${error.message.split('\n')[0]}`;
}
