/**
 * `omnifold validate FILE`: checks a weights file against the documented schema
 * (docs/weights-format.md). Prints `OK: …` and exits 0, or one line per problem on stdout
 * and exits 1; usage errors and a missing or unreadable file exit 2.
 */
import { checkInputFile, validateWeightsFile } from '../index.js';
import { parseArgs } from 'node:util';

const USAGE = 'usage: omnifold validate WEIGHTS.arrow';

/** Runs `omnifold validate` with `argv` (after the subcommand); resolves to the exit code. */
export async function runValidate(argv: string[]): Promise<number> {
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' } },
    });
    if (parsed.values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    positionals = parsed.positionals;
  } catch (error) {
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`omnifold: validate must be given one weights file; got ${positionals.length} (${USAGE})\n`);
    return 2;
  }
  const path = positionals[0];
  try {
    await checkInputFile('validate', path); // a missing or unreadable file is a usage error, not a finding
  } catch (error) {
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  const report = await validateWeightsFile(path);
  if (report.problems.length === 0) {
    process.stdout.write(`OK: ${path} (${report.nRows} rows, ${report.nColumns} columns, omnifold-weights format 1)\n`);
    return 0;
  }
  for (const p of report.problems) process.stdout.write(`${path}: ${p}\n`);
  return 1;
}
