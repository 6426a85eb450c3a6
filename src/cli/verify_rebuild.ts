/**
 * Rebuilding the run a weights file records, for `omnifold verify`: its `unfold`
 * arguments with moved input files, the inputs checked against their recorded SHA-256,
 * the options rebuilt through the same plan → inputs → options path as `unfold`, and the
 * first option that drifted from the recorded one; and the columns to recompute, as jobs
 * of the rebuilt replicas.
 */
import {
  describeInputFile,
  describeValue,
  engineVersion,
  ensembleColumnName,
  InputError,
  hasGradientBlocks,
  LEGACY_GRADIENT_BLOCKS,
  storedBeforeBlocks,
  type InputFileRecord,
  prepareReplicas,
  readWeightsFile,
  REPLICA_FAMILIES,
  type ReplicaPlan,
  splitObjectPath,
  UNFOLD_DEFAULTS,
  type UnfoldOptions,
  type WeightsFile,
} from '../index.js';
import { stat } from 'node:fs/promises';
import type { UnfoldArgs } from './unfold_args.js';
import { loadInputs } from './unfold_inputs.js';
import { parseSystematic } from './syst_args.js';
import { planUnfold, RUN_LOCAL_ARGS, type RunPlan } from './unfold_plan.js';
import { runReplicaOptions, runUnfoldOptions } from './unfold_run.js';
import { resolveSystematics } from './unfold_systematics.js';

/** Column roles that a re-run recomputes (ensemble columns come with the nominal). */
export const VERIFIABLE = new Set<string>(['iteration', 'ensemble', ...REPLICA_FAMILIES]);

/** `omnifold verify`'s parsed arguments. */
export interface VerifyArgs {
  path: string;
  replicas?: string[];
  files: { sim?: string; data?: string; truth?: string; source?: string; target?: string };
  background: string[];
  syst: string[];
  threads?: number;
  quiet: boolean;
}

/** The `unfold` arguments recorded in the file, without the run-local ones. */
function recordedArguments(file: WeightsFile, path: string): UnfoldArgs {
  const conf = file.metadata.configuration as { command?: unknown; arguments?: unknown } | undefined;
  const args = conf?.arguments;
  if (conf?.command !== 'unfold' || typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new InputError(
      `${path}: metadata configuration must record an omnifold unfold run (command "unfold" and its arguments); got command ${describeValue(conf?.command)}`,
    );
  }
  return Object.fromEntries<UnfoldArgs[string]>(Object.entries(args).filter(([key]) => !RUN_LOCAL_ARGS.includes(key)));
}

/** The recorded arguments with the input files that `--sim`, `--data`, `--truth`, `--background`, `--syst` move. */
function withMovedFiles(args: UnfoldArgs, v: VerifyArgs): UnfoldArgs {
  const out = { ...args };
  for (const key of ['sim', 'data', 'truth'] as const) {
    const moved = v.files[key];
    if (moved === undefined) continue;
    if (typeof args[key] !== 'string')
      throw new InputError(
        `--${key} must replace an input file of the run; got a run without --${key}${args.sim === undefined ? ' (an embedded toy)' : ''}`,
      );
    out[key] = moved;
  }
  if (v.syst.length > 0) out.syst = movedSystematics(args.syst, v.syst);
  if (v.background.length > 0) {
    const recorded = args.background === undefined ? [] : [args.background].flat().map(String);
    if (recorded.length !== v.background.length)
      throw new InputError(
        `--background must be given once per background file of the run (${recorded.length}, in its order); got ${v.background.length}`,
      );
    out.background = v.background;
  }
  return out;
}

function movedSystematics(recorded: UnfoldArgs[string], moved: string[]): string[] {
  const items = recorded === undefined ? [] : Array.isArray(recorded) ? [...recorded] : [String(recorded)];
  const fileSysts = items
    .map(parseSystematic)
    .filter((s) => s.kind === 'sample' || s.kind === 'alternative')
    .map((s) => s.name);
  for (const text of moved) {
    const s = parseSystematic(text);
    const k = items.findIndex((item) => parseSystematic(item).name === s.name);
    if (s.kind !== 'sample' || s.recipe !== undefined || k < 0 || !fileSysts.includes(s.name)) {
      throw new InputError(
        `--syst must read name=FILE with name a systematic of the run read from a file (${fileSysts.join(', ') || 'none'}); got ${JSON.stringify(text)}`,
      );
    }
    // the recorded recipe (prior:, response:) stays; only the file moves
    const recorded = parseSystematic(items[k]);
    const prefix =
      recorded.kind === 'alternative'
        ? 'unfold:'
        : recorded.kind === 'sample' && recorded.recipe
          ? `${recorded.recipe}:`
          : '';
    items[k] = `${s.name}=${prefix}${s.file}`;
  }
  return items;
}

