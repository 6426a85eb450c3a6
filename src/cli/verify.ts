/**
 * `omnifold verify OUT/weights.arrow [--replicas LIST] [--sim F --data F --truth F
 *  --background F … --syst name=FILE …] [--threads N] [--quiet]`
 *
 * Re-runs an unfolding from what its weights file records (the `unfold` arguments, so
 * the seed and every option, through the same plan → inputs → options path as `unfold`)
 * and compares the chosen weight columns with the stored ones bit for bit. The input
 * files are checked against their recorded SHA-256 before any work; `--sim`, `--data`,
 * `--truth`, `--background` and `--syst name=FILE` point at moved copies. Nothing is written.
 * A file written by `omnifold reweight` is re-run from its recorded reweight arguments
 * (`--source`, `--target` for moved copies).
 *
 * Exit 0: every chosen column identical; 1: a column differs (its first differing row is
 * printed with both values); 2: usage errors, missing or changed input files.
 */
import {
  describeInputFile,
  describeValue,
  encodeModels,
  engineVersion,
  ensembleColumnName,
  InputError,
  LEGACY_GRADIENT_BLOCKS,
  type InputFileRecord,
  type NumericColumn,
  prepareReplicas,
  readWeightsFile,
  REPLICA_FAMILIES,
  type ReplicaExecutor,
  type ReplicaPlan,
  type ReplicaStore,
  type ReplicaWork,
  splitObjectPath,
  UNFOLD_DEFAULTS,
  type UnfoldModels,
  type UnfoldOptions,
  type WeightsFile,
} from '../index.js';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';
import type { UnfoldArgs } from './unfold_args.js';
import { loadInputs } from './unfold_inputs.js';
import { parseSystematic } from './syst_args.js';
import { planUnfold, RUN_LOCAL_ARGS, type RunPlan } from './unfold_plan.js';
import { membersOf, replicaExecutor, runReplicaOptions, runUnfoldOptions } from './unfold_run.js';
import { resolveSystematics } from './unfold_systematics.js';
import { recomputeReweight } from './reweight.js';

const USAGE =
  'usage: omnifold verify OUT/weights.arrow [--replicas LIST] [--sim F --data F --truth F --background F … --syst name=FILE …] [--threads N] [--quiet]';

const HELP = `${USAGE}

Re-runs the unfolding recorded in a weights file (its unfold arguments, seed and options)
and compares the weight columns with the stored ones bit for bit. Input files are first
checked against their recorded SHA-256. Writes nothing. Exit 0: identical; 1: a column
differs; 2: bad usage, missing or changed inputs.

  --replicas LIST     columns to recompute, comma-separated (default: every weight column:
                      weight, weight_iterN, member_* or run_*, data_boot_*, sim_boot_*,
                       background_boot_*, syst_*)
  --sim F, --data F   the run's sim / data file, moved (checked against the recorded hash)
  --source F, --target F  a reweight run's source / target file, moved
  --truth F           the run's truth file, moved
  --background F      the run's background files, moved: once per file, in the run's order
  --syst name=FILE    the file of systematic "name", moved (repeatable)
  --threads N         worker threads (default 1, or all cores when there is parallel work)
  --quiet             no progress on stderr
  -h, --help          show this help
`;

/** Column roles that a re-run recomputes (ensemble columns come with the nominal). */
const VERIFIABLE = new Set<string>(['iteration', 'ensemble', ...REPLICA_FAMILIES]);

interface VerifyArgs {
  path: string;
  replicas?: string[];
  files: { sim?: string; data?: string; truth?: string; source?: string; target?: string };
  background: string[];
  syst: string[];
  threads?: number;
  quiet: boolean;
}

