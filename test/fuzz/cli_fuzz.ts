/**
 * CLI mode of the fuzzer (`npm run fuzz -- --cli`): every mutant of a format goes through
 * `omnifold unfold` as a user would run it, as --sim beside the valid file as --data, and
 * every third mutant also as --data beside the valid file as --sim. The binned classifier
 * with one iteration keeps each run short; the same columns serve as gen and reco.
 *
 * Each mutant is first read by the reader child with the columns the CLI asks for, and
 * classified as in reader mode (harness.ts): only a read equal to the original or an
 * undetectable value change may be unfolded. The mutants are those of reader mode for the
 * same seed. See cli_run.ts for the allowed endings of a run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_ALLOWED, CLI_OUTCOMES, describeCliRun, judgeCliRun, runCli, type CliOutcome } from './cli_run.js';
import { decodeColumn, mib, readReference, type FuzzOptions } from './fuzz.js';
import { classify, ReaderChild, type Columns, type Limits } from './harness.js';
import { writeMutant, type FuzzInput } from './inputs.js';
import { mutate } from './mutators.js';

/** Counts of CLI outcomes over one format's mutants. */
export interface CliTally {
  /** Mutants fuzzed. */
  ran: number;
  /** CLI runs (a mutant runs once as --sim, every third once more as --data). */
  runs: number;
  counts: Record<CliOutcome, number>;
  peakRssKiB: number;
  failures: string[];
}

/** The columns the CLI unfolds (gen and reco alike): all the reader-mode columns, or a few for the ROOT fixtures. */
export function cliColumns(input: FuzzInput): string[] {
  if (input.format === 'root') return ['px1', 'eta1', 'Q1'];
  if (input.format === 'rntuple') return ['Age', 'Cost', 'Hrweek'];
  return input.columns;
}

/** `--bins`: four equal bins per column over its range in the valid file, widened to whole numbers. */
export function binsFor(original: Columns, columns: string[]): string {
  return columns
    .map((name) => {
      const values = Array.from(decodeColumn(original.columns[name]) as ArrayLike<number | bigint>, Number);
      const lo = Math.floor(Math.min(...values)) - 1;
      const hi = Math.ceil(Math.max(...values)) + 1;
      return `${name}=${lo}:${hi}:4`;
    })
    .join(';');
}

/** Arguments of one `omnifold unfold` run. */
function unfoldArgs(sim: string, data: string, columns: string[], bins: string, out: string): string[] {
  const list = columns.join(',');
  return [
    'unfold',
    '--sim',
    sim,
    '--data',
    data,
    '--gen',
    list,
    '--reco',
    list,
    '--classifier',
    'binned',
    `--bins=${bins}`,
    '--iterations',
    '1',
    '--quiet',
    '--no-plots',
    '--out',
    out,
  ];
}

/** Reads the valid file with the CLI's columns and checks that the CLI unfolds it; returns its columns. */
async function checkValid(
  child: ReaderChild,
  input: FuzzInput,
  valid: string,
  columns: string[],
  limits: Limits,
  dir: string,
): Promise<Columns> {
  const result = await child.read(valid, columns);
  const reply = result.reply;
  if (reply === undefined || !reply.ok)
    throw new Error(
      `the valid ${input.format} input must read with columns ${columns.join(', ')}; got ${JSON.stringify(reply ?? result)}`,
    );
  const out = join(dir, 'out-valid');
  const run = await runCli(unfoldArgs(valid, valid, columns, binsFor(reply, columns), out), limits, dir);
  if (run.code !== 0 || run.stderr !== '')
    throw new Error(`the valid ${input.format} input must unfold cleanly through the CLI; got ${describeCliRun(run)}`);
  await rm(out, { recursive: true, force: true });
  return reply;
}

/** Runs the mutants of one format through the CLI. */
export async function fuzzFormatCli(input: FuzzInput, options: FuzzOptions): Promise<CliTally> {
  const dir = `${options.dir}/${input.format}`;
  mkdirSync(dir, { recursive: true });
  const child = new ReaderChild(options.limits);
  const tally: CliTally = {
    ran: 0,
    runs: 0,
    counts: Object.fromEntries(CLI_OUTCOMES.map((o) => [o, 0])) as Record<CliOutcome, number>,
    peakRssKiB: 0,
    failures: [],
  };
  try {
    const reference = await readReference(child, input, dir);
    const columns = cliColumns(input);
    writeFileSync(join(dir, `valid${input.ext}`), input.bytes);
    const valid = `${join(dir, `valid${input.ext}`)}${input.object}`;
    const original = await checkValid(child, input, valid, columns, options.limits, dir);
    const bins = binsFor(original, columns);
    for (let index = 1; index <= options.count; index++) {
      if (options.deadline !== undefined && Date.now() > options.deadline) break;
      const mutant = mutate(input, options.seed, index, reference.nRows);
      const path = writeMutant(dir, input, index, mutant.bytes);
      const file = path.slice(0, path.length - input.object.length);
      const readerOutcome = classify(await child.read(path, columns), mutant, original, input, file);
      for (const role of index % 3 === 0 ? ['sim', 'data'] : ['sim']) {
        const out = join(dir, `out-${index}-${role}`);
        const args =
          role === 'sim' ? unfoldArgs(path, valid, columns, bins, out) : unfoldArgs(valid, path, columns, bins, out);
        const result = await runCli(args, options.limits, dir);
        const outcome = judgeCliRun(result, file, out, readerOutcome);
        tally.counts[outcome]++;
        tally.runs++;
        tally.peakRssKiB = Math.max(tally.peakRssKiB, result.peakRssKiB);
        if (!CLI_ALLOWED.has(outcome))
          recordFailure(
            tally,
            options,
            `${input.format} #${index} as --${role}: ${outcome} (${mutant.kind}: ${mutant.description}; reader: ${readerOutcome}) → ${describeCliRun(result)}`,
            dir,
          );
        await rm(out, { recursive: true, force: true });
      }
      await rm(file, { force: true });
      tally.ran++;
    }
  } finally {
    child.stop();
  }
  return tally;
}

function recordFailure(tally: CliTally, options: FuzzOptions, line: string, dir: string): void {
  const short = line.replaceAll(`${dir}/`, '');
  tally.failures.push(short);
  options.onFailure?.(short);
}

const LABELS: Record<CliOutcome, string> = {
  named: 'one-line named error',
  unfolded: 'unfolded (allowed)',
  garbage: 'unfolded a damaged file',
  exit: 'other exit',
  multiline: 'not one omnifold: line',
  unnamed: 'error not naming the file',
  written: 'output written',
  noise: 'stderr noise',
  hang: 'hang',
  crash: 'crash',
};

/** The CLI outcome table as Markdown: one row per format; the columns after the allowed ones are failures. */
export function formatCliTable(rows: Array<{ format: string; tally: CliTally }>): string {
  const head = ['format', 'mutants', 'CLI runs', ...CLI_OUTCOMES.map((o) => LABELS[o]), 'peak RSS'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const { format, tally } of rows)
    lines.push(
      `| ${[format, tally.ran, tally.runs, ...CLI_OUTCOMES.map((o) => tally.counts[o]), mib(tally.peakRssKiB)].join(' | ')} |`,
    );
  return lines.join('\n');
}
