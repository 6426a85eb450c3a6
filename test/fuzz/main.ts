/**
 * `npm run fuzz -- [--cli] [--minutes N | --count N] [--format F[,F…]] [--seed S] [--timeout MS] [--memory MIB]`:
 * seeded mutation fuzzing of every reader (arrow, parquet, csv, hdf5, npy, npz and root by
 * default; rntuple on request, see DEFAULT_FORMATS). Each format gets an equal share of
 * the time (default 1 minute in all) or `--count` mutants; failures are printed as they
 * happen, the outcome table at the end. Exit code 1 when any mutant failed.
 * With `--cli` the same mutants go through `omnifold unfold` instead (cli_fuzz.ts); the
 * limits then apply to each CLI run.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ALLOWED, DEFAULT_LIMITS, OUTCOMES, type Tally } from './harness.js';
import { fuzzFormatCli, formatCliTable, type CliTally } from './cli_fuzz.js';
import { fuzzFormat, formatTable } from './fuzz.js';
import { DEFAULT_FORMATS, FORMATS, makeInput, type Format } from './inputs.js';
import { testDir } from '../helpers/temp_dir.js';

const { values } = parseArgs({
  options: {
    cli: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    count: { type: 'string' },
    format: { type: 'string' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: String(DEFAULT_LIMITS.timeoutMs) },
    memory: { type: 'string', default: String(DEFAULT_LIMITS.memoryMiB) },
  },
});

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!(n > 0)) {
    console.error(`fuzz: --${name} must be a positive number; got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const formats = (values.format?.split(',') ?? [...DEFAULT_FORMATS]) as Format[];
for (const f of formats) {
  if (!FORMATS.includes(f)) {
    console.error(`fuzz: --format must be among ${FORMATS.join(', ')}; got ${JSON.stringify(f)}`);
    process.exit(2);
  }
}
const seed = positive('seed', values.seed);
const minutes = values.count === undefined ? positive('minutes', values.minutes ?? '1') : undefined;
const count = values.count === undefined ? Number.MAX_SAFE_INTEGER : positive('count', values.count);
const limits = {
  timeoutMs: positive('timeout', values.timeout),
  memoryMiB: positive('memory', values.memory),
};

const dir = testDir('omnifold-fuzz-');
const rows: Array<{ format: string; tally: Tally & { ran: number } }> = [];
const cliRows: Array<{ format: string; tally: CliTally }> = [];
try {
  const start = Date.now();
  for (const [k, format] of formats.entries()) {
    const input = await makeInput(format, dir);
    if (typeof input === 'string') {
      console.log(`${format}: skipped: ${input}`);
      continue;
    }
    const deadline = minutes === undefined ? undefined : start + ((k + 1) * minutes * 60_000) / formats.length;
    if (values.cli === true) {
      const tally = await fuzzFormatCli(input, {
        seed,
        count,
        deadline,
        limits,
        dir,
        onFailure: (line) => console.log(line),
      });
      console.log(
        `${format}: ${tally.ran} mutants, ${tally.runs} CLI runs, ${tally.runs - tally.failures.length} allowed outcomes`,
      );
      cliRows.push({ format, tally });
      continue;
    }
    const tally = await fuzzFormat(input, {
      seed,
      count,
      deadline,
      limits,
      dir,
      onFailure: (line) => console.log(line),
    });
    console.log(
      `${format}: ${tally.ran} mutants, ${OUTCOMES.filter((o) => ALLOWED.has(o)).reduce((n, o) => n + tally.counts[o], 0)} allowed outcomes`,
    );
    rows.push({ format, tally });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nseed ${seed}; limits: ${limits.timeoutMs} ms and ${limits.memoryMiB} MiB per ${values.cli === true ? 'CLI run' : 'read'}\n`,
);
console.log(values.cli === true ? formatCliTable(cliRows) : formatTable(rows));
process.exitCode = [...rows, ...cliRows].some((r) => r.tally.failures.length > 0) ? 1 : 0;
