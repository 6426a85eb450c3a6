/**
 * `omnifold` command-line entry: dispatches to a subcommand, each imported lazily (so
 * `--version` loads neither wasm nor Arrow). Owns stdout and stderr: an error prints one
 * line `omnifold: <message>` (plus the stack with `--debug`) and exits 2 for usage and
 * input errors, 1 for runtime failures.
 */
import { OmniFoldError } from '../index.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Subcommands: module (relative to this file) and its exported runner. */
const SUBCOMMANDS: Record<string, [string, string]> = {
  unfold: ['./unfold.js', 'runUnfold'],
  reweight: ['./reweight.js', 'runReweight'],
  apply: ['./apply.js', 'runApply'],
  hist: ['./hist.js', 'runHist'],
  plot: ['./plot.js', 'runPlot'],
  export: ['./export.js', 'runExport'],
  validate: ['./validate.js', 'runValidate'],
  verify: ['./verify.js', 'runVerify'],
  plan: ['./plan.js', 'runPlan'],
  'run-task': ['./run_task.js', 'runTask'],
  merge: ['./merge.js', 'runMerge'],
  status: ['./status.js', 'runStatus'],
  check: ['./check.js', 'runCheck'],
  view: ['./view.js', 'runView'],
};

const USAGE = `usage: omnifold <command> [options]

commands:
  unfold    unfold data with OmniFold (no files: the embedded lepton-jet toy)
  reweight  weight one sample to another on chosen features (e.g. one generator to another)
  apply     weight other events of the same generator with an unfolding's saved models
  hist      histograms with covariances from a weights file
  plot      figures from a weights file
  export    export a weights file to other formats
  validate  check a weights file
  verify    re-run the unfolding a weights file records and compare its columns bit for bit
  plan      cut an unfolding into tasks for a cluster (--slurm, --htcondor, --emit tasks.txt)
  run-task  run one task of a plan (a job array index)
  merge     check a plan's replicas and write weights.arrow, summary.json and the report
  status    a plan's tasks: done, running, missing
  check     checks before trusting a result: ibu, closure, coverage
  view      the weights viewer in a browser: serves OUT/weights.arrow on 127.0.0.1

  omnifold <command> --help    options of a command
  omnifold --version           the engine version
`;

/** A usage error: exit code 2. */
class UsageError extends OmniFoldError {
  constructor(message: string) {
    super(message, 'E_INPUT');
  }
}

function version(): string {
  for (const path of ['../../../package.json', '../../package.json']) {
    try {
      return (require(path) as { version: string }).version;
    } catch {
      // not this layout (dist/src/cli or src/cli)
    }
  }
  return 'unknown';
}

async function loadSubcommand(name: string): Promise<(argv: string[]) => Promise<number>> {
  const entry = SUBCOMMANDS[name];
  if (entry === undefined) {
    throw new UsageError(
      `command must be one of ${Object.keys(SUBCOMMANDS).join(', ')}; got ${JSON.stringify(name)} (see omnifold --help)`,
    );
  }
  const url = new URL(entry[0], import.meta.url);
  let module: Record<string, unknown>;
  try {
    module = (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(url.pathname.split('/').pop() as string)
    ) {
      throw new UsageError(
        `command ${JSON.stringify(name)} must be available in this build; got none (not installed yet)`,
      );
    }
    throw error;
  }
  return module[entry[1]] as (argv: string[]) => Promise<number>;
}

/** The exit code for an error: 2 for input/usage errors, 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  return error instanceof OmniFoldError && error.code === 'E_INPUT' ? 2 : 1;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const first = argv[0];
    if (first === '--version' || first === '-V') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      (first === undefined ? process.stderr : process.stdout).write(USAGE);
      return first === undefined ? 2 : 0;
    }
    const run = await loadSubcommand(first);
    return await run(argv.slice(1));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`omnifold: ${message.split('\n')[0]}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}