/**
 * Each input file of the plan by its role in the metadata (the k-th background file as
 * `background#k`: they share the role `background`), with the flag that moves it.
 */
function planFiles(plan: RunPlan): Map<string, { path: string; flag: string }> {
  const files = new Map<string, { path: string; flag: string }>();
  if (plan.input.kind !== 'files') return files;
  files.set('sim', { path: plan.input.sim, flag: '--sim FILE' });
  files.set('data', { path: plan.input.data, flag: '--data FILE' });
  if (plan.input.truth !== undefined) files.set('truth', { path: plan.input.truth, flag: '--truth FILE' });
  plan.input.background.forEach((path, k) =>
    files.set(`background#${k}`, { path, flag: '--background FILE (once per background file, in order)' }),
  );
  for (const s of plan.replicas.systematics)
    if (s.kind === 'sample' || s.kind === 'alternative')
      files.set(`syst:${s.name}`, { path: s.file, flag: `--syst ${s.name}=FILE` });
  return files;
}

/** Throws an InputError unless the file exists and has the recorded SHA-256. */
async function checkInput(record: InputFileRecord, path: string, flag: string): Promise<void> {
  const { file } = splitObjectPath(path);
  const found = await stat(file).catch(() => undefined);
  if (found === undefined || !found.isFile()) {
    throw new InputError(
      `${record.role} input ${file} must exist to re-run the unfolding; got ${found === undefined ? 'no such file' : 'a directory'} (point at a moved copy with ${flag})`,
    );
  }
  const actual = await describeInputFile(record.role, file);
  if (actual.sha256 !== record.sha256) {
    throw new InputError(
      `${record.role} input ${file} must have the SHA-256 recorded in the weights file; got ${actual.sha256.slice(0, 12)}… (recorded ${String(record.sha256).slice(0, 12)}…)`,
    );
  }
}

/** Checks every recorded input file the plan reads; returns the plan's files with no record. */
async function checkInputs(recorded: readonly InputFileRecord[], plan: RunPlan): Promise<string[]> {
  const files = planFiles(plan);
  const checked = new Set<string>();
  let nBackground = 0;
  for (const record of recorded ?? []) {
    const role =
      record.role === 'background'
        ? `background#${nBackground++}`
        : files.has(record.role)
          ? record.role
          : `syst:${record.role}`; // older files named a systematic's input by its name
    const file = files.get(role);
    if (file === undefined || checked.has(role)) continue;
    await checkInput(record, file.path, file.flag);
    checked.add(role);
  }
  return [...files.keys()]
    .filter((role) => !checked.has(role))
    .map((role) => `${role.replace(/#\d+$/, '')} input ${files.get(role)!.path}`);
}

/**
 * The first top-level option whose rebuilt value differs from the recorded one, if any.
 * An option the file does not record (written before the option existed) is no drift
 * when it is rebuilt at its default.
 */
function optionsDrift(rebuilt: UnfoldOptions, recorded: unknown): string | undefined {
  if (typeof recorded !== 'object' || recorded === null) return undefined;
  const keys = new Set([...Object.keys(rebuilt), ...Object.keys(recorded)]);
  const defaults = UNFOLD_DEFAULTS as unknown as Record<string, unknown>;
  for (const key of keys) {
    const value = JSON.stringify((rebuilt as unknown as Record<string, unknown>)[key]);
    const was = (recorded as Record<string, unknown>)[key];
    if (was === undefined && Object.hasOwn(defaults, key) && value === JSON.stringify(defaults[key])) continue;
    if (value !== JSON.stringify(was)) return key;
  }
  return undefined;
}

/** True when the file's stored classifier spec predates its kind's block count (`storedBeforeBlocks`). */
function legacyBlocks(configuration: unknown): boolean {
  return storedBeforeBlocks(
    (configuration as { options?: { classifier?: Record<string, unknown> } } | undefined)?.options?.classifier,
  );
}

/** `options` with the classifier's block count set to `blocks` (undefined: left out). */
function withBlocks<T extends { classifier?: unknown }>(options: T, blocks: number | undefined): T {
  const classifier = options.classifier as Record<string, unknown> | undefined;
  if (!hasGradientBlocks(classifier?.type)) return options;
  return { ...options, classifier: { ...classifier, gradientBlocks: blocks } };
}

