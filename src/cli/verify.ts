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
  encodeModels,
  InputError,
  type NumericColumn,
  readWeightsFile,
  type ReplicaExecutor,
  type ReplicaStore,
  type ReplicaWork,
  type UnfoldModels,
  type WeightsFile,
} from '../index.js';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';
import { membersOf, replicaExecutor } from './unfold_run.js';
import { recomputeReweight } from './reweight.js';
import { type Job, rebuild, VERIFIABLE, type VerifyArgs } from './verify_rebuild.js';

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