const VERIFY_OPTIONS = {
  replicas: { type: 'string' },
  sim: { type: 'string' },
  data: { type: 'string' },
  truth: { type: 'string' },
  source: { type: 'string' },
  target: { type: 'string' },
  background: { type: 'string', multiple: true },
  syst: { type: 'string', multiple: true },
  threads: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `omnifold verify` argv; undefined for --help (printed). */
function parseVerifyArgs(argv: string[]): VerifyArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(argv, VERIFY_OPTIONS), allowPositionals: true, options: VERIFY_OPTIONS });
  } catch (error) {
    throw new InputError(
      `verify arguments must be known flags with their values (${USAGE}); got ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  if (positionals.length !== 1)
    throw new InputError(`verify must be given one weights file; got ${positionals.length} (${USAGE})`);
  return {
    path: positionals[0],
    replicas: values.replicas === undefined ? undefined : nameList(values.replicas),
    files: { sim: values.sim, data: values.data, truth: values.truth, source: values.source, target: values.target },
    background: values.background ?? [],
    syst: values.syst ?? [],
    threads: values.threads === undefined ? undefined : positiveInteger('--threads', values.threads),
    quiet: values.quiet === true,
  };
}

function nameList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((s) => s === ''))
    throw new InputError(`--replicas must be a comma-separated list of column names; got ${JSON.stringify(text)}`);
  return names;
}

function positiveInteger(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < 1)
    throw new InputError(`${flag} must be a positive integer; got ${JSON.stringify(text)}`);
  return v;
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
interface Job {
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

/** A bit-level difference between a stored and a recomputed column. */
interface Difference {
  column: string;
  text: string;
}

const hexBits = (bits: bigint) => `0x${bits.toString(16).padStart(16, '0')}`;
const showValue = (v: number, bits: bigint) => `${String(v)} (${hexBits(bits)})`;

/** The first row where the Float64 bit patterns differ (NaN-safe), as text; undefined if none. */
export function firstDifference(name: string, stored: NumericColumn, recomputed: Float64Array): string | undefined {
  const a = stored instanceof Float64Array ? stored : Float64Array.from(stored as ArrayLike<number>, Number);
  if (a.length !== recomputed.length)
    return `column ${name} differs: the file has ${a.length} rows, the re-run ${recomputed.length}`;
  const aBits = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const bBits = new BigUint64Array(recomputed.buffer, recomputed.byteOffset, recomputed.length);
  for (let i = 0; i < aBits.length; i++) {
    if (aBits[i] !== bBits[i])
      return `column ${name} differs first at row ${i}: file ${showValue(a[i], aBits[i])}, recomputed ${showValue(recomputed[i], bBits[i])}`;
  }
  return undefined;
}

/** What the re-run needs besides the jobs. */
interface Rerun {
  work: ReplicaWork;
  file: WeightsFile;
  executor: ReplicaExecutor;
  log: (line: string) => void;
}

/** Runs every job on the executor and compares its columns as it finishes; returns the differences. */
async function recompute(jobs: Job[], run: Rerun): Promise<Difference[]> {
  const differences: Difference[] = [];
  const byName = new Map(jobs.map((job) => [job.plan.name, job]));
  let done = 0;
  // a store that keeps nothing: each record is compared as it arrives, then dropped
  const compare: ReplicaStore = {
    write(record) {
      const job = byName.get(record.name)!;
      for (const c of job.columns) {
        const values =
          c.member !== undefined
            ? record.members![c.member]
            : c.iteration === undefined
              ? record.weights
              : record.result!.weightsPerIteration![c.iteration];
        const text = firstDifference(c.name, run.file.columns.get(c.name)!, values);
        if (text !== undefined) differences.push({ column: c.name, text });
      }
      const models = record.result?.models;
      if (models !== undefined && run.file.metadata.models !== undefined) {
        const text = modelsDifference(run.file, models);
        if (text !== undefined) differences.push({ column: 'models', text });
      }
      done++;
      run.log(`recomputed ${job.columns.map((c) => c.name).join(', ')} (${done}/${jobs.length} unfoldings)`);
    },
    read: () => undefined,
  };
  const indices = jobs.map((job) => run.work.plan.indexOf(job.plan));
  await run.executor.run(run.work, indices, { store: compare });
  return differences;
}

/**
 * The first saved model file whose recomputed bytes differ from those the weights file
 * records (by SHA-256), as text; undefined if every file is the same.
 */
function modelsDifference(file: WeightsFile, models: UnfoldModels): string | undefined {
  const stored = file.metadata.models!;
  const { record } = encodeModels(models, 'models', file.metadata.engine?.version);
  const files = [...record.files, { path: record.path, sha256: record.sha256 }];
  const storedFiles = [...stored.files, { path: stored.path, sha256: stored.sha256 }];
  if (files.length !== storedFiles.length)
    return `models differ: the file records ${storedFiles.length} model files, the re-run wrote ${files.length}`;
  const k = files.findIndex((f, i) => f.path !== storedFiles[i].path || f.sha256 !== storedFiles[i].sha256);
  return k < 0
    ? undefined
    : `models differ first at ${storedFiles[k].path}: file SHA-256 ${storedFiles[k].sha256}, recomputed ${files[k].path} ${files[k].sha256}`;
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

/**
 * True when the file was written before mlp.gradientBlocks existed: its stored MLP spec
 * lacks the block count, and its fits summed each minibatch in one block.
 */
function legacyBlocks(configuration: unknown): boolean {
  const recorded = (configuration as { options?: { classifier?: Record<string, unknown> } } | undefined)?.options
    ?.classifier;
  return recorded?.type === 'mlp' && recorded.gradientBlocks === undefined;
}

/** `options` with the MLP's block count set to `blocks` (undefined: left out). */
function withBlocks<T extends { classifier?: unknown }>(options: T, blocks: number | undefined): T {
  const classifier = options.classifier as Record<string, unknown> | undefined;
  if (classifier?.type !== 'mlp') return options;
  return { ...options, classifier: { ...classifier, gradientBlocks: blocks } };
}

/** Reads the file, rebuilds its run and checks its inputs; warns on stderr where bits may differ. */
async function rebuild(v: VerifyArgs, log: (line: string) => void) {
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

/** Verifies a file written by `omnifold reweight`: every weight column (or those of --replicas) re-run and compared. */
async function verifyReweight(v: VerifyArgs, file: WeightsFile, log: (line: string) => void): Promise<number> {
  for (const key of ['sim', 'data', 'truth'] as const) {
    if (v.files[key] !== undefined)
      throw new InputError(`--${key} must not be given for a reweight file; got one (use --source and --target)`);
  }
  const weightNames = file.metadata.columns.filter((c) => VERIFIABLE.has(c.role)).map((c) => c.name);
  const chosen = v.replicas ?? weightNames;
  const unknown = chosen.filter((name) => !weightNames.includes(name));
  if (unknown.length > 0)
    throw new InputError(
      `--replicas must name weight columns of the file (${weightNames.join(', ')}); got ${JSON.stringify(unknown[0])}`,
    );
  const recomputed = await recomputeReweight(
    v.path,
    file,
    { source: v.files.source, target: v.files.target, threads: v.threads },
    log,
  );
  const differences = chosen.flatMap((name) => {
    const text = firstDifference(name, file.columns.get(name)!, recomputed.get(name)!);
    return text === undefined ? [] : [text];
  });
  if (differences.length === 0) {
    process.stdout.write(`verified: ${chosen.length} of ${chosen.length} columns identical\n`);
    return 0;
  }
  process.stdout.write(`${differences[0]}\n`);
  process.stdout.write(`not verified: ${chosen.length - differences.length} of ${chosen.length} columns identical\n`);
  return 1;
}

/** Runs `omnifold verify argv…`; resolves to the exit code (errors propagate to main). */
export async function runVerify(argv: string[]): Promise<number> {
  const v = parseVerifyArgs(argv);
  if (v === undefined) return 0;
  const log = (line: string) => v.quiet || process.stderr.write(`${line}\n`);
  const written = await readWeightsFile(v.path);
  if ((written.metadata.configuration as { command?: unknown } | undefined)?.command === 'reweight')
    return verifyReweight(v, written, log);
  const { file, work, options, jobs, nColumns } = await rebuild(v, log);
  const executor = await replicaExecutor(v.threads, membersOf(options) > 1 || jobs.length > 1);
  if (executor.threads !== undefined) log(`using ${executor.threads} worker threads`);
  let differences: Difference[];
  try {
    differences = await recompute(jobs, { work, file, executor, log });
  } finally {
    await executor.close();
  }
  if (differences.length === 0) {
    process.stdout.write(`verified: ${nColumns} of ${nColumns} columns identical\n`);
    return 0;
  }
  const order = file.columnNames;
  differences.sort((a, b) => order.indexOf(a.column) - order.indexOf(b.column));
  process.stdout.write(`${differences[0].text}\n`);
  process.stdout.write(
    `not verified: ${nColumns - differences.length} of ${nColumns} columns identical; differing: ${differences.map((d) => d.column).join(', ')}\n`,
  );
  return 1;
}