/** Reads the file, rebuilds its run and checks its inputs; warns on stderr where bits may differ. */
export async function rebuild(v: VerifyArgs, log: (line: string) => void) {
  const file = await readWeightsFile(v.path);
  const recordedVersion = file.metadata.engine?.version;
  if (recordedVersion !== engineVersion()) {
    process.stderr.write(
      `warning: ${v.path} was written by omnifold ${recordedVersion ?? 'of unknown version'}, this is omnifold ${engineVersion()}; bits may differ\n`,
    );
  }
  const plan = planUnfold(withMovedFiles(recordedArguments(file, v.path), v));
  const columns = chooseColumns(file, v.replicas);
  const unchecked = await checkInputs(file.metadata.inputs, plan);
  for (const what of unchecked) log(`note: ${what} has no SHA-256 in the weights file; not checked`);
  const inputs = await loadInputs(plan.input);
  const legacy = legacyBlocks(file.metadata.configuration);
  const rebuilt = runUnfoldOptions(plan, inputs);
  const partial = legacy ? withBlocks(rebuilt, LEGACY_GRADIENT_BLOCKS) : rebuilt;
  const systematics = await resolveSystematics(plan.replicas.systematics, plan.input, inputs, partial);
  const work = prepareReplicas(inputs.sim, inputs.data, runReplicaOptions(plan, partial, systematics), false);
  const options = work.options;
  // a legacy file's spec meant one block without saying so
  const stated = legacy ? withBlocks(options, undefined) : options;
  const drift = optionsDrift(stated, (file.metadata.configuration as { options?: unknown }).options);
  if (drift !== undefined)
    process.stderr.write(
      `warning: option ${drift} rebuilt from the recorded arguments differs from the recorded one; bits may differ\n`,
    );
  return { file, work, options, jobs: jobsFor(columns, work.plan, options, v.path), nColumns: columns.length };
}

/** The columns to recompute, in file order: `--replicas`, or every weight column. */
function chooseColumns(file: WeightsFile, requested: string[] | undefined): string[] {
  const available = file.metadata.columns
    .filter((c) => VERIFIABLE.has(c.role) && file.columns.has(c.name))
    .map((c) => c.name);
  if (requested === undefined) return available;
  for (const name of requested) {
    if (!available.includes(name))
      throw new InputError(
        `--replicas must name weight columns of the file (${available.join(', ')}); got ${JSON.stringify(name)}`,
      );
  }
  return available.filter((name) => requested.includes(name));
}

/**
 * One unfolding to run and the file columns it yields (`iteration`: 0-based, for
 * weight_iterN; `member`: the ensemble column's index, for member_m or run_r).
 */
export interface Job {
  plan: ReplicaPlan;
  columns: { name: string; iteration?: number; member?: number }[];
}

/** The ensemble columns the rebuilt run writes. */
function ensembleColumns(options: UnfoldOptions): string[] {
  if (!options.saveMembers) return [];
  const count = options.ensembleRuns > 1 ? options.ensembleRuns : options.nMembers;
  return Array.from({ length: count }, (_, k) => ensembleColumnName(k, options.ensembleRuns));
}

/** Groups the chosen columns by the replica unfolding that computes them. */
function jobsFor(columns: string[], replicas: ReplicaPlan[], options: UnfoldOptions, path: string): Job[] {
  const jobs = new Map<string, Job>();
  const members = ensembleColumns(options);
  for (const name of columns) {
    const iter = /^weight_iter(\d+)$/.exec(name);
    const iteration = iter === null ? undefined : Number(iter[1]) - 1;
    const member = members.indexOf(name);
    const replica = replicas.find((p) => p.name === (iter === null && member < 0 ? name : 'weight'));
    if (
      replica === undefined ||
      (iteration !== undefined && !(options.saveIterations && iteration < options.nIterations))
    ) {
      const extra = [
        ...(options.saveIterations ? [`weight_iter1..${options.nIterations}`] : []),
        ...(members.length > 0 ? [`${members[0]}..${members[members.length - 1]}`] : []),
      ];
      throw new InputError(
        `${path}: column "${name}" must be one the recorded run computes (${[...replicas.map((p) => p.name), ...extra].join(', ')}); got a column the rebuilt run lacks`,
      );
    }
    const job = jobs.get(replica.name) ?? { plan: replica, columns: [] };
    job.columns.push({ name, iteration, ...(member >= 0 ? { member } : {}) });
    jobs.set(replica.name, job);
  }
  return [...jobs.values()];
}
